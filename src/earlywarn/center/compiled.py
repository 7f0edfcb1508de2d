"""Compiled per-sample loops (numba) where a loop over steps cannot be an array operation.

The impact prediction with drag (:func:`earlywarn.center.characterise.propagate_to_height`)
gives each sigma point its own RK4 steps: dozens of steps of a few microseconds of
arithmetic each, on 15 points an event. As numpy calls on ``(6, n)`` columns every step
costs ~200 µs of call overhead whatever ``n`` is, and a batch runs as many steps as its
slowest point; in a 300-launch raid this loop was a sixth of the center's time. Here each
point runs its own loop, compiled (``numba.njit``, cached on disk beside this file: the
first call in a fresh checkout compiles for about six seconds, later processes load it in
a fraction of one).

Compiled here: the bracketing with drag (:func:`bracket_drag_samples`), one free-flight
RK4 step of many columns (:func:`rk4_columns`) and a fixed-step free-flight grid
(:func:`rk4_grid`, the radar tracks' backward traces); and the raid correlation's tests
of one track against a few IR events each, per track per step (numpy's call overhead was
most of their cost): the backward test (:func:`backward_d2`), its pre-gate on the grid
(:func:`pregate_d2`) and the forward gate (:func:`gate_d2`), with one 3 × 3 solve
(:func:`solve3`, also the IR launch fit's: :mod:`earlywarn.center.ir.compiled`). The
correlation tests sum in another order than their numpy references (in
``tests/test_correlate_scale.py``), which hold them to 1e-9. The steps do the operations
of their numpy references (:func:`earlywarn.center.characterise._bracket_drag_array` and
``_rk4_array``) on one sample, in the same order: ``+ − × ÷ √`` round alike (IEEE 754,
no fused multiply-add: numba compiles without fast-math), so free flight is the same
bits, and with drag the steps are the same bits except where ``exp`` and ``log`` of the
air density (libm here, numpy's own SIMD routines there) differ in their last bit.
``tests/test_compiled.py`` holds each to its reference. The refinement to the crossing
and the estimate from the points stay in numpy (once per prediction, not per step). The
RK4 writes its slopes into scratch arrays: allocating them per step cost more than the
arithmetic.

``error_model="numpy"``: a division by zero gives ±inf or NaN as numpy does (the reference
runs under ``np.errstate(divide="ignore")``), not Python's ZeroDivisionError.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_JIT = numba.njit(cache=True, error_model="numpy", nogil=True)


@_JIT
def _interp(x: float, xp: FloatArray, fp: FloatArray, right: float) -> float:
    """``np.interp(x, xp, fp, right=right)`` for one ``x`` (``xp`` increasing), numpy's
    arithmetic: the slope of the interval, ``fp[j]`` where ``x`` is a node, the other end's
    form where the first gives NaN."""
    n = xp.shape[0]
    if not x >= xp[0]:
        return float(fp[0]) if x < xp[0] else x  # NaN stays NaN
    if x > xp[n - 1]:
        return right
    if x == xp[n - 1]:
        return float(fp[n - 1])
    lo, hi = 0, n - 1  # xp[lo] <= x < xp[hi]
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if xp[mid] <= x:
            lo = mid
        else:
            hi = mid
    if x == xp[lo]:
        return float(fp[lo])
    slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo])
    out = slope * (x - xp[lo]) + fp[lo]
    if out != out:
        out = slope * (x - xp[lo + 1]) + fp[lo + 1]
        if out != out and fp[lo] == fp[lo + 1]:
            out = fp[lo]
    return float(out)


@_JIT
def _fmin(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN propagates)."""
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


@_JIT
def _fmax(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN propagates)."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


@_JIT
def _radial(x: float, y: float, z: float, c: FloatArray) -> tuple[float, float]:
    """``characterise._radial`` of one position: radial height and ``|r|`` (``c`` as in
    :func:`_derivative_into`)."""
    ab, b2, a2 = c[4], c[5], c[6]
    rn2 = x * x + y * y
    rn2 += z * z
    rn = math.sqrt(rn2)
    s2 = (z * z) / rn2
    return rn - ab / math.sqrt(b2 * (1.0 - s2) + a2 * s2), rn


