"""Warning time: a hand-checkable case against the flight itself, the table against
direct flights, out-of-range points, outputs."""

from __future__ import annotations

import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from earlywarn.analysis.coverage import LatLonGrid, ir_visible
from earlywarn.analysis.warning import (
    TrajectoryTable,
    build_trajectory_table,
    warning_direct,
    warning_map,
)
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.earth.time import parse_utc
from earlywarn.flight import FlightSolver, LaunchSpec
from earlywarn.io.maps import plot_warning, warning_table
from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
from earlywarn.sensors.radar import Radar, RadarFace
from earlywarn.space.orbits import geo

EPOCH = "2026-03-20T12:00:00Z"
DEFENDED = (47.0, -170.0)


@pytest.fixture(scope="module")
def solver() -> FlightSolver:
    return FlightSolver()


@pytest.fixture(scope="module")
def sensors() -> tuple[list[InfraredSatellite], list[Radar]]:
    sats = [
        InfraredSatellite("geo-w", geo(30.0), InfraredPayload()),
        InfraredSatellite("geo-e", geo(95.0), InfraredPayload()),
    ]
    rads = [
        Radar("rad-n", 52.0, -174.0, 0.0, (RadarFace("w", 320.5, 60.0),)),
        Radar("rad-s", 44.0, -165.0, 0.0, (RadarFace("w", 327.1, 60.0),)),
    ]
    return sats, rads


@pytest.fixture(scope="module")
def table(solver: FlightSolver) -> TrajectoryTable:
    return build_trajectory_table(solver, "icbm-solid")


def test_hand_checkable_case(solver: FlightSolver, sensors) -> None:
    """One launch from (40 N, 60 E) at the Aleutians, checked against the flight itself:
    the flight time is the flown impact time; infrared confirmation is the third 10 s scan
    after the booster climbs through the 10 km cloud tops (a GEO satellite sees the area
    with SNR ≫ 6, so Pd ≈ 1 per scan and only the cloud tops hold it back); radar
    confirmation comes on the last spent stage (3 m², beside the 0.05 m² RV), the scan at
    which its summed Pd over 5 s scans reaches 3; warning = flight time − the later."""
    sats, rads = sensors
    wm = warning_direct(solver, "icbm-solid", *DEFENDED, [40.0], [60.0], sats, rads, EPOCH)
    res = solver.fly(
        [LaunchSpec("L", "icbm-solid", 40.0, 60.0, aim_lat_deg=47.0, aim_lon_deg=-170.0)]
    )
    ev = res.events[0]
    tr = res.trajectories
    assert wm.flight_time_s[0] == pytest.approx(ev.impact_s, abs=1e-6)
    # booster climbing through 10 km (linear interpolation of the 1 s samples)
    tb, rb = tr.t_s[0], tr.r_ecef_m[0]
    good = np.isfinite(tb)
    _, _, h = ecef_to_geodetic(rb[good])
    k = int(np.argmax(h >= 10_000.0))
    t_cross = tb[k - 1] + (10_000.0 - h[k - 1]) / (h[k] - h[k - 1]) * (tb[k] - tb[k - 1])
    third_scan = 10.0 * math.ceil(t_cross / 10.0) + 20.0
    assert wm.ir_detect_s[0] == pytest.approx(third_scan, abs=0.5)
    # and a satellite does see the plume then (geometry + SNR)
    p = tr.at([t_cross + 1.0])
    sp = sats[1].position(parse_utc(EPOCH), [t_cross + 1.0])
    assert ir_visible(sats[1], sp, p.r_ecef_m[0], 1e6)[0]
    # radar: the last spent stage over the 5 s scans, summed Pd, by brute force
    stage = tr.object_id.index("L/stage3")
    t = np.arange(0.0, ev.impact_s, 5.0)
    r = tr.at(t).r_ecef_m[stage]
    first = np.inf
    for rad in rads:
        rng = np.linalg.norm(r - rad.site_ecef_m, axis=1)
        pd = rad.detection_probability(rad.mean_snr(np.asarray(3.0), rng))
        c = np.cumsum(np.where(rad.coverage(r).any(axis=1), pd, 0.0))
        if (c >= 3.0).any():
            first = min(first, float(t[np.argmax(c >= 3.0)]))
    assert wm.radar_detect_s[0] == pytest.approx(first, abs=1e-6)
    # the spent stage is confirmed well before the RV alone would be seen at Pd >= 1/2
    r_rv = tr.at(t).r_ecef_m[1]
    rv_seen = np.zeros(t.size, bool)
    for rad in rads:
        rng = np.linalg.norm(r_rv - rad.site_ecef_m, axis=1)
        pd = rad.detection_probability(rad.mean_snr(np.asarray(0.05), rng))
        rv_seen |= rad.coverage(r_rv).any(axis=1) & (pd >= 0.5)
    assert wm.radar_detect_s[0] < float(t[np.argmax(rv_seen)]) - 200.0
    # the definition
    dual = max(wm.ir_detect_s[0], wm.radar_detect_s[0])
    assert wm.dual_s[0] == dual
    assert wm.warning_time_s[0] == pytest.approx(ev.impact_s - dual, abs=1e-9)
    assert wm.status[0] == "ok"


