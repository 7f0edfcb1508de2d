"""Files of the coverage and warning-time maps: Parquet tables, GeoJSON, PNG pictures.

The maps themselves are computed by :mod:`earlywarn.analysis.coverage` and
:mod:`earlywarn.analysis.warning`; this module only writes them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from earlywarn.analysis.coverage import CoverageMap, LatLonGrid
from earlywarn.analysis.warning import WarningMap

__all__ = [
    "coverage_table",
    "draw_coastlines",
    "grid_image",
    "plot_coverage",
    "plot_warning",
    "status_image",
    "warning_table",
    "write_coverage_geojson",
]

FloatArray = npt.NDArray[np.float64]


# ----------------------------------------------------------------------------- coverage


def coverage_table(cov: CoverageMap) -> pa.Table:
    """One row per grid point, units in the column names; metadata: epoch and window."""
    lat, lon = cov.grid.points_deg
    t = pa.table(
        {
            "lat_deg": lat,
            "lon_deg": lon,
            "coverage_1": cov.coverage_1,
            "coverage_2": cov.coverage_2,
            "longest_gap_h": cov.longest_gap_s / 3600.0,
            "longest_stereo_gap_h": cov.longest_stereo_gap_s / 3600.0,
            "fence_alt_km": cov.fence_m / 1e3,
        }
    )
    meta = {
        b"earlywarn.epoch_utc": cov.epoch_utc.encode(),
        b"earlywarn.t_start_s": repr(cov.t_start_s).encode(),
        b"earlywarn.t_end_s": repr(cov.t_end_s).encode(),
        b"earlywarn.plume_altitude_m": repr(cov.plume_altitude_m).encode(),
        b"earlywarn.reference_intensity_w_sr": repr(cov.reference_intensity_w_sr).encode(),
    }
    return t.replace_schema_metadata(meta)


def _num(x: float, nd: int) -> float | None:
    return None if not math.isfinite(x) else round(float(x), nd)


def write_coverage_geojson(cov: CoverageMap, path: str | Path) -> Path:
    """The grid as a GeoJSON FeatureCollection of cell polygons with the per-point figures."""
    lat_e, lon_e = cov.grid.cell_edges_deg()
    nlon = cov.grid.lon_deg.size
    feats = []
    for k in range(cov.coverage_1.size):
        i, j = divmod(k, nlon)
        a0, a1, o0, o1 = (
            round(float(v), 4) for v in (lat_e[i], lat_e[i + 1], lon_e[j], lon_e[j + 1])
        )
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[o0, a0], [o1, a0], [o1, a1], [o0, a1], [o0, a0]]],
                },
                "properties": {
                    "coverage_1": _num(cov.coverage_1[k], 4),
                    "coverage_2": _num(cov.coverage_2[k], 4),
                    "longest_gap_h": _num(cov.longest_gap_s[k] / 3600.0, 3),
                    "longest_stereo_gap_h": _num(cov.longest_stereo_gap_s[k] / 3600.0, 3),
                    "fence_alt_km": _num(cov.fence_m[k] / 1e3, 1),
                },
            }
        )
    doc = {
        "type": "FeatureCollection",
        "properties": {
            "epoch_utc": cov.epoch_utc,
            "t_start_s": cov.t_start_s,
            "t_end_s": cov.t_end_s,
            "plume_altitude_km": cov.plume_altitude_m / 1e3,
            "reference_intensity_w_sr": cov.reference_intensity_w_sr,
        },
        "features": feats,
    }
    p = Path(path)
    p.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return p


def draw_coastlines(ax: Any) -> None:
    """Coastlines (Natural Earth 1:110m, shipped) on a plate carrée axis."""
    from earlywarn.io.coastlines import load_coastlines

    c = load_coastlines()
    ax.plot(c.coast_lon_deg, c.coast_lat_deg, color="black", lw=0.5)
    ax.plot(c.border_lon_deg, c.border_lat_deg, color="0.5", lw=0.3)


def grid_image(values: FloatArray, grid: LatLonGrid) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(grid.shape)


def plot_coverage(cov: CoverageMap, path: str | Path) -> Path:
    """PNG: coverage ≥ 1, stereo coverage ≥ 2 and the radar fence, with coastlines."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    has_fence = bool(np.isfinite(cov.fence_m).any())
    n = 3 if has_fence else 2
    fig = Figure(figsize=(12, 4.2 * n), dpi=100)
    FigureCanvasAgg(fig)
    lat_e, lon_e = cov.grid.cell_edges_deg()
    hours = (cov.t_end_s - cov.t_start_s) / 3600.0
    panels: list[tuple[str, FloatArray, str, float]] = [
        (f"IR coverage, ≥ 1 satellite (fraction of {hours:g} h)", cov.coverage_1, "viridis", 1.0),
        (f"IR stereo coverage, ≥ 2 satellites (fraction of {hours:g} h)", cov.coverage_2,
         "viridis", 1.0),
    ]  # fmt: skip
    if has_fence:
        fence_km = cov.fence_m / 1e3
        panels.append(
            ("Radar fence: lowest altitude seen (km)", fence_km, "magma_r",
             float(np.nanpercentile(fence_km, 99)))
        )  # fmt: skip
    for k, (title, vals, cmap, vmax) in enumerate(panels):
        ax = fig.add_subplot(n, 1, k + 1)
        m = ax.pcolormesh(
            lon_e, lat_e, grid_image(vals, cov.grid), cmap=cmap, vmin=0.0, vmax=vmax,
            shading="flat",
        )  # fmt: skip
        draw_coastlines(ax)
        ax.set_xlim(lon_e[0], lon_e[-1])
        ax.set_ylim(lat_e[0], lat_e[-1])
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("longitude (deg)")
        ax.set_ylabel("latitude (deg)")
        fig.colorbar(m, ax=ax, shrink=0.8)
    fig.suptitle(
        f"earlywarn coverage from {cov.epoch_utc} + {cov.t_start_s:g} s; plume at "
        f"{cov.plume_altitude_m / 1e3:g} km, {cov.reference_intensity_w_sr:.2g} W/sr"
    )
    p = Path(path)
    fig.savefig(p, format="png", dpi=100, facecolor="white")
    return p


