"""The Earth: WGS84 shape and rotation, time, frames, gravity, atmosphere and the Sun.

Every function is vectorised: positions are ``(..., 3)`` arrays in metres, angles are
radians, times are seconds. Nothing here holds state or reads files.
"""

from earlywarn.earth.constants import A_M, B_M, E2, GM_M3_S2, J2, OMEGA_RAD_S, F
from earlywarn.earth.frames import (
    aer_to_enu,
    ecef_to_aer,
    ecef_to_enu,
    ecef_to_geodetic,
    ecef_to_inertial,
    enu_rotation,
    enu_to_aer,
    geodetic_to_ecef,
    inertial_to_ecef,
)
from earlywarn.earth.gravity import accel_j2, potential_j2

__all__ = [
    "A_M",
    "B_M",
    "E2",
    "GM_M3_S2",
    "J2",
    "OMEGA_RAD_S",
    "F",
    "accel_j2",
    "aer_to_enu",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_to_inertial",
    "enu_rotation",
    "enu_to_aer",
    "geodetic_to_ecef",
    "inertial_to_ecef",
    "potential_j2",
]
