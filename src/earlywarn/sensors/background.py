"""What a sensor sees besides missiles, and the Earth geometry every sensor shares.

Geometry (shared by the infrared and radar models)
--------------------------------------------------
* **Earth occlusion** uses the WGS84 ellipsoid itself: a line of sight is blocked when
  the straight segment from the sensor to the object passes inside the ellipsoid grown by
  ``floor_m`` (0 for a plain line of sight; the limb-viewing floor for "seen against
  space"). The test maps the ellipsoid to the unit sphere by scaling x, y by 1/(a + h) and
  z by 1/(b + h) — exact for h = 0, and for h > 0 the surface is a spheroid whose height
  above WGS84 is h at the equator and at the poles and within 0.2 % of h between. Points
  exactly on the surface count as visible (tolerance 1 cm).
* :func:`sample_pairs` interpolates the truth at arbitrary (object, time) pairs, so that
  visibility is only ever evaluated where an object is alive (or burning).

Background (infrared false detections; none is labelled in the reports)
-----------------------------------------------------------------------
* **Clutter** (:func:`clutter_directions`): a Poisson number of detections per frame,
  uniform in solid angle over the part of the field of view that sees the Earth (look-down)
  or over the part that sees space above the limb floor (limb view).
* **Sun glint** (:class:`GlintModel`, :func:`specular_point`, :func:`glint_sources`): sunlit
  cloud tops reflect the Sun toward the satellite near the *specular point*, where the
  angle of incidence equals the angle of reflection. Glint comes in clusters: a cluster is
  born (Poisson in time) at a ground point offset from the specular point by a Gaussian
  central angle of width ``lobe_deg`` (for a facet tilted by δ the glint point moves by a
  central angle ≈ δ, because R/2d ≪ 1 from GEO/HEO), lives for ``lifetime_s`` and gives a
  Poisson number of point sources per frame scattered ``spread_m`` around its (fixed)
  ground point. Successive clusters follow the slowly drifting specular point.
  Glint exists only while the specular point is sunlit and seen at an incidence below
  ``max_incidence_deg``; its brightness is set so that the nominal SNR is above threshold.
* **Hot stationary sources** (fires, gas flares) are scenario events
  (:class:`earlywarn.sensors.events.Fire`) observed through the same pipeline as missiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, B_M, R_MEAN_M
from earlywarn.flight.truth import Trajectories

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_SURFACE_TOL = 1e-9  # relative, ≈ 6 mm on the Earth's radius


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.einsum("...i,...i->...", a, b))


def _unit(a: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(a / np.linalg.norm(a, axis=-1, keepdims=True))


def _scale(floor_m: float | FloatArray) -> FloatArray:
    f = np.asarray(floor_m, dtype=np.float64)
    a = A_M + f
    b = B_M + f
    return np.stack(np.broadcast_arrays(1.0 / a, 1.0 / a, 1.0 / b), axis=-1)


def min_scaled_distance(
    origin: FloatArray, target: FloatArray, floor_m: float = 0.0, ray: bool = False
) -> FloatArray:
    """Closest approach to the Earth's centre, in units of the (grown) ellipsoid, of the
    segment ``origin → target`` (or, with ``ray=True``, the half-line from ``origin``
    through ``target`` and beyond). Values below 1 mean the path enters the ellipsoid."""
    s = _scale(floor_m)
    p = np.asarray(origin) * s
    d = np.asarray(target) * s - p
    dd = _dot(d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = -_dot(p, d) / np.where(dd > 0, dd, 1.0)
    u = np.maximum(u, 0.0) if ray else np.clip(u, 0.0, 1.0)
    c = p + u[..., None] * d
    return np.asarray(np.sqrt(_dot(c, c)))


def line_of_sight_clear(origin: FloatArray, target: FloatArray, floor_m: float = 0.0) -> BoolArray:
    """True where the straight segment ``origin → target`` stays outside the WGS84
    ellipsoid grown by ``floor_m`` (broadcasts over ``(..., 3)``)."""
    return np.asarray(min_scaled_distance(origin, target, floor_m) >= 1.0 - _SURFACE_TOL)


def seen_against_space(origin: FloatArray, target: FloatArray, floor_m: float) -> BoolArray:
    """True where the half-line from ``origin`` through ``target`` never comes below
    ``floor_m`` above the ellipsoid: the object is seen against space (limb viewing)."""
    return np.asarray(min_scaled_distance(origin, target, floor_m, ray=True) >= 1.0)


def ray_layer_range(origin: FloatArray, direction: FloatArray, layer_m: float) -> FloatArray:
    """Distance along unit ``direction`` from ``origin`` to the first crossing of the layer
    ``layer_m`` above the ellipsoid; for rays that miss it, the distance to the point of
    closest approach (the tangent point). Used as the range a sensor assumes for a report."""
    s = _scale(layer_m)
    p = np.asarray(origin) * s
    d = np.asarray(direction) * s
    a = _dot(d, d)
    b = _dot(p, d)
    c = _dot(p, p) - 1.0
    disc = b * b - a * c
    with np.errstate(invalid="ignore"):
        hit = -(b + np.sqrt(np.maximum(disc, 0.0))) / a
    tangent = -b / a
    return np.asarray(np.where((disc >= 0) & (hit > 0), hit, np.maximum(tangent, 0.0)))


def ray_hits_layer(origin: FloatArray, direction: FloatArray, layer_m: float) -> BoolArray:
    """True where the ray meets the layer ``layer_m`` above the ellipsoid in front of ``origin``."""
    s = _scale(layer_m)
    p = np.asarray(origin) * s
    d = np.asarray(direction) * s
    a = _dot(d, d)
    b = _dot(p, d)
    c = _dot(p, p) - 1.0
    return np.asarray((b * b - a * c >= 0) & (b < 0))


def surface_point(direction_ecef: FloatArray, h_m: float | FloatArray = 0.0) -> FloatArray:
    """Point at height ``h_m`` above the ellipsoid along a geocentric unit direction (the
    radial and normal heights differ by at most 0.2 %, enough for background placement)."""
    n = _unit(np.asarray(direction_ecef, dtype=np.float64))
    rho = 1.0 / np.sqrt((n[..., 0] ** 2 + n[..., 1] ** 2) / A_M**2 + n[..., 2] ** 2 / B_M**2)
    return np.asarray(n * (rho + np.asarray(h_m))[..., None])


def orthonormal_basis(axis: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Two unit vectors completing unit ``axis`` (…, 3) to a right-handed frame; the first
    lies in the plane of the axis and ECEF z (toward north for a nadir axis), unless the
    axis is along z, when x is used instead."""
    ax = _unit(np.asarray(axis, dtype=np.float64))
    ref = np.zeros_like(ax)
    polar = np.abs(ax[..., 2]) > 0.999
    ref[..., 2] = np.where(polar, 0.0, 1.0)
    ref[..., 0] = np.where(polar, 1.0, 0.0)
    e1 = _unit(ref - _dot(ref, ax)[..., None] * ax)
    e2 = np.cross(ax, e1)
    return e1, e2


