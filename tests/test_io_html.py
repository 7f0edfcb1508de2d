"""HTML report: self-contained (no external URL), images embedded, tables present."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from earlywarn.io.html import write_report
from earlywarn.io.plots import plot_map, plot_timeline
from earlywarn.io.scene import SceneView
from scene_samples import make_scene


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("run")
    scene = make_scene()
    plot_timeline(scene, d / "timeline.png")
    plot_map(scene, d / "map.png")
    return d


def test_report_is_self_contained(out_dir: Path) -> None:
    summary = {"scenario": "synthetic", "seed": 12345, "study": {"runs": 1, "note": "<b>x</b>"}}
    path = write_report(make_scene(), summary, out_dir)
    text = path.read_text(encoding="utf-8")
    assert path.name == "report.html"
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert "url(" not in text.lower()
    # images embedded, byte for byte
    for name in ("timeline.png", "map.png"):
        b64 = base64.b64encode((out_dir / name).read_bytes()).decode("ascii")
        assert f"data:image/png;base64,{b64}" in text
    # tables and metadata
    for heading in ("Launches", "Events", "Alerts", "False alerts", "Run"):
        assert f"<h2>{heading}</h2>" in text
    assert "notional IRBM" in text and "A7" in text and "no launch within 100 km" in text
    assert "study.runs" in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert text.count("<table") >= 6


def test_report_with_empty_scene_and_missing_images(tmp_path: Path) -> None:
    path = write_report(make_scene(False), {}, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "timeline.png was not produced" in text
    assert text.count('<p class="empty">None.</p>') == 4
    assert "http://" not in text and "https://" not in text


def test_partial_scenes(partial_scene: SceneView, tmp_path: Path) -> None:
    text = write_report(partial_scene, {"partial": True}, tmp_path).read_text(encoding="utf-8")
    assert "<h2>Alerts</h2>" in text and "https://" not in text
