"""Plots: non-empty PNGs of the promised size, for a full scene and an empty one."""

from __future__ import annotations

import struct
from pathlib import Path

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