# ------------------------------------------------------------------------------ warning


def warning_table(wm: WarningMap) -> pa.Table:
    """One row per launch point; units in the column names; metadata says what it is."""
    t = pa.table(
        {
            "lat_deg": wm.lat_deg,
            "lon_deg": wm.lon_deg,
            "range_km": wm.range_km,
            "azimuth_deg": wm.azimuth_deg,
            "flight_time_s": wm.flight_time_s,
            "ir_detect_s": wm.ir_detect_s,
            "radar_detect_s": wm.radar_detect_s,
            "dual_s": wm.dual_s,
            "warning_time_s": wm.warning_time_s,
            "status": pa.array(wm.status.astype(str).tolist(), pa.string()),
        }
    )
    meta = {
        b"earlywarn.vehicle": wm.vehicle.encode(),
        b"earlywarn.defended_lat_deg": repr(wm.defended_lat_deg).encode(),
        b"earlywarn.defended_lon_deg": repr(wm.defended_lon_deg).encode(),
        b"earlywarn.epoch_utc": wm.epoch_utc.encode(),
        b"earlywarn.t_launch_s": repr(wm.t_launch_s).encode(),
        b"earlywarn.method": wm.method.encode(),
    }
    return t.replace_schema_metadata(meta)


STATUS_COLORS: dict[str, str] = {
    "no_detection": "#1b0030",  # in range, never seen: the worst cell
    "no_ir": "#6a0051",  # in range, no infrared: no dual-phenomenology warning
    "no_radar": "#3f007d",  # in range, no radar: no dual-phenomenology warning
    "out_of_range": "#e6e6e6",  # the vehicle cannot reach the defended point from here
}
"""Colours of the cells without a warning time: launch points in range that get no
dual-phenomenology warning are darker than any warning time (the red end of the scale
is 0 min), so the worst cells are the most alarming on the map; out of range is grey."""

STATUS_LABELS: dict[str, str] = {
    "no_detection": "in range, not detected",
    "no_ir": "in range, no infrared detection",
    "no_radar": "in range, no radar detection",
    "out_of_range": "out of range",
}


