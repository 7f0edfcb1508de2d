"""Aiming: launch azimuth, pitch kick and final-stage cutoff that put the payload on a target.

The unknowns per missile are ``x = (A, κ, t_c)``: launch azimuth, pitch-over (kick)
angle of the steering programme, and the final-stage thrust-termination time (energy
management: a full-burn solid missile overshoots short ranges). Three conditions fix
them: the impact point (east and north miss at the target, two equations) and the
trajectory shape, either **minimum energy** (default) or a given **apogee altitude**
(lofted above, depressed below the minimum-energy apogee).

Minimum energy is taken in the classical free-flight sense (Bate, Mueller & White 1971,
§6.3; Wheelon 1959): of all conics through the burnout point and the target, the one of
least energy, whose velocity at burnout **bisects the angle between the local vertical
and the chord to the target** (the second focus lies on the chord). On a rotating Earth
the chord goes to where the target *will be* at impact, in inertial space.

The solver (:class:`PoweredTable`, :func:`solve_aim`) is fast because it never integrates
during its iterations:

* The powered flight of a vehicle is tabulated once, on a spherical non-rotating Earth,
  over a grid of 48 kicks up to the largest usable one and every node of the final-stage
  burn: burnout position, velocity and acceleration in the launch frame (downrange, crossrange, up).
  Three more runs per kick with the Earth's spin along each local axis give the linear
  sensitivity of burnout to rotation (Coriolis and centrifugal; second-order cross terms
  are ~1 m/s). Look-ups are cubic Lagrange in κ and cubic Hermite in time (using the
  stored velocity and acceleration), good to ~0.01 m/s.
* Free flight is the closed-form Kepler arc (:func:`earlywarn.flight.freeflight.kepler_arc`)
  in the inertial frame, with the Earth turning under it.
* Newton iterations with a finite-difference Jacobian, applied to all missiles at once.

What the model leaves out (J2 in free flight, moving a 10,000 km impact by tens of km;
reentry drag; the ellipsoid; the pad's radius and gravity) is removed by flying the full
model and shifting a *fictitious aim point* by the miss (and the apogee target by its
error), repeated until the miss is under the tolerance; see :mod:`earlywarn.flight.fly`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, B_M, E2, OMEGA_RAD_S, R_MEAN_M
from earlywarn.flight.catalog import Vehicle
from earlywarn.flight.dynamics import EarthModel
from earlywarn.flight.freeflight import kepler_arc
from earlywarn.flight.powered import StageTable, fly_powered

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

N_KICKS = 48
KICK_MIN_RAD = np.radians(0.5)
KICK_MAX_RAD = np.radians(75.0)


def rotz(vec: FloatArray, angle: FloatArray) -> FloatArray:
    """Active rotation of ``(n, 3)`` vectors about z by ``angle (n,)``.

    Inertial (axes of ECEF at lift-off) from ECEF at time t: ``rotz(r_ecef, Ω t)``;
    the inverse is ``rotz(r_inertial, −Ω t)``.
    """
    c, s = np.cos(angle), np.sin(angle)
    x, y = vec[:, 0], vec[:, 1]
    return np.stack([c * x - s * y, s * x + c * y, vec[:, 2]], axis=1)


def local_axes(
    up: FloatArray, north: FloatArray, east: FloatArray, az: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Downrange ``d`` and crossrange ``c = up × d`` unit vectors for azimuths ``az``."""
    d = np.cos(az)[:, None] * north + np.sin(az)[:, None] * east
    return d, np.cross(up, d)


