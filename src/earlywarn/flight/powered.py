"""Powered flight: a 3-DOF point mass, vectorised across missiles, fixed-step RK4 in ECEF.

Physics (see :mod:`earlywarn.flight.dynamics` for the force model): J2 gravity,
Coriolis and centrifugal terms, drag ``½ρv²C_dA`` on the Earth-relative velocity, and
thrust ``T = Isp·g0·ṁ`` at constant mass flow. Thrust does not vary with ambient pressure
(a single effective Isp per stage; the sea-level/vacuum difference is ~10 % for a first
stage and is folded into that Isp).

Steering programme, the classic notional one (e.g. Zarchan, *Tactical and Strategic
Missile Guidance*, ch. on ballistic missiles; Forden's GUI_Missile_Flyer):

1. vertical rise for ``vertical_rise_s``;
2. linear pitch-over of the thrust from the local vertical towards the launch azimuth
   to the kick angle κ (= 90° − launch elevation) in ``pitch_over_s``;
3. hold at κ for ``pitch_hold_s`` (a rail launch for sounding rockets);
4. gravity turn: thrust along the Earth-relative velocity to burnout (space launchers:
   stages after the first thrust along the local horizontal instead).

The steering directions of phases 1–3 are fixed in ECEF at the launch site (over
~15 s the local vertical turns by < 0.01°). Spent stages separate at their burnout; the
last stage's thrust may be terminated early at ``cutoff_s`` (energy management), when the
payload separates and powered flight ends.

Time grid: each missile has its own nodes, every ``step_s`` plus every event (stage
ignition and burnout, steering-phase ends, cutoff), so thrust and steering are smooth
inside each RK4 step (a discontinuity inside a step would cost up to ~a·h/3 in speed).
Nodes beyond a missile's cutoff repeat the cutoff time (zero-length steps), so missiles
of different vehicles or cutoffs fly in one array.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import G0_M_S2
from earlywarn.flight.catalog import Vehicle
from earlywarn.flight.dynamics import EarthModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class StageTable:
    """Per-vehicle stage figures as ``(n_vehicles, n_stages_max)`` arrays (padded)."""

    names: tuple[str, ...]
    n_stages: IntArray  # (V,)
    ign_s: FloatArray  # full-programme ignition times
    burn_s: FloatArray
    mdot: FloatArray
    thrust: FloatArray
    m_ign: FloatArray  # stack mass at ignition
    cda: FloatArray  # stack Cd*A while the stage is lowest
    plume: FloatArray
    rise_s: FloatArray  # (V,)
    po_s: FloatArray
    hold_s: FloatArray
    final_ign_s: FloatArray  # (V,) ignition time of the last stage
    final_end_s: FloatArray  # (V,) full-burn final burnout time
    horizontal_upper: npt.NDArray[np.bool_]  # (V,)

    @staticmethod
    def build(vehicles: Sequence[Vehicle]) -> StageTable:
        nv = len(vehicles)
        smax = max(len(v.stages) for v in vehicles)
        z = np.zeros((nv, smax))
        ign, burn, mdot, thr, mig, cda, pl = (z.copy() for _ in range(7))
        for i, v in enumerate(vehicles):
            m = v.launch_mass_kg
            for j, (s, t) in enumerate(zip(v.stages, v.ignition_s, strict=True)):
                ign[i, j], burn[i, j] = t, s.burn_s
                mdot[i, j] = s.mass_flow_kg_s
                thr[i, j] = s.isp_s * G0_M_S2 * s.mass_flow_kg_s
                mig[i, j] = m
                cda[i, j] = s.cd * s.area_m2
                pl[i, j] = s.plume_w_sr
                m -= s.propellant_kg + s.dry_kg
            last = len(v.stages) - 1
            # padding stages: "ignite" at the end, never burn, keep the final mass/area
            ign[i, last + 1 :] = ign[i, last] + burn[i, last]
            mig[i, last + 1 :] = v.payload_mass_kg
            cda[i, last + 1 :] = v.body.cd * v.body.area_m2
        ns = np.array([len(v.stages) for v in vehicles], dtype=np.intp)
        rows = np.arange(nv)
        return StageTable(
            names=tuple(v.name for v in vehicles),
            n_stages=ns,
            ign_s=ign,
            burn_s=burn,
            mdot=mdot,
            thrust=thr,
            m_ign=mig,
            cda=cda,
            plume=pl,
            rise_s=np.array([v.vertical_rise_s for v in vehicles]),
            po_s=np.array([v.pitch_over_s for v in vehicles]),
            hold_s=np.array([v.pitch_hold_s for v in vehicles]),
            final_ign_s=ign[rows, ns - 1],
            final_end_s=ign[rows, ns - 1] + burn[rows, ns - 1],
            horizontal_upper=np.array([v.horizontal_upper_stages for v in vehicles]),
        )


@dataclass(frozen=True)
class PoweredPath:
    """Sampled powered flight of ``n`` missiles (local time: seconds after lift-off).

    ``t_s (n, K)`` node times (a node repeated after cutoff marks padding),
    ``r, v (n, K, 3)`` ECEF states, ``a_beg``/``a_end (n, K, 3)`` the accelerations just
    after and just before each node (for Hermite interpolation of the velocity),
    ``intensity_w_sr (n, K)``, ``stage_end_s (n, S)``
    burnout (separation) time of each stage (NaN for padding stages; the last real stage
    ends at the cutoff) and ``stage_end_r``/``stage_end_v (n, S, 3)`` the states there.
    """

    t_s: FloatArray
    r: FloatArray
    v: FloatArray
    a_beg: FloatArray
    a_end: FloatArray
    intensity_w_sr: FloatArray
    stage_end_s: FloatArray
    stage_end_r: FloatArray
    stage_end_v: FloatArray

    @property
    def burnout_r(self) -> FloatArray:
        return np.asarray(self.r[:, -1])

    @property
    def burnout_v(self) -> FloatArray:
        return np.asarray(self.v[:, -1])

    @property
    def burnout_s(self) -> FloatArray:
        return np.asarray(self.t_s[:, -1])


def _steer_dirs(
    t: FloatArray,
    tm: FloatArray,
    rise: FloatArray,
    po: FloatArray,
    hold: FloatArray,
    kick: FloatArray,
    up: FloatArray,
    az: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Programmed thrust direction ``U (n, K, 3)`` at times ``t`` inside steps whose
    midpoints are ``tm`` (zero in the gravity turn), and the weight ``wv (n, K)`` of the
    velocity direction (1 in the gravity turn). The phase is decided at the midpoint so
    that every RK4 stage of a step sees the same phase (phase ends are nodes)."""
    ramp = np.clip((t - rise[:, None]) / np.maximum(po, 1e-9)[:, None], 0.0, 1.0)
    jump = (tm >= rise[:, None]).astype(np.float64)  # a zero-length pitch-over
    frac = np.where((po > 0.0)[:, None], ramp, jump)
    ang = kick[:, None] * frac
    turn = tm >= (rise + po + hold)[:, None]
    u = np.cos(ang)[..., None] * up[:, None, :] + np.sin(ang)[..., None] * az[:, None, :]
    u = np.where(turn[..., None], 0.0, u)
    return u, turn.astype(np.float64)


