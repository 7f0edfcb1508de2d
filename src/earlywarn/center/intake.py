"""The center's intake: one policy for late, duplicated, early and refused reports.

Every report a step receives is sorted into exactly one outcome, the same rule for every
kind, decided here and nowhere else (the IR detector, the radar tracker and the health
table downstream see only what is *used*, in canonical order):

``used``
    in the step's interval ``(t_prev, t_s]`` and not seen before.
``late_used``
    older than the interval (``t_s <= t_prev``) but of a kind whose algorithm can use it:
    status reports (the health table keeps each sensor's newest status whatever the
    order of arrival).
``late``
    older than the interval, of a kind that cannot be used out of order: IR reports (the
    per-satellite tracks grow frame by frame in time) and radar reports (the tracker's
    filters cannot go back in time). Dropped.
``duplicate``
    the same sensor and sequence number as a report already taken (within
    ``IntakeParams.dedup_window_s``, or earlier in the same step), or the same content as
    another report of the step under another sequence number. Dropped.
``held``
    later than the step time but within ``IntakeParams.hold_early_s`` of it (a sensor
    clock ahead, or a caller that delivers early): kept in the center's state and given
    to the step whose interval it falls in, where it is counted again as ``used``.
``future``
    later than that: a report time far from the stream's clock (more than
    ``hold_early_s``, 60 s by default, ahead of the step time), dropped.
``refused``
    broke a value rule of the report contract when the slice was built
    (:meth:`earlywarn.reports.ReportSlice.from_columns`). Dropped there, counted here.
``unregistered``
    from a sensor the center's :class:`SensorRegistry` does not hold, or an IR or radar
    report from a sensor registered as another kind. Dropped: the center knows which
    sensors exist, and a report from any other is never used (status reports are taken
    from every registered sensor). A center with no registry (``None``: unit tests, a
    replay without its scenario) takes every sensor and says so in its outputs.
``other_mode``
    of another provenance than the center's (``mode``: a live center never uses an
    exercise, test or replayed report, the 9 November 1979 case; a center in exercise
    mode uses only exercise reports). Dropped, decided first.
``implausible``
    keeps the contract's types and ranges but cannot be right (:class:`PlausibilityLimits`:
    a radar range beyond that radar's instrumented range, an elevation outside its faces'
    limits, a radar site that is not the registered one, an SNR or IR intensity beyond a
    physical bound, an IR satellite inside the atmosphere or beyond the Moon's distance:
    the June 1980 kind of corruption). Dropped, and named in
    :attr:`~earlywarn.center.core.StepOutput.rejected`.

A late or refused report therefore never raises and is never silently used; the counts
are in every :class:`~earlywarn.center.core.StepOutput` and, summed over a run, in
``summary.json``. A live center that wants late reports to be on time steps a little
behind the wall clock (the lag is its own setting).

Duplicates are recognised by memory of the ``(sensor, seq)`` keys taken in the last
``dedup_window_s`` seconds of report time; a repeat of an older report is ``late`` (the
time rule comes first for reports outside the memory, which a repeat must be).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from earlywarn.reports import KINDS, Rejection, ReportBlock, ReportSlice, columns_of

__all__ = [
    "IntakeCounts",
    "IntakeParams",
    "IntakeState",
    "Outcome",
    "PlausibilityLimits",
    "RegisteredSensor",
    "SensorKind",
    "SensorRegistry",
    "admit",
]


class Outcome(StrEnum):
    """What the intake did with one report (see the module docstring)."""

    USED = "used"
    LATE_USED = "late_used"
    LATE = "late"
    DUPLICATE = "duplicate"
    HELD = "held"
    FUTURE = "future"
    REFUSED = "refused"
    UNREGISTERED = "unregistered"
    OTHER_MODE = "other_mode"
    IMPLAUSIBLE = "implausible"


class SensorKind(StrEnum):
    """What a registered sensor is: which report kind it may send besides status."""

    IR = "ir"
    RADAR = "radar"


@dataclass(frozen=True)
class RegisteredSensor:
    """One sensor the center knows: its id, kind and, for a radar, its site (geodetic,
    rad and m; an IR satellite's position comes in each of its reports), its instrumented
    maximum range (m) and the elevation limits of its faces (rad, the lowest and highest
    over all faces); each None when not known (then not checked)."""

    sensor_id: str
    kind: SensorKind
    lat_rad: float | None = None
    lon_rad: float | None = None
    h_m: float | None = None
    max_range_m: float | None = None
    el_min_rad: float | None = None
    el_max_rad: float | None = None

    def __post_init__(self) -> None:
        if not self.sensor_id:
            raise ValueError("RegisteredSensor.sensor_id: got ''; expected a non-empty id")
        object.__setattr__(self, "kind", SensorKind(self.kind))
        if self.max_range_m is not None and not (
            math.isfinite(self.max_range_m) and self.max_range_m > 0
        ):
            raise ValueError(
                f"RegisteredSensor.max_range_m ({self.sensor_id}): got {self.max_range_m!r}; "
                "expected a finite number > 0 (m) or None"
            )
        lo, hi = self.el_min_rad, self.el_max_rad
        if (lo is None) != (hi is None) or (
            lo is not None and hi is not None and not -_HALF_PI <= lo < hi <= _HALF_PI
        ):
            raise ValueError(
                f"RegisteredSensor elevation limits ({self.sensor_id}): got {lo!r}, {hi!r}; "
                "expected both None, or -π/2 <= el_min_rad < el_max_rad <= π/2"
            )


_HALF_PI = 0.5 * math.pi


@dataclass(frozen=True)
class SensorRegistry:
    """The sensors a center is configured with (its own input, like the defended areas)."""

    sensors: tuple[RegisteredSensor, ...] = ()

    def __post_init__(self) -> None:
        ids = [s.sensor_id for s in self.sensors]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"SensorRegistry: sensor ids must be unique; {dup} repeat")
        by_kind = {
            k: frozenset(s.sensor_id for s in self.sensors if s.kind == k) for k in SensorKind
        }
        accepts = {"ir": by_kind[SensorKind.IR], "radar": by_kind[SensorKind.RADAR]}
        accepts["status"] = frozenset(ids)
        object.__setattr__(self, "_accepts", accepts)
        object.__setattr__(self, "_by_id", {s.sensor_id: s for s in self.sensors})

        def val(v: float | None) -> float:
            return math.nan if v is None else float(v)

        radar = {
            s.sensor_id: (
                val(s.max_range_m), val(s.el_min_rad), val(s.el_max_rad), val(s.lat_rad),
                val(s.lon_rad),
            )
            for s in self.sensors
            if s.kind == SensorKind.RADAR
        }  # fmt: skip
        object.__setattr__(self, "_radar", radar)

    def radar_limits(self) -> dict[str, tuple[float, float, float, float, float]]:
        """Radar id → (max range m, lowest and highest face elevation rad, site latitude
        and longitude rad), NaN where the registration does not state it."""
        got: dict[str, tuple[float, float, float, float, float]] = self._radar  # type: ignore[attr-defined]
        return got

    def get(self, sensor_id: str) -> RegisteredSensor | None:
        """The registered sensor of this id, or None."""
        got: RegisteredSensor | None = self._by_id.get(sensor_id)  # type: ignore[attr-defined]
        return got

    def accepts(self, kind: str) -> frozenset[str]:
        """The sensor ids whose reports of ``kind`` are taken."""
        got: frozenset[str] = self._accepts[kind]  # type: ignore[attr-defined]
        return got


@dataclass(frozen=True)
class PlausibilityLimits:
    """Bounds on values that pass the report contract but cannot be right (the outcome
    ``implausible``). Physical bounds hold for every report; the registry's bounds for
    reports of a sensor whose registration states them.

    * ``range_margin_m``: a radar range may exceed the radar's instrumented maximum range
      by the measurement noise only; 1 km is 20 σ of the default 50 m range noise.
    * ``elevation_margin_rad``: the same for the faces' elevation limits; 1° is 8.7 σ of
      the default 2 mrad angle noise.
    * ``site_tolerance_m``: a radar report's site must be the registered one.
    * ``max_range_rate_m_s``: 12 km/s: nothing bound to the Earth closes on or leaves a
      ground radar faster (escape speed at the surface 11.2 km/s, plus the site's 0.46 km/s
      at most from the Earth's rotation); meteors are faster and are not early-warning
      targets.
    * ``max_radar_snr``: 10^13 (130 dB): a 10 m² object at the radar model's 50 km minimum
      range is about 10^10 at the default 5,000 km reference range for 1 m²; the Moon at
      384,000 km about 10^5.
    * ``max_ir_snr``: 10^9: a 10^6 W/sr plume (the brightest in the vehicle catalog) seen
      from 1,000 km by the default 5·10^-12 W/m² NEI is 2·10^5.
    * ``max_intensity_w_sr``: 10^9 W/sr, a thousand times the brightest plume in the
      catalog (1.2·10^6 W/sr) and far beyond a fire or a gas flare.
    * ``sat_radius_m``: an IR satellite's reported position must lie between 100 km above
      the equatorial radius (6,478 km) and 10^8 m from the Earth's centre (a quarter of the
      Moon's distance, beyond every early-warning orbit: GEO 42,164 km, Molniya apogee
      about 46,000 km).
    """

    range_margin_m: float = 1000.0
    elevation_margin_rad: float = math.radians(1.0)
    site_tolerance_m: float = 1000.0
    max_range_rate_m_s: float = 12e3
    max_radar_snr: float = 1e13
    max_ir_snr: float = 1e9
    max_intensity_w_sr: float = 1e9
    sat_radius_m: tuple[float, float] = (6.478e6, 1e8)

    def __post_init__(self) -> None:
        for name in (
            "range_margin_m", "elevation_margin_rad", "site_tolerance_m",
            "max_range_rate_m_s", "max_radar_snr",
            "max_ir_snr", "max_intensity_w_sr",
        ):  # fmt: skip
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise ValueError(f"PlausibilityLimits.{name}: got {v!r}; expected a number > 0")
        lo, hi = self.sat_radius_m
        if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 < lo < hi):
            raise ValueError(
                f"PlausibilityLimits.sat_radius_m: got {self.sat_radius_m!r}; expected "
                "(lo, hi) with 0 < lo < hi (m)"
            )


@dataclass(frozen=True)
class IntakeParams:
    """``hold_early_s``: reports up to this far after the step time are held for the step
    they belong to (later ones are ``future``); ``dedup_window_s``: how long, in report
    time, the keys of taken reports are remembered to recognise duplicates;
    ``limits``: the plausibility limits."""

    hold_early_s: float = 60.0
    dedup_window_s: float = 900.0
    limits: PlausibilityLimits = field(default_factory=PlausibilityLimits)

    def __post_init__(self) -> None:
        for name in ("hold_early_s", "dedup_window_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0):
                raise ValueError(f"IntakeParams.{name} must be a finite number >= 0, got {v!r}")


@dataclass(frozen=True)
class IntakeCounts:
    """How many reports of each kind met each :class:`Outcome`: ``{kind: {outcome: n}}``
    with only non-zero entries; counts add with ``+``."""

    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    rejected: tuple[Rejection, ...] = ()
    """The ``implausible`` reports named (which report, field, value, why)."""

    def __add__(self, other: IntakeCounts) -> IntakeCounts:
        out: dict[str, dict[str, int]] = {k: dict(v) for k, v in self.counts.items()}
        for kind, by in other.counts.items():
            dst = out.setdefault(kind, {})
            for outcome, n in by.items():
                dst[outcome] = dst.get(outcome, 0) + n
        return IntakeCounts(out, self.rejected + other.rejected)

    def get(self, kind: str, outcome: Outcome) -> int:
        return int(self.counts.get(kind, {}).get(outcome, 0))

    def total(self, outcome: Outcome) -> int:
        return sum(int(by.get(outcome, 0)) for by in self.counts.values())

    def to_dict(self) -> dict[str, dict[str, int]]:
        """JSON-ready, kinds and outcomes in their fixed order."""
        return {
            k: {str(o): int(self.counts[k][o]) for o in Outcome if self.counts[k].get(o)}
            for k in KINDS
            if self.counts.get(k)
        }


_NO_COUNTS = IntakeCounts()

Chunk = tuple[npt.NDArray[np.str_], npt.NDArray[np.int64], npt.NDArray[np.float64]]
"""The ``sensor_id``, ``seq`` and ``t_s`` of the reports of one kind used in one step."""


@dataclass(frozen=True)
class IntakeState:
    """What the intake remembers between steps: held early reports, the keys of the
    reports used within the dedup window (one chunk per step and kind, oldest first) and
    each sensor's highest ``seq`` used (a key above it is new without a look-up)."""

    held: ReportSlice = field(default_factory=ReportSlice)
    chunks: tuple[Chunk, ...] = ()
    max_seq: Mapping[str, int] = field(default_factory=dict)
    """Never changed in place: each step that uses reports makes a new one."""

    @property
    def n_held(self) -> int:
        return len(self.held)


_LATE_USABLE = frozenset({"status"})
"""Kinds whose algorithm can take a report older than the step interval."""

_KEY_COLUMNS = frozenset({"schema", "kind", "seq", "time_utc"})


_FINGERPRINT = {"ir": "los_x", "radar": "range_m", "status": "t_s"}
"""A column two reports of the same content must share exactly: the full comparison runs
only when some value of it repeats."""


def _content_duplicates(b: ReportBlock, keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Rows (among ``keep``) whose content equals an earlier kept row of the same sensor
    and time under another ``seq``."""
    dup = np.zeros(b.n, dtype=bool)
    idx = np.flatnonzero(keep)
    if idx.size < 2:
        return dup
    finger = b[_FINGERPRINT[b.kind]][idx]
    if np.unique(finger).size == idx.size:
        return dup
    content = [b[c][idx] for c in columns_of(b.kind) if c not in _KEY_COLUMNS]
    order = np.lexsort((idx, *content[::-1]))
    same = np.ones(idx.size - 1, dtype=bool)
    for col in content:
        s = col[order]
        same &= s[1:] == s[:-1]
    if same.any():
        dup[idx[order[1:][same]]] = True
    return dup


def _key_duplicates(b: ReportBlock, chunks: tuple[Chunk, ...]) -> npt.NDArray[np.bool_]:
    """Rows whose ``(sensor, seq)`` was used before (in ``chunks``) or appears earlier in
    the block."""
    sid, seq = b["sensor_id"], b["seq"]
    dup = np.zeros(b.n, dtype=bool)
    mem_sid = np.concatenate([c[0] for c in chunks]) if chunks else np.zeros(0, np.str_)
    mem_seq = np.concatenate([c[1] for c in chunks]) if chunks else np.zeros(0, np.int64)
    for s in dict.fromkeys(sid.tolist()):
        rows = np.flatnonzero(sid == s)
        q = seq[rows]
        if q.size > 1:
            o = np.argsort(q, kind="stable")
            rep = np.zeros(q.size, dtype=bool)
            rep[o[1:]] = q[o][1:] == q[o][:-1]
            dup[rows[rep]] = True
        dup[rows[np.isin(q, mem_seq[mem_sid == s])]] = True
    return dup


def _registered(
    b: ReportBlock, known: frozenset[str], counts: dict[str, dict[str, int]]
) -> ReportBlock:
    """The block less reports from sensors not in ``known`` (counted as unregistered)."""
    sl = b["sensor_id"].tolist()
    if set(sl) <= known:
        return b
    ok = np.fromiter((s in known for s in sl), dtype=bool, count=len(sl))
    counts.setdefault(b.kind, {})[Outcome.UNREGISTERED] = int((~ok).sum())
    return b.take(ok)


def _of_mode(b: ReportBlock, mode: str, counts: dict[str, dict[str, int]]) -> ReportBlock:
    """The block less reports of another mode than the center's (counted as other_mode)."""
    ok = b["mode"] == mode
    if bool(ok.all()):
        return b
    counts.setdefault(b.kind, {})[Outcome.OTHER_MODE] = int((~ok).sum())
    return b.take(ok)


_UNKNOWN = (math.nan,) * 5


def _radar_limits(b: ReportBlock, registry: SensorRegistry | None) -> npt.NDArray[np.float64]:
    """Per row: the registered max range, elevation limits, site latitude and longitude
    of the row's radar (NaN where not stated: a comparison with NaN never flags)."""
    if registry is None:
        return np.full((b.n, 5), math.nan)
    lims = registry.radar_limits()
    return np.array([lims.get(s, _UNKNOWN) for s in b["sensor_id"].tolist()], dtype=float)


def _implausible_faults(
    b: ReportBlock, lim: PlausibilityLimits, registry: SensorRegistry | None
) -> list[tuple[str, npt.NDArray[np.bool_], str]]:
    """The plausibility checks of a block: ``(field, bad-row mask, what is plausible)``."""
    out: list[tuple[str, npt.NDArray[np.bool_], str]] = []
    if b.kind == "radar":
        out.append(("snr", b["snr"] > lim.max_radar_snr, f"snr <= {lim.max_radar_snr:g}"))
        out.append(
            (
                "range_rate_m_s",
                np.abs(b["range_rate_m_s"]) > lim.max_range_rate_m_s,
                f"|range_rate_m_s| <= {lim.max_range_rate_m_s:g}",
            )
        )
        reg = _radar_limits(b, registry)
        m = lim.elevation_margin_rad
        el = b["elevation_rad"]
        dlon = np.mod(b["site_lon_rad"] - reg[:, 4] + math.pi, 2 * math.pi) - math.pi
        with np.errstate(invalid="ignore"):
            d = 6.371e6 * np.hypot(b["site_lat_rad"] - reg[:, 3], dlon * np.cos(reg[:, 3]))
            out += [
                (
                    "range_m",
                    b["range_m"] > reg[:, 0] + lim.range_margin_m,
                    f"within the radar's instrumented range + {lim.range_margin_m:g} m",
                ),
                (
                    "elevation_rad",
                    (el < reg[:, 1] - m) | (el > reg[:, 2] + m),
                    "within the radar's face elevation limits",
                ),
                (
                    "site_lat_rad/site_lon_rad",
                    d > lim.site_tolerance_m,
                    f"the registered site (within {lim.site_tolerance_m:g} m)",
                ),
            ]
    elif b.kind == "ir":
        out.append(("snr", b["snr"] > lim.max_ir_snr, f"snr <= {lim.max_ir_snr:g}"))
        out.append(
            (
                "intensity_w_sr",
                b["intensity_w_sr"] > lim.max_intensity_w_sr,
                f"intensity_w_sr <= {lim.max_intensity_w_sr:g}",
            )
        )
        with np.errstate(over="ignore"):
            r = np.sqrt(b["sat_x_m"] ** 2 + b["sat_y_m"] ** 2 + b["sat_z_m"] ** 2)
        lo_r, hi_r = lim.sat_radius_m
        out.append(
            (
                "sat_x_m/sat_y_m/sat_z_m",
                (r < lo_r) | (r > hi_r),
                f"a satellite {lo_r:g} m to {hi_r:g} m from the Earth's centre",
            )
        )
    return out


def _plausible(
    b: ReportBlock,
    lim: PlausibilityLimits,
    registry: SensorRegistry | None,
    counts: dict[str, dict[str, int]],
    rejected: list[Rejection],
) -> ReportBlock:
    """The block less implausible reports (counted, and each named in ``rejected``)."""
    faults = _implausible_faults(b, lim, registry)
    if not faults:
        return b
    bad = np.zeros(b.n, dtype=bool)
    for _, mask, _ in faults:
        bad |= mask
    if not bad.any():
        return b
    counts.setdefault(b.kind, {})[Outcome.IMPLAUSIBLE] = int(bad.sum())
    named = np.zeros(b.n, dtype=bool)
    for name, mask, allowed in faults:
        for i in np.flatnonzero(mask & ~named).tolist():
            first = name.split("/")[0]
            rejected.append(
                Rejection.of(
                    f"{b.kind} report {b['sensor_id'][i]} seq {int(b['seq'][i])} "
                    f"(t_s {float(b['t_s'][i]):.3f})",
                    name,
                    float(b[first][i]),
                    f"implausible: expected {allowed}",
                )
            )
        named |= mask
    return b.take(~bad)


def _in_order_and_new(b: ReportBlock, t_prev: float, t_s: float, max_seq: dict[str, int]) -> bool:
    """The common case, checked in plain Python on a step's few reports: every report in
    the interval, in time order, each sensor's ``seq`` above any used before and
    increasing, and no two reports of one sensor and time with the same fingerprint.
    Updates ``max_seq`` when true."""
    tl = b["t_s"].tolist()
    if not (tl[0] > t_prev and tl[-1] <= t_s) or any(x > y for x, y in itertools.pairwise(tl)):
        return False
    sl = b["sensor_id"].tolist()
    last = dict(max_seq)
    for s, q in zip(sl, b["seq"].tolist(), strict=True):
        if q <= last.get(s, -1):
            return False
        last[s] = q
    fl = b[_FINGERPRINT[b.kind]].tolist()
    if len(set(zip(sl, tl, fl, strict=True))) != len(tl):
        return False
    max_seq.update(last)
    return True


def _canonical(b: ReportBlock) -> ReportBlock:
    """The block in ``(t_s, sensor_id, seq)`` order (the contract's canonical order)."""
    if b.n < 2:
        return b
    t = b["t_s"]
    if bool(np.all(t[1:] > t[:-1])):
        return b
    order = np.lexsort((b["seq"], b["sensor_id"], t))
    if bool(np.all(order[1:] > order[:-1])):
        return b
    return b.take(order)


def _remember(
    chunks: tuple[Chunk, ...], used: Iterable[ReportBlock], t_s: float, window_s: float
) -> tuple[Chunk, ...]:
    """The dedup memory with the used reports added and chunks older than the window
    dropped (a chunk goes once its newest report is older than ``t_s - window_s``)."""
    new = tuple((b["sensor_id"], b["seq"], b["t_s"]) for b in used if b.n)
    cutoff = t_s - window_s
    k = 0
    while k < len(chunks) and float(chunks[k][2][-1]) < cutoff:
        k += 1
    return chunks[k:] + new if (k or new) else chunks


def admit(
    state: IntakeState,
    reports: ReportSlice,
    t_prev: float,
    t_s: float,
    params: IntakeParams,
    registry: SensorRegistry | None = None,
    mode: str = "live",
) -> tuple[IntakeState, ReportSlice, IntakeCounts]:
    """Sort a step's reports (and those held from before) into outcomes.

    Returns the new intake state, the reports to use (canonical order, per kind) and the
    counts. ``t_prev`` is the previous step time, ``t_s`` this one; ``registry`` the
    sensors the center knows (None: every sensor is taken); ``mode`` the center's.
    """
    held = state.held
    if not len(held) and not reports.refused and not len(reports):
        return state, reports, _NO_COUNTS
    max_seq = dict(state.max_seq)
    counts: dict[str, dict[str, int]] = {}
    used: dict[str, ReportBlock] = {}
    keep_later: dict[str, ReportBlock] = {}
    rejected: list[Rejection] = []
    for kind, n_bad in reports.refused:
        counts.setdefault(kind, {})[Outcome.REFUSED] = n_bad
    for kind in KINDS:
        fresh = reports.block(kind)
        if fresh.n:
            fresh = _of_mode(fresh, mode, counts)
        if registry is not None and fresh.n:
            fresh = _registered(fresh, registry.accepts(kind), counts)
        if fresh.n and kind != "status":
            fresh = _plausible(fresh, params.limits, registry, counts, rejected)
        if not held.block(kind).n and fresh.n and _in_order_and_new(fresh, t_prev, t_s, max_seq):
            counts.setdefault(kind, {})[Outcome.USED] = fresh.n
            used[kind] = fresh
            continue
        b = ReportBlock.concat(kind, (held.block(kind), fresh))
        if not b.n:
            continue
        c = counts.setdefault(kind, {})
        n_held = held.block(kind).n
        dup = _key_duplicates(b, state.chunks)
        dup |= _content_duplicates(b, ~dup)
        t = b["t_s"]
        late = ~dup & (t <= t_prev)
        early = ~dup & (t > t_s)
        hold = early & (t <= t_s + params.hold_early_s)
        now = ~dup & ~late & ~early
        late_outcome = Outcome.LATE
        if kind in _LATE_USABLE:
            now |= late
            late_outcome = Outcome.LATE_USED
        for outcome, n in (
            (Outcome.USED, int((now & ~late).sum())),
            (Outcome.DUPLICATE, int(dup.sum())),
            (late_outcome, int(late.sum())),
            # re-held reports were counted as held when they came
            (Outcome.HELD, int(hold[n_held:].sum())),
            (Outcome.FUTURE, int((early & ~hold).sum())),
        ):
            if n:
                c[outcome] = n
        if hold.any():
            keep_later[kind] = b.take(hold)
        if now.any():
            u = _canonical(b if bool(now.all()) else b.take(now))
            used[kind] = u
            for sid, q in zip(u["sensor_id"].tolist(), u["seq"].tolist(), strict=True):
                if q > max_seq.get(sid, -1):
                    max_seq[sid] = q
    new_state = IntakeState(
        held=ReportSlice.of_blocks(keep_later),
        chunks=_remember(state.chunks, used.values(), t_s, params.dedup_window_s),
        max_seq=max_seq,
    )
    return (
        new_state,
        ReportSlice.of_blocks(used),
        IntakeCounts({k: v for k, v in counts.items() if v}, tuple(rejected)),
    )
