"""CZML writer: structure Cesium relies on, checked on the synthetic scene and an empty one."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from earlywarn.io.czml import to_czml, write_czml
from earlywarn.io.scene import SceneView
from scene_samples import make_scene

ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z"
INTERVAL = re.compile(rf"^({ISO})/({ISO})$")


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _walk(x: Any, key: str | None = None):  # type: ignore[no-untyped-def]
    """Yield (key, value) for every dict entry, recursively."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(x, list):
        for v in x:
            yield from _walk(v, key)


@pytest.fixture(params=[True, False], ids=["full", "empty"])
def doc(request: pytest.FixtureRequest, tmp_path: Path) -> list[dict[str, Any]]:
    path = write_czml(make_scene(request.param), tmp_path / "scene.czml")
    parsed = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(parsed, list)
    return parsed


def test_document_packet_first(doc: list[dict[str, Any]]) -> None:
    first = doc[0]
    assert first["id"] == "document" and first["version"] == "1.0"
    clock = first["clock"]
    assert INTERVAL.match(clock["interval"])
    assert re.fullmatch(ISO, clock["currentTime"])
    assert clock["multiplier"] > 0 and clock["range"] in {"LOOP_STOP", "CLAMPED", "UNBOUNDED"}
    assert all(p["id"] != "document" for p in doc[1:])


def test_ids_present_and_unique(doc: list[dict[str, Any]]) -> None:
    ids = [p["id"] for p in doc]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(ids) == len(set(ids))
    parents = {p["parent"] for p in doc if "parent" in p}
    assert parents <= set(ids)


def test_cartesian_and_intervals(doc: list[dict[str, Any]]) -> None:
    c0, c1 = (_t(s) for s in doc[0]["clock"]["interval"].split("/"))
    for packet in doc[1:]:
        for k, v in _walk(packet):
            if k == "cartesian":
                assert isinstance(v, list) and all(isinstance(x, int | float) for x in v)
                # sampled [t, x, y, z, ...] or a constant [x, y, z]
                assert len(v) % 4 == 0 or len(v) == 3, (packet["id"], len(v))
            if k == "cartographicDegrees":
                assert len(v) % 3 == 0
            if k in ("interval", "availability"):
                m = INTERVAL.match(v)
                assert m, (packet["id"], v)
                a, b = _t(m.group(1)), _t(m.group(3))
                assert a < b
                if k == "availability":
                    assert c0 <= a and b <= c1, (packet["id"], v)
            if k == "epoch":
                assert re.fullmatch(ISO, v)
            if k == "referenceFrame":
                assert v == "FIXED"


def test_content_of_the_full_scene() -> None:
    doc = to_czml(make_scene())
    ids = {p["id"] for p in doc}
    assert {"sat/GEO-1", "sat/LEO-3", "obj/L1-RV", "radar/CAPE-COD"} <= ids
    assert {"radar/CAPE-COD/north", "radar/CAPE-COD/south", "area/Ascension"} <= ids
    assert {"truth/L1/launch", "truth/L2/impact"} <= ids
    sat = next(p for p in doc if p["id"] == "sat/LEO-3")
    cart = sat["position"]["cartesian"]
    assert sat["position"]["referenceFrame"] == "FIXED" and len(cart) == 4 * 41
    assert "path" in sat
    # detections: located radar reports only (IR lines of sight have no point)
    dets = [p for p in doc if p["id"].startswith("det/")]
    assert len(dets) == 49 and all("availability" in p for p in dets)
    # the event entity changes level at each alert
    ev = next(p for p in doc if p["id"] == "event/E1")
    texts = [x["string"] for x in ev["label"]["text"]]
    assert [t.split(": ")[1].split(" ")[0] for t in texts] == [
        "POSSIBLE_LAUNCH",
        "LAUNCH",
        "THREAT",
    ]
    assert len(ev["point"]["color"]) == 3
    ends = [x["interval"].split("/") for x in ev["label"]["text"]]
    assert all(ends[i][1] == ends[i + 1][0] for i in range(len(ends) - 1))
    # ellipse rotation: Cesium's semi-major axis lies along east at rotation 0 and turns
    # counter-clockwise (EllipseGeometryLibrary: the axis is (cos r, sin r) in east/north);
    # its azimuth must be the alert's orientation (clockwise from north), modulo 180
    imp = next(p for p in doc if p["id"] == "alert/A3/impact")
    rot = imp["ellipse"]["rotation"]
    east, north = math.cos(rot), math.sin(rot)
    azimuth_deg = math.degrees(math.atan2(east, north)) % 180.0
    orientation = next(a.impact_orientation_deg for a in make_scene().alerts if a.alert_id == "A3")
    assert azimuth_deg == pytest.approx(orientation % 180.0, abs=1e-9)
    assert imp["ellipse"]["semiMajorAxis"] == 160e3


def test_detections_are_thinned_on_request() -> None:
    doc = to_czml(make_scene(), max_detections=10)
    assert sum(p["id"].startswith("det/") for p in doc) == 10
    assert "thinned" in doc[0]["description"]


def test_partial_scenes(partial_scene: SceneView) -> None:
    doc = json.loads(json.dumps(to_czml(partial_scene), allow_nan=False))
    assert doc[0]["id"] == "document"
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids))
