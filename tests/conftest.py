"""Fixtures shared by several test modules.

Test modules never import from one another: shared data builders live in helper modules
beside the tests (``center_script``, ``scene_samples``, ``sensor_truth``, ``scenes``,
``ir_synth``, ``alert_snapshot``), shared fixtures here.
"""

from __future__ import annotations

import pytest

from earlywarn.io.scene import SceneView
from scene_samples import partial_scenes

_N_PARTIAL = len(partial_scenes())


@pytest.fixture(params=range(_N_PARTIAL), ids=[f"partial{i}" for i in range(_N_PARTIAL)])
def partial_scene(request: pytest.FixtureRequest) -> SceneView:
    """The synthetic scene with parts taken away, and a few awkward shapes, one at a time."""
    return partial_scenes()[request.param]
