"""The whole-run sensor simulation: truth in, one time-ordered report stream out.

:func:`simulate` runs every infrared satellite and radar over ``[t_start_s, t_end_s)``,
adds the status heartbeats, numbers each sensor's reports and returns the reports (a
:class:`~earlywarn.reports.ReportBatch`, carrying no truth) and, separately, the scoring
truth (:class:`~earlywarn.reports.ReportTruth`).

Determinism. The root :class:`numpy.random.SeedSequence` comes from ``rng_or_seed`` (an
int or a SeedSequence directly; a Generator contributes four 64-bit words it draws). Each
sensor's stream is the root's child *addressed by its sensor id* (two 32-bit words of
the SHA-256 of the id appended to the spawn key), not by its position in a list: adding,
removing or reordering sensors never changes another sensor's draws. Inside a sensor the
sources draw from fixed sub-streams (targets, false alarms/clutter, glint, fires), so
adding a launch does not change clutter either. Same inputs and seed ⇒ identical batch.

Heartbeats. Every sensor sends a ``status`` report at ``k · heartbeat_s`` (k integer from
the epoch) with its state (``ok``, ``degraded`` or ``outage``) and ``period_s`` =
``heartbeat_s``; during a *silent* outage it sends nothing.

Provenance. Every report carries a ``mode`` (:data:`~earlywarn.reports.MODES`): the
mode of the launch its true object belongs to (``modes``: launch id → mode, default
``"live"``), so an exercise launch's reports say ``"exercise"``; clutter, false alarms,
glint, fires and heartbeats are the sensor's own and stay ``"live"``.

Corruption. A :class:`~earlywarn.sensors.events.Corrupt` event garbles a fraction of one
sensor's measurement reports (:func:`~earlywarn.sensors.events.garble`, from the sensor's
own stream keyed ``"<id>/corrupt"``, so other draws do not move); the scoring truth labels
them ``"corrupt"``.

Numbering. Per sensor, ``seq`` counts from 0 over all its reports in time order (ties
broken by kind as in :data:`~earlywarn.reports.KINDS`, then generation order).

Cost. Visibility is evaluated only at (object, frame) pairs inside an object's life (or
burn, for infrared); clutter, false alarms and glint are drawn for all frames at once.
The only Python loops are over sensors, faces, events and a bounded rejection sampler.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from earlywarn.earth.time import parse_utc
from earlywarn.flight.truth import Trajectories
from earlywarn.reports import KINDS, MODES, ReportBatch, ReportTruth
from earlywarn.sensors.background import Observations, frame_range
from earlywarn.sensors.events import Event, check_events, condition, garble
from earlywarn.sensors.infrared import InfraredSatellite
from earlywarn.sensors.radar import Radar

Sensor = InfraredSatellite | Radar


def root_seed(
    rng_or_seed: int | np.random.SeedSequence | np.random.Generator,
) -> np.random.SeedSequence:
    """The run's root SeedSequence (see the module docstring)."""
    if isinstance(rng_or_seed, np.random.SeedSequence):
        return rng_or_seed
    if isinstance(rng_or_seed, np.random.Generator):
        words = rng_or_seed.integers(0, 2**63, size=4, dtype=np.int64)
        return np.random.SeedSequence([int(w) for w in words])
    if isinstance(rng_or_seed, int | np.integer) and not isinstance(rng_or_seed, bool):
        if int(rng_or_seed) < 0:
            raise ValueError(f"rng_or_seed: got {rng_or_seed!r}; a seed must be >= 0")
        return np.random.SeedSequence(int(rng_or_seed))
    raise ValueError(
        f"rng_or_seed: got {type(rng_or_seed).__name__}; allowed an int >= 0, a "
        "numpy.random.SeedSequence or a numpy.random.Generator"
    )


def sensor_seed(root: np.random.SeedSequence, sensor_id: str) -> np.random.SeedSequence:
    """The stream of one sensor: the root's child keyed by its id."""
    h = hashlib.sha256(sensor_id.encode("utf-8")).digest()
    key = (int.from_bytes(h[:4], "little"), int.from_bytes(h[4:8], "little"))
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))


def heartbeats(
    sensor_id: str,
    events: Sequence[Event],
    t_start_s: float,
    t_end_s: float,
    heartbeat_s: float,
) -> dict[str, npt.NDArray[np.generic]]:
    """Status columns (``t_s``, ``state``, ``period_s``) of one sensor."""
    t = frame_range(heartbeat_s, t_start_s, t_end_s) * heartbeat_s
    cond = condition(sensor_id, events, t)
    keep = ~cond.silent
    return {
        "t_s": t[keep].astype(np.float64),
        "state": cond.state()[keep],
        "period_s": np.full(int(keep.sum()), float(heartbeat_s)),
    }