@dataclass(frozen=True)
class PoweredTable:
    """Tabulated burnout states of one vehicle over kick angle and cutoff time.

    ``p, v, a`` have shape ``(Nk, Nt, 4, 3)``: channel 0 the non-rotating burnout
    (position relative to the pad, velocity, acceleration), channels 1–3 the change per
    unit of ``ω_i/Ω`` with the Earth's spin along downrange, crossrange and up;
    components along (downrange, crossrange, up). ``range_rad``, ``shape_g`` and
    ``apogee_m`` ``(Nk, Nt)`` are non-rotating closed-form figures for starting guesses.
    """

    vehicle: str
    kick_rad: FloatArray  # uniform grid
    t_s: FloatArray
    p: FloatArray
    v: FloatArray
    a: FloatArray
    range_rad: FloatArray
    shape_g: FloatArray
    apogee_m: FloatArray
    max_range_m: float
    min_range_m: float

    @staticmethod
    def build(vehicle: Vehicle, step_s: float = 1.0) -> PoweredTable:
        """Fly the grid (one batched powered flight of 4 × Nk missiles) and tabulate."""
        st = StageTable.build([vehicle])
        ex, ey, ez = np.eye(3)
        t_end = float(st.final_end_s[0])
        norot = EarthModel(j2=False, rotation=False, sphere_radius_m=A_M)
        rot = EarthModel(j2=False, rotation=True, sphere_radius_m=A_M)
        # 1) scan: the largest kick that neither meets the ground nor burns out descending
        scan = np.arange(KICK_MIN_RAD, KICK_MAX_RAD + 1e-9, np.radians(0.5))
        ns = scan.size
        ps = fly_powered(
            norot, st, np.zeros(ns, dtype=np.intp), A_M * np.tile(ex, (ns, 1)),
            np.tile(ex, (ns, 1)), np.tile(ez, (ns, 1)), scan, np.full(ns, t_end), 2.0 * step_s,
        )  # fmt: skip
        h_min = np.nanmin(np.linalg.norm(ps.r, axis=2) - A_M, axis=1)
        vb = ps.v[:, -1]
        sin_g = (vb * ps.r[:, -1]).sum(axis=1) / np.linalg.norm(vb, axis=1) / A_M
        ok = (h_min > -1.0) & (sin_g > np.sin(np.radians(3.0)))
        n_ok = int(np.argmin(ok)) if not ok.all() else ns
        if n_ok < 4:
            raise ValueError(f"vehicle {vehicle.name!r}: no usable kick range for aiming")
        kicks = np.linspace(KICK_MIN_RAD, scan[n_ok - 1], N_KICKS)
        nk = kicks.size
        # 2) the table: reference launches on a sphere of radius A_M, (up, downrange) per
        # channel: nominal; ω ∥ downrange (equator, north); ω ∥ crossrange; ω ∥ up (pole)
        ups = np.array([ex, ex, ex, ez])
        downs = np.array([ez, ez, ey, ex])
        up = np.repeat(ups, nk, axis=0)
        dn = np.repeat(downs, nk, axis=0)
        cr = np.cross(up, dn)
        kk = np.tile(kicks, 4)
        vi = np.zeros(4 * nk, dtype=np.intp)
        cut = np.full(4 * nk, t_end)
        a, b = slice(0, nk), slice(nk, 4 * nk)
        pa = fly_powered(norot, st, vi[a], A_M * up[a], up[a], dn[a], kk[a], cut[a], step_s)
        pb = fly_powered(rot, st, vi[b], A_M * up[b], up[b], dn[b], kk[b], cut[b], step_s)
        t_nodes = pa.t_s[0]
        r = np.concatenate([pa.r, pb.r])
        v = np.concatenate([pa.v, pb.v])
        # final-stage window, unique node times
        t_min = max(float(st.final_ign_s[0]), float(st.rise_s[0] + st.po_s[0] + st.hold_s[0]))
        t_min += 0.25 * float(vehicle.stages[-1].burn_s) if len(vehicle.stages) == 1 else 0.0
        keep = (t_nodes >= t_min - 1e-9) & np.append(np.diff(t_nodes) > 1e-9, True)
        tt = t_nodes[keep]
        r, v = r[:, keep], v[:, keep]
        # accelerations at the nodes: force model + thrust along v (gravity turn)
        s_last = vehicle.stages[-1]
        m = st.m_ign[0, len(vehicle.stages) - 1] - s_last.mass_flow_kg_s * (
            tt - float(st.final_ign_s[0])
        )
        thrust = s_last.thrust_n / m
        cdm = 0.5 * s_last.cd * s_last.area_m2 / m
        nt = tt.size
        acc = np.empty_like(r)
        for model, sl in ((norot, slice(0, nk)), (rot, slice(nk, 4 * nk))):
            rr = r[sl].reshape(-1, 3)
            vv = v[sl].reshape(-1, 3)
            cc = np.tile(cdm, rr.shape[0] // nt)
            a0, sp = model.accel(rr, vv, cc)
            a0 += np.tile(thrust, rr.shape[0] // nt)[:, None] * vv / sp[:, None]
            acc[sl] = a0.reshape(-1, nt, 3)
        # local components (d, c, u); positions relative to the pad
        axes = np.stack([dn, cr, up], axis=1)  # (4nk, 3, 3)
        pl = np.einsum("nij,ntj->nti", axes, r - (A_M * up)[:, None, :])
        vl = np.einsum("nij,ntj->nti", axes, v)
        al = np.einsum("nij,ntj->nti", axes, acc)

        def chan(x: FloatArray) -> FloatArray:
            x4 = x.reshape(4, nk, nt, 3)
            out = x4.copy()
            out[1:] = x4[1:] - x4[0]  # the change for ω_i = Ω, i.e. per unit ω_i/Ω
            return np.ascontiguousarray(out.transpose(1, 2, 0, 3))

        p_t, v_t, a_t = chan(pl), chan(vl), chan(al)
        # non-rotating closed-form figures over the grid (start guesses, range limits)
        rb = p_t[:, :, 0].reshape(-1, 3) + np.array([0.0, 0.0, A_M])
        vb = v_t[:, :, 0].reshape(-1, 3)
        arc = kepler_arc(rb, vb, R_MEAN_M)
        rng = np.where(arc.ok, arc.angle_rad + np.arctan2(rb[:, 0], rb[:, 2]), np.nan)
        chord = np.stack([np.sin(rng), np.zeros_like(rng), np.cos(rng)], 1) * R_MEAN_M - rb
        g = _bisect_residual(rb, vb, chord)
        apo = arc.apogee_radius_m - R_MEAN_M
        rng = rng.reshape(nk, nt)
        g = g.reshape(nk, nt)
        apo = apo.reshape(nk, nt)
        max_range = float(np.nanmax(rng[:, -1])) * R_MEAN_M
        # minimum range on a minimum-energy path: at the earliest cutoff, g = 0
        g0 = g[:, 0]
        j = int(np.nanargmin(np.abs(g0)))
        min_range = float(rng[j, 0]) * R_MEAN_M
        return PoweredTable(
            vehicle=vehicle.name,
            kick_rad=kicks,
            t_s=tt,
            p=p_t,
            v=v_t,
            a=a_t,
            range_rad=rng,
            shape_g=g,
            apogee_m=apo,
            max_range_m=max_range,
            min_range_m=min_range,
        )

    @property
    def kick_bounds(self) -> tuple[float, float]:
        return float(self.kick_rad[1]), float(self.kick_rad[-2])

    @property
    def t_bounds(self) -> tuple[float, float]:
        return float(self.t_s[0]), float(self.t_s[-1])

    def burnout_local(
        self, kick: FloatArray, t: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Burnout position (relative to the pad) and velocity, local (d, c, u) components.

        ``w (n, 4)`` weights the channels: ``(1, ω_d/Ω, ω_c/Ω, ω_u/Ω)``.
        """
        nk = self.kick_rad.size
        u = (kick - self.kick_rad[0]) / (self.kick_rad[1] - self.kick_rad[0])
        j = np.clip(np.floor(u).astype(np.intp), 1, nk - 3)
        f = u - j  # position between nodes j and j+1
        # cubic Lagrange weights on j-1, j, j+1, j+2
        lw = np.stack(
            [
                -f * (f - 1.0) * (f - 2.0) / 6.0,
                (f + 1.0) * (f - 1.0) * (f - 2.0) / 2.0,
                -(f + 1.0) * f * (f - 2.0) / 2.0,
                (f + 1.0) * f * (f - 1.0) / 6.0,
            ],
            axis=1,
        )
        jj = j[:, None] + np.arange(-1, 3)[None, :]  # (n, 4)
        i = np.clip(np.searchsorted(self.t_s, t, side="right") - 1, 0, self.t_s.size - 2)
        t0 = self.t_s[i]
        h = self.t_s[i + 1] - t0
        s = ((t - t0) / h)[:, None, None]
        hh = h[:, None, None]
        ii = i[:, None]
        p0, p1 = self.p[jj, ii], self.p[jj, ii + 1]  # (n, 4k, 4ch, 3)
        v0, v1 = self.v[jj, ii], self.v[jj, ii + 1]
        a0, a1 = self.a[jj, ii], self.a[jj, ii + 1]
        # combine channels and kick weights first (linear), then Hermite in time
        cw = lw[:, :, None] * w[:, None, :]  # (n, 4k, 4ch)

        def comb(x: FloatArray) -> FloatArray:
            return np.einsum("nkc,nkci->ni", cw, x)

        P0, P1, V0, V1, A0, A1 = (comb(x) for x in (p0, p1, v0, v1, a0, a1))
        s2 = s[:, 0]
        h2 = hh[:, 0]
        b00 = 2 * s2**3 - 3 * s2**2 + 1
        b10 = s2**3 - 2 * s2**2 + s2
        b01 = -2 * s2**3 + 3 * s2**2
        b11 = s2**3 - s2**2
        pos = b00 * P0 + b10 * h2 * V0 + b01 * P1 + b11 * h2 * V1
        vel = b00 * V0 + b10 * h2 * A0 + b01 * V1 + b11 * h2 * A1
        return pos, vel


def _bisect_residual(r: FloatArray, v: FloatArray, chord: FloatArray) -> FloatArray:
    """``v̂·r̂ − v̂·ĉ``: zero when the velocity bisects the vertical and the chord."""
    vh = v / np.linalg.norm(v, axis=-1, keepdims=True)
    rh = r / np.linalg.norm(r, axis=-1, keepdims=True)
    ch = chord / np.linalg.norm(chord, axis=-1, keepdims=True)
    return np.asarray(np.einsum("...i,...i->...", vh, rh - ch))


@dataclass(frozen=True)
class AimProblem:
    """Per-missile aiming data (all ``(n, ...)`` arrays, SI, ECEF).

    ``site_r`` pad position, ``up/north/east`` its geodetic unit vectors, ``target_r``
    the (possibly fictitious) aim point on the surface with its ``t_east/t_north``,
    ``apogee_m`` the wanted apogee altitude (NaN: minimum energy).
    """

    site_r: FloatArray
    up: FloatArray
    north: FloatArray
    east: FloatArray
    target_r: FloatArray
    t_east: FloatArray
    t_north: FloatArray
    apogee_m: FloatArray

    def take(self, idx: npt.NDArray[np.intp]) -> AimProblem:
        return AimProblem(*(np.asarray(getattr(self, f))[idx] for f in self.__dataclass_fields__))


RESIDUAL_SCALE_M = 1.0e5


def model_residual(
    table: PoweredTable, prob: AimProblem, x: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Residuals ``(n, 3)`` of the fast model at ``x = (A, κ, t_c)``, with the predicted
    impact time after lift-off and apogee altitude."""
    arc, t_imp, r_i, v_i = _model_arc(table, prob, x)
    imp = rotz(arc.r_end, -OMEGA_RAD_S * t_imp)
    dm = imp - prob.target_r
    e = (dm * prob.t_east).sum(axis=1) / RESIDUAL_SCALE_M
    nn = (dm * prob.t_north).sum(axis=1) / RESIDUAL_SCALE_M
    apo_alt = _apogee_altitude(arc)
    lofted = ~np.isnan(prob.apogee_m)
    chord = rotz(prob.target_r, OMEGA_RAD_S * t_imp) - r_i
    g = _bisect_residual(r_i, v_i, chord)
    shape = np.where(lofted, (apo_alt - prob.apogee_m) / RESIDUAL_SCALE_M, g)
    res = np.stack([e, nn, shape], axis=1)
    res = np.where(arc.ok[:, None], res, np.nan)
    return res, t_imp, apo_alt


def _apogee_altitude(arc: Any) -> FloatArray:
    s2 = arc.apogee_unit[:, 2] ** 2
    return np.asarray(arc.apogee_radius_m - B_M / np.sqrt(1.0 - E2 * (1.0 - s2)))


def _model_arc(
    table: PoweredTable, prob: AimProblem, x: FloatArray
) -> tuple[Any, FloatArray, FloatArray, FloatArray]:
    """The fast model's free-flight arc (inertial), impact time, burnout r and v."""
    az, kick, tc = x[:, 0], x[:, 1], x[:, 2]
    d, c = local_axes(prob.up, prob.north, prob.east, az)
    w = np.stack([np.ones_like(az), d[:, 2], c[:, 2], prob.up[:, 2]], axis=1)
    pl, vl = table.burnout_local(kick, tc, w)
    r_b = prob.site_r + pl[:, :1] * d + pl[:, 1:2] * c + pl[:, 2:] * prob.up
    v_b = vl[:, :1] * d + vl[:, 1:2] * c + vl[:, 2:] * prob.up
    th = OMEGA_RAD_S * tc
    w_x_r = OMEGA_RAD_S * np.stack([-r_b[:, 1], r_b[:, 0], np.zeros_like(tc)], axis=1)
    r_i = rotz(r_b, th)
    v_i = rotz(v_b + w_x_r, th)
    rt = np.linalg.norm(prob.target_r, axis=1)
    arc = kepler_arc(r_i, v_i, rt)
    return arc, tc + arc.tof_s, r_i, v_i


def apogee_bounds_m(
    table: PoweredTable, prob: AimProblem, n_goals: int = 40
) -> tuple[float, float]:
    """The lowest and highest apogee altitude (m) with which the fast model (rotating
    Earth, Kepler arcs) lands on the one target in ``prob``.

    :func:`solve_aim` is run, all at once, for ``n_goals`` apogee goals spaced
    geometrically from 30 km to 1.5 × the table's highest apogee; the goals it meets
    bracket the reachable interval, and a second batch between each edge and its unmet
    neighbour narrows it to 1/``n_goals`` of that gap. ``(nan, nan)`` when no goal is met.
    J2 and drag (left out of the model) move the bounds by well under 1 %.
    """
    if prob.site_r.shape[0] != 1:
        raise ValueError("apogee_bounds_m takes one launch")
    top = 1.5 * float(np.nanmax(table.apogee_m))

    def met(goals: FloatArray) -> BoolArray:
        p = prob.take(np.zeros(goals.size, dtype=np.intp))
        p = AimProblem(p.site_r, p.up, p.north, p.east, p.target_r, p.t_east, p.t_north, goals)
        sol = solve_aim(table, p)
        return np.asarray(sol.converged)

    goals = np.geomspace(30e3, top, n_goals)
    ok = met(goals)
    if not ok.any():
        return (float("nan"), float("nan"))
    i_lo, i_hi = int(np.argmax(ok)), int(ok.size - 1 - np.argmax(ok[::-1]))
    lo, hi = float(goals[i_lo]), float(goals[i_hi])
    edges = []
    if i_lo > 0:
        edges.append(np.linspace(goals[i_lo - 1], goals[i_lo], n_goals // 2))
    if i_hi < goals.size - 1:
        edges.append(np.linspace(goals[i_hi], goals[i_hi + 1], n_goals // 2))
    if edges:
        g2 = np.concatenate(edges)
        ok2 = met(g2)
        if ok2.any():
            lo = min(lo, float(g2[ok2].min()))
            hi = max(hi, float(g2[ok2].max()))
    return (lo, hi)


def _unit_rows(a: FloatArray) -> FloatArray:
    a = np.atleast_2d(a)
    return np.asarray(a / np.linalg.norm(a, axis=1, keepdims=True))


@dataclass(frozen=True)
class AimSolution:
    """Solved ``x (n, 3) = (azimuth rad, kick rad, cutoff s)`` and convergence flags."""

    x: FloatArray
    converged: BoolArray
    residual: FloatArray


def initial_guess(table: PoweredTable, prob: AimProblem) -> FloatArray:
    """Great-circle azimuth and the grid point nearest the wanted range and shape."""
    su = prob.site_r / np.linalg.norm(prob.site_r, axis=1, keepdims=True)
    tu = prob.target_r / np.linalg.norm(prob.target_r, axis=1, keepdims=True)
    psi = np.arccos(np.clip((su * tu).sum(axis=1), -1.0, 1.0))
    dir_t = tu - su * (su * tu).sum(axis=1, keepdims=True)
    az = np.arctan2((dir_t * prob.east).sum(axis=1), (dir_t * prob.north).sum(axis=1))
    cost_r = ((table.range_rad[None] - psi[:, None, None]) / 0.01) ** 2
    lofted = ~np.isnan(prob.apogee_m)
    cost_s = np.where(
        lofted[:, None, None],
        ((table.apogee_m[None] - np.nan_to_num(prob.apogee_m)[:, None, None]) / 5e4) ** 2,
        (table.shape_g[None] / 0.02) ** 2,
    )
    cost = np.nan_to_num(cost_r + cost_s, nan=np.inf).reshape(psi.size, -1)
    best = np.argmin(cost, axis=1)
    jk, it = np.unravel_index(best, table.range_rad.shape)
    kmin, kmax = table.kick_bounds
    return np.stack([az, np.clip(table.kick_rad[jk], kmin, kmax), table.t_s[it]], axis=1)


def solve_aim(
    table: PoweredTable,
    prob: AimProblem,
    x0: FloatArray | None = None,
    *,
    max_iter: int = 30,
    tol_m: float = 0.5,
    tol_g: float = 1e-7,
) -> AimSolution:
    """Newton iterations on the fast model, all missiles at once.

    Finite-difference Jacobian (the four evaluations stacked into one model call),
    steps limited to 0.2 rad in azimuth, 5° in kick and 20 s in cutoff, and clipped to
    the table's bounds. A missile whose iteration stalls keeps ``converged=False``.
    """
    n = prob.site_r.shape[0]
    x = initial_guess(table, prob) if x0 is None else np.array(x0, dtype=np.float64)
    kmin, kmax = table.kick_bounds
    tmin, tmax = table.t_bounds
    lo = np.array([-np.inf, kmin, tmin])
    hi = np.array([np.inf, kmax, tmax])
    x = np.clip(x, lo, hi)
    steps = np.array([1e-6, 1e-6, 1e-3])
    big = prob.take(np.tile(np.arange(n), 4))
    lofted = ~np.isnan(prob.apogee_m)
    tol_shape = np.where(lofted, tol_m / RESIDUAL_SCALE_M, tol_g)
    active = np.ones(n, dtype=bool)
    res = np.full((n, 3), np.nan)
    limit = np.array([0.2, np.radians(5.0), 20.0])
    eye = np.eye(3)
    for _ in range(max_iter):
        # forward differences, backward at an upper bound
        sgn = np.where(x + steps > hi, -1.0, 1.0)
        xs = np.concatenate([x] + [x + (steps * sgn * eye[k]) for k in range(3)])
        f_all, _, _ = model_residual(table, big, xs)
        f0 = f_all[:n]
        res = f0
        done = (np.abs(f0[:, :2]).max(axis=1) < tol_m / RESIDUAL_SCALE_M) & (
            np.abs(f0[:, 2]) < tol_shape
        )
        active = ~done
        if not active.any():
            break
        jac = np.stack(
            [
                (f_all[(k + 1) * n : (k + 2) * n] - f0) / (steps[k] * sgn[:, k : k + 1])
                for k in range(3)
            ],
            axis=2,
        )
        ok = np.isfinite(jac).all(axis=(1, 2)) & np.isfinite(f0).all(axis=1)
        det = np.linalg.det(np.where(ok[:, None, None], jac, np.eye(3)))
        ok &= np.abs(det) > 1e-30
        jsafe = np.where(ok[:, None, None], jac, np.eye(3))
        dx = -np.linalg.solve(jsafe, np.where(ok[:, None], f0, 0.0)[..., None])[..., 0]
        scale = np.max(np.abs(dx) / limit, axis=1)
        dx = dx / np.maximum(scale, 1.0)[:, None]
        dx = np.where((ok & active)[:, None], dx, 0.0)
        # a missile whose model failed (no impact): nudge the cutoff up and the kick down
        bad = ~ok & active
        dx[bad] = np.array([0.0, -np.radians(1.0), 5.0])
        x = np.clip(x + dx, lo, hi)
    conv = ~active
    return AimSolution(x=x, converged=conv, residual=res)