@_JIT
def _derivative_into(
    y: FloatArray, ib: float, drag: bool, c: FloatArray, ln_h: FloatArray, ln_rho: FloatArray,
    out: FloatArray,
) -> None:  # fmt: skip
    """``kernels.ballistic_derivative_columns`` (``drag`` False) or
    ``ballistic_drag_derivative_columns`` of one state ``y (6,)``, written into ``out``.
    ``c``: K of J2, μ, Ω², 2Ω, ab, b², a²."""
    k_j2, gm, w2, two_w = c[0], c[1], c[2], c[3]
    r2 = y[0] * y[0] + y[1] * y[1]
    r2 += y[2] * y[2]
    rn = math.sqrt(r2)
    neg_mu_r3 = (-gm) / (r2 * rn)
    k = k_j2 / r2
    s2 = (y[2] * y[2]) / r2
    f_xy = (1.0 + k * (1.0 - 5.0 * s2)) * neg_mu_r3
    ax = y[0] * f_xy + (y[4] * two_w + w2 * y[0])
    ay = y[1] * f_xy + (y[3] * -two_w + w2 * y[1])
    az = y[2] * ((1.0 + k * (3.0 - 5.0 * s2)) * neg_mu_r3)
    if drag:
        h = _radial(y[0], y[1], y[2], c)[0]
        vv = y[3] * y[3] + y[4] * y[4]
        vv += y[5] * y[5]
        rho = math.exp(_interp(h, ln_h, ln_rho, -math.inf))
        f = ((-0.5 * rho) * math.sqrt(vv)) * ib
        ax += y[3] * f
        ay += y[4] * f
        az += y[5] * f
    out[0], out[1], out[2] = y[3], y[4], y[5]
    out[3], out[4], out[5] = ax, ay, az


@_JIT
def _derivative(
    y: FloatArray, ib: float, drag: bool, c: FloatArray, ln_h: FloatArray, ln_rho: FloatArray
) -> FloatArray:
    """:func:`_derivative_into` into a new array (for the tests)."""
    out = np.empty(6)
    _derivative_into(y, ib, drag, c, ln_h, ln_rho, out)
    return out


@_JIT
def _rk4_into(
    y: FloatArray, h: float, ib: float, drag: bool, c: FloatArray, ln_h: FloatArray,
    ln_rho: FloatArray, k: FloatArray, out: FloatArray,
) -> None:  # fmt: skip
    """``characterise._rk4`` of one state ``y (6,)``, written into ``out`` (which may be
    ``y``); ``k (5, 6)`` is scratch: the four slopes and the stage state."""
    half = 0.5 * h
    stage = k[4]
    _derivative_into(y, ib, drag, c, ln_h, ln_rho, k[0])
    for j in range(6):
        stage[j] = y[j] + half * k[0, j]
    _derivative_into(stage, ib, drag, c, ln_h, ln_rho, k[1])
    for j in range(6):
        stage[j] = y[j] + half * k[1, j]
    _derivative_into(stage, ib, drag, c, ln_h, ln_rho, k[2])
    for j in range(6):
        stage[j] = y[j] + h * k[2, j]
    _derivative_into(stage, ib, drag, c, ln_h, ln_rho, k[3])
    sixth = h / 6.0
    for j in range(6):
        acc = k[0, j] + 2.0 * k[1, j]
        acc += 2.0 * k[2, j]
        acc += k[3, j]
        out[j] = y[j] + acc * sixth


