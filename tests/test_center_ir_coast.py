"""The coast between stages (``center/ir/coast.py``, ``state_fit._ray_state_fit``).

A burnt-out event is resumed by a new track only when its ballistic prediction can say
where the next stage lights: a state too uncertain (here a 5 km/s velocity sigma, as a
state fitted to the mixed-up tracks of a raid had) resumes nothing, however close the
new plume; a well-known state resumes a plume on its prediction and not one 300 km off
it. And the ray state fit does not span a coast seen by one satellite after it.
Geometry: a GEO satellite over the equator at 60°E, the coasting object over central
Asia; everything closed form (straight lines of sight to points on the J2 prediction).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from earlywarn.center.ir import association
from earlywarn.center.ir.coast import _coast_matches, _coast_predict
from earlywarn.center.ir.records import IrParams
from earlywarn.center.ir.state_fit import _gap_over, _ray_state_fit
from earlywarn.earth.frames import geodetic_to_ecef

GEO_M = 42_164e3
SAT = np.array([GEO_M * np.cos(np.radians(60.0)), GEO_M * np.sin(np.radians(60.0)), 0.0])


def _state() -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(geodetic_to_ecef(np.radians(45.0), np.radians(62.0), 300e3), dtype=float)
    up = r / np.linalg.norm(r)
    north = np.array([0.0, 0.0, 1.0]) - up[2] * up
    north /= np.linalg.norm(north)
    v = 3000.0 * north + 1500.0 * up  # climbing after a stage burnt out
    return r, v


def _snap(sig_r: float, sig_v: float, t0: float = 100.0) -> SimpleNamespace:
    r, v = _state()
    cov = np.diag([sig_r**2] * 3 + [sig_v**2] * 3)
    return SimpleNamespace(r_ecef_m=r, v_ecef_m_s=v, cov=cov, state_t_s=t0)


def _predict(snap: SimpleNamespace, times: np.ndarray) -> np.ndarray:
    r, v, t0 = snap.r_ecef_m[None], snap.v_ecef_m_s[None], np.array([snap.state_t_s])
    return _coast_predict(r, v, t0, times)[0]


def _coast_match(snap: SimpleNamespace, tr, params: IrParams) -> bool:
    return _coast_matches([snap], tr, params)[0]  # type: ignore[list-item]


def _track_through(
    points: np.ndarray, times: np.ndarray, sat: np.ndarray = SAT, tid: int = 1, sid: str = "geo"
):
    """A track of the satellite at ``sat`` whose lines of sight pass exactly through
    ``points`` at ``times``."""
    u = (points - sat) / np.linalg.norm(points - sat, axis=1)[:, None]
    rng = float(np.linalg.norm(points[0] - sat))
    tr = association._new_track(tid, sid, float(times[0]), u[0], sat, 2e-5, 1e4, 0, rng)
    for k in range(1, len(times)):
        tr = association._extend(tr, float(times[k]), u[k], sat, 2e-5, 1e4, k, rng, 600)
    return tr


def test_a_next_stage_on_the_prediction_resumes_a_well_known_state() -> None:
    snap = _snap(1500.0, 150.0)
    times = np.arange(130.0, 142.0, 2.0)  # a 30 s coast, then six frames
    p = _predict(snap, times)
    assert _coast_match(snap, _track_through(p, times), IrParams())


def test_a_plume_300_km_off_the_prediction_is_not_the_next_stage() -> None:
    snap = _snap(1500.0, 150.0)
    times = np.arange(130.0, 142.0, 2.0)
    p = _predict(snap, times)
    east = np.cross([0.0, 0.0, 1.0], p[0])
    east /= np.linalg.norm(east)
    assert not _coast_match(snap, _track_through(p + 300e3 * east, times), IrParams())


def test_a_state_too_uncertain_to_predict_resumes_nothing() -> None:
    # the same plume exactly on the predicted path: the 4-sigma gate of this state would
    # be ~1,000 km wide, so it would take any plume near it (another launch of a raid)
    times = np.arange(130.0, 142.0, 2.0)
    snap = _snap(1500.0, 5000.0)
    p = _predict(snap, times)
    params = IrParams()
    sigma_pred = np.sqrt(1500.0**2 + (30.0 * 5000.0) ** 2)
    assert sigma_pred > params.coast_max_sigma_m
    assert not _coast_match(snap, _track_through(p, times), params)
    # ...and the same state with its sigma just inside the limit is resumed
    ok = _snap(1500.0, 0.9 * params.coast_max_sigma_m / 30.0)
    assert _coast_match(ok, _track_through(p, times), params)


def test_the_ray_fit_does_not_span_a_coast() -> None:
    r, v = _state()
    params = IrParams()
    # satellite A saw the first stage (t 0-40 s), satellite B saw it too, then only A saw
    # the next stage after a 30 s coast (70-86 s): B's last three detections are before
    # the coast, so reaching two satellites would need one polynomial across it
    t1 = np.arange(0.0, 42.0, 2.0)
    t2 = np.arange(70.0, 88.0, 2.0)
    pts1 = r + v * (t1 - 40.0)[:, None]
    pts2 = r + v * (t2 - 40.0)[:, None]
    sat_b = np.array([GEO_M * np.cos(np.radians(100.0)), GEO_M * np.sin(np.radians(100.0)), 0.0])

    a1 = _track_through(pts1, t1, SAT, 1, "a")
    b1 = _track_through(pts1, t1, sat_b, 2, "b")
    a2 = _track_through(pts2, t2, SAT, 3, "a")
    window = np.concatenate([t1[t1 >= 36.0], t2])  # B's last three detections on
    assert _gap_over(window, params.track_gap_s)
    assert _ray_state_fit([a1, b1, a2], pts2[-1], params) is None
    # without the coast (the next stage seen from 42 s on) the fit spans the window
    t3 = np.arange(42.0, 88.0, 2.0)
    a3 = _track_through(r + v * (t3 - 40.0)[:, None], t3, SAT, 4, "a")
    assert not _gap_over(np.concatenate([t1[t1 >= 36.0], t3]), params.track_gap_s)
    fit = _ray_state_fit([a1, b1, a3], pts2[-1], params)
    assert fit is not None
    t_end, r_fit, v_fit, _, _ = fit
    assert t_end == 86.0
    assert np.linalg.norm(r_fit - (r + v * 46.0)) < 100.0  # noise-free straight line
    assert np.linalg.norm(v_fit - v) < 1.0


def test_many_states_are_tested_as_each_alone() -> None:
    """The coast test of several burnt-out events against one new track (one integration
    for all) gives each event's answer alone, the predictions the same bits."""
    times = np.arange(130.0, 142.0, 2.0)
    params = IrParams()
    snaps = [_snap(1500.0, 150.0), _snap(1500.0, 5000.0), _snap(800.0, 90.0, 95.0)]
    snaps.append(_snap(1500.0, 150.0, 200.0))  # its state after the detections: no
    p = _predict(snaps[0], times)
    tr = _track_through(p, times)
    alone = [_coast_match(s, tr, params) for s in snaps]
    assert _coast_matches(snaps, tr, params) == alone  # type: ignore[arg-type]
    assert alone[0] and not alone[1] and not alone[3]
    r = np.array([s.r_ecef_m for s in snaps])
    v = np.array([s.v_ecef_m_s for s in snaps])
    t0 = np.array([s.state_t_s for s in snaps])
    many = _coast_predict(r, v, t0, times)
    for k, s in enumerate(snaps):
        assert np.array_equal(many[k], _predict(s, times))
