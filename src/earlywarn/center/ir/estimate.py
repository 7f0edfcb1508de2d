"""Per-event estimation: the points of one event, its state, its launch and its decision.

:func:`_estimate` takes an event's tracks and returns an :class:`_Estimate`:

* **Reference rays.** The satellite with most detections is the reference; its rays
  give the event's times (:func:`_reference_rays`).
* **Stereo** (≥ 3 triangulated points, :func:`_estimate_stereo`): the points are the
  triangulations of the reference rays with the other satellites' rays
  (:mod:`earlywarn.center.ir.stereo`); the state is the ray fit
  (:func:`~earlywarn.center.ir.state_fit._ray_state_fit`), the decision
  :func:`~earlywarn.center.ir.decide._decide_stereo` (skipped once "boosting" is kept),
  the launch the stereo launch fit over ``fit_window_s`` with the azimuth taken from a
  longer arc (:func:`_stereo_launch`).
* **Mono** (:func:`_estimate_mono`): points placed along each LOS — on the ground, or at
  the prior altitude of the best class of the mono launch fit for an event that is (or is
  now judged) boosting; the state a kinematic fit of the placed points with their
  covariances (across the LOS ``σρ``, along it ``σ_h / sin el``).

Four caches carried in the event (:class:`~earlywarn.center.ir.records._Caches`) make a
re-estimate cheap without changing a bit: the final launch fit, the fit over the first
window, the triangulated rows and the mono chi-squares; :func:`_next_caches` updates
them from an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from earlywarn.center.ir.decide import _decide_mono, _decide_stereo, _MonoGround
from earlywarn.center.ir.geometry import _NAN3, _cat, _frame_under, ray_place_m
from earlywarn.center.ir.launch_fit import (
    _launch_fit,
    _LaunchFit,
    _mono_fit,
    _mono_sigma_h,
    _MonoChi,
    _t0_grid,
)
from earlywarn.center.ir.records import (
    _NO_CACHES,
    FloatArray,
    IrDecision,
    IrParams,
    SatTrack,
    _Caches,
)
from earlywarn.center.ir.state_fit import _kinematic_fit, _ray_state_fit
from earlywarn.center.ir.stereo import _triangulate_rows, _Triangulated
from earlywarn.center.kernels import median
from earlywarn.earth.frames import ecef_to_geodetic, geodetic_to_ecef


@dataclass(frozen=True)
class _Estimate:
    stereo: bool
    t: FloatArray  # times of the estimated points
    pts: FloatArray  # (K, 3)
    alt: FloatArray  # (K,)
    launch: _LaunchFit | None
    launch_lat: float  # NaN without a launch fit
    launch_lon: float
    r: FloatArray
    v: FloatArray  # NaN where not estimable
    a: FloatArray
    cov9: FloatArray
    decision: IrDecision
    launch_complete: bool  # stereo launch fit over a full window: it will not change
    log10_int: float | None
    median_dt: float
    state_t: float  # time of r, v (the last detection for a ray fit)
    # the stereo fit over the first fit_window_s (before the longer-arc azimuth), once
    # that window is complete (it then no longer changes)
    fit_window: tuple[_LaunchFit, float] | None = None
    tri: _Triangulated | None = None  # the stereo triangulation (for the next estimate)
    mono: _MonoChi | None = None  # the mono fit's chi-squares (for the next estimate)


@dataclass(frozen=True)
class _RefRays:
    """The reference satellite's rays of an event (its tracks in order of their first
    time), the other satellites' tracks, and the evidence read off the reference."""

    ref: list[SatTrack]
    others: list[SatTrack]
    t: FloatArray  # (K,)
    s: FloatArray  # (K, 3) satellite positions
    u: FloatArray  # (K, 3) lines of sight
    sig: FloatArray  # (K,) LOS sigmas
    log10_int: float | None  # median log10 intensity of the positive intensities
    median_dt: float  # median time between detections (2 s for one)