def test_table_agrees_with_direct_flights(solver: FlightSolver, table, sensors) -> None:
    """The stated error of the interpolated table (module docstring): flight time within
    20 s, IR detection within 5 s, radar detection within 30 s, on a handful of points
    including southern-hemisphere launches (the mirror symmetry) and polar ones."""
    sats, rads = sensors
    lat = np.array([40.0, 30.0, 55.0, 20.0, -10.0, 45.0, 0.0, -25.0, 75.0])
    lon = np.array([60.0, 80.0, 40.0, 100.0, 120.0, 10.0, 150.0, 135.0, 90.0])
    d = warning_direct(solver, "icbm-solid", *DEFENDED, lat, lon, sats, rads, EPOCH)
    m = warning_map(table, *DEFENDED, lat, lon, sats, rads, EPOCH)
    fin = np.isfinite(d.flight_time_s) & np.isfinite(m.flight_time_s)
    assert fin.sum() >= 7
    assert np.nanmax(np.abs(m.flight_time_s - d.flight_time_s)[fin]) <= 20.0
    both_ir = fin & np.isfinite(d.ir_detect_s)
    assert both_ir.sum() >= 5
    assert np.array_equal(np.isfinite(m.ir_detect_s[fin]), np.isfinite(d.ir_detect_s[fin]))
    assert np.max(np.abs(m.ir_detect_s - d.ir_detect_s)[both_ir]) <= 5.0
    both_rd = fin & np.isfinite(d.radar_detect_s)
    assert both_rd.sum() >= 5
    assert np.max(np.abs(m.radar_detect_s - d.radar_detect_s)[both_rd]) <= 30.0


def test_out_of_range_points_are_nan(table, sensors) -> None:
    sats, rads = sensors
    # (47 N, -170) itself: closer than the minimum range; (-47, 10): antipode region
    m = warning_map(table, *DEFENDED, [47.0, -47.0], [-170.0, 10.0], sats, rads, EPOCH)
    assert np.isnan(m.flight_time_s).all()
    assert list(m.status) == ["out_of_range", "out_of_range"]
    assert np.isnan(m.warning_time_s).all()


