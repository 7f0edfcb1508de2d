"""The center on the wall clock: the same ``step`` core, stepped from the durable log.

The center's clock reads ``t_s = t0 + speed × (wall − anchor)`` (a LIVE center: the wall
clock itself, ``t_s`` = seconds since the epoch). The center steps on its grid
``t_k = k × step`` a lag behind that clock: step ``k`` runs once the clock passes
``t_k + lag``, so a report that arrives within the lag is on time (the intake holds a
report that arrives before its step, and counts one that arrives after it as late).

Every accepted batch is assigned, when it is stored and under the same lock as the
loop's bookkeeping, to the first step not yet run whose time has not passed
(``k = max(⌈(t − lag)/step⌉, last run + 1)``), and the step number is stored with it.
Step ``k`` receives exactly the batches stored with step ``k``, in the order they were
stored. So the center's state after step ``k`` is a function of the log alone: a restart
replays the log and reaches the same state and the same alerts, bit for bit (and checks
them against the alerts stored before the restart).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from earlywarn.center import Alert, CenterState, StepOutput, step
from earlywarn.center.intake import IntakeCounts, SensorKind
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.time import parse_utc
from earlywarn.reports import ReportBatch, ReportSlice
from earlywarn.service.config import ServiceConfig
from earlywarn.service.envelope import Mode
from earlywarn.service.ingest import parse_reports
from earlywarn.service.store import Store

__all__ = ["Clock", "LiveCenter"]

TRACK_POINTS = 400
"""Positions kept per track for the live picture."""


@dataclass(frozen=True)
class Clock:
    """The center's clock: ``t_s = t0_s + speed × (unix − anchor_unix)``."""

    anchor_unix: float
    t0_s: float
    speed: float

    def t_s(self, unix: float | None = None) -> float:
        u = time.time() if unix is None else unix  # (the service passes its own clock)
        return self.t0_s + self.speed * (u - self.anchor_unix)


def _meta_defaults(cfg: ServiceConfig, now: float) -> dict[str, str]:
    epoch_unix = parse_utc(cfg.epoch).timestamp()
    if cfg.mode == Mode.LIVE:
        anchor, t0 = epoch_unix, 0.0
        start = now - epoch_unix
    else:
        anchor, t0 = now, cfg.clock.start
        start = cfg.clock.start
    return {
        "mode": str(cfg.mode),
        "epoch": cfg.epoch,
        "speed": repr(cfg.clock.speed),
        "step_s": repr(cfg.center.step),
        "anchor_unix": repr(anchor),
        "t0_s": repr(t0),
        "k0": str(math.floor(start / cfg.center.step)),
    }