def status_image(wm: WarningMap) -> npt.NDArray[np.float64]:
    """RGBA (grid rows, columns, 4) of the cells without a warning time; transparent
    where a warning time is drawn."""
    from matplotlib.colors import to_rgba

    if wm.grid is None:
        raise ValueError("status_image needs a WarningMap computed on a LatLonGrid")
    status = np.asarray(wm.status).reshape(wm.grid.shape)
    rgba = np.zeros((*wm.grid.shape, 4))
    for name, color in STATUS_COLORS.items():
        rgba[status == name] = to_rgba(color)
    return rgba


VIEW_MARGIN_DEG = 5.0
"""Margin round the content of a map view."""


def warning_view_deg(wm: WarningMap) -> tuple[tuple[float, float], tuple[float, float]]:
    """The longitude and latitude limits of a warning map's view: the cells within the
    vehicle's range (every status but ``out_of_range``) and the defended point, with a
    margin, inside the grid; the whole grid when nothing is in range or the cells in
    range span the grid's longitudes (no crop across the date line)."""
    assert wm.grid is not None
    lat_e, lon_e = wm.grid.cell_edges_deg()
    full = ((float(lon_e[0]), float(lon_e[-1])), (float(lat_e[0]), float(lat_e[-1])))
    status = np.asarray(wm.status).reshape(wm.grid.shape)
    rows, cols = np.nonzero(status != "out_of_range")
    if rows.size == 0:
        return full
    lon = np.append(np.asarray(wm.grid.lon_deg)[cols], wm.defended_lon_deg)
    lat = np.append(np.asarray(wm.grid.lat_deg)[rows], wm.defended_lat_deg)
    m = VIEW_MARGIN_DEG
    x0, x1 = max(float(lon.min()) - m, full[0][0]), min(float(lon.max()) + m, full[0][1])
    y0, y1 = max(float(lat.min()) - m, full[1][0]), min(float(lat.max()) + m, full[1][1])
    return (x0, x1), (y0, y1)


def plot_warning(wm: WarningMap, path: str | Path) -> Path:
    """PNG map of the warning time left (minutes) with coastlines and the defended point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if wm.grid is None:
        raise ValueError("plot_warning needs a WarningMap computed on a LatLonGrid")
    fig = Figure(figsize=(14, 7.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    lat_e, lon_e = wm.grid.cell_edges_deg()
    img = grid_image(wm.warning_time_s / 60.0, wm.grid)
    vmax = float(np.nanmax(img)) if np.isfinite(img).any() else 1.0
    m = ax.pcolormesh(lon_e, lat_e, img, cmap="RdYlGn", vmin=0.0, vmax=vmax, shading="flat")
    ax.imshow(
        status_image(wm), origin="lower", interpolation="nearest", aspect="auto",
        extent=(float(lon_e[0]), float(lon_e[-1]), float(lat_e[0]), float(lat_e[-1])),
    )  # fmt: skip
    ft = grid_image(wm.flight_time_s / 60.0, wm.grid)
    if np.isfinite(ft).sum() > 4:
        cs = ax.contour(wm.grid.lon_deg, wm.grid.lat_deg, ft, colors="0.3", linewidths=0.6,
                        levels=np.arange(5, 60, 5))  # fmt: skip
        ax.clabel(cs, fmt="%d min", fontsize=7)
    draw_coastlines(ax)
    ax.plot([wm.defended_lon_deg], [wm.defended_lat_deg], marker="*", color="blue", ms=14)
    (x0, x1), (y0, y1) = warning_view_deg(wm)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("launch longitude (deg)")
    ax.set_ylabel("launch latitude (deg)")
    ax.set_title(
        f"Warning time left (min) after dual-phenomenology detection: {wm.vehicle} at "
        f"({wm.defended_lat_deg:g}, {wm.defended_lon_deg:g}); contours: flight time"
    )
    fig.colorbar(m, ax=ax, shrink=0.7, label="warning time left (min)")
    from matplotlib.patches import Patch

    present = set(np.asarray(wm.status).tolist())
    handles = [
        Patch(facecolor=STATUS_COLORS[k], edgecolor="0.3", label=STATUS_LABELS[k])
        for k in STATUS_COLORS
        if k in present
    ]
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    p = Path(path)
    fig.savefig(p, format="png", dpi=100, facecolor="white")
    return p
