"""Plots: non-empty PNGs of the promised size, for a full scene and an empty one."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from earlywarn.io.plots import FIG_SIZE_PX, plot_map, plot_timeline
from earlywarn.io.scene import SceneView
from scene_samples import make_scene

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk (the first chunk after the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, ctype = struct.unpack(">I4s", data[8:16])
    assert ctype == b"IHDR" and length == 13
    w, h = struct.unpack(">II", data[16:24])
    return int(w), int(h)


@pytest.mark.parametrize("full", [True, False], ids=["full", "empty"])
def test_timeline_and_map(full: bool, tmp_path: Path) -> None:
    scene = make_scene(full)
    for fn in (plot_timeline, plot_map):
        p = fn(scene, tmp_path / f"{fn.__name__}.png")
        assert p.stat().st_size > 10_000
        assert png_size(p) == FIG_SIZE_PX


def test_world_map(tmp_path: Path) -> None:
    p = plot_map(make_scene(), tmp_path / "world.png", world=True)
    assert png_size(p) == FIG_SIZE_PX


def test_no_pyplot_state(tmp_path: Path) -> None:
    """The writers never touch pyplot's global figure manager."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_timeline(make_scene(False), tmp_path / "t.png")
    plot_map(make_scene(False), tmp_path / "m.png")
    assert plt.get_fignums() == before


def test_partial_scenes(partial_scene: SceneView, tmp_path: Path) -> None:
    scene = partial_scene
    assert png_size(plot_timeline(scene, tmp_path / "t.png")) == FIG_SIZE_PX
    assert png_size(plot_map(scene, tmp_path / "m.png")) == FIG_SIZE_PX


def _figure_of(fn, scene: SceneView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Draw with ``fn`` and hand back the matplotlib figure (drawn, before saving)."""
    import earlywarn.io.plots as plots

    seen = {}
    real = plots._save

    def keep(fig, path):  # type: ignore[no-untyped-def]
        fig.canvas.draw()
        seen["fig"] = fig
        return real(fig, path)

    monkeypatch.setattr(plots, "_save", keep)
    fn(scene, tmp_path / "x.png")
    return seen["fig"]


def _overlaps(boxes: list) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


def test_timeline_is_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from earlywarn.io.scene import Detections

    scene = make_scene()
    # a far false report (clutter at 40,000 km) must not squash the altitude axis
    det = scene.detections
    far = np.array([[4.6e7, 0.0, 0.0]])
    scene = dataclasses.replace(
        scene,
        detections=Detections(
            np.r_[det.t_s, 900.0], (*det.sensor_id, "CAPE-COD"), (*det.kind, "radar"),
            np.r_[det.r_ecef_m, far],
        ),
    )  # fmt: skip
    fig = _figure_of(plot_timeline, scene, tmp_path, monkeypatch)
    alt_ax = fig.axes[0]
    top_true = max(
        float(np.max(np.linalg.norm(o.r_ecef_m, axis=1))) - 6.36e6 for o in scene.objects
    )
    assert alt_ax.get_ylim()[1] < 1.3 * top_true / 1e3 + 50  # fitted to the true flights
    texts = [t for t in alt_ax.texts if t.get_rotation() == 90.0]
    assert texts, "the alerts are labelled"
    assert _overlaps([t.get_window_extent() for t in texts]) == []
    # stages told apart: each booster/stage of a launch has its own line style
    by_launch: dict[str, set[str]] = {}
    for ln in alt_ax.get_lines():
        lab = ln.get_label()
        if lab.startswith("L") and "-" in lab:
            by_launch.setdefault(lab.split("-")[0], set()).add(str(ln.get_linestyle()))
    assert all(len(v) == 2 for v in by_launch.values())  # RV solid, booster dashed


def test_timeline_has_no_empty_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    # nothing flew and nothing was located: only the report raster is drawn
    scene = dataclasses.replace(make_scene(), objects=(), truth_launches=())
    det = scene.detections
    keep = ~det.located
    from earlywarn.io.scene import Detections

    scene = dataclasses.replace(
        scene,
        detections=Detections(det.t_s[keep], tuple(np.asarray(det.sensor_id)[keep]),
                              tuple(np.asarray(det.kind)[keep]), det.r_ecef_m[keep]),
    )  # fmt: skip
    fig = _figure_of(plot_timeline, scene, tmp_path, monkeypatch)
    panels = [a for a in fig.axes if a.get_label() != "<colorbar>" and a.get_visible()]
    main = [a for a in panels if a.get_ylabel()]
    assert [a.get_ylabel() for a in main] == ["reports"]


def test_quiet_map_shows_satellites_glint_and_fires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from earlywarn.io.scene import GroundPoints

    ground = GroundPoints(
        np.array([10.0, 20.0, 30.0, 40.0]), np.array([5.0, -3.0, 26.1, 40.0]),
        np.array([-30.0, 60.0, 50.2, 10.0]), ("glint", "glint", "fire", "clutter"),
    )  # fmt: skip
    scene = dataclasses.replace(
        make_scene(), objects=(), truth_launches=(), alerts=(), radars=(),
        ir_ground=ground, fires=(("flare-1", 26.1, 50.2),),
    )  # fmt: skip
    fig = _figure_of(plot_map, scene, tmp_path, monkeypatch)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(lab.startswith("IR report from sun glint (2)") for lab in labels)
    assert any(lab.startswith("IR report from a fire or flare (1)") for lab in labels)
    assert "declared fire / flare" in labels and "IR satellite ground track" in labels
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # the fitted frame holds the glint, the flare and the satellites' positions
    for lat, lon in ((5.0, -30.0), (-3.0, 60.0), (26.1, 50.2)):
        assert y0 <= lat <= y1 and (lon - x0) % 360.0 <= x1 - x0
    assert "flare-1" in [t.get_text() for t in ax.texts]