def _reference_rays(tracks: list[SatTrack]) -> _RefRays:
    """The reference satellite: the one with most detections (ties: sensor id order)."""
    sensors = sorted({tr.sensor_id for tr in tracks})
    by_sensor = {sid: [tr for tr in tracks if tr.sensor_id == sid] for sid in sensors}
    counts = [sum(tr.n for tr in by_sensor[sid]) for sid in sensors]
    ref_sid = sensors[int(np.argmax(counts))]
    ref = sorted(by_sensor[ref_sid], key=lambda tr: tr.t_s[0])
    t_ref = _cat([tr.t_s for tr in ref])
    inten = _cat([tr.intensity_w_sr for tr in ref])
    pos_int = inten[inten > 0]
    return _RefRays(
        ref=ref,
        others=[tr for tr in tracks if tr.sensor_id != ref_sid],
        t=t_ref,
        s=_cat([tr.sat_m for tr in ref]),
        u=_cat([tr.los for tr in ref]),
        sig=_cat([tr.sigma_rad for tr in ref]),
        log10_int=median(np.log10(pos_int)) if pos_int.size else None,
        median_dt=median(t_ref[1:] - t_ref[:-1]) if t_ref.shape[0] > 1 else 2.0,
    )


def _estimate(
    tracks: list[SatTrack],
    params: IrParams,
    class_hint: FloatArray,
    boosting: bool = True,
    caches: _Caches = _NO_CACHES,
    rejudge: bool = False,
) -> _Estimate:
    """Triangulate (or place) the points of one event and fit its launch.

    ``boosting``: the event is already boosting (kept: no decision needed); ``caches``:
    what its previous estimate left (see :class:`~earlywarn.center.ir.records._Caches`);
    ``rejudge``: decide even a boosting event (is it still boosting at its end?).
    An event is stereo when three or more reference rays triangulate."""
    rays = _reference_rays(tracks)
    tri: _Triangulated | None = None
    if rays.others:
        tri = _triangulate_rows(
            rays.ref, rays.others, rays.t, rays.s, rays.u, rays.sig, params, caches.tri
        )
        if tri.ok.sum() >= 3:
            return _estimate_stereo(tracks, rays, tri, params, boosting, caches, rejudge)
    return _estimate_mono(rays, tri, params, class_hint, boosting, caches.mono)


def _launch_point(launch: _LaunchFit, rot: FloatArray, site: FloatArray) -> tuple[float, float]:
    """Geodetic latitude and longitude of a launch fit's point in the local frame."""
    pl = site + rot.T @ np.array([launch.e, launch.n, 0.0])
    la, lo, _ = ecef_to_geodetic(pl)
    return float(la), float(lo)