def sample_cone(
    rng: np.random.Generator, axis: FloatArray, half_angle_rad: FloatArray | float
) -> FloatArray:
    """One direction per row of ``axis`` (n, 3), uniform in solid angle within the cone."""
    n = axis.shape[0]
    cos_max = np.cos(np.asarray(half_angle_rad, dtype=np.float64))
    cz = 1.0 - rng.random(n) * (1.0 - cos_max)
    sz = np.sqrt(np.maximum(1.0 - cz * cz, 0.0))
    phi = rng.random(n) * 2.0 * math.pi
    e1, e2 = orthonormal_basis(axis)
    return np.asarray(
        cz[:, None] * axis + sz[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
    )


# --------------------------------------------------------------------------------------
# Truth at (object, time) pairs


def sample_pairs(
    truth: Trajectories, obj: IntArray, t_s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Truth at pairs ``(obj[i], t_s[i])``: position (P,3), velocity (P,3), plume intensity
    (P,) and alive (P,). Same cubic Hermite interpolation (and held intensity) as
    :meth:`Trajectories.at`, but per pair, so the cost is the number of pairs, not
    objects × times."""
    obj = np.asarray(obj, dtype=np.int64)
    t = np.asarray(t_s, dtype=np.float64)
    p = obj.size
    if p == 0:
        z3 = np.zeros((0, 3))
        return z3, z3.copy(), np.zeros(0), np.zeros(0, dtype=bool)
    ts = truth.t_s
    n, k = ts.shape
    valid = ~np.isnan(ts)
    count = valid.sum(axis=1)
    t_first = ts[:, 0]
    t_last = np.nanmax(ts, axis=1)
    padded = np.where(valid, ts, t_last[:, None])
    # per-row searchsorted: rows laid end to end with a large offset between rows
    lo = float(min(np.nanmin(ts), float(t.min())))
    hi = float(max(np.nanmax(ts), float(t.max())))
    big = 2.0 * (hi - lo) + 10.0
    rows = np.arange(n, dtype=np.float64)[:, None] * big
    keys = (rows + (padded - lo)).ravel()
    idx = np.searchsorted(keys, obj * big + (t - lo), side="right") - 1
    local = idx - obj * k
    local = np.clip(local, 0, np.maximum(count[obj] - 2, 0))
    i0 = obj * k + local
    i1 = obj * k + np.minimum(local + 1, np.maximum(count[obj] - 1, 0))
    tf = ts.ravel()
    rf = truth.r_ecef_m.reshape(-1, 3)
    vf = truth.v_ecef_m_s.reshape(-1, 3)
    inf = truth.intensity_w_sr.ravel()
    t0, t1 = tf[i0], tf[i1]
    h = t1 - t0
    pos_h = h > 0
    s = np.where(pos_h, (t - t0) / np.where(pos_h, h, 1.0), 0.0)
    s3, h3 = s[:, None], h[:, None]
    p0, p1, m0, m1 = rf[i0], rf[i1], vf[i0] * h3, vf[i1] * h3
    r = (
        (2 * s3**3 - 3 * s3**2 + 1) * p0
        + (s3**3 - 2 * s3**2 + s3) * m0
        + (-2 * s3**3 + 3 * s3**2) * p1
        + (s3**3 - s3**2) * m1
    )
    dv = (
        (6 * s3**2 - 6 * s3) * p0
        + (3 * s3**2 - 4 * s3 + 1) * m0
        + (-6 * s3**2 + 6 * s3) * p1
        + (3 * s3**2 - 2 * s3) * m1
    )
    v = np.where(pos_h[:, None], dv / np.where(pos_h, h, 1.0)[:, None], vf[i0])
    r = np.where(pos_h[:, None], r, p0)
    inten = np.where(s < 1.0, inf[i0], inf[i1])  # held over the interval a sample opens
    alive = (t >= t_first[obj]) & (t <= t_last[obj])
    r = np.where(alive[:, None], r, np.nan)
    v = np.where(alive[:, None], v, np.nan)
    inten = np.where(alive, inten, 0.0)
    return r, v, inten, alive


def window_pairs(
    t_lo: FloatArray, t_hi: FloatArray, period_s: float, t_start_s: float, t_end_s: float
) -> tuple[IntArray, IntArray]:
    """All (window i, frame k) with frame time ``k·period_s`` inside ``[t_lo[i], t_hi[i]]``
    and inside ``[t_start_s, t_end_s)``; vectorised with ``repeat``/``cumsum``."""
    lo = np.maximum(np.asarray(t_lo, dtype=np.float64), t_start_s)
    hi = np.minimum(np.asarray(t_hi, dtype=np.float64), t_end_s)
    ok = np.isfinite(lo) & np.isfinite(hi) & (hi >= lo)
    lo = np.where(ok, lo, 0.0)
    hi = np.where(ok, hi, 0.0)
    k0 = np.ceil(lo / period_s - 1e-9).astype(np.int64)
    k1 = np.floor(hi / period_s + 1e-9).astype(np.int64)
    # the run window is half-open
    k1 = np.where(k1 * period_s >= t_end_s, k1 - 1, k1)
    cnt = np.where(ok, np.maximum(k1 - k0 + 1, 0), 0)
    total = int(cnt.sum())
    win = np.repeat(np.arange(cnt.size, dtype=np.int64), cnt)
    start = np.cumsum(cnt) - cnt
    k = np.arange(total, dtype=np.int64) - np.repeat(start, cnt) + np.repeat(k0, cnt)
    return win, k


def frame_range(period_s: float, t_start_s: float, t_end_s: float) -> IntArray:
    """Frame counters k with ``t_start_s <= k·period_s < t_end_s``."""
    k0 = math.ceil(t_start_s / period_s - 1e-9)
    k1 = math.ceil(t_end_s / period_s - 1e-9)
    return np.arange(k0, max(k1, k0), dtype=np.int64)


# --------------------------------------------------------------------------------------
# Sun glint


def specular_point(
    r_sat_m: FloatArray, sun_dir: FloatArray, radius_m: float = R_MEAN_M, iterations: int = 48
) -> tuple[FloatArray, FloatArray]:
    """Specular (forward-scatter) point of the Sun seen from satellites, on a sphere.

    In the plane of the Sun direction ŝ and the satellite position p, the point's normal
    is n(φ) = cos φ ŝ + sin φ ê (ê ⊥ ŝ toward p). The angle of incidence is φ and the
    angle of reflection is ∠(n, p − R n); f(φ) = ∠(n, p − R n) − φ is ≥ 0 at φ = 0 and
    equals −γ < 0 at φ = γ = ∠(ŝ, p), so bisection on [0, γ] converges to the root
    (48 halvings: better than 1e-14 rad). The point is sunlit and visible when φ < 90°
    (both angles equal φ); φ ≥ 90° happens only with the sub-satellite point on the night
    side, and callers must discard it. Vectorised over ``(..., 3)``.

    Returns the point ``(..., 3)`` (m) and the incidence angle φ (rad).
    """
    p = np.asarray(r_sat_m, dtype=np.float64)
    s = _unit(np.asarray(sun_dir, dtype=np.float64))
    s, p = np.broadcast_arrays(s, p)
    ph = _unit(p)
    gamma = np.arccos(np.clip(_dot(ph, s), -1.0, 1.0))
    perp = ph - _dot(ph, s)[..., None] * s
    e1, _ = orthonormal_basis(s)
    norm = np.linalg.norm(perp, axis=-1, keepdims=True)
    e = np.where(norm > 1e-12, perp / np.where(norm > 1e-12, norm, 1.0), e1)
    lo = np.zeros(gamma.shape)
    hi = gamma.copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        n = np.cos(mid)[..., None] * s + np.sin(mid)[..., None] * e
        out = _unit(p - radius_m * n)
        refl = np.arccos(np.clip(_dot(n, out), -1.0, 1.0))
        pos = refl - mid > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    phi = 0.5 * (lo + hi)
    n = np.cos(phi)[..., None] * s + np.sin(phi)[..., None] * e
    return np.asarray(radius_m * n), np.asarray(phi)


@dataclass(frozen=True)
class GlintModel:
    """Sun-glint clusters (notional, order-of-magnitude parameters; see the module doc).

    rate_per_hour: cluster births per hour while the specular point qualifies.
    lifetime_s: (min, max) of a cluster's life, drawn uniformly.
    per_frame: mean number of point sources a live cluster gives per frame (Poisson).
    lobe_deg: one-sigma central angle between a cluster and the specular point at birth.
    spread_m: one-sigma scatter of a cluster's sources around its ground point.
    height_m: height of the reflecting cloud tops.
    max_incidence_deg: no glint beyond this incidence (grazing light is absorbed).
    snr_excess_mean: nominal SNR = threshold + 1 + Exp(mean ``snr_excess_mean``).
    """

    rate_per_hour: float = 3.0
    lifetime_s: tuple[float, float] = (30.0, 240.0)
    per_frame: float = 1.5
    lobe_deg: float = 2.0
    spread_m: float = 3000.0
    height_m: float = 8000.0
    max_incidence_deg: float = 75.0
    snr_excess_mean: float = 3.0

    def __post_init__(self) -> None:
        for name in ("rate_per_hour", "per_frame", "lobe_deg", "spread_m", "snr_excess_mean"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"GlintModel.{name}: got {v!r}; expected a finite number >= 0")
        lo, hi = self.lifetime_s
        if not (0 < lo <= hi and math.isfinite(hi)):
            raise ValueError(
                f"GlintModel.lifetime_s: got {self.lifetime_s!r}; "
                "expected (min, max) with 0 < min <= max"
            )
        if not 0 < self.max_incidence_deg < 90:
            raise ValueError(
                f"GlintModel.max_incidence_deg: got {self.max_incidence_deg!r}; expected (0, 90)"
            )


@dataclass(frozen=True)
class GlintSources:
    """Glint point sources at frames: frame counter, ground point (P,3), nominal SNR."""

    k: IntArray
    r_ecef_m: FloatArray
    snr: FloatArray


def glint_sources(
    model: GlintModel,
    rng: np.random.Generator,
    frames: IntArray,
    period_s: float,
    sat_at: object,
    sun_at: object,
    threshold: float,
) -> GlintSources:
    """Draw glint clusters over the frames and their per-frame point sources.

    ``sat_at(t) -> (n,3)`` and ``sun_at(t) -> (n,3)`` give the satellite position and the
    Sun direction. Births are a Poisson process over the window; a birth is kept only if
    the specular point then has incidence below ``max_incidence_deg``.
    """
    empty = GlintSources(np.zeros(0, np.int64), np.zeros((0, 3)), np.zeros(0))
    if frames.size == 0 or model.rate_per_hour == 0 or model.per_frame == 0:
        return empty
    t0 = float(frames[0]) * period_s
    t1 = float(frames[-1] + 1) * period_s
    n_birth = int(rng.poisson(model.rate_per_hour * (t1 - t0) / 3600.0))
    t_birth = np.sort(t0 + rng.random(n_birth) * (t1 - t0))
    life = rng.uniform(model.lifetime_s[0], model.lifetime_s[1], n_birth)
    g = rng.standard_normal((n_birth, 2))
    snr = threshold + 1.0 + rng.exponential(model.snr_excess_mean, n_birth)
    if n_birth == 0:
        return empty
    sat = sat_at(t_birth)  # type: ignore[operator]
    sun = sun_at(t_birth)  # type: ignore[operator]
    spec, phi = specular_point(sat, sun)
    keep = phi < math.radians(model.max_incidence_deg)
    n0 = _unit(spec)
    e1, e2 = orthonormal_basis(n0)
    lobe = math.radians(model.lobe_deg)
    centre_dir = _unit(n0 + lobe * (g[:, :1] * e1 + g[:, 1:] * e2))
    centre = surface_point(centre_dir, model.height_m)
    # frames of each cluster
    cl, k = window_pairs(t_birth, t_birth + life, period_s, t0, t1)
    keep_pair = keep[cl]
    cl, k = cl[keep_pair], k[keep_pair]
    counts = rng.poisson(model.per_frame, cl.size)
    src_cl = np.repeat(cl, counts)
    src_k = np.repeat(k, counts)
    m = src_cl.size
    jitter = rng.standard_normal((m, 2)) * model.spread_m
    c = centre[src_cl]
    f1, f2 = orthonormal_basis(_unit(c))
    pts = c + jitter[:, :1] * f1 + jitter[:, 1:] * f2
    return GlintSources(src_k, pts, snr[src_cl])


# --------------------------------------------------------------------------------------
# What one sensor produced, before the simulator numbers and merges it.


@dataclass(frozen=True)
class Observations:
    """Measurement reports of one sensor: ``columns`` holds ``t_s`` and the kind's own
    columns (see :mod:`earlywarn.reports`); ``label`` is the scoring truth of each row
    (an ``object_id`` or one of :data:`earlywarn.reports.TRUTH_LABELS`). Rows are in the
    order the sensor generated them; the simulator orders them by time."""

    kind: str
    columns: dict[str, npt.NDArray[np.generic]]
    label: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.label.size)


def child_seed(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """A child of ``seed`` addressed by ``key`` (stateless, unlike ``SeedSequence.spawn``):
    the same key always gives the same stream, whatever else was drawn."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key))