_TINY = 1e-9
"""Added to |v| and to the horizontal speed where the thrust follows their direction."""

SCALAR_MAX_N = 4
"""Up to this many missiles are integrated one by one on floats (same steps, same
formulas, equal to round-off; numpy's per-call overhead dominates tiny arrays)."""


def _rk4_scalar(
    model: EarthModel,
    r0: FloatArray,
    h: FloatArray,
    wv: FloatArray,
    wh: FloatArray,
    at0: FloatArray,
    atm: FloatArray,
    at1: FloatArray,
    cd0: FloatArray,
    cdmid: FloatArray,
    cd1: FloatArray,
    u0: FloatArray,
    um: FloatArray,
    u1: FloatArray,
    r_out: FloatArray,
    v_out: FloatArray,
    a_beg: FloatArray,
    a_end: FloatArray,
) -> None:
    """The RK4 loop of :func:`fly_powered` for each missile on floats; fills the outputs."""
    acc = model.accel1

    def horiz(
        x: float, y: float, z: float, vx: float, vy: float, vz: float
    ) -> tuple[float, float, float]:
        rn = math.sqrt(x * x + y * y + z * z)
        ex, ey, ez = x / rn, y / rn, z / rn
        d = vx * ex + vy * ey + vz * ez
        hx, hy, hz = vx - d * ex, vy - d * ey, vz - d * ez
        hn = math.sqrt(hx * hx + hy * hy + hz * hz) + _TINY
        return hx / hn, hy / hn, hz / hn

    def f(
        x: float, y: float, z: float, vx: float, vy: float, vz: float,
        cd: float, at: float, w: float, wh_: float, u: list[float],
    ) -> tuple[float, float, float]:  # fmt: skip
        ax, ay, az, sp = acc(x, y, z, vx, vy, vz, cd)
        g = at * w / (sp + _TINY)
        ax += g * vx + at * u[0]
        ay += g * vy + at * u[1]
        az += g * vz + at * u[2]
        if wh_ != 0.0:
            hx, hy, hz = horiz(x, y, z, vx, vy, vz)
            q = at * wh_
            ax, ay, az = ax + q * hx, ay + q * hy, az + q * hz
        return ax, ay, az

    n = r0.shape[0]
    for m in range(n):
        x, y, z = (float(c) for c in r0[m])
        vx = vy = vz = 0.0
        hl, wvl, whl = h[m].tolist(), wv[m].tolist(), wh[m].tolist()
        a0l, aml, a1l = at0[m].tolist(), atm[m].tolist(), at1[m].tolist()
        c0l, cml, c1l = cd0[m].tolist(), cdmid[m].tolist(), cd1[m].tolist()
        u0l, uml, u1l = u0[m].tolist(), um[m].tolist(), u1[m].tolist()
        rs: list[tuple[float, float, float]] = [(x, y, z)]
        vs: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)]
        ab: list[tuple[float, float, float]] = []
        ae: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)]
        for i in range(len(hl)):
            hh, w, wh_ = hl[i], wvl[i], whl[i]
            h2 = 0.5 * hh
            k1 = f(x, y, z, vx, vy, vz, c0l[i], a0l[i], w, wh_, u0l[i])
            x2, y2, z2 = x + h2 * vx, y + h2 * vy, z + h2 * vz
            p2, q2, s2 = vx + h2 * k1[0], vy + h2 * k1[1], vz + h2 * k1[2]
            k2 = f(x2, y2, z2, p2, q2, s2, cml[i], aml[i], w, wh_, uml[i])
            x3, y3, z3 = x + h2 * p2, y + h2 * q2, z + h2 * s2
            p3, q3, s3 = vx + h2 * k2[0], vy + h2 * k2[1], vz + h2 * k2[2]
            k3 = f(x3, y3, z3, p3, q3, s3, cml[i], aml[i], w, wh_, uml[i])
            x4, y4, z4 = x + hh * p3, y + hh * q3, z + hh * s3
            p4, q4, s4 = vx + hh * k3[0], vy + hh * k3[1], vz + hh * k3[2]
            k4 = f(x4, y4, z4, p4, q4, s4, c1l[i], a1l[i], w, wh_, u1l[i])
            h6 = hh / 6.0
            x = x + h6 * (vx + 2.0 * (p2 + p3) + p4)
            y = y + h6 * (vy + 2.0 * (q2 + q3) + q4)
            z = z + h6 * (vz + 2.0 * (s2 + s3) + s4)
            vx, vy, vz = (
                vx + h6 * (k1[0] + 2.0 * (k2[0] + k3[0]) + k4[0]),
                vy + h6 * (k1[1] + 2.0 * (k2[1] + k3[1]) + k4[1]),
                vz + h6 * (k1[2] + 2.0 * (k2[2] + k3[2]) + k4[2]),
            )
            rs.append((x, y, z))
            vs.append((vx, vy, vz))
            ab.append(k1)
            ae.append(k4)
        ab.append((0.0, 0.0, 0.0))
        r_out[m], v_out[m] = rs, vs
        a_beg[m], a_end[m] = ab, ae