def simulate(
    truth: Trajectories,
    satellites: Sequence[InfraredSatellite],
    radars: Sequence[Radar],
    epoch: str | datetime,
    t_start_s: float,
    t_end_s: float,
    rng_or_seed: int | np.random.SeedSequence | np.random.Generator,
    events: Sequence[Event] = (),
    heartbeat_s: float = 10.0,
    modes: Mapping[str, str] | None = None,
) -> tuple[ReportBatch, ReportTruth]:
    """Reports of every sensor over ``[t_start_s, t_end_s)`` and their scoring truth.

    ``modes``: the report mode of each launch id (absent ones are ``"live"``)."""
    ep = parse_utc(epoch)
    if not (math.isfinite(t_start_s) and math.isfinite(t_end_s) and t_end_s > t_start_s):
        raise ValueError(
            f"simulate: t_start_s={t_start_s!r}, t_end_s={t_end_s!r}; expected finite "
            "times with t_end_s > t_start_s"
        )
    if not (math.isfinite(heartbeat_s) and heartbeat_s > 0):
        raise ValueError(f"simulate: heartbeat_s={heartbeat_s!r}; expected a number > 0")
    if not isinstance(truth, Trajectories):
        raise ValueError(f"simulate: truth must be Trajectories; got {type(truth).__name__}")
    sensors: list[Sensor] = [*satellites, *radars]
    for s in satellites:
        if not isinstance(s, InfraredSatellite):
            raise ValueError(f"satellites: got {type(s).__name__}; expected InfraredSatellite")
    for r in radars:
        if not isinstance(r, Radar):
            raise ValueError(f"radars: got {type(r).__name__}; expected Radar")
    ids = [s.sensor_id for s in sensors]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"simulate: sensor ids must be unique; repeated {dup}")
    events = tuple(events)
    check_events(events)
    root = root_seed(rng_or_seed)
    modes = dict(modes or {})
    bad_modes = {k: v for k, v in modes.items() if v not in MODES}
    if bad_modes:
        raise ValueError(f"simulate: modes {bad_modes}; each must be one of {MODES}")
    obj_mode = {
        oid: modes.get(lid, "live")
        for oid, lid in zip(truth.object_id, truth.launch_id, strict=True)
        if modes.get(lid, "live") != "live"
    }

    parts: dict[str, list[dict[str, npt.NDArray[np.generic]]]] = {k: [] for k in KINDS}
    truth_parts: list[ReportTruth] = []
    for sensor in sensors:
        obs: Observations = sensor.observe(
            truth, ep, t_start_s, t_end_s, sensor_seed(root, sensor.sensor_id), events
        )
        # a satellite out of its working arc reports an outage (InfraredSatellite.off_duty)
        duty = (
            sensor.off_duty(ep, t_start_s, t_end_s) if isinstance(sensor, InfraredSatellite) else ()
        )
        hb = heartbeats(sensor.sensor_id, (*events, *duty), t_start_s, t_end_s, heartbeat_s)
        n_obs, n_hb = len(obs), hb["t_s"].size
        t_all = np.concatenate([obs.columns["t_s"].astype(np.float64), hb["t_s"]])
        rank = np.concatenate(
            [np.full(n_obs, KINDS.index(obs.kind)), np.full(n_hb, KINDS.index("status"))]
        )
        order = np.lexsort((np.arange(n_obs + n_hb), rank, t_all))
        seq = np.empty(n_obs + n_hb, dtype=np.int64)
        seq[order] = np.arange(n_obs + n_hb, dtype=np.int64)
        sid = np.full(n_obs + n_hb, sensor.sensor_id)
        mode = np.full(n_obs, "live", dtype="<U8")
        if obj_mode and n_obs:
            labels, inv = np.unique(obs.label, return_inverse=True)
            mode = np.array([obj_mode.get(str(x), "live") for x in labels], dtype="<U8")[inv]
        cols, hit = garble(
            obs.kind, obs.columns, t_all[:n_obs], sensor.sensor_id, events,
            np.random.default_rng(sensor_seed(root, sensor.sensor_id + "/corrupt")),
        )  # fmt: skip
        label = np.where(hit, "corrupt", obs.label) if hit.any() else obs.label
        parts[obs.kind].append({**cols, "sensor_id": sid[:n_obs], "seq": seq[:n_obs], "mode": mode})
        parts["status"].append(
            {**hb, "sensor_id": sid[n_obs:], "seq": seq[n_obs:], "mode": np.full(n_hb, "live")}
        )
        truth_parts.append(ReportTruth(sid[:n_obs], seq[:n_obs], label))

    def join(kind: str) -> dict[str, npt.NDArray[np.generic]] | None:
        if not parts[kind]:
            return None
        return {n: np.concatenate([p[n] for p in parts[kind]]) for n in parts[kind][0]}

    batch = ReportBatch.from_columns(ep, ir=join("ir"), radar=join("radar"), status=join("status"))
    return batch, ReportTruth.concat(truth_parts)
