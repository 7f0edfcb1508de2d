"""SceneView: construction and validation, on the synthetic scene of ``scene_samples``.

``make_scene()`` builds a small, made-up run: two launches (one from the US east coast
downrange into the South Atlantic, one from the US west coast to the central Pacific,
crossing the antimeridian), a booster and an RV each, a GEO and a LEO IR satellite, one
two-face radar, IR and radar reports, three events with alerts (one a false alert).
"""

from __future__ import annotations

import numpy as np
import pytest

from earlywarn.io.scene import (
    LEVELS,
    AlertMark,
    DefendedArea,
    Detections,
    ObjectTrack,
    RadarFace,
    RadarSite,
    SatelliteTrack,
    SceneView,
)
from scene_samples import EPOCH, make_scene


def test_scene_builds_and_normalises() -> None:
    s = make_scene()
    assert s.epoch_utc == "2026-03-20T12:00:00.000Z"
    assert [a.alert_id for a in s.alerts] == ["A1", "A2", "A4", "A3", "A5", "A6", "A7"]
    a3 = next(a for a in s.alerts if a.alert_id == "A3")
    assert a3.impact_semi_major_km == 160.0 and a3.launch_sigma_km == 6.0 and a3.has_ellipse
    a7 = next(a for a in s.alerts if a.alert_id == "A7")
    assert not a7.has_launch and not a7.has_impact
    assert s.iso(90.5) == "2026-03-20T12:01:30.500Z"
    assert not s.objects[0].r_ecef_m.flags.writeable


def test_empty_scene() -> None:
    s = make_scene(with_parts=False)
    assert len(s.detections) == 0 and s.alerts == () and s.radars == ()


def test_levels_match_center() -> None:
    from earlywarn.center.alerts import Level

    assert tuple(Level.__members__) == LEVELS


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ObjectTrack("o", "l", "rv", [0.0, 1.0], np.zeros((3, 3))), r"\(2, 3\)"),
        (lambda: ObjectTrack("o", "l", "rv", [1.0, 0.0], np.zeros((2, 3))), "increasing"),
        (lambda: SatelliteTrack("s", [], np.zeros((0, 3))), "non-empty"),
        (lambda: RadarFace("f", 0.0, 60.0, 50.0, 10.0, 1000.0), "el_max_deg"),
        (lambda: RadarSite("r", 95.0, 0.0), "lat_deg"),
        (lambda: Detections([1.0], ("a", "b"), ("ir",), None), "sensor_id has 2"),
        (lambda: Detections([1.0], ("a",), ("lidar",), None), "lidar"),
        (lambda: AlertMark.from_dict({"alert_id": "x", "t_s": 1.0}), "event_id"),
        (
            lambda: AlertMark.from_dict(
                {"alert_id": "x", "event_id": "e", "t_s": 1.0, "level": "PANIC"}
            ),
            "PANIC",
        ),
        (lambda: DefendedArea("d", 1.0, 2.0), "either"),
        (lambda: DefendedArea.polygon("d", [[0, 0], [1, 1]]), "polygon_deg"),
        (lambda: SceneView("2026-03-20T12:00:00", 0.0, 10.0), "time zone"),
        (lambda: SceneView(EPOCH, 10.0, 10.0), "t_end_s"),
        (
            lambda: SceneView(EPOCH, 0.0, 1.0, radars=(RadarSite("x", 0, 0), RadarSite("x", 1, 1))),
            "more than once",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build()