@_JIT
def _atmospheric_step(
    y: FloatArray, hr: float, vr: float, ib: float, h_max: float, s: FloatArray,
    ln_h: FloatArray, ln_rho: FloatArray, neg_ln_rho: FloatArray,
) -> float:  # fmt: skip
    """``characterise._atmospheric_steps_s`` of one sample. ``s``: the weak drag, the
    height drop, τ, the minimum step and g of its constants."""
    weak, dz, tau, min_step, g = s[0], s[1], s[2], s[3], s[4]
    k = (0.5 * math.exp(_interp(hr, ln_h, ln_rho, -math.inf))) * ib
    vv = y[3] * y[3] + y[4] * y[4]
    vv += y[5] * y[5]
    vn = math.sqrt(vv)
    h_weak = _interp(-math.log((2.0 * weak) / (ib * vv)), neg_ln_rho, ln_h, ln_h[-1])
    drop = _fmax(dz, hr - h_weak)
    avr = abs(vr)
    t_drop = (math.sqrt(avr * avr + (2.0 * g) * drop) - avr) / g
    rate_drag = _fmax(k * vn, math.sqrt(g * k)) / tau
    h = _fmin(t_drop, 1.0 / rate_drag)
    return _fmin(_fmax(h, min_step), h_max)


@_JIT
def bracket_drag_samples(
    y0: FloatArray, hr0: FloatArray, rn0: FloatArray, ib: FloatArray, h_m: float,
    t_end: float, step_s: float, p: FloatArray, c: FloatArray, s: FloatArray,
    ln_h: FloatArray, ln_rho: FloatArray, neg_ln_rho: FloatArray,
) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """The steps of ``characterise._bracket_drag_array`` for each column of ``y0 (6, n)``
    on its own, until its height falls to ``h_m``: per sample whether it crossed, the
    states before and after the crossing step ``(6, n)``, the step's start time, length
    and 1/β (0 in a free-flight step). ``p``: the big-step factor, the big-step margin,
    the height floor of the big steps, the top of the drag and the shortest step to it."""
    big, margin, floor_m, top, entry_min = p[0], p[1], p[2], p[3], p[4]
    n = y0.shape[1]
    crossed = np.zeros(n, dtype=np.bool_)
    prev = np.full((6, n), np.nan)
    nxt_out = np.full((6, n), np.nan)
    t_out = np.full(n, np.nan)
    h_out = np.full(n, np.nan)
    ib_out = np.zeros(n)
    big_h = big * step_s
    t_stop = t_end - 1e-6 * step_s
    k = np.empty((5, 6))
    y = np.empty(6)
    nxt = np.empty(6)
    for i in range(n):
        y[:] = y0[:, i]
        hr, rn, t = hr0[i], rn0[i], 0.0
        while True:
            vr = y[3] * (y[0] / rn) + y[4] * (y[1] / rn)
            vr += y[5] * (y[2] / rn)
            vdown = _fmin(vr, 0.0)
            left = t_end - t
            far = ((hr - floor_m) + big_h * vdown > margin) and (left >= big_h)
            h = big_h if far else _fmin(step_s, left)
            inside = False
            if hr + h * vdown <= top:
                t_in = (hr - top) / -vdown
                if hr > top and t_in > entry_min:
                    h = _fmin(h, t_in)
                else:
                    inside = True
                    h = _atmospheric_step(y, hr, vr, ib[i], h, s, ln_h, ln_rho, neg_ln_rho)
            _rk4_into(y, h, ib[i], inside, c, ln_h, ln_rho, k, nxt)
            hr, rn = _radial(nxt[0], nxt[1], nxt[2], c)
            if hr <= h_m:
                crossed[i] = True
                prev[:, i] = y
                nxt_out[:, i] = nxt
                t_out[i] = t
                h_out[i] = h
                ib_out[i] = ib[i] if inside else 0.0
                break
            t = t + h
            if not t < t_stop:
                break
            y[:] = nxt
    return crossed, prev, nxt_out, t_out, h_out, ib_out


@_JIT
def rk4_columns(
    y: FloatArray, h: FloatArray, c: FloatArray, ln_h: FloatArray, ln_rho: FloatArray
) -> FloatArray:
    """``characterise._rk4(y, h)`` in free flight: one RK4 step of each column of
    ``y (6, n)``, of length ``h[i]``. No ``exp`` in it: the same bits as numpy's."""
    out = np.empty_like(y)
    k = np.empty((5, 6))
    s = np.empty(6)
    for i in range(y.shape[1]):
        s[:] = y[:, i]
        _rk4_into(s, h[i], 0.0, False, c, ln_h, ln_rho, k, s)
        out[:, i] = s
    return out