def test_map_outputs(tmp_path, table, sensors) -> None:
    sats, rads = sensors
    grid = LatLonGrid.regular(10.0)
    lat, lon = grid.points_deg
    m = warning_map(table, *DEFENDED, lat, lon, sats, rads, EPOCH, grid=grid)
    ok = m.status == "ok"
    assert ok.sum() > 10
    np.testing.assert_allclose(
        m.warning_time_s[ok], m.flight_time_s[ok] - np.maximum(m.ir_detect_s, m.radar_detect_s)[ok]
    )
    assert np.all(m.warning_time_s[ok] > 0) and np.all(m.warning_time_s[ok] < m.flight_time_s[ok])
    pq.write_table(warning_table(m), tmp_path / "w.parquet")
    t = pq.read_table(tmp_path / "w.parquet")
    assert t.num_rows == lat.size
    assert t.schema.metadata[b"earlywarn.vehicle"] == b"icbm-solid"
    assert plot_warning(m, tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_input(solver: FlightSolver, sensors) -> None:
    sats, rads = sensors
    with pytest.raises(ValueError, match="radar_reports"):
        warning_direct(solver, "icbm-solid", *DEFENDED, [40.0], [60.0], sats, rads, EPOCH,
                       radar_reports=0.0)  # fmt: skip
    assert math.isnan(
        warning_direct(solver, "srbm", *DEFENDED, [40.0], [60.0], sats, rads, EPOCH).flight_time_s[
            0
        ]
    )


def test_launch_points_without_a_dual_warning_are_the_most_alarming_cells(
    tmp_path, table, sensors
) -> None:
    """In range but never seen by both phenomenologies is worse than any warning time: the
    cells must be darker than the 0-minute end of the scale (they were painted white, like
    the out-of-range cells), and the picture must show them with a legend."""
    import matplotlib
    import matplotlib.image

    from earlywarn.io.maps import STATUS_COLORS, status_image

    sats, rads = sensors
    grid = LatLonGrid.regular(10.0)
    lat, lon = grid.points_deg
    m = warning_map(table, *DEFENDED, lat, lon, sats, rads, EPOCH, grid=grid)
    status = m.status.reshape(grid.shape)
    worst = np.isin(status, ["no_ir", "no_radar", "no_detection"])
    assert worst.any() and (status == "ok").any()
    rgba = status_image(m)
    luminance = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
    zero_min = np.array(matplotlib.colormaps["RdYlGn"](0.0)[:3]) @ [0.2126, 0.7152, 0.0722]
    assert np.all(rgba[worst][:, 3] == 1.0) and np.all(luminance[worst] < zero_min)
    assert np.all(rgba[status == "ok"][:, 3] == 0.0)  # the warning time shows through
    png = matplotlib.image.imread(plot_warning(m, tmp_path / "w.png"))[..., :3]
    for name in set(status[worst].tolist()):
        want = np.array(matplotlib.colors.to_rgb(STATUS_COLORS[name]))
        assert (np.abs(png - want).max(axis=-1) < 0.02).sum() > 100, name


def test_warning_map_view_is_centred_on_the_cells_in_range() -> None:
    """The view crops to the in-range cells and the defended point (plus a 5° margin),
    and keeps the whole grid when nothing is in range."""
    from types import SimpleNamespace

    from earlywarn.analysis.coverage import LatLonGrid
    from earlywarn.io.maps import VIEW_MARGIN_DEG, warning_view_deg

    grid = LatLonGrid.regular(10.0)  # 18 x 36 cells, centres at ±5, ±15, ...
    status = np.full(grid.shape, "out_of_range", dtype=object)
    status[9:11, 20:23] = "ok"  # lat 5..15, lon 25..45
    wm = SimpleNamespace(
        grid=grid, status=status.ravel(), defended_lat_deg=10.0, defended_lon_deg=50.0
    )
    (x0, x1), (y0, y1) = warning_view_deg(wm)  # type: ignore[arg-type]
    m = VIEW_MARGIN_DEG
    assert (x0, x1) == (25.0 - m, 50.0 + m) and (y0, y1) == (5.0 - m, 15.0 + m)
    wm.status = np.full(grid.shape[0] * grid.shape[1], "out_of_range")
    assert warning_view_deg(wm) == ((-180.0, 180.0), (-90.0, 90.0))  # type: ignore[arg-type]
