"""Build ``src/earlywarn/data/sample_catalog.json``: the notional sample catalog of the sky.

Dev-time only: the package never runs this. It is kept in the repository so anyone can
see, and redo, how the shipped data file was made::

    python tools/make_sample_catalog.py            # writes the file (seed 20260101)
    python tools/make_sample_catalog.py --check    # exits 1 if the file differs

Deterministic: one ``numpy.random.default_rng(SEED)`` draws everything in a fixed order,
and the output is written with sorted keys and fixed number formatting, so the same
numpy and sgp4 give the same bytes.

What it holds (every object notional: NORAD ids 90001 upward, a range no real object
uses yet; names ``EW-SAMPLE ...``), as CCSDS OMM records in the JSON layout with the
Space-Track fields ``OBJECT_TYPE`` and ``RCS_SIZE``, element epoch ``2026-01-01T00:00:00``:

====================  =====  ==========================================================
group                 count  orbit
====================  =====  ==========================================================
sun-synchronous         60   payloads, circular 700-800 km, inclination from the J2
                             condition Ω̇ = 360°/365.2422 d (Vallado 4th ed. eq. 9-41)
station shell           10   payloads, circular ~420 km, 51.6°
broadband shell         80   payloads, circular ~550 km, 53°
rocket bodies           30   elliptical LEO: perigee 250-600 km, apogee 800-2,000 km
breakup cloud          100   debris: one 850 km, 82° parent, isotropic Gaussian Δv of
                             60 m/s per axis at one point of its orbit
GEO                      8   payloads, e ≈ 0, i < 0.1°, period one sidereal day
Molniya                  4   payloads, 63.4°, 12 sidereal hours, perigee ~550 km
decaying                 5   rocket bodies / debris, perigees 128-165 km, apogees
                             180-260 km; BSTAR tuned (bisection) so that SGP4 takes
                             them below 120 km 3 h, 10 h, 20 h, 2 d and 4 d after the
                             element epoch
====================  =====  ==========================================================

RCS classes: payloads MEDIUM or LARGE, rocket bodies LARGE, debris SMALL (1 in 10
MEDIUM). Mean anomalies, nodes and perigees are uniform unless stated. Mean motions are
two-body ones from the semi-major axis (WGS72 μ, the constants SGP4 runs with).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from sgp4.api import WGS72, Satrec

SEED = 20260101
EPOCH = "2026-01-01T00:00:00.000000"
OUT = Path(__file__).resolve().parents[1] / "src" / "earlywarn" / "data" / "sample_catalog.json"

MU_KM3_S2 = 398600.8  # WGS72, the constants SGP4 runs with
RE_KM = 6378.135  # WGS72 equatorial radius
J2 = 0.001082616  # WGS72
SIDEREAL_DAY_S = 86164.0905
TROPICAL_YEAR_D = 365.2422
DECAY_ALT_KM = 120.0
DECAY_TARGETS_H = (3.0, 10.0, 20.0, 48.0, 96.0)
DECAY_PERIGEE_KM = (128.0, 135.0, 142.0, 150.0, 160.0)


def mean_motion_rev_day(a_km: float) -> float:
    return math.sqrt(MU_KM3_S2 / a_km**3) * 86400.0 / (2.0 * math.pi)


def sso_inclination_deg(a_km: float, e: float = 0.0) -> float:
    """cos i = −Ω̇ / (1.5 n J2 (R/p)²) with Ω̇ = 2π per tropical year (Vallado eq. 9-41)."""
    n = math.sqrt(MU_KM3_S2 / a_km**3)
    p = a_km * (1.0 - e * e)
    rate = 2.0 * math.pi / (TROPICAL_YEAR_D * 86400.0)
    return math.degrees(math.acos(-rate / (1.5 * n * J2 * (RE_KM / p) ** 2)))


def record(
    norad: int,
    name: str,
    kind: str,
    rcs: str,
    a_km: float,
    e: float,
    i_deg: float,
    raan_deg: float,
    argp_deg: float,
    m_deg: float,
    bstar: float,
) -> dict[str, object]:
    return {
        "OBJECT_NAME": name,
        "OBJECT_ID": f"SAMPLE-{norad}",
        "NORAD_CAT_ID": norad,
        "OBJECT_TYPE": kind,
        "RCS_SIZE": rcs,
        "EPOCH": EPOCH,
        "MEAN_MOTION": round(mean_motion_rev_day(a_km), 8),
        "ECCENTRICITY": round(e, 7),
        "INCLINATION": round(i_deg, 4),
        "RA_OF_ASC_NODE": round(raan_deg % 360.0, 4),
        "ARG_OF_PERICENTER": round(argp_deg % 360.0, 4),
        "MEAN_ANOMALY": round(m_deg % 360.0, 4),
        "BSTAR": float(f"{bstar:.4e}"),
        "MEAN_MOTION_DOT": 0.0,
        "MEAN_MOTION_DDOT": 0.0,
        "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": "U",
        "ELEMENT_SET_NO": 999,
        "REV_AT_EPOCH": 0,
        "MEAN_ELEMENT_THEORY": "SGP4",
        "REF_FRAME": "TEME",
        "CENTER_NAME": "EARTH",
        "TIME_SYSTEM": "UTC",
    }


def elements_from_state(r: np.ndarray, v: np.ndarray) -> tuple[float, ...]:
    """(a km, e, i, Ω, ω, M in degrees) of an inertial state (Vallado Algorithm 9, RV2COE)."""
    rn, vn = float(np.linalg.norm(r)), float(np.linalg.norm(v))
    h = np.cross(r, v)
    nvec = np.cross([0.0, 0.0, 1.0], h)
    evec = ((vn * vn - MU_KM3_S2 / rn) * r - float(r @ v) * v) / MU_KM3_S2
    e = float(np.linalg.norm(evec))
    a = 1.0 / (2.0 / rn - vn * vn / MU_KM3_S2)
    i = math.degrees(math.acos(h[2] / np.linalg.norm(h)))
    raan = math.degrees(math.atan2(nvec[1], nvec[0]))
    argp = math.degrees(math.acos(float(nvec @ evec) / (np.linalg.norm(nvec) * e)))
    if evec[2] < 0:
        argp = 360.0 - argp
    nu = math.acos(max(-1.0, min(1.0, float(evec @ r) / (e * rn))))
    if float(r @ v) < 0:
        nu = 2.0 * math.pi - nu
    ea = 2.0 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu / 2.0))
    m = math.degrees(ea - e * math.sin(ea))
    return a, e, i, raan, argp, m


def state_from_elements(a: float, e: float, i: float, raan: float, argp: float, nu: float):
    """Inertial position (km) and velocity (km/s) from elements in degrees (true anomaly)."""
    i, raan, argp, nu = (math.radians(x) for x in (i, raan, argp, nu))
    p = a * (1 - e * e)
    r_pf = np.array([math.cos(nu), math.sin(nu), 0.0]) * p / (1 + e * math.cos(nu))
    v_pf = np.array([-math.sin(nu), e + math.cos(nu), 0.0]) * math.sqrt(MU_KM3_S2 / p)
    co, so, ci, si, cw, sw = (
        math.cos(raan), math.sin(raan), math.cos(i), math.sin(i), math.cos(argp), math.sin(argp)
    )  # fmt: skip
    rot = np.array(
        [
            [co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si],
            [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si],
            [sw * si, cw * si, ci],
        ]
    )
    return rot @ r_pf, rot @ v_pf


def decay_hours(rec: dict[str, object], bstar: float, horizon_h: float) -> float:
    """Hours after the epoch when SGP4 first puts the object below DECAY_ALT_KM (or fails)."""
    sat = Satrec()
    sat.sgp4init(
        WGS72, "i", int(rec["NORAD_CAT_ID"]),  # type: ignore[arg-type]
        (np.datetime64(EPOCH[:19]) - np.datetime64("1949-12-31T00:00:00")) / np.timedelta64(1, "D"),
        bstar, 0.0, 0.0, float(rec["ECCENTRICITY"]),  # type: ignore[arg-type]
        math.radians(float(rec["ARG_OF_PERICENTER"])),  # type: ignore[arg-type]
        math.radians(float(rec["INCLINATION"])),  # type: ignore[arg-type]
        math.radians(float(rec["MEAN_ANOMALY"])),  # type: ignore[arg-type]
        float(rec["MEAN_MOTION"]) * 2 * math.pi / 1440.0,  # type: ignore[arg-type]
        math.radians(float(rec["RA_OF_ASC_NODE"])),  # type: ignore[arg-type]
    )  # fmt: skip
    t_min = np.arange(0.0, horizon_h * 60.0 + 1.0, 1.0)
    jd = np.full(t_min.size, sat.jdsatepoch)
    fr = sat.jdsatepochF + t_min / 1440.0
    err, r, _ = sat.sgp4_array(jd, fr)
    low = (err != 0) | (np.linalg.norm(r, axis=1) - RE_KM < DECAY_ALT_KM)
    return float(t_min[np.argmax(low)] / 60.0) if low.any() else math.inf


def build() -> list[dict[str, object]]:
    rng = np.random.default_rng(SEED)
    out: list[dict[str, object]] = []
    nid = iter(range(90001, 100000))

    def u(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi))

    for k in range(60):  # sun-synchronous payloads
        a = RE_KM + u(700.0, 800.0)
        e = u(0.0001, 0.0015)
        out.append(
            record(next(nid), f"EW-SAMPLE SSO {k + 1:02d}", "PAYLOAD",
                   "LARGE" if rng.random() < 0.3 else "MEDIUM", a, e, sso_inclination_deg(a, e),
                   u(0, 360), u(0, 360), u(0, 360), u(1e-5, 5e-5))
        )  # fmt: skip
    for k in range(10):  # station shell
        a = RE_KM + u(410.0, 430.0)
        out.append(
            record(next(nid), f"EW-SAMPLE STATION {k + 1:02d}", "PAYLOAD", "LARGE", a,
                   u(0.0002, 0.001), 51.6 + u(-0.05, 0.05), u(0, 360), u(0, 360), u(0, 360),
                   u(1e-4, 3e-4))
        )  # fmt: skip
    for k in range(80):  # broadband shell: 8 planes of 10
        plane, slot = divmod(k, 10)
        a = RE_KM + 550.0 + u(-2.0, 2.0)
        out.append(
            record(next(nid), f"EW-SAMPLE BROADBAND {k + 1:02d}", "PAYLOAD", "MEDIUM", a,
                   u(0.0001, 0.0003), 53.0 + u(-0.02, 0.02), 45.0 * plane + u(-0.5, 0.5),
                   u(0, 360), 36.0 * slot + u(-2, 2), u(5e-5, 2e-4))
        )  # fmt: skip
    incs = (28.5, 51.6, 65.0, 71.0, 82.0, 98.0)
    for k in range(30):  # rocket bodies
        hp, ha = u(250.0, 600.0), u(800.0, 2000.0)
        a = RE_KM + 0.5 * (hp + ha)
        e = (ha - hp) / (2.0 * a)
        out.append(
            record(next(nid), f"EW-SAMPLE R/B {k + 1:02d}", "ROCKET BODY", "LARGE", a, e,
                   incs[k % len(incs)] + u(-0.5, 0.5), u(0, 360), u(0, 360), u(0, 360),
                   u(5e-5, 3e-4))
        )  # fmt: skip
    # breakup cloud: one parent, isotropic Gaussian delta-v at one point of its orbit
    r0, v0 = state_from_elements(RE_KM + 850.0, 0.0, 82.0, 200.0, 0.0, 40.0)
    for k in range(100):
        dv = rng.normal(0.0, 0.060, 3)  # km/s per axis
        a, e, i, raan, argp, m = elements_from_state(r0, v0 + dv)
        out.append(
            record(next(nid), f"EW-SAMPLE DEB {k + 1:03d}", "DEBRIS",
                   "MEDIUM" if rng.random() < 0.1 else "SMALL", a, e, i, raan, argp, m,
                   u(2e-4, 1e-3))
        )  # fmt: skip
    for k in range(8):  # GEO
        a = (MU_KM3_S2 * (SIDEREAL_DAY_S / (2 * math.pi)) ** 2) ** (1 / 3)
        out.append(
            record(next(nid), f"EW-SAMPLE GEO {k + 1:02d}", "PAYLOAD", "LARGE", a,
                   u(0.0001, 0.0004), u(0.0, 0.08), u(0, 360), u(0, 360), 45.0 * k + u(0, 20),
                   0.0)
        )  # fmt: skip
    for k in range(4):  # Molniya
        a = (MU_KM3_S2 * (SIDEREAL_DAY_S / 2 / (2 * math.pi)) ** 2) ** (1 / 3)
        rp = RE_KM + 550.0 + u(-30.0, 30.0)
        out.append(
            record(next(nid), f"EW-SAMPLE MOLNIYA {k + 1:02d}", "PAYLOAD", "LARGE", a,
                   1.0 - rp / a, 63.4, 90.0 * k + u(-2, 2), 270.0 + u(-1, 1), u(0, 360), 1e-5)
        )  # fmt: skip
    for k, target_h in enumerate(DECAY_TARGETS_H):  # decaying objects
        hp, ha = DECAY_PERIGEE_KM[k] + u(0.0, 5.0), u(180.0, 260.0)
        a = RE_KM + 0.5 * (hp + ha)
        kind = "ROCKET BODY" if k % 2 == 0 else "DEBRIS"
        rec = record(next(nid), f"EW-SAMPLE DECAY {k + 1:02d}", kind,
                     "LARGE" if kind == "ROCKET BODY" else "MEDIUM", a, (ha - hp) / (2 * a),
                     u(30.0, 75.0), u(0, 360), u(0, 360), u(0, 360), 1e-4)  # fmt: skip
        lo, hi = math.log(1e-5), math.log(0.5)  # bisection on ln BSTAR: decay time falls
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if decay_hours(rec, math.exp(mid), 2 * target_h) > target_h:
                lo = mid
            else:
                hi = mid
        rec["BSTAR"] = float(f"{math.exp(hi):.4e}")
        out.append(rec)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args()
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(json.loads(text))} objects)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
