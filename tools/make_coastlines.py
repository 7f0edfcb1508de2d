"""Build ``src/earlywarn/data/coastlines.npz`` from Natural Earth 1:110m country polygons.

Dev-time only: the package never runs this. It is kept in the repository so anyone can
see, and redo, how the shipped data file was made.

Source
------
Natural Earth ``ne_110m_admin_0_countries`` (public domain, https://www.naturalearthdata.com
— "All versions of Natural Earth raster + vector map data found on this website are in the
public domain"), as redistributed in the geopandas 0.14.4 wheel on PyPI under
``geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp`` (the last geopandas
release that ships it). geopandas applied one edit to the Natural Earth geometry: Crimea is
drawn with Ukraine (geopandas issue #2382); for outlines this changes nothing visible.

How to rebuild::

    pip download --no-deps geopandas==0.14.4 -d /tmp/gpd
    python tools/make_coastlines.py /tmp/gpd/geopandas-0.14.4-py3-none-any.whl

What it does
------------
1. Reads the polygon shapefile with the small reader below (ESRI Shapefile Technical
   Description, July 1998: a 100-byte header, then records of a big-endian record header
   and a little-endian shape; shape type 5 = Polygon with ``parts`` and ``points``).
2. Splits every ring into edges, dropping the artificial ones along the antimeridian and
   the south-pole closure of Antarctica. An edge that two countries share (it occurs twice, once
   in each direction) is a land border; an edge that occurs once is a coastline (or a lake
   shore). Consecutive edges of the same class are chained back into polylines.
3. Writes lon/lat in degrees as float32 arrays with NaN separators between polylines, plus
   the provenance text, into a compressed npz.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

SHP_MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "earlywarn" / "data" / "coastlines.npz"

PROVENANCE = (
    "Natural Earth 1:110m admin-0 countries (ne_110m_admin_0_countries), public domain, "
    "https://www.naturalearthdata.com ; taken from the geopandas 0.14.4 wheel on PyPI "
    "(geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp, sha256 of wheel "
    "{wheel_sha256}); converted by tools/make_coastlines.py: edges shared by two countries "
    "are borders, the others coastlines; lon/lat degrees (WGS84), float32, NaN-separated."
)
LICENCE = "Public domain (Natural Earth terms of use: https://www.naturalearthdata.com/about/terms-of-use/)"


def read_polygon_shapefile(data: bytes) -> list[list[np.ndarray]]:
    """Parse a Polygon (type 5) shapefile → list of shapes, each a list of ``(n, 2)`` rings."""
    (file_code,) = struct.unpack(">i", data[0:4])
    if file_code != 9994:
        raise ValueError(f"not a shapefile: file code {file_code}, expected 9994")
    file_len = struct.unpack(">i", data[24:28])[0] * 2
    version, shape_type = struct.unpack("<ii", data[28:36])
    if version != 1000 or shape_type != 5:
        raise ValueError(f"expected a Polygon shapefile (type 5), got type {shape_type}")
    shapes: list[list[np.ndarray]] = []
    pos = 100
    while pos < file_len:
        _rec_no, content_words = struct.unpack(">ii", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * content_words]
        pos += 8 + 2 * content_words
        (stype,) = struct.unpack("<i", content[0:4])
        if stype == 0:  # null shape
            continue
        if stype != 5:
            raise ValueError(f"record shape type {stype}, expected 5 (Polygon)")
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        parts = np.frombuffer(content, "<i4", n_parts, 44)
        pts = np.frombuffer(content, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
        bounds = [*parts.tolist(), n_points]
        shapes.append([pts[bounds[i] : bounds[i + 1]].copy() for i in range(n_parts)])
    return shapes


def _is_cut_edge(a: np.ndarray, b: np.ndarray) -> bool:
    """An edge along the antimeridian or the south-pole closure of Antarctica: not a line."""
    on_antimeridian = abs(a[0]) >= 179.999 and abs(b[0]) >= 179.999
    on_pole = a[1] <= -89.9 and b[1] <= -89.9
    return bool(on_antimeridian or on_pole)


def split_coast_and_borders(
    shapes: list[list[np.ndarray]],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Classify ring edges as shared (border) or single (coast) and chain them into lines."""

    def key(p: np.ndarray) -> tuple[float, float]:
        return (round(float(p[0]), 6), round(float(p[1]), 6))

    count: dict[frozenset[tuple[float, float]], int] = {}
    rings = [ring for shape in shapes for ring in shape]
    for ring in rings:
        for a, b in itertools.pairwise(ring):
            e = frozenset((key(a), key(b)))
            count[e] = count.get(e, 0) + 1

    coast: list[np.ndarray] = []
    borders: list[np.ndarray] = []
    seen_border: set[frozenset[tuple[float, float]]] = set()
    for ring in rings:
        n_edges = len(ring) - 1
        shared = [count[frozenset((key(ring[i]), key(ring[i + 1])))] > 1 for i in range(n_edges)]
        cut = [_is_cut_edge(ring[i], ring[i + 1]) for i in range(n_edges)]
        # Start the walk where the class changes so a run is not cut at the ring's seam.
        start = next((i for i in range(n_edges) if shared[i] != shared[i - 1]), 0)
        runs: list[tuple[bool, list[int]]] = []
        for j in range(n_edges):
            i = (start + j) % n_edges
            if cut[i]:  # the antimeridian or pole closure: no line, start a new run
                runs.append((True, []))
                continue
            if runs and runs[-1][0] == shared[i] and runs[-1][1]:
                runs[-1][1].append(i)
            else:
                runs.append((shared[i], [i]))
        for is_border, edges in runs:
            if not edges:
                continue
            if is_border:
                # Draw each shared edge once (the neighbour's ring holds it too).
                keep = []
                for i in edges:
                    e = frozenset((key(ring[i]), key(ring[i + 1])))
                    keep.append(e not in seen_border)
                    seen_border.add(e)
                line: list[np.ndarray] = []
                for i, k in zip(edges, keep, strict=True):
                    if k:
                        if not line:
                            line.append(ring[i])
                        line.append(ring[i + 1])
                    elif line:
                        borders.append(np.array(line))
                        line = []
                if line:
                    borders.append(np.array(line))
            else:
                pts = [ring[edges[0]]] + [ring[i + 1] for i in edges]
                coast.append(np.array(pts))
    return coast, borders


def pack(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Polylines → lon, lat float32 arrays with a NaN between polylines."""
    chunks: list[np.ndarray] = []
    for ln in lines:
        if len(ln) < 2:
            continue
        chunks.append(ln)
        chunks.append(np.full((1, 2), np.nan))
    if not chunks:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    allp = np.concatenate(chunks[:-1]).astype(np.float32)
    return allp[:, 0], allp[:, 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="geopandas-0.14.4-py3-none-any.whl")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    raw = args.wheel.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        shp = zf.read(SHP_MEMBER)
    shapes = read_polygon_shapefile(shp)
    coast, borders = split_coast_and_borders(shapes)
    c_lon, c_lat = pack(coast)
    b_lon, b_lat = pack(borders)
    np.savez_compressed(
        args.out,
        coast_lon_deg=c_lon,
        coast_lat_deg=c_lat,
        border_lon_deg=b_lon,
        border_lat_deg=b_lat,
        provenance=np.array(PROVENANCE.format(wheel_sha256=sha)),
        licence=np.array(LICENCE),
    )
    print(
        f"{len(shapes)} countries → {len(coast)} coast lines ({c_lon.size} pts), "
        f"{len(borders)} border lines ({b_lon.size} pts) → {args.out} "
        f"({args.out.stat().st_size} bytes)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
