"""The shipped coastline data: present, compact, sane, with its provenance."""

from __future__ import annotations

from importlib import resources

import numpy as np

from earlywarn.io.coastlines import load_coastlines, wrap_lines


def test_shipped_file_is_small_and_sane() -> None:
    ref = resources.files("earlywarn") / "data" / "coastlines.npz"
    assert ref.is_file()
    assert len(ref.read_bytes()) < 300_000
    cl = load_coastlines()
    for lon, lat in ((cl.coast_lon_deg, cl.coast_lat_deg), (cl.border_lon_deg, cl.border_lat_deg)):
        assert lon.dtype == np.float32 and lon.shape == lat.shape and lon.size > 1000
        assert np.array_equal(np.isnan(lon), np.isnan(lat))
        assert np.nanmin(lon) >= -180 and np.nanmax(lon) <= 180
        assert np.nanmin(lat) >= -90 and np.nanmax(lat) <= 90
    assert "Natural Earth" in cl.provenance and "ublic domain" in cl.licence
    readme = resources.files("earlywarn") / "data" / "coastlines.README"
    assert "public domain" in readme.read_text(encoding="utf-8").lower()


def test_wrap_lines_breaks_at_the_map_edge() -> None:
    x, y = wrap_lines([170.0, 179.0, -179.0, -170.0], [0.0, 1.0, 2.0, 3.0], center_lon_deg=0.0)
    assert np.isnan(x).sum() == 1 and np.isnan(y).sum() == 1
    assert np.nanmax(np.abs(np.diff(x))) < 180  # NaN-separated pieces never jump
    x2, _y2 = wrap_lines([170.0, 179.0, -179.0, -170.0], [0.0, 1.0, 2.0, 3.0], center_lon_deg=180.0)
    assert not np.isnan(x2).any() and np.all(np.diff(x2) > 0)
