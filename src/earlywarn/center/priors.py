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
       intensity sigmas (0.4–0.5 decades) below: intensity is a weak feature.
[Cat]  The project's notional vehicle catalog (``earlywarn/data/vehicles.yaml``, itself
       sourced from the open literature above and Encyclopedia Astronautica), flown on
       minimum-energy trajectories over the ranges of each class: used only to check that
       each prior's mean ± 2σ covers the class's variety (several vehicles and ranges),
       not to copy one entry. The centre never reads the catalog.
The burn-time ranges of the brief (ICBM ~180–300 s, SLBM ~150–200 s, IRBM ~120–150 s,
MRBM ~80–120 s, SRBM < 80 s, SLV long burns turning horizontal at ~150–200 km, sounding
rockets nearly vertical) are consistent with the above and are what the means encode.

Launch surface
--------------
``sea_launch_probability``: the chance that a launch of the class starts at sea. Used by
the IR classifier only when the launch point is clearly at sea or on land (far enough
from the coast for its uncertainty, see :mod:`earlywarn.center.landsea`). Our judgement:
SLBMs 0.9 (the rest: land test pads), SLVs and sounding rockets 0.03 (sea platforms,
ships), land-based missiles 0.01.

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
    "REENTRY_PRIORS",
    "SPENT_STAGE_BETA",
    "UNKNOWN_CLASS_BETA",
    "BallisticCoefficientPrior",
    "ClassPrior",
    "boost_altitude_m",
    "first_detection_delay_s",
    "profile_scale_sigma",
    "reentry_beta_prior",
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
    # probability that a launch of this class starts at sea (our judgement: submarines
    # launch at sea and are test-fired from land pads only occasionally; land-based
    # missiles, launchers and sounding rockets go from ships or sea platforms rarely)
    sea_launch_probability: float = 0.01


def _deg(mean: float, sigma: float) -> tuple[float, float]:
    return (math.radians(mean), math.radians(sigma))