class LiveCenter:
    """The running center of one service: state, pending batches, alerts, the picture."""

    def __init__(
        self, cfg: ServiceConfig, store: Store, now: Callable[[], float] = time.time
    ) -> None:
        self.cfg = cfg
        self.now = now
        self.store = store
        self.center_config = cfg.center_config()
        self.dt = float(cfg.center.step)
        self.lag = float(cfg.clock.lag)
        meta = store.meta(_meta_defaults(cfg, now()))
        for key, want in (
            ("mode", str(cfg.mode)),
            ("epoch", cfg.epoch),
            ("speed", repr(cfg.clock.speed)),
            ("step_s", repr(cfg.center.step)),
        ):
            if meta[key] != want:
                raise ValueError(
                    f"the store {store.directory} was made with {key}={meta[key]}; the config "
                    f"says {want}: use a new store for a new {key}"
                )
        self.clock = Clock(float(meta["anchor_unix"]), float(meta["t0_s"]), cfg.clock.speed)
        self.k0 = int(meta["k0"])
        self.closed = self.k0
        self.state = CenterState.initial(self.center_config, self.k0 * self.dt)
        self.lock = threading.Lock()
        self._step_lock = threading.Lock()
        self.pending: dict[int, list[tuple[int, ReportBatch]]] = {}
        self.alerts: list[Alert] = []
        self.intake = IntakeCounts()
        self.replay_mismatches = 0
        self.last_out: StepOutput | None = None
        self.tracks: dict[str, deque[tuple[float, float, float, float]]] = {}
        self.sat_points: dict[str, tuple[float, float]] = {}
        self.last_batch_unix: dict[str, float] = {}
        self.seq_seen: dict[str, tuple[int, int, int]] = store.sequence_summary()
        self.steps_run = 0

    # ------------------------------------------------------------------ grid

    def due_step(self, unix: float | None = None) -> int:
        """The last step whose time plus the lag the clock has passed."""
        return math.floor((self.clock.t_s(unix) - self.lag) / self.dt + 1e-9)

    def accept(
        self, sensor_id: str, seq: int, batch: ReportBatch, store_fn: Callable[[int], int]
    ) -> int:
        """Assign a checked batch to its step, store it (``store_fn(step)`` commits it and
        returns its row id) and queue it for the step; returns the step."""
        with self.lock:
            t = self.clock.t_s(self.now())
            k = max(math.ceil((t - self.lag) / self.dt - 1e-9), self.closed + 1)
            row = store_fn(k)
            self.pending.setdefault(k, []).append((row, batch))
            n, lo, hi = self.seq_seen.get(sensor_id, (0, seq, seq))
            self.seq_seen[sensor_id] = (n + 1, min(lo, seq), max(hi, seq))
            self.last_batch_unix[sensor_id] = self.now()
        return k

    def gaps(self) -> dict[str, int]:
        """Sensor → batch sequence numbers missing between its lowest and highest."""
        return {s: hi - lo + 1 - n for s, (n, lo, hi) in self.seq_seen.items()}

    # ------------------------------------------------------------------ replay, stepping

    def replay(self) -> int:
        """Queue every stored batch for its step (at start-up); returns how many."""
        n = 0
        with self.lock:
            for b in self.store.batches():
                # every stored batch is of the center's mode (ingest took no other)
                batch = parse_reports(b.body, b.sensor_id, self.cfg.epoch, 10**9, self.cfg.mode)
                self.pending.setdefault(b.step, []).append((b.row_id, batch))
                n += 1
        return n

    def advance(self, unix: float | None = None, max_steps: int | None = None) -> list[Alert]:
        """Run every step that is due; the new alerts."""
        target = self.due_step(self.now() if unix is None else unix)
        new: list[Alert] = []
        with self._step_lock:
            while self.closed < target and (max_steps is None or max_steps > 0):
                with self.lock:
                    k = self.closed + 1
                    self.closed = k
                    parts = self.pending.pop(k, [])
                new.extend(self._run_step(k, parts))
                if max_steps is not None:
                    max_steps -= 1
        return new

    def _run_step(self, k: int, parts: list[tuple[int, ReportBatch]]) -> list[Alert]:
        if parts:
            batch = ReportBatch.concat([b for _, b in sorted(parts, key=lambda p: p[0])])
            rows = {kind: (0, batch.count(kind)) for kind in ("ir", "radar", "status")}
            reports = ReportSlice.window(batch, rows)
        else:
            batch, reports = None, ReportSlice()
        self.state, out = step(self.state, reports, k * self.dt)
        self.steps_run += 1
        self.last_out = out
        if out.intake.counts:
            self.intake = self.intake + out.intake
        if out.alerts:
            self.replay_mismatches += self.store.add_alerts(
                k, [(a.alert_id, a.to_json()) for a in out.alerts]
            )
            self.alerts.extend(out.alerts)
        self._picture(out, batch)
        return list(out.alerts)

    # ------------------------------------------------------------------ the picture

    def _picture(self, out: StepOutput, batch: ReportBatch | None) -> None:
        pts: list[tuple[str, float, np.ndarray]] = [
            (f"R{tr.track_id}", float(tr.t_s), np.asarray(tr.x[:3])) for tr in out.tracks
        ]
        for key, ev in self.state.ir_events:
            r = getattr(ev, "track_r_ecef_m", None)
            t = getattr(ev, "track_t_s", None)
            if r is not None and t is not None and len(t):
                pts.append((f"IR{key}", float(np.asarray(t)[-1]), np.asarray(r)[-1]))
        if pts:
            lat, lon, h = ecef_to_geodetic(np.stack([p[2] for p in pts]))
            for (name, t, _), la, lo, hh in zip(
                pts, np.degrees(lat).tolist(), np.degrees(lon).tolist(), h.tolist(), strict=True
            ):
                d = self.tracks.setdefault(name, deque(maxlen=TRACK_POINTS))
                if not d or d[-1][0] != t:
                    d.append((t, round(la, 4), round(lo, 4), round(hh / 1e3, 2)))
        if batch is not None and batch.count("ir"):
            c = batch.columns("ir")
            sid = c["sensor_id"].astype(str)
            for s in np.unique(sid).tolist():
                i = int(np.flatnonzero(sid == s)[-1])
                la, lo, _ = ecef_to_geodetic(
                    np.array([c["sat_x_m"][i], c["sat_y_m"][i], c["sat_z_m"][i]])
                )
                self.sat_points[s] = (float(np.degrees(la)), float(np.degrees(lo)))

    def health(self) -> dict[str, Any]:
        """Sensors, coverage, intake counts and the lag between clock and center."""
        now = self.now()
        out = self.last_out
        by_id = {h.sensor_id: h for h in (out.health if out is not None else ())}
        gaps = self.gaps()
        sensors = []
        for s in self.center_config.sensors.sensors if self.center_config.sensors else ():
            h = by_id.get(s.sensor_id)
            last = self.last_batch_unix.get(s.sensor_id)
            sensors.append(
                {
                    "sensor_id": s.sensor_id,
                    "kind": str(s.kind),
                    "state": h.state if h is not None else "unknown",
                    "degraded": bool(h.degraded) if h is not None else True,
                    "reason": str(h.reason) if h is not None else "no status yet",
                    "last_status_t_s": h.last_t_s if h is not None else None,
                    "last_batch_age_s": None if last is None else round(now - last, 3),
                    "batch_gaps": gaps.get(s.sensor_id, 0),
                }
            )
        clock = self.clock.t_s(now)
        return {
            "mode": str(self.cfg.mode),
            "clock_t_s": clock,
            "center_t_s": self.state.t_s,
            "lag_s": clock - self.state.t_s,
            "configured_lag_s": self.lag,
            "coverage_degraded": bool(out.coverage_degraded) if out is not None else True,
            "sensors": sensors,
            "intake": self.intake.to_dict(),
            "alerts": len(self.alerts),
            "steps_run": self.steps_run,
            "replay_mismatches": self.replay_mismatches,
        }

    def picture(self) -> dict[str, Any]:
        """What the live page draws: sensors, tracks, events (their alerts), health."""
        reg = self.center_config.sensors.sensors if self.center_config.sensors else ()
        sensors = []
        for s in reg:
            if s.kind == SensorKind.RADAR and s.lat_rad is not None and s.lon_rad is not None:
                sensors.append(
                    {"id": s.sensor_id, "kind": "radar", "lat_deg": math.degrees(s.lat_rad),
                     "lon_deg": math.degrees(s.lon_rad)}
                )  # fmt: skip
            elif s.sensor_id in self.sat_points:
                la, lo = self.sat_points[s.sensor_id]
                sensors.append({"id": s.sensor_id, "kind": "ir", "lat_deg": la, "lon_deg": lo})
        areas = [
            {"name": a.name, "lat_deg": a.circle.lat_deg, "lon_deg": a.circle.lon_deg,
             "radius_km": a.circle.radius / 1e3}
            for a in self.cfg.defended_areas
            if a.circle is not None
        ]  # fmt: skip
        return {
            "sensors": sensors,
            "defended_areas": areas,
            "tracks": {k: list(v) for k, v in sorted(self.tracks.items())},
            "alerts": [a.to_dict() for a in self.alerts],
            "health": self.health(),
        }