def _stereo_state(
    tracks: list[SatTrack],
    t_pts: FloatArray,
    pts: FloatArray,
    covs: FloatArray,
    alt: FloatArray,
    params: IrParams,
    boosting: bool,
) -> tuple[IrDecision, float, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Decision, state time, r, v, a and the (9, 9) covariance of a stereo event.

    The state is the ray fit when there is one, else the kinematic fit of the decision;
    "boosting" is kept once given."""
    state_t = float(t_pts[-1])
    fit = _ray_state_fit(tracks, pts[-1], params)
    if fit is not None and boosting:
        # "boosting" is kept once given: no decision needed, the ray fit is the state
        decision = IrDecision.BOOSTING
    else:
        decision, r, v, a, cov9 = _decide_stereo(t_pts, pts, covs, alt, params)
    if fit is not None:
        state_t, r, v, a, cov9 = fit
    return decision, state_t, r, v, a, cov9


def _longer_arc_azimuth(
    launch: _LaunchFit,
    t_pts: FloatArray,
    e: FloatArray,
    n: FloatArray,
    cov_enu: FloatArray,
    params: IrParams,
) -> _LaunchFit:
    """The azimuth from a longer arc: launch point → the mean sub-point of the last five
    points within ``azimuth_window_s`` (the fit arc is short and noisy), when that arc is
    longer than the fit's own displacement."""
    aw = np.nonzero(t_pts <= t_pts[0] + params.azimuth_window_s)[0][-5:]
    de = float(np.mean(e[aw])) - launch.e
    dn = float(np.mean(n[aw])) - launch.n
    dd = math.hypot(de, dn)
    if dd <= launch.disp_m:
        return launch
    sig_p = math.sqrt(float(np.mean(cov_enu[aw, 0, 0] + cov_enu[aw, 1, 1])) / 10.0)
    sig_l = math.sqrt(0.5 * (launch.var_e + launch.var_n))
    return replace(
        launch,
        az=math.atan2(de, dn) % (2.0 * math.pi),
        az_sigma=min(math.hypot(sig_p, sig_l) / dd, math.pi),
        disp_m=dd,
    )


def _stereo_launch(
    t_pts: FloatArray,
    pts: FloatArray,
    covs: FloatArray,
    geo: tuple[FloatArray, FloatArray, FloatArray],
    params: IrParams,
    caches: _Caches,
) -> tuple[_LaunchFit | None, tuple[_LaunchFit, float] | None, float, float]:
    """Launch fit of a stereo event, the fit over its first window once that is complete
    (to cache), and the launch latitude and longitude (NaN without a fit).

    ``geo``: latitude, longitude and altitude of the points. A final fit in ``caches`` is
    the answer; else the fit over the first ``fit_window_s`` (cached once complete) with
    the azimuth from a longer arc (:func:`_longer_arc_azimuth`)."""
    if caches.launch is not None:
        launch, lat_l, lon_l = caches.launch
        return launch, None, lat_l, lon_l
    win = t_pts <= t_pts[0] + params.fit_window_s
    if win.sum() < 6:
        return None, None, math.nan, math.nan
    lat_pts, lon_pts, alt = geo
    rot, site = _frame_under(pts[0])
    en = (geodetic_to_ecef(lat_pts, lon_pts, 0.0) - site) @ rot.T  # sub-points
    e, n = en[:, 0], en[:, 1]
    cov_enu = np.einsum("ij,kjl,ml->kim", rot, covs, rot)
    fit_window: tuple[_LaunchFit, float] | None = None
    if caches.fit_window is not None and caches.fit_window[1] == float(t_pts[0]):
        launch = caches.fit_window[0]
    else:
        grid = _t0_grid(float(t_pts[0]), params)
        launch = _launch_fit(
            t_pts[win],
            e[win],
            n[win],
            alt[win],
            (cov_enu[win, 0, 0], cov_enu[win, 1, 1], cov_enu[win, 2, 2]),
            grid,
        )
        if t_pts[-1] > t_pts[0] + params.fit_window_s:
            fit_window = (launch, float(t_pts[0]))
    launch = _longer_arc_azimuth(launch, t_pts, e, n, cov_enu, params)
    lat_l, lon_l = _launch_point(launch, rot, site)
    return launch, fit_window, lat_l, lon_l


def _estimate_stereo(
    tracks: list[SatTrack],
    rays: _RefRays,
    tri: _Triangulated,
    params: IrParams,
    boosting: bool,
    caches: _Caches,
    rejudge: bool = False,
) -> _Estimate:
    """The estimate of an event with three or more triangulated points."""
    ok = tri.ok
    t_pts, pts, covs = rays.t[ok], tri.x[ok], tri.cov[ok]
    alt = tri.h[ok]
    decision, state_t, r, v, a, cov9 = _stereo_state(
        tracks, t_pts, pts, covs, alt, params, boosting and not rejudge
    )
    geo = (tri.lat[ok], tri.lon[ok], alt)
    launch, fit_window, lat_l, lon_l = _stereo_launch(t_pts, pts, covs, geo, params, caches)
    complete = bool(t_pts[-1] > t_pts[0] + max(params.fit_window_s, params.azimuth_window_s))
    return _Estimate(
        stereo=True,
        t=t_pts,
        pts=pts,
        alt=alt,
        launch=launch,
        launch_lat=lat_l,
        launch_lon=lon_l,
        r=np.asarray(r, dtype=np.float64),
        v=np.asarray(v, dtype=np.float64),
        a=np.asarray(a, dtype=np.float64),
        cov9=cov9,
        decision=decision,
        launch_complete=bool(complete and launch is not None),
        fit_window=fit_window,
        tri=tri,
        mono=None,
        log10_int=rays.log10_int,
        median_dt=rays.median_dt,
        state_t=state_t,
    )


def _mono_state(
    rays: _RefRays,
    gr: _MonoGround,
    pts: FloatArray,
    lam_p: FloatArray,
    best_h: FloatArray,
    params: IrParams,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """r, v, a and their (9, 9) covariance from the placed points of the last
    ``state_window_s`` (at least four); with fewer than four points, the last point."""
    t_ref = rays.t
    k = t_ref.shape[0]
    if k < 4:
        return pts[-1], _NAN3.copy(), _NAN3.copy(), np.full((9, 9), np.nan)
    sel = t_ref >= t_ref[-1] - params.state_window_s
    if sel.sum() < 4:
        sel = np.zeros(k, dtype=bool)
        sel[-4:] = True
    # placed points' covariances: across the LOS σρ, along it σ_h / sin(el)
    u_w = rays.u[sel]
    sig_perp = rays.sig[sel] * lam_p[sel]
    sig_along = _mono_sigma_h(best_h[sel]) / gr.sin_el[sel]
    uu = u_w[:, :, None] * u_w[:, None, :]
    covs = sig_perp[:, None, None] ** 2 * (np.eye(3) - uu) + sig_along[:, None, None] ** 2 * uu
    return _kinematic_fit(t_ref[sel], pts[sel], covs, float(t_ref[-1]))


def _estimate_mono(
    rays: _RefRays,
    tri: _Triangulated | None,
    params: IrParams,
    class_hint: FloatArray,
    boosting: bool,
    mono_cached: _MonoChi | None,
) -> _Estimate:
    """The estimate of an event seen by one satellite (or not yet triangulable: ``tri``
    is then kept for the next estimate)."""
    t_ref, s_ref, u_ref, sig_ref = rays.t, rays.s, rays.u, rays.sig
    # the ground ranges were computed once per detection (= ray_hit_m(s, u, 0))
    gr = _MonoGround.of(s_ref, u_ref, _cat([tr.ground_range_m for tr in rays.ref]))
    decision = _decide_mono(t_ref, sig_ref, gr, params)
    win = t_ref <= t_ref[0] + params.fit_window_s
    launch: _LaunchFit | None = None
    mono: _MonoChi | None = None
    lat_l = lon_l = math.nan
    # the mono launch fit (a grid over classes and launch times) is the costly part:
    # only for an event that is, or is now judged, boosting
    if win.sum() >= 6 and (boosting or decision == IrDecision.BOOSTING):
        launch, best_h, mono = _mono_fit(
            t_ref, s_ref, u_ref, sig_ref * gr.lam, gr.sin_el, win, gr.rot, gr.site, class_hint,
            params, mono_cached, limb=gr.limb,
        )  # fmt: skip
        lam_p = ray_place_m(s_ref, u_ref, best_h, gr.limb)
        pts = s_ref + lam_p[:, None] * u_ref
        lat_l, lon_l = _launch_point(launch, gr.rot, gr.site)
    else:
        # placed on the ground (h = 0): the ground points themselves
        best_h, lam_p, pts = np.zeros(t_ref.shape), gr.lam, gr.g
    r, v, a, cov9 = _mono_state(rays, gr, pts, lam_p, best_h, params)
    return _Estimate(
        stereo=False,
        t=t_ref,
        pts=pts,
        alt=best_h,
        launch=launch,
        launch_lat=lat_l,
        launch_lon=lon_l,
        r=np.asarray(r, dtype=np.float64),
        v=np.asarray(v, dtype=np.float64),
        a=np.asarray(a, dtype=np.float64),
        cov9=cov9,
        decision=decision,
        launch_complete=False,
        fit_window=None,
        tri=tri,
        mono=mono,
        log10_int=rays.log10_int,
        median_dt=rays.median_dt,
        state_t=float(t_ref[-1]),
    )


def _next_caches(old: _Caches, est: _Estimate) -> _Caches:
    """The caches after ``est``: its triangulation; its mono chi-squares and first-window
    fit when it made them (else the old); its launch fit once final (kept from then on)."""
    launch = old.launch
    if launch is None and est.launch_complete and est.launch is not None:
        launch = (est.launch, est.launch_lat, est.launch_lon)
    return _Caches(
        launch=launch,
        fit_window=est.fit_window if est.fit_window is not None else old.fit_window,
        tri=est.tri,
        mono=est.mono if est.mono is not None else old.mono,
    )
