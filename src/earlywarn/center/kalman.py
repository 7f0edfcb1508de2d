"""The Kalman filter's equations, vectorised over the leading axis (``k`` tracks at once):
the covariance prediction, the EKF update in Joseph form and its iterated form. The
multi-target bookkeeping that calls them is :mod:`earlywarn.center.tracker`."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from earlywarn.center.measure import MeasurementModel

FloatArray = npt.NDArray[np.float64]

__all__ = ["ekf_update", "iterated_ekf_update", "predict_covariance"]


def _symmetrised(p: FloatArray) -> FloatArray:
    """``(P + Pᵀ)/2``: removes the rounding asymmetry of a product like ``F P Fᵀ``."""
    return 0.5 * (p + p.swapaxes(-1, -2))


def predict_covariance(p: FloatArray, f: FloatArray, q: FloatArray) -> FloatArray:
    """``P⁻ = F P Fᵀ + Q`` for ``P`` of shape ``(n, 6, 6)``; F and Q ``(6, 6)`` or ``(n, 6, 6)``."""
    return _symmetrised(f @ p @ f.swapaxes(-1, -2) + q)


def ekf_update(
    x: FloatArray,
    p: FloatArray,
    y: FloatArray,
    h: FloatArray,
    r: FloatArray,
    s_inv: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Extended Kalman update of ``k`` tracks at once, covariance in Joseph form.

    Parameters: prior states ``x (k, n)``, covariances ``p (k, n, n)``, innovations
    ``y = z − h(x) (k, m)`` (angles already wrapped), Jacobians ``h (k, m, n)``, measurement
    noise ``r (m, m)`` or ``(k, m, m)``; optionally ``s_inv (k, m, m)``, the inverse of the
    innovation covariance ``S = H P Hᵀ + R`` when the caller already has it (the gate
    needs it), so that the gain is one product instead of forming and solving ``S`` again.

    Joseph form ``P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ`` is a sum of two positive
    semi-definite terms, so it stays symmetric positive definite in floating point and for
    any gain, whereas the short form ``(I − K H) P`` subtracts two nearly equal matrices and
    can lose symmetry and definiteness over thousands of updates (Bucy & Joseph 1968;
    Bar-Shalom, Li, Kirubarajan 2001, §5.2.3).
    """
    pht = p @ h.swapaxes(-1, -2)
    if s_inv is None:
        # S = H P Hᵀ + R   (innovation covariance)
        s = h @ pht + r
        # K = P Hᵀ S⁻¹   (solve Sᵀ Kᵀ = (P Hᵀ)ᵀ; S is symmetric)
        k = np.linalg.solve(s, pht.swapaxes(-1, -2)).swapaxes(-1, -2)
    else:
        k = pht @ s_inv  # K = P Hᵀ S⁻¹
    # x⁺ = x + K y
    x_new = x + np.einsum("kij,kj->ki", k, y)
    # P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ   (Joseph form)
    ikh = _eye(x.shape[-1]) - k @ h
    p_new = ikh @ p @ ikh.swapaxes(-1, -2) + k @ r @ k.swapaxes(-1, -2)
    return x_new, _symmetrised(p_new)


def iterated_ekf_update(
    x: FloatArray,
    p: FloatArray,
    y: FloatArray,
    h: FloatArray,
    r: FloatArray,
    s_inv: FloatArray | None,
    mm: MeasurementModel,
    iterations: int,
) -> tuple[FloatArray, FloatArray]:
    """The iterated EKF (Bell & Cathey 1993): :func:`ekf_update`, then ``iterations − 1``
    times relinearised at the updated state ``xᵢ`` and made again from the prior,
    ``xᵢ₊₁ = x + Kᵢ (y + h(x) − h(xᵢ) − Hᵢ (x − xᵢ))``, ``Kᵢ`` and the Joseph covariance
    from ``Hᵢ = ∂h/∂x(xᵢ)``; ``y`` (at the prior) keeps ``mm``'s second-order bias, ``r``
    its widening. For young far tracks (``tests/test_tracker_iterated.py``)."""
    x_new, p_new = ekf_update(x, p, y, h, r, s_inv)
    if iterations <= 1 or not x.shape[0]:
        return x_new, p_new
    z_prior = mm.function(x)
    for _ in range(iterations - 1):
        z_i, h_i = mm.function_and_jacobian(x_new)
        y_i = y + mm.residual(z_prior, z_i) - np.einsum("kij,kj->ki", h_i, x - x_new)
        x_new, p_new = ekf_update(x, p, y_i, h_i, r)
    return x_new, p_new


@lru_cache(maxsize=8)
def _eye(n: int) -> FloatArray:
    """The identity ``(n, n)``, read-only and made once."""
    e = np.eye(n)
    e.setflags(write=False)
    return e