@_JIT
def rk4_grid(
    y: FloatArray, h: float, n_steps: int, c: FloatArray, ln_h: FloatArray, ln_rho: FloatArray
) -> FloatArray:
    """``characterise.propagate_grid`` of the columns of ``y (6, n)``: the states at
    ``0, h, …, n_steps · h``, ``(n_steps + 1, n, 6)``, free flight, numpy's bits."""
    n = y.shape[1]
    out = np.empty((n_steps + 1, n, 6))
    k = np.empty((5, 6))
    s = np.empty(6)
    for i in range(n):
        s[:] = y[:, i]
        out[0, i] = s
        for j in range(n_steps):
            _rk4_into(s, h, 0.0, False, c, ln_h, ln_rho, k, s)
            out[j + 1, i] = s
    return out


@_JIT
def solve3(a: FloatArray, b: FloatArray, x: FloatArray) -> bool:
    """``x = a⁻¹ b`` for one 3 × 3 system by Gaussian elimination with partial pivoting,
    as LAPACK's ``gesv`` but not its bits (LAPACK multiplies by the pivot's reciprocal);
    ``a`` and ``b`` are overwritten. False where ``a`` is singular."""
    for col in range(3):
        piv = col
        for r in range(col + 1, 3):
            if abs(a[r, col]) > abs(a[piv, col]):
                piv = r
        if a[piv, col] == 0.0:
            return False
        if piv != col:
            for c in range(3):
                a[col, c], a[piv, c] = a[piv, c], a[col, c]
            b[col], b[piv] = b[piv], b[col]
        for r in range(col + 1, 3):
            f = a[r, col] / a[col, col]
            for c in range(col, 3):
                a[r, c] -= f * a[col, c]
            b[r] -= f * b[col]
    for r in range(2, -1, -1):
        acc = b[r]
        for c in range(r + 1, 3):
            acc -= a[r, c] * x[c]
        x[r] = acc / a[r, r]
    return True


@_JIT
def _solve_d2(d: FloatArray, s: FloatArray) -> float:
    """``dᵀ S⁻¹ d`` of one ``d (3,)``, ``S (3, 3)`` (:func:`solve3`; inf where ``S`` is
    singular, as ``position_d2``)."""
    x = np.empty(3)
    if not solve3(s.copy(), d.copy(), x):
        return math.inf
    return d[0] * x[0] + d[1] * x[1] + d[2] * x[2]


@_JIT
def backward_d2(
    grid: FloatArray, t_s: float, step_s: float, q: float, max_s: float, t_b: FloatArray,
    x_b: FloatArray, p_b: FloatArray, floor2: float, idx: npt.NDArray[np.intp],
    c: FloatArray, ln_h: FloatArray, ln_rho: FloatArray,
) -> FloatArray:  # fmt: skip
    """``fusion.BackwardTrace.d2`` of the burnout states ``idx`` of ``t_b (n,)``, positions
    ``x_b (n, 3+)``, position covariances ``p_b (n, 3, 3)``: the cloud ``grid (m + 1, 13,
    6)`` at the grid point just after each burnout time, one free-flight RK4 step back to
    it, the mean and position covariance of the 12 outer points plus ``q dt³/3`` of
    process noise, then ``dᵀ S⁻¹ d`` with ``S`` that plus ``p_b`` plus ``floor2``; inf off
    the grid, after ``t_s`` or more than ``max_s`` before it."""
    m = grid.shape[0] - 1
    out = np.full(idx.shape[0], math.inf)
    k = np.empty((5, 6))
    s = np.empty(6)
    pts = np.empty((12, 3))
    mu = np.empty(3)
    cov = np.empty((3, 3))
    d = np.empty(3)
    for n in range(idx.shape[0]):
        i = idx[n]
        dt = t_s - t_b[i]
        u = dt / step_s
        if not (dt >= 0.0 and dt <= max_s and u <= m):
            continue
        j = math.floor(u)
        h = t_b[i] - (t_s - j * step_s)
        for p in range(12):  # the centre point carries no weight (κ = 0)
            s[:] = grid[j, p + 1]
            _rk4_into(s, h, 0.0, False, c, ln_h, ln_rho, k, s)
            pts[p] = s[:3]
        for a in range(3):
            acc = 0.0
            for p in range(12):
                acc += pts[p, a]
            mu[a] = acc / 12.0
        for a in range(3):
            for b in range(a, 3):
                acc = 0.0
                for p in range(12):
                    acc += (pts[p, a] - mu[a]) * (pts[p, b] - mu[b])
                cov[a, b] = cov[b, a] = acc / 12.0
            cov[a, a] += q * (dt**3 / 3.0)
        for a in range(3):
            for b in range(3):
                cov[a, b] += p_b[i, a, b]
            cov[a, a] += floor2
            d[a] = mu[a] - x_b[i, a]
        out[n] = _solve_d2(d, cov)
    return out