PRIORS: dict[str, ClassPrior] = {
    # [APS] solid 170–180 s, liquid 240–250 s; [Cat] 165–185 s (solid, 4,000–9,200 km) and
    # 240–250 s (liquid), 235–290 km, 5.1–6.7 km/s, 23–34° (minimum energy)
    "ICBM": ClassPrior(
        "ICBM", 0.20, (210.0, 35.0), (245e3, 45e3), (6300.0, 650.0), _deg(26, 5), (5.6, 0.4)
    ),
    # three-stage solids, Trident-class ([Cat] 155–165 s, 200–215 km, 5.4–6.1 km/s,
    # 29–33°), but also two-stage SLBMs of shorter range (Polaris A3, JL-1 class: burns
    # of ~120–130 s, 4–5 km/s; Encyclopedia Astronautica) and SLBMs fired well short of
    # their maximum range, where the faint last stage is often not seen: hence broad.
    # What sets an SLBM apart is the launch point at sea (sea_launch_probability).
    "SLBM": ClassPrior(
        "SLBM", 0.10, (150.0, 25.0), (180e3, 50e3), (5200.0, 1000.0), _deg(32, 7), (5.6, 0.4), 0.9
    ),
    # [Cat] two-stage solid ~110 s, ~130 km, 4.8–4.9 km/s, ~38°
    "IRBM": ClassPrior(
        "IRBM", 0.15, (115.0, 20.0), (130e3, 35e3), (4700.0, 500.0), _deg(37, 5), (5.4, 0.4)
    ),
    # [Open] No-dong class ~110 s; [Cat] 106 s, 70 km, 2.65 km/s, 45°
    "MRBM": ClassPrior(
        "MRBM", 0.15, (100.0, 20.0), (70e3, 25e3), (2800.0, 500.0), _deg(44, 6), (5.0, 0.4)
    ),
    # [Open] Scud class ~60–70 s; [Cat] 59 s, 30 km, 1.5 km/s, 50°
    "SRBM": ClassPrior(
        "SRBM", 0.25, (60.0, 15.0), (32e3, 12e3), (1600.0, 400.0), _deg(48, 7), (5.0, 0.4)
    ),
    # long burns through several stages, upper stages thrusting near the horizontal; the
    # burnout seen is often that of the stage before a coast ([Cat]: 230 s, ~240 km,
    # 6 km/s, ~10°; final insertion at ~7.8 km/s, 5°, ~410 km when the detector bridges
    # the coast)
    "SLV": ClassPrior(
        "SLV", 0.10, (320.0, 120.0), (250e3, 100e3), (6800.0, 1000.0), _deg(7, 5), (5.7, 0.4), 0.03
    ),
    # nearly vertical, short burns ([Cat] Black-Brant-XII-like: 81° at burnout)
    "SOUNDING": ClassPrior(
        "SOUNDING",
        0.05,
        (60.0, 40.0),
        (120e3, 80e3),
        (2500.0, 1500.0),
        _deg(82, 5),
        (5.0, 0.5),
        0.03,
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
    water-vapour absorption, 5–10 km up: with ~10–25 m/s² net vertical acceleration
    (``τ = √(2h/a)``) that is 20–45 s after lift-off. Used only in the mono case.
    """
    return (30.0, 12.0)


def profile_scale_sigma(cls: str) -> float:
    """Prior one-sigma fractional error of the class's boost altitude profile.

    A vehicle of the class differs from the profile mostly by its burn time and burnout
    altitude: ``h ∝ H_b T_b^-p`` at a given τ, so to first order
    ``σ_h / h = √((p σ_T / T_b)² + (σ_H / H_b)²)`` (0.41 for ICBM, 0.67 for SRBM). This is
    a systematic error (one sign along the whole track), used by the mono launch fit.
    """
    if cls not in PRIORS:
        raise ValueError(f"unknown class {cls!r}; expected one of {CLASSES}")
    pr = PRIORS[cls]
    (tb, sig_t), (hb, sig_h) = pr.burn_time_s, pr.burnout_altitude_m
    return math.hypot(PROFILE_EXPONENT * sig_t / tb, sig_h / hb)


# --------------------------------------------------------------------------------------------
# Re-entry: ballistic coefficients
# --------------------------------------------------------------------------------------------
#
# The impact prediction (:mod:`earlywarn.center.characterise`) slows an object below
# ~100 km by drag ``½ ρ v² / β`` with ``β = m/(C_D A)`` (kg/m²), the ballistic coefficient.
# It predicts where the *threat* of an event lands: the re-entry vehicle of a missile class
# (the warhead section of an MRBM; the whole body of an SRBM, which need not separate),
# the payload of a sounding rocket, the upper stage and payload of an SLV. Above the
# atmosphere a spent last stage flies the RV's arc, so the RV's β is the one the event
# predicts with whichever object the radar tracks; :data:`SPENT_STAGE_BETA` is there for
# a track known to be a spent stage.
#
# β is taken as log-normal, (median, σ of ln β): the spread between designs is a factor,
# not a difference. Sources (figures rounded; the spreads are our judgement):
# [AE]   H. J. Allen, A. J. Eggers, "A study of the motion and aerodynamic heating of
#        ballistic missiles entering the Earth's atmosphere at high supersonic speeds",
#        NACA Report 1381 (1958): the ballistic-entry model used here (constant β, drag
#        only along the velocity); velocity falls as exp(−ρH/(2β sin γ)), so β sets how
#        low a body is slowed and how much later than in vacuum it lands.
# [RVo]  open analyses of strategic RVs quote β of order 10⁴ kg/m² (1,500–3,000 lb/ft²)
#        for slender modern conical RVs, and a few 10³ kg/m² for older blunt RVs and
#        short-range warhead sections (figures widely quoted in the open literature, not
#        checked against a primary source here).
# [Hoe]  S. F. Hoerner, *Fluid-Dynamic Drag* (1965), ch. 3 and 16: a cylinder across the
#        flow has C_D ≈ 1.2 subsonic, ~1.3–2 supersonic, so a tumbling stage presents C_D A
#        of order its length times its diameter: with dry masses of a few hundred kg to a
#        few tonnes per stage ([APS], Encyclopedia Astronautica), β of 10²–10³ kg/m².
# [Cat]  the project's vehicle catalog (as above, checked, never read by the center):
#        ICBM and SLBM RVs 11,100–12,500 kg/m², IRBM 10,000, MRBM 5,000, SRBM body 5,500,
#        sounding payload 2,800, SLV payload 110, spent stages 75–900 kg/m²; each median
#        below is within 2σ (a factor e^(2σ)) of the catalog's values of its class.


@dataclass(frozen=True)
class BallisticCoefficientPrior:
    """A log-normal ballistic coefficient β = m/(C_D A): its median (kg/m²) and the
    standard deviation of ln β."""

    median_kg_m2: float
    sigma_ln: float

    def __post_init__(self) -> None:
        if not (self.median_kg_m2 > 0.0 and math.isfinite(self.median_kg_m2)):
            raise ValueError(f"median_kg_m2 must be positive and finite, got {self.median_kg_m2}")
        if not (self.sigma_ln >= 0.0 and math.isfinite(self.sigma_ln)):
            raise ValueError(f"sigma_ln must be >= 0 and finite, got {self.sigma_ln}")


REENTRY_PRIORS: dict[str, BallisticCoefficientPrior] = {
    # [RVo] slender conical RVs, [Cat] 11,100-12,500
    "ICBM": BallisticCoefficientPrior(10_000.0, 0.4),
    "SLBM": BallisticCoefficientPrior(10_000.0, 0.4),
    # [RVo] between the strategic and the short-range figures, [Cat] 10,000
    "IRBM": BallisticCoefficientPrior(8_000.0, 0.45),
    # [RVo] blunt warhead sections, [Cat] 5,000
    "MRBM": BallisticCoefficientPrior(5_000.0, 0.5),
    # the whole body (Scud class: the warhead need not separate) or its warhead, [Cat] 5,500
    "SRBM": BallisticCoefficientPrior(4_000.0, 0.6),
    # an upper stage with its payload or fairing: light and large ([Hoe]), [Cat] 110
    "SLV": BallisticCoefficientPrior(300.0, 0.9),
    # science payloads of a few hundred kg, ~0.4-0.5 m across, [Cat] 2,800
    "SOUNDING": BallisticCoefficientPrior(2_500.0, 0.6),
}
"""The ballistic coefficient of the threat object of each class (see the section above)."""

UNKNOWN_CLASS_BETA = BallisticCoefficientPrior(7_000.0, 0.7)
"""β of an event whose class is not known (a radar-only event): the RVs of every missile
class, 2,500-20,000 kg/m² within 1.5σ."""

SPENT_STAGE_BETA = BallisticCoefficientPrior(300.0, 0.8)
"""A tumbling spent stage ([Hoe], [Cat] 75-900 kg/m²)."""


def reentry_beta_prior(cls: str | None) -> BallisticCoefficientPrior:
    """The ballistic coefficient prior of the threat object of class ``cls`` (None: a
    class not yet known)."""
    if cls is None:
        return UNKNOWN_CLASS_BETA
    if cls not in REENTRY_PRIORS:
        raise ValueError(f"unknown class {cls!r}; expected one of {CLASSES} or None")
    return REENTRY_PRIORS[cls]
