"""The center's own priors about missiles and space launchers.

The center never sees the flight model (DESIGN.md: "the center sees reports only"). What it
assumes about a class of rocket is written here, once, with where each figure comes from.
They are deliberately broad: a prior is a statement of what is typical, not a vehicle model.

Classes (:data:`CLASSES`): ``ICBM``, ``SLBM``, ``IRBM``, ``MRBM``, ``SRBM``, ``SLV`` (space
launch vehicle) and ``SOUNDING`` (sounding rocket).

Sources (figures only, rounded; every sigma below is our own judgement of the spread)
---------------------------------------------------------------------------------------
[APS]  Report of the American Physical Society Study Group on Boost-Phase Intercept
       Systems for National Missile Defense (July 2003), publ. Rev. Mod. Phys. 76, S1
       (2004): solid-propellant ICBMs burn out after roughly 170–180 s, liquid-propellant
       ICBMs after roughly 240–250 s, at some 6.5–7.3 km/s and ~200–300 km altitude; axial
       accelerations of a few g rising to ~10 g at the end of a stage.
[Open] Scud-class SRBMs burn ~60–70 s, No-dong-class MRBMs ~100–120 s: figures widely
       quoted in the open literature, not checked against a primary source here.
[BMW]  R. Bate, D. Mueller, J. White, *Fundamentals of Astrodynamics* (Dover, 1971), §6.2:
       the maximum-range flight-path angle at burnout is ``γ = (180° − Ψ)/4`` for a range
       angle Ψ: ~25° for a 9,000 km ICBM, ~44° for a 300 km SRBM.
[Sim]  F. S. Simmons, *Rocket Exhaust Plume Phenomenology* (Aerospace Press, 2000): plume
       radiant intensities of large boosters in the short/mid-wave infrared are of order
       1e5–1e7 W/sr, varying strongly with band, altitude and aspect — hence the wide
       intensity sigmas (0.5–0.6 decades) below: intensity is a weak feature.
The burn-time ranges of the brief (ICBM ~180–300 s, SLBM ~150–200 s, IRBM ~120–150 s,
MRBM ~80–120 s, SRBM < 80 s, SLV long burns turning horizontal at ~150–200 km, sounding
rockets nearly vertical) are consistent with the above and are what the means encode.

The boost altitude profile
--------------------------
``h(τ) = H_b (τ / T_b)^p`` for ``0 ≤ τ ≤ T_b`` (τ: time since lift-off), with ``p = 2.2``:
a constant vertical acceleration gives ``p = 2``; the growing thrust-to-mass ratio and the
pitch-over pull the exponent a little above 2 (an ICBM at 60 s is then at ~18 km, at
120 s at ~82 km, in line with the [APS] trajectories). After ``T_b`` the profile continues
ballistically with the burnout vertical speed ``p H_b / T_b`` and ``g = 9.8 m/s²``. It is
used only to place points along lines of sight when one satellite sees the event (mono).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "CLASSES",
    "PRIORS",
    "PROFILE_EXPONENT",
    "ClassPrior",
    "boost_altitude_m",
    "first_detection_delay_s",
]

CLASSES: tuple[str, ...] = ("ICBM", "SLBM", "IRBM", "MRBM", "SRBM", "SLV", "SOUNDING")

PROFILE_EXPONENT: float = 2.2
"""Exponent p of the boost altitude profile (see module docstring)."""

_G_M_S2 = 9.8


@dataclass(frozen=True)
class ClassPrior:
    """Typical boost-phase figures of one class, each as (mean, one-sigma)."""

    name: str
    weight: float  # prior probability before any evidence (normalised over classes)
    burn_time_s: tuple[float, float]
    burnout_altitude_m: tuple[float, float]
    burnout_speed_m_s: tuple[float, float]
    burnout_gamma_rad: tuple[float, float]  # flight-path angle above the local horizontal
    log10_intensity_w_sr: tuple[float, float]


def _deg(mean: float, sigma: float) -> tuple[float, float]:
    return (math.radians(mean), math.radians(sigma))


PRIORS: dict[str, ClassPrior] = {
    # [APS] solid 170–180 s, liquid 240–250 s; the brief's 180–300 s
    "ICBM": ClassPrior(
        "ICBM", 0.20, (215.0, 45.0), (220e3, 70e3), (7000.0, 450.0), _deg(22, 6), (6.3, 0.6)
    ),
    # brief: 150–200 s; Trident/M51-class three-stage solids
    "SLBM": ClassPrior(
        "SLBM", 0.10, (170.0, 20.0), (180e3, 60e3), (6300.0, 700.0), _deg(25, 9), (6.2, 0.6)
    ),
    "IRBM": ClassPrior(
        "IRBM", 0.15, (135.0, 15.0), (150e3, 50e3), (4800.0, 600.0), _deg(35, 7), (5.9, 0.6)
    ),
    # [Open] No-dong class ~110 s
    "MRBM": ClassPrior(
        "MRBM", 0.15, (100.0, 15.0), (80e3, 30e3), (3300.0, 600.0), _deg(40, 7), (5.6, 0.6)
    ),
    # [Open] Scud class ~60–70 s; the brief's < 80 s
    "SRBM": ClassPrior(
        "SRBM", 0.25, (60.0, 15.0), (30e3, 15e3), (1700.0, 500.0), _deg(42, 8), (5.2, 0.6)
    ),
    # long burns through several stages; near-horizontal at 150–200 km
    "SLV": ClassPrior(
        "SLV", 0.10, (450.0, 150.0), (180e3, 50e3), (7500.0, 800.0), _deg(5, 8), (6.5, 0.6)
    ),
    # nearly vertical, short burns
    "SOUNDING": ClassPrior(
        "SOUNDING", 0.05, (40.0, 20.0), (50e3, 30e3), (2000.0, 800.0), _deg(85, 4), (4.8, 0.6)
    ),
}


def boost_altitude_m(cls: str, tau_s: npt.ArrayLike) -> FloatArray:
    """Prior mean altitude (m) of class ``cls`` at ``tau_s`` seconds after lift-off.

    Zero for τ ≤ 0; see the module docstring for the profile.
    """
    if cls not in PRIORS:
        raise ValueError(f"unknown class {cls!r}; expected one of {CLASSES}")
    pr = PRIORS[cls]
    tb = pr.burn_time_s[0]
    hb = pr.burnout_altitude_m[0]
    p = PROFILE_EXPONENT
    tau = np.maximum(np.asarray(tau_s, dtype=np.float64), 0.0)
    x = np.minimum(tau, tb) / tb
    h = hb * x**p
    dt = np.maximum(tau - tb, 0.0)
    vz = p * hb / tb
    coast = vz * dt - 0.5 * _G_M_S2 * dt * dt
    return np.asarray(h + np.maximum(coast, -hb), dtype=np.float64)


def first_detection_delay_s() -> tuple[float, float]:
    """Prior (mean, sigma) of the time from lift-off to the first infrared report, s.

    A plume is usually first reported once it clears the cloud tops and the densest
    water-vapour absorption, a few kilometres up: with ~10–25 m/s² net vertical
    acceleration that is 10–30 s after lift-off. Used only in the mono case.
    """
    return (18.0, 10.0)
