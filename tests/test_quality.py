"""Warning-quality scoring (``earlywarn.analysis.quality`` and its use in ``evaluate``):
the ellipse test against the Gaussian it describes, dismissal time, and a center that
dismisses a real threat or raises a non-threat is scored as such."""

from __future__ import annotations

import math

import numpy as np

from batches import batch_of
from center_script import AREA, DEG, EPOCH, IMPACT, LAUNCH_LAT, LAUNCH_LON, ir_script
from earlywarn.analysis.evaluate import LaunchTruth, evaluate
from earlywarn.analysis.quality import R95_2D, ellipse_contains, not_a_threat_seconds
from earlywarn.analysis.statistics import wilson_interval
from earlywarn.center import CenterConfig, DefendedArea, run_center
from earlywarn.earth.constants import R_MEAN_M


def test_ellipse_axes_and_orientation() -> None:
    lat, lon = 0.7, 1.1
    a, b, ori = 50e3, 10e3, math.radians(30.0)  # semi-major 30° east of north

    def point(along: float, across: float) -> tuple[float, float]:
        east = along * math.sin(ori) + across * math.cos(ori)
        north = along * math.cos(ori) - across * math.sin(ori)
        return lat + north / R_MEAN_M, lon + east / (R_MEAN_M * math.cos(lat))

    assert ellipse_contains(*point(0.98 * a, 0.0), lat, lon, a, b, ori)
    assert not ellipse_contains(*point(1.02 * a, 0.0), lat, lon, a, b, ori)
    assert ellipse_contains(*point(0.0, 0.98 * b), lat, lon, a, b, ori)
    assert not ellipse_contains(*point(0.0, 1.02 * b), lat, lon, a, b, ori)
    # turned 90°, the long axis no longer reaches along the first direction
    assert not ellipse_contains(*point(0.5 * a, 0.0), lat, lon, a, b, ori + math.pi / 2)


def test_a_95_percent_ellipse_holds_95_percent_of_its_gaussian() -> None:
    """Points drawn from N(0, Σ) fall in the ellipse of semi-axes R95·σ (√χ²₂(0.95)) with
    probability 0.95: checked on 4,000 draws against the binomial's 99.9 % interval."""
    rng = np.random.default_rng(7)
    lat, lon, ori = 0.5, -2.0, math.radians(120.0)
    s_along, s_across = 8e3, 2e3
    n = 4000
    u = rng.normal(0.0, s_along, n)
    v = rng.normal(0.0, s_across, n)
    east = u * math.sin(ori) + v * math.cos(ori)
    north = u * math.cos(ori) - v * math.sin(ori)
    inside = sum(
        ellipse_contains(
            lat + dn / R_MEAN_M, lon + de / (R_MEAN_M * math.cos(lat)), lat, lon,
            R95_2D * s_along, R95_2D * s_across, ori,
        )
        for de, dn in zip(east.tolist(), north.tolist(), strict=True)
    )  # fmt: skip
    lo, hi = wilson_interval(int(0.95 * n), n, z=3.29)
    assert lo * n <= inside <= hi * n, inside


def test_not_a_threat_seconds_is_the_union_over_events() -> None:
    changes = [
        ("E1", 10.0, "OPEN"),
        ("E1", 20.0, "NOT_A_THREAT"),
        ("E2", 25.0, "NOT_A_THREAT"),
        ("E1", 30.0, "OPEN"),
        ("E2", 40.0, "OPEN"),  # dismissed 20-40 s: 20 s
        ("E2", 90.0, "NOT_A_THREAT"),  # and from 90 s to the end (100 s): 10 s
    ]
    total, first = not_a_threat_seconds(changes, 100.0)
    assert (total, first) == (30.0, 20.0)
    assert not_a_threat_seconds([("E1", 5.0, "OPEN")], 50.0) == (0.0, None)


def truth(impact_lat: float, impact_lon: float) -> LaunchTruth:
    return LaunchTruth(
        "L1", "icbm-solid", "icbm", 0.0, LAUNCH_LAT, LAUNCH_LON, 30.0 * DEG,
        IMPACT.t_s, impact_lat, impact_lon,
    )  # fmt: skip


def scored(area: DefendedArea, lt: LaunchTruth) -> dict[str, object]:
    """The center on the scripted launch (its impact estimate is IMPACT) with one area."""
    rng = np.random.default_rng(4)
    cfg = CenterConfig(epoch=EPOCH, defended_areas=(area,), ir=ir_script(rng))
    out = run_center(batch_of(), cfg, dt_s=5.0, t_start_s=0.0, t_end_s=400.0)
    keys = {k: "L1/booster" for e in out.events for k in e.report_keys}
    ev = evaluate([lt], out, batch_of(), keys, {"L1/booster": "L1"})
    return {**ev.launches[0], "quality": ev.quality, "calibration": ev.calibration}


def test_a_real_threat_dismissed_on_a_wrong_estimate_is_scored_as_such() -> None:
    # the truth lands 20° away from where the center predicts, inside a defended area there
    far_lat, far_lon = IMPACT.lat_rad + 20 * DEG, IMPACT.lon_rad
    area = DefendedArea("far-city", far_lat, far_lon, 200e3)
    row = scored(area, truth(far_lat, far_lon))
    assert row["threatening"] and row["wrongly_dismissed"]
    assert row["dismissed_s"] is not None and float(row["dismissed_s"]) > 0  # type: ignore[arg-type]
    assert row["quality"]["wrongly_dismissed"] == ["L1"]  # type: ignore[index]
    assert row["late_threat"]  # never raised to THREAT at all
    assert row["calibration"]["impact_ellipse_95"]["k"] == 0  # type: ignore[index]


def test_a_non_threat_raised_to_threat_is_scored_as_such() -> None:
    # the center predicts impact in AREA; the truth lands 20° away, in no area
    row = scored(AREA, truth(IMPACT.lat_rad - 20 * DEG, IMPACT.lon_rad))
    assert not row["threatening"] and row["wrongly_raised"]
    assert not row["wrongly_dismissed"] and row["dismissed_s"] is None


def test_a_right_call_scores_clean() -> None:
    row = scored(AREA, truth(IMPACT.lat_rad, IMPACT.lon_rad))
    assert row["threatening"] and not row["wrongly_dismissed"] and not row["wrongly_raised"]
    assert not row["missed_threat"] and not row["late_threat"]
    cal = row["calibration"]["impact_ellipse_95"]  # type: ignore[index]
    assert cal["n"] > 0 and cal["k"] == cal["n"]