def fly_powered(
    model: EarthModel,
    stages: StageTable,
    vehicle_index: IntArray,
    r0: FloatArray,
    up: FloatArray,
    az: FloatArray,
    kick_rad: FloatArray,
    cutoff_s: FloatArray,
    step_s: float | FloatArray = 1.0,
) -> PoweredPath:
    """Fly ``n`` missiles from lift-off to cutoff (final-stage thrust termination).

    ``r0 (n, 3)`` launch positions (ECEF, at rest on the Earth), ``up``/``az (n, 3)`` the
    local vertical and the horizontal unit vector along the launch azimuth, ``kick_rad``
    the pitch-over angle from the vertical, ``cutoff_s`` the final-stage cutoff time after
    lift-off (clipped to the final stage's burn). Returns the sampled path.
    """
    vi = np.asarray(vehicle_index, dtype=np.intp)
    n = vi.size
    ign, burn = stages.ign_s[vi], stages.burn_s[vi]
    smax = ign.shape[1]
    ns = stages.n_stages[vi]
    last = ns - 1
    rows = np.arange(n)
    t_end = np.clip(cutoff_s, stages.final_ign_s[vi], stages.final_end_s[vi])
    end = ign + burn
    end[rows, last] = t_end
    real = np.arange(smax)[None, :] < ns[:, None]
    end = np.where(real, end, np.inf)
    rise, po, hold = stages.rise_s[vi], stages.po_s[vi], stages.hold_s[vi]

    # ---- node grid: ticks plus events, per missile
    step = np.broadcast_to(np.asarray(step_s, dtype=np.float64), (n,))
    n_tick = int(np.ceil(float((t_end / step).max()))) + 1
    ticks = np.arange(n_tick)[None, :] * step[:, None]
    events = np.concatenate(
        [
            np.where(real, ign, 0.0),
            np.where(real, end, 0.0),
            np.stack([rise, rise + po, rise + po + hold, t_end], 1),
        ],
        axis=1,
    )
    nodes = np.sort(np.minimum(np.concatenate([ticks, events], axis=1), t_end[:, None]), axis=1)
    h = np.diff(nodes, axis=1)  # (n, K-1)
    t0, t1 = nodes[:, :-1], nodes[:, 1:]
    tm = 0.5 * (t0 + t1)

    # ---- the stack during each step (decided at the midpoint)
    jb = np.clip((tm[..., None] >= ign[:, None, :]).sum(axis=2) - 1, 0, smax - 1)
    take = lambda a, j: np.take_along_axis(a, j, axis=1)  # noqa: E731
    burning = tm < take(end, jb)
    jn = np.where(burning, jb, np.minimum(jb + 1, smax - 1))  # coast: next stage's stack
    ign_j = take(ign, jn)
    mdot_j = np.where(burning, take(stages.mdot[vi], jn), 0.0)
    thr_j = np.where(burning, take(stages.thrust[vi], jn), 0.0)
    m_j = take(stages.m_ign[vi], jn)
    cda_j = take(stages.cda[vi], jn)
    plume_j = np.where(burning, take(stages.plume[vi], jn), 0.0)

    def mass(t: FloatArray) -> FloatArray:
        return np.asarray(m_j - mdot_j * np.maximum(t - ign_j, 0.0))

    m0, mm, m1 = mass(t0), mass(tm), mass(t1)
    at0, atm, at1 = thr_j / m0, thr_j / mm, thr_j / m1
    cd0, cdmid, cd1 = 0.5 * cda_j / m0, 0.5 * cda_j / mm, 0.5 * cda_j / m1
    u0, wv = _steer_dirs(t0, tm, rise, po, hold, kick_rad, up, az)
    # horizontal steering of upper stages (space launchers): weight of the horizontal
    wh = (stages.horizontal_upper[vi][:, None] & (jn >= 1)).astype(np.float64) * wv
    wv = wv - wh
    any_h = bool(wh.any())
    um, _ = _steer_dirs(tm, tm, rise, po, hold, kick_rad, up, az)
    u1, _ = _steer_dirs(t1, tm, rise, po, hold, kick_rad, up, az)
    # a zero-length step at t = 0 may sit before the vertical rise: harmless

    # ---- RK4 over the nodes, all missiles at once
    acc = model.accel
    k = nodes.shape[1]
    r_out = np.empty((n, k, 3))
    v_out = np.empty((n, k, 3))
    a_beg = np.zeros((n, k, 3))  # acceleration just after each node (right limit)
    a_end = np.zeros((n, k, 3))  # just before each node (left limit, RK4's k4 estimate)
    r = np.array(r0, dtype=np.float64)
    v = np.zeros((n, 3))
    r_out[:, 0], v_out[:, 0] = r, v

    def horiz(rr: FloatArray, vv: FloatArray) -> FloatArray:
        rh = rr / np.sqrt((rr * rr).sum(axis=1))[:, None]
        hv = vv - (vv * rh).sum(axis=1)[:, None] * rh
        return np.asarray(hv / (np.sqrt((hv * hv).sum(axis=1))[:, None] + _TINY))

    if n <= SCALAR_MAX_N:
        _rk4_scalar(
            model, r0, h, wv, wh, at0, atm, at1, cd0, cdmid, cd1, u0, um, u1,
            r_out, v_out, a_beg, a_end,
        )  # fmt: skip
    else:
        for i in range(k - 1):
            hh = h[:, i, None]
            h2 = 0.5 * hh
            w = wv[:, i, None]
            a1, s1 = acc(r, v, cd0[:, i])
            a1 += at0[:, i, None] * (w * v / (s1[:, None] + _TINY) + u0[:, i])
            if any_h:
                a1 += (at0[:, i] * wh[:, i])[:, None] * horiz(r, v)
            r2 = r + h2 * v
            v2 = v + h2 * a1
            a2, s2 = acc(r2, v2, cdmid[:, i])
            a2 += atm[:, i, None] * (w * v2 / (s2[:, None] + _TINY) + um[:, i])
            if any_h:
                a2 += (atm[:, i] * wh[:, i])[:, None] * horiz(r2, v2)
            r3 = r + h2 * v2
            v3 = v + h2 * a2
            a3, s3 = acc(r3, v3, cdmid[:, i])
            a3 += atm[:, i, None] * (w * v3 / (s3[:, None] + _TINY) + um[:, i])
            if any_h:
                a3 += (atm[:, i] * wh[:, i])[:, None] * horiz(r3, v3)
            r4 = r + hh * v3
            v4 = v + hh * a3
            a4, s4 = acc(r4, v4, cd1[:, i])
            a4 += at1[:, i, None] * (w * v4 / (s4[:, None] + _TINY) + u1[:, i])
            if any_h:
                a4 += (at1[:, i] * wh[:, i])[:, None] * horiz(r4, v4)
            h6 = hh / 6.0
            r = r + h6 * (v + 2.0 * (v2 + v3) + v4)
            v = v + h6 * (a1 + 2.0 * (a2 + a3) + a4)
            r_out[:, i + 1], v_out[:, i + 1] = r, v
            a_beg[:, i], a_end[:, i + 1] = a1, a4

    # plume intensity at each node: the stage burning just after it (0 at and after cutoff)
    inten = np.concatenate([plume_j, np.zeros((n, 1))], axis=1)
    inten = np.where(np.concatenate([h, np.zeros((n, 1))], axis=1) > 0.0, inten, 0.0)
    # states at each stage's separation (its burnout); nodes contain every end time
    end_f = np.where(real, end, np.nan)
    idx = np.argmax(nodes[:, None, :] >= end_f[:, :, None] - 1e-9, axis=2)  # (n, S)
    se_r = np.take_along_axis(r_out, idx[..., None], axis=1)
    se_v = np.take_along_axis(v_out, idx[..., None], axis=1)
    return PoweredPath(
        t_s=nodes,
        r=r_out,
        v=v_out,
        a_beg=a_beg,
        a_end=a_end,
        intensity_w_sr=inten,
        stage_end_s=end_f,
        stage_end_r=np.where(real[..., None], se_r, np.nan),
        stage_end_v=np.where(real[..., None], se_v, np.nan),
    )


