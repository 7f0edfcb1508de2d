"""Scenario events that change what sensors report: outages, degraded periods, fires.

* :class:`Outage` — the sensor produces no measurement reports in ``[start_s, end_s)``.
  Its heartbeats continue with state ``"outage"`` (the health channel outlives the
  payload), unless ``silent=True``: then it sends nothing at all, and the center learns of
  the outage only from missing heartbeats.
* :class:`Degraded` — in ``[start_s, end_s)`` every signal-to-noise ratio of the sensor is
  multiplied by ``snr_factor`` (0 < f ≤ 1): for an infrared payload that is the
  noise-equivalent irradiance divided by f, for a radar a loss of sensitivity of
  −10·log10 f dB. Heartbeats say ``"degraded"``. Overlapping degradations multiply.
* :class:`Fire` — a hot stationary source (fire, gas flare) at a geodetic point, with a
  constant radiant intensity in ``[start_s, end_s)``. Every infrared sensor sees it
  through the same detection pipeline as a missile plume (assuming a clear sky over it:
  it is not hidden by the cloud-top altitude cut); limb viewers never see it.

* :class:`Corrupt` — a failing part garbling the sensor's messages (the June 1980 NORAD
  false alerts: a failing 46-cent multiplexer chip wrote 2s into the zero-filled "missiles
  detected" fields of test messages). In ``[start_s, end_s)`` each measurement report of
  the sensor is garbled with probability ``fraction`` (:func:`garble`): one of its
  measured numbers (:data:`CORRUPT_FIELDS`), chosen uniformly, has one bit of its 11-bit
  IEEE-754 exponent flipped, chosen uniformly — the value is multiplied or divided by
  2^(2^k) for k = 0..10, or becomes inf/NaN when the flip fills the exponent. Its
  identity (sensor, seq, time) is kept. Heartbeats are not garbled. The scoring truth
  labels a garbled report ``"corrupt"``. Small factors (×2, ×4) give wrong values that
  stay plausible and reach the center like any noisy measurement; large ones break the
  contract (refused) or a plausibility limit (implausible).

An outage wins over a degraded period. Times are seconds since the scenario epoch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _check_window(cls: str, start_s: float, end_s: float) -> None:
    if not (math.isfinite(start_s) and math.isfinite(end_s) and end_s > start_s):
        raise ValueError(
            f"{cls}: start_s={start_s!r}, end_s={end_s!r}; expected finite times with "
            "end_s > start_s (seconds since the scenario epoch)"
        )


@dataclass(frozen=True)
class Outage:
    """No measurement reports from ``sensor_id`` in ``[start_s, end_s)``."""

    sensor_id: str
    start_s: float
    end_s: float
    silent: bool = False

    def __post_init__(self) -> None:
        _check_window("Outage", self.start_s, self.end_s)


@dataclass(frozen=True)
class Degraded:
    """SNR of ``sensor_id`` multiplied by ``snr_factor`` in ``[start_s, end_s)``."""

    sensor_id: str
    start_s: float
    end_s: float
    snr_factor: float = 0.5

    def __post_init__(self) -> None:
        _check_window("Degraded", self.start_s, self.end_s)
        if not 0.0 < self.snr_factor <= 1.0:
            raise ValueError(
                f"Degraded.snr_factor: got {self.snr_factor!r}; expected 0 < snr_factor <= 1"
            )


@dataclass(frozen=True)
class Fire:
    """A hot stationary source at (``lat_deg``, ``lon_deg``, ``h_m``) of ``intensity_w_sr``."""

    fire_id: str
    lat_deg: float
    lon_deg: float
    start_s: float
    end_s: float
    intensity_w_sr: float
    h_m: float = 0.0

    def __post_init__(self) -> None:
        _check_window("Fire", self.start_s, self.end_s)
        if not -90.0 <= self.lat_deg <= 90.0:
            raise ValueError(f"Fire.lat_deg: got {self.lat_deg!r}; expected [-90, 90]")
        if not -360.0 <= self.lon_deg <= 360.0:
            raise ValueError(f"Fire.lon_deg: got {self.lon_deg!r}; expected [-360, 360]")
        if not (math.isfinite(self.intensity_w_sr) and self.intensity_w_sr > 0):
            raise ValueError(
                f"Fire.intensity_w_sr: got {self.intensity_w_sr!r}; expected a number > 0"
            )


@dataclass(frozen=True)
class Corrupt:
    """A ``fraction`` of ``sensor_id``'s measurement reports garbled in ``[start_s, end_s)``
    (see the module docstring and :func:`garble`)."""

    sensor_id: str
    start_s: float
    end_s: float
    fraction: float = 0.05

    def __post_init__(self) -> None:
        _check_window("Corrupt", self.start_s, self.end_s)
        if not (math.isfinite(self.fraction) and 0.0 < self.fraction <= 1.0):
            raise ValueError(f"Corrupt.fraction: got {self.fraction!r}; expected 0 < fraction <= 1")


CORRUPT_FIELDS: dict[str, tuple[str, ...]] = {
    "ir": ("los_x", "los_y", "los_z", "sat_x_m", "sat_y_m", "sat_z_m", "intensity_w_sr", "snr"),
    "radar": ("range_m", "azimuth_rad", "elevation_rad", "range_rate_m_s", "snr"),
}
"""The measured numbers a :class:`Corrupt` event may garble, per report kind."""

_EXPONENT_BITS = np.arange(52, 63, dtype=np.uint64)


def garble(
    kind: str,
    columns: dict[str, npt.NDArray[np.generic]],
    t_s: FloatArray,
    sensor_id: str,
    events: Sequence[Event],
    rng: np.random.Generator,
) -> tuple[dict[str, npt.NDArray[np.generic]], BoolArray]:
    """The columns with the reports hit by the sensor's :class:`Corrupt` events garbled,
    and which rows were. Draws per report in order: whether it is hit (uniform < the
    fraction of an event covering it), the field, the exponent bit."""
    n = int(t_s.size)
    hit = np.zeros(n, dtype=bool)
    fields = CORRUPT_FIELDS.get(kind)
    evs = [e for e in events if isinstance(e, Corrupt) and e.sensor_id == sensor_id]
    if not evs or not fields or not n:
        return columns, hit
    u = rng.random(n)
    for ev in evs:
        hit |= (t_s >= ev.start_s) & (t_s < ev.end_s) & (u < ev.fraction)
    which = rng.integers(0, len(fields), n)
    bit = _EXPONENT_BITS[rng.integers(0, _EXPONENT_BITS.size, n)]
    out = dict(columns)
    for j, name in enumerate(fields):
        rows = np.flatnonzero(hit & (which == j))
        if not rows.size:
            continue
        col = np.array(out[name], dtype=np.float64)
        bits = col.view(np.uint64)
        bits[rows] ^= np.left_shift(np.uint64(1), bit[rows])
        out[name] = col
    return out, hit


Event = Outage | Degraded | Fire | Corrupt


def check_events(events: Sequence[Event]) -> None:
    """Refuse anything that is not an event."""
    for i, ev in enumerate(events):
        if not isinstance(ev, Outage | Degraded | Fire | Corrupt):
            raise ValueError(
                f"events[{i}]: got {type(ev).__name__}; allowed Outage, Degraded, Fire or Corrupt"
            )


@dataclass(frozen=True)
class SensorCondition:
    """A sensor's condition at a set of times: outage / silent masks and SNR factor."""

    outage: BoolArray
    silent: BoolArray
    snr_factor: FloatArray

    @property
    def degraded(self) -> BoolArray:
        return np.asarray(~self.outage & (self.snr_factor < 1.0))

    def state(self) -> npt.NDArray[np.str_]:
        """``"ok"``, ``"degraded"`` or ``"outage"`` per time."""
        out = np.full(self.outage.shape, "ok", dtype="<U8")
        out[self.degraded] = "degraded"
        out[self.outage] = "outage"
        return out


def condition(sensor_id: str, events: Sequence[Event], t_s: npt.ArrayLike) -> SensorCondition:
    """Condition of ``sensor_id`` at times ``t_s`` under ``events`` (vectorised over times;
    a loop over the few events)."""
    t = np.asarray(t_s, dtype=np.float64)
    outage = np.zeros(t.shape, dtype=bool)
    silent = np.zeros(t.shape, dtype=bool)
    factor = np.ones(t.shape)
    for ev in events:
        if isinstance(ev, Fire | Corrupt) or ev.sensor_id != sensor_id:
            continue
        inside = (t >= ev.start_s) & (t < ev.end_s)
        if isinstance(ev, Outage):
            outage |= inside
            if ev.silent:
                silent |= inside
        else:
            factor = np.where(inside, factor * ev.snr_factor, factor)
    return SensorCondition(outage, silent, factor)


def fires(events: Sequence[Event]) -> tuple[Fire, ...]:
    return tuple(ev for ev in events if isinstance(ev, Fire))
