"""globe.html: self-contained, offline, drawn in headless Chromium (screenshot checked)."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from earlywarn.io.globe import VENDORED, globe_data, write_globe
from earlywarn.io.scene import SceneView
from scene_samples import make_scene

BACKGROUND = (0x0D, 0x16, 0x20)  # the page background, #0d1620
OCEAN = (0x17, 0x32, 0x4D)  # the sphere fill, #17324d


def test_globe_data_carries_the_scene() -> None:
    scene = make_scene()
    d = globe_data(scene)
    assert [a["id"] for a in d["alerts"]] == [a.alert_id for a in scene.alerts]
    assert {o["id"] for o in d["objects"]} == {o.object_id for o in scene.objects}
    assert [r["id"] for r in d["radars"]] == ["CAPE-COD"]
    assert len(d["radars"][0]["fans"]) == 2
    # a GEO satellite sees the Earth out to acos(R / (R + h)) ≈ 81.3° central angle
    geo = next(s for s in d["satellites"] if s["id"] == "GEO-1")
    assert np.allclose(geo["footprint_deg"], 81.3, atol=0.1)
    # ellipses are closed rings of [lon, lat] around the predicted impact
    a2 = next(a for a in d["alerts"] if a["id"] == "A2")
    ring = np.array(a2["ellipse"])
    assert ring[0].tolist() == ring[-1].tolist()
    assert abs(ring[:, 1].mean() - (-9.5)) < 1.0 and abs(ring[:, 0].mean() - (-12.0)) < 1.0
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN leaks into the page


def test_globe_is_self_contained(tmp_path: Path) -> None:
    text = write_globe(make_scene(), tmp_path / "globe.html").read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text.lower()
    assert "default-src 'none'" in text  # the page itself forbids any fetch
    vendor = resources.files("earlywarn") / "data" / "vendor"
    for name in VENDORED:  # each vendored library inlined whole, its licence shipped beside it
        assert (vendor / name).read_text(encoding="utf-8") in text
        assert (vendor / name.replace(".min.js", ".LICENSE")).is_file()
    assert text.count("<script") == 2 + len(VENDORED)  # data, vendored libraries, the app


def _shot(page, url: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=10_000)
    png = page.locator("#globe").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _share(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> float:
    return float(np.mean(np.all(np.abs(img - np.array(rgb)) <= tol, axis=-1)))


def test_globe_draws_in_chromium(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_globe(make_scene(), tmp_path / "globe.html")
    img = _shot(page, path.as_uri())
    assert page.errors == [] and page.external_requests == []
    h, w, _ = img.shape
    # the disc of the globe: the ocean fills most of a circle of radius W/2 - 12
    yy, xx = np.mgrid[0:h, 0:w]
    disc = (xx - w / 2) ** 2 + (yy - h / 2) ** 2 < (0.45 * w) ** 2
    assert _share(img[disc], OCEAN) > 0.4
    # coastlines, fans, tracks and ellipses are drawn on it: many pixels are neither
    # ocean nor page background
    drawn = ~(np.all(np.abs(img - OCEAN) <= 6, -1) | np.all(np.abs(img - BACKGROUND) <= 6, -1))
    assert drawn[disc].mean() > 0.05
    # the corners stay page background (the globe is a disc, not a filled square)
    assert _share(img[:40, :40], BACKGROUND) > 0.95
    # the ladder shows each event at its last level at the end of the run
    threat = page.locator(".rung[data-level='THREAT']").inner_text()
    assert "E1" in threat
    launch = page.locator(".rung[data-level='LAUNCH']").inner_text()
    assert "E2" in launch and "not a threat" in launch


def test_globe_time_slider_moves_the_ladder(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_globe(make_scene(), tmp_path / "globe.html")
    _shot(page, path.as_uri())
    late = page.locator("#globe").screenshot()
    slider = page.locator("#time")
    slider.evaluate("(s) => { s.value = 100; s.dispatchEvent(new Event('input')); }")
    # at 100 s only E1's first alert has been issued
    assert "E1" in page.locator(".rung[data-level='POSSIBLE_LAUNCH']").inner_text()
    assert page.locator(".rung[data-level='THREAT'] .chip").count() == 0
    assert page.locator("#alerts li:not(.future)").count() == 1
    assert "100 s after epoch" in page.locator("#tlabel").inner_text()
    assert page.locator("#globe").screenshot() != late  # the picture changed with time


def test_globe_of_an_empty_scene(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_globe(make_scene(False), tmp_path / "globe.html")
    img = _shot(page, path.as_uri())
    assert page.errors == [] and page.external_requests == []
    assert _share(img, OCEAN) > 0.2  # the Earth is drawn even with nothing on it


def test_globe_of_partial_scenes(page, tmp_path: Path, partial_scene: SceneView) -> None:  # type: ignore[no-untyped-def]
    path = write_globe(partial_scene, tmp_path / "globe.html")
    img = _shot(page, path.as_uri())
    assert page.errors == [] and page.external_requests == []
    assert _share(img, OCEAN) > 0.2  # the Earth is drawn even with nothing on it
