"""Peer benchmark: earlywarn's radar tracker against Stone Soup's kd-tree GNN tracker.

    python benchmarks/tracking_peer.py --scenario /work/shared/bench/scenario_N50.npz
    python benchmarks/tracking_peer.py --scenario FILE --skip-peer     # earlywarn only

Both trackers get exactly the same measurements (the shared npz, see
/work/shared/bench/README.md). Prints one JSON line per tool — ``tool``, ``n`` (targets),
``wall_time_s`` (the tracking loop alone: time spent inside the tracker's step, not in
loading, scoring or collecting outputs), ``gospa_mean`` (GOSPA c = 1000 m, p = 2, α = 2 on
position, averaged over scans, computed by ``earlywarn.analysis.gospa`` for both) — and then
one line with ``speedup`` (Stone Soup time / earlywarn time) and ``gospa_ratio``
(earlywarn / Stone Soup).

Stone Soup configuration (the README's): EKF, CV with q from the file (1.0),
DistanceHypothesiser with Mahalanobis distance and a 99 % chi-square gate (3 dof),
DetectionKDTreeGNN2D (kd-tree pre-gating, 5 km radius in measurement space),
MultiMeasurementInitiator (min_points = 3, prior velocity σ 300 m/s per axis, holding tracks
dropped after 2 s without update), UpdateTimeDeleter 5 s, MultiTargetTracker. Stone Soup is
a benchmark extra; nothing in ``src/`` imports it.

earlywarn runs the same EKF/CV model (q from the file) and the same 300 m/s velocity prior,
with its own association and track-management choices: a 99.9 % chi-square gate, 2-of-3
confirmation, confirmed tracks reported while at most 2 s without update and deleted after
5 s. Both tools are scored on the tracks they report at each scan.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.analysis.gospa import gospa
from earlywarn.center.measure import RadarRAE
from earlywarn.center.motion import ConstantVelocity
from earlywarn.center.tracker import Deletion, Gate, Initiation, Tracker

FloatArray = npt.NDArray[np.float64]
GOSPA_C_M = 1000.0
# Per scan: (time, estimated positions (k, 3)).
Estimates = list[FloatArray]


def load(path: Path) -> dict[str, Any]:
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def scans(d: dict[str, Any]) -> list[tuple[float, FloatArray]]:
    off = d["scan_offsets"]
    meas = d["meas"]
    return [(float(t), meas[off[k] : off[k + 1]]) for k, t in enumerate(d["times"])]


def truth_positions(d: dict[str, Any], k: int) -> FloatArray:
    alive = d["truth_alive"][:, k]
    s = d["truth_states"][alive, k, :]
    return s[:, [0, 2, 4]]


def mean_gospa(d: dict[str, Any], est: Estimates) -> float:
    vals = [
        gospa(truth_positions(d, k), e, c=GOSPA_C_M, p=2.0, alpha=2.0).distance
        for k, e in enumerate(est)
    ]
    return float(np.mean(vals))


def run_earlywarn(d: dict[str, Any]) -> tuple[float, Estimates]:
    sig = d["meas_sigma"]
    tracker = Tracker(
        motion=ConstantVelocity(q=float(d["q"])),
        measurement=RadarRAE(float(sig[0]), float(sig[1]), float(sig[2])),
        # Our choices (see the module docstring): a 99.9 % gate, 2-of-3 confirmation with the
        # same 300 m/s velocity prior, tracks held (kept, not reported) after 2 s without an
        # update and deleted after 5 s.
        gate=Gate(probability=0.999),
        initiation=Initiation(
            confirm_hits=2,
            window_scans=3,
            velocity_sigma_m_s=300.0,
            two_point=False,
            max_coast_s=2.0,
        ),
        deletion=Deletion(max_coast_s=5.0, report_max_coast_s=2.0),
    )
    state = tracker.initial_state()
    est: Estimates = []
    elapsed = 0.0
    for t, z in scans(d):
        t0 = time.perf_counter()
        state, out = tracker.step(state, z, t)
        elapsed += time.perf_counter() - t0
        est.append(out.x[:, :3])
    return elapsed, est


def run_stonesoup(d: dict[str, Any]) -> tuple[float, Estimates]:
    from datetime import datetime, timedelta

    from scipy.stats import chi2
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
    )
    from stonesoup.models.transition.linear import (
        ConstantVelocity as SSConstantVelocity,
    )
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState

    q = float(d["q"])
    sig = d["meas_sigma"]
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    transition = CombinedLinearGaussianTransitionModel([SSConstantVelocity(q)] * 3)
    # Stone Soup orders this model's measurement as (elevation, bearing, range).
    mmodel = CartesianToElevationBearingRange(
        ndim_state=6,
        mapping=(0, 2, 4),
        noise_covar=np.diag([sig[2] ** 2, sig[1] ** 2, sig[0] ** 2]),
    )
    predictor = ExtendedKalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(mmodel)
    gate = float(np.sqrt(chi2.ppf(0.99, 3)))  # Mahalanobis distance, not squared

    def associator() -> DetectionKDTreeGNN2D:
        hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=gate)
        return DetectionKDTreeGNN2D(hyp, predictor, updater, max_distance=5000.0)

    prior = GaussianState(np.zeros((6, 1)), np.diag([0.0, 300.0**2, 0.0, 300.0**2, 0.0, 300.0**2]))
    initiator = MultiMeasurementInitiator(
        prior_state=prior,
        deleter=UpdateTimeDeleter(timedelta(seconds=2)),
        data_associator=associator(),
        updater=updater,
        measurement_model=mmodel,
        min_points=3,
    )
    epoch = datetime(2000, 1, 1)
    feed = []
    for t, z in scans(d):
        ts = epoch + timedelta(seconds=t)
        dets = {
            Detection(np.array([[zi[2]], [zi[1]], [zi[0]]]), timestamp=ts, measurement_model=mmodel)
            for zi in z
        }
        feed.append((ts, dets))
    tracker = MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeDeleter(timedelta(seconds=5)),
        detector=feed,
        data_associator=associator(),
        updater=updater,
    )
    est: Estimates = []
    elapsed = 0.0
    it = iter(tracker)
    for _ in range(len(feed)):
        t0 = time.perf_counter()
        _, tracks = next(it)
        elapsed += time.perf_counter() - t0
        pos = [np.asarray(tr.state_vector, dtype=np.float64)[[0, 2, 4], 0] for tr in tracks]
        # sort for a deterministic order (GOSPA itself does not depend on it)
        arr = np.array(sorted(pos, key=lambda p: tuple(p))) if pos else np.zeros((0, 3))
        est.append(arr)
    return elapsed, est


def report(
    tool: str, n: int, fn: Callable[[dict[str, Any]], tuple[float, Estimates]], d: dict[str, Any]
) -> dict[str, Any]:
    wall, est = fn(d)
    line = {
        "tool": tool,
        "n": n,
        "wall_time_s": round(wall, 4),
        "gospa_mean": round(mean_gospa(d, est), 2),
    }
    print(json.dumps(line), flush=True)
    return line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, required=True, help="shared benchmark npz file")
    ap.add_argument("--skip-peer", action="store_true", help="run earlywarn only")
    args = ap.parse_args()
    d = load(args.scenario)
    n = int(d["truth_states"].shape[0])
    ours = report("earlywarn", n, run_earlywarn, d)
    if args.skip_peer:
        return
    peer = report("stonesoup", n, run_stonesoup, d)
    ratio = {
        "n": n,
        "speedup": round(peer["wall_time_s"] / ours["wall_time_s"], 2),
        "gospa_ratio": round(ours["gospa_mean"] / peer["gospa_mean"], 4),
    }
    print(json.dumps(ratio), flush=True)


if __name__ == "__main__":
    main()