def resample(path: PoweredPath, every_s: float = 1.0) -> tuple[FloatArray, ...]:
    """Samples at every multiple of ``every_s`` and at every node (events), per missile.

    Between nodes: cubic Hermite in position (with velocities) and in velocity (with the
    accelerations either side), both exact to O(h⁴): with 2 s nodes the samples are good
    to millimetres and mm/s. Returns ``(t, r, v, intensity)`` with NaN-padded rows
    (repeated nodes removed), intensity that of the interval a sample opens.
    """
    return hermite_resample(
        path.t_s, path.r, path.v, path.a_beg, path.a_end, path.intensity_w_sr, every_s
    )


def hermite_resample(
    t: FloatArray,
    r_n: FloatArray,
    v_n: FloatArray,
    a_beg: FloatArray,
    a_end: FloatArray,
    inten_n: FloatArray,
    every_s: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Resample rows of nodes (``t (n, K)`` non-decreasing, no NaN) at the multiples of
    ``every_s`` inside each row's span, keeping every node; see :func:`resample`."""
    n, k = t.shape
    t_beg, t_end = t[:, 0], t[:, -1]
    j0 = np.ceil(t_beg / every_s)
    m = int(np.max(np.floor(t_end / every_s) - j0)) + 1 if n else 1
    m = max(m, 1)
    ticks = np.clip((j0[:, None] + np.arange(m)[None, :]) * every_s, t_beg[:, None], t_end[:, None])
    tq = np.sort(np.concatenate([t, ticks], axis=1), axis=1)
    keep = np.ones(tq.shape, dtype=bool)
    keep[:, :-1] = tq[:, 1:] > tq[:, :-1] + 1e-9
    # interval of each query: last node with t_node <= tq (skipping zero-length steps)
    lo = float(t_beg.min()) if n else 0.0
    span = float((t_end - lo).max()) + 10.0 if n else 10.0
    off = np.arange(n)[:, None] * (2.0 * span + 10.0) - lo
    keys = (t + off).ravel()
    idx = np.searchsorted(keys, (tq + off).ravel(), side="right").reshape(tq.shape) - 1
    i0 = np.clip(idx - (np.arange(n) * k)[:, None], 0, k - 2)
    i1 = i0 + 1
    rows = np.arange(n)[:, None]
    t0, t1 = t[rows, i0], t[rows, i1]
    h = t1 - t0
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(h > 0, (tq - t0) / np.where(h > 0, h, 1.0), 1.0)
    s3, h3 = s[..., None], h[..., None]
    b00 = 2 * s3**3 - 3 * s3**2 + 1
    b10 = s3**3 - 2 * s3**2 + s3
    b01 = -2 * s3**3 + 3 * s3**2
    b11 = s3**3 - s3**2
    r0_, r1_ = r_n[rows, i0], r_n[rows, i1]
    v0_, v1_ = v_n[rows, i0], v_n[rows, i1]
    a0_, a1_ = a_beg[rows, i0], a_end[rows, i1]
    r = b00 * r0_ + b10 * h3 * v0_ + b01 * r1_ + b11 * h3 * v1_
    v = b00 * v0_ + b10 * h3 * a0_ + b01 * v1_ + b11 * h3 * a1_
    inten = np.where(s < 1.0, inten_n[rows, i0], inten_n[rows, i1])
    inten = np.where(tq >= t_end[:, None] - 1e-9, 0.0, inten)
    order = np.argsort(~keep, axis=1, kind="stable")
    cnt = keep.sum(axis=1)
    valid = np.arange(tq.shape[1])[None, :] < cnt[:, None]
    kmax = int(cnt.max()) if n else 1
    tk = np.where(valid, np.take_along_axis(tq, order, axis=1), np.nan)[:, :kmax]
    rk = np.where(valid[..., None], np.take_along_axis(r, order[..., None], axis=1), np.nan)
    vk = np.where(valid[..., None], np.take_along_axis(v, order[..., None], axis=1), np.nan)
    ik = np.where(valid, np.take_along_axis(inten, order, axis=1), 0.0)
    return tk, rk[:, :kmax], vk[:, :kmax], ik[:, :kmax]