@_JIT
def pregate_d2(
    mean: FloatArray, cov_pos: FloatArray, t_s: float, step_s: float, t_b: FloatArray,
    x_b: FloatArray, p_b: FloatArray, floor2: float,
) -> FloatArray:  # fmt: skip
    """``fusion.BackwardTrace.pregate_d2``: the backward ``d²`` from the grid's means
    ``(m + 1, 6)`` (cubic Hermite in time) and position covariances ``(m + 1, 3, 3)``
    (linear), no propagation; inf off the grid."""
    m = mean.shape[0] - 1
    h = -step_s  # the grid runs backward in time
    out = np.full(t_b.shape[0], math.inf)
    cov = np.empty((3, 3))
    d = np.empty(3)
    for i in range(t_b.shape[0]):
        u = (t_s - t_b[i]) / step_s
        if not (u >= 0.0 and u <= m):
            continue
        j = min(math.floor(u), max(m - 1, 0))
        f = min(max(u - j, 0.0), 1.0)
        j1 = min(j + 1, m)
        f2, f3 = f * f, f * f * f
        h00, h10 = 2 * f3 - 3 * f2 + 1, (f3 - 2 * f2 + f) * h
        h01, h11 = -2 * f3 + 3 * f2, (f3 - f2) * h
        for a in range(3):
            pos = h00 * mean[j, a] + h10 * mean[j, a + 3]
            pos += h01 * mean[j1, a] + h11 * mean[j1, a + 3]
            d[a] = pos - x_b[i, a]
            for b in range(3):
                cov[a, b] = (1.0 - f) * cov_pos[j, a, b] + f * cov_pos[j1, a, b] + p_b[i, a, b]
            cov[a, a] += floor2
        out[i] = _solve_d2(d, cov)
    return out


@_JIT
def gate_d2(
    pos: FloatArray, cov: FloatArray, floor2: FloatArray, idx: npt.NDArray[np.intp],
    x: FloatArray, p: FloatArray,
) -> FloatArray:  # fmt: skip
    """``dᵀ S⁻¹ d`` of one position ``x (3+,)`` with covariance ``p (3+, 3+)`` against
    the positions ``idx`` of ``pos (n, 3)``, covariances ``cov (n, 3, 3)``, each with
    ``floor2[i]`` on the diagonal: ``S = cov + p + floor2 I`` (the forward gate)."""
    out = np.empty(idx.shape[0])
    s = np.empty((3, 3))
    d = np.empty(3)
    for n in range(idx.shape[0]):
        i = idx[n]
        for a in range(3):
            for b in range(3):
                s[a, b] = cov[i, a, b] + p[a, b]
            s[a, a] += floor2[i]
            d[a] = pos[i, a] - x[a]
        out[n] = _solve_d2(d, s)
    return out
