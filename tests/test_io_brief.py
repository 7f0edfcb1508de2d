"""report.html reads like a brief: the headline, human labels, times with their origin,
the warning-quality scores when the summary has them; rendered in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from earlywarn.io import brief
from earlywarn.io.html import write_report
from earlywarn.io.plots import plot_map, plot_timeline
from scene_samples import make_scene


def _summary(**more: Any) -> dict[str, Any]:
    launches = [
        {"id": "L1", "vehicle": "icbm-solid", "class_true": "ICBM", "class_assessed": "ICBM",
         "first_report_s": 35.8, "possible_launch_s": 48.0, "launch_s": 58.0, "threat_s": 208.0,
         "confirmed_s": 1206.0, "max_level": "ATTACK_CONFIRMED", "disposition": "OPEN",
         "reason": "ir_radar_correlated", "decision_time_s": 841.8,
         "launch_point_error_km": 0.39, "impact_error_km_at_confirmed": 22.0,
         "impact_error_km_5min_before": 2.5},
        {"id": "S1", "vehicle": "sounding-rocket", "class_true": "SOUNDING",
         "class_assessed": "SOUNDING", "launch_s": 54.0, "max_level": "LAUNCH",
         "disposition": "NOT_A_THREAT", "reason": "sounding_rocket_local_impact",
         "decision_time_s": None},
        {"id": "L9", "vehicle": "srbm", "class_true": "SRBM", "class_assessed": None,
         "max_level": "NONE", "disposition": None},
    ]  # fmt: skip
    events = [
        {"event_id": "E1", "source": "ir", "launch_id": "L1", "max_level": "ATTACK_CONFIRMED",
         "disposition": "OPEN", "reason": "ir_radar_correlated",
         "phenomenologies": ["ir", "radar"]},
        {"event_id": "E7", "source": "ir", "launch_id": None, "max_level": "NONE",
         "disposition": "NOT_A_THREAT", "reason": "stationary_source", "phenomenologies": ["ir"]},
        {"event_id": "E8", "source": "radar", "launch_id": None, "max_level": "THREAT",
         "disposition": "OPEN", "reason": "", "phenomenologies": ["radar"]},
    ]  # fmt: skip
    return {
        "scenario": "synthetic", "seed": 3, "epoch_utc": "2026-03-20T12:00:00Z",
        "launches": launches, "events": events, "missed_launches": ["L9"],
        "false_alerts": {"POSSIBLE_LAUNCH": 0, "LAUNCH": 0, "THREAT": 1, "ATTACK_CONFIRMED": 0},
        **more,
    }  # fmt: skip


def test_headline_says_what_flew_concluded_dismissed_and_missed() -> None:
    h = brief.headline(_summary())
    assert h.startswith("3 launches flew: L1 (icbm-solid), S1 (sounding-rocket), L9 (srbm).")
    assert "L1 reached ATTACK CONFIRMED 1206 s after launch" in h
    assert "leaving 14.0 min of decision time" in h  # 841.8 s
    assert "S1 reached LAUNCH 54 s after launch, then was judged not a threat" in h
    assert "L9 was missed" in h and "Missed: L9." in h
    assert "1 event with no launch behind it dismissed (a stationary heat source)" in h
    assert "False alerts: 1 at THREAT." in h


def test_headline_of_a_quiet_run() -> None:
    h = brief.headline({"launches": [], "events": [], "false_alerts": {"THREAT": 0}})
    assert h == "Nothing flew. No false alert."


def test_launch_rows_use_labels_and_display_units() -> None:
    rows = brief.launch_rows(_summary()["launches"])
    assert list(rows[0]) == [label for _k, label, _h in brief.LAUNCH_COLUMNS]
    assert rows[0]["decision time (min)"] == 14.0
    assert rows[0]["ATTACK CONFIRMED (s after launch)"] == 1206.0
    assert rows[1]["final status"] == "not a threat (a sounding rocket landing nearby)"
    assert all("_" not in label for label in rows[0])  # no key names


def _page(tmp_path: Path, summary: dict[str, Any]) -> Path:
    scene = make_scene()
    plot_timeline(scene, tmp_path / "timeline.png")
    plot_map(scene, tmp_path / "map.png")
    return write_report(scene, summary, tmp_path)


def test_quality_scores_shown_when_present_and_not_required(tmp_path: Path) -> None:
    text = _page(tmp_path, _summary()).read_text(encoding="utf-8")
    assert "Warning quality" not in text
    q = {"quality": {"brier_score": 0.12, "lead_time_s": {"median": 840.0}},
         "calibration": {"bins": 10}}  # fmt: skip
    text = _page(tmp_path, _summary(**q)).read_text(encoding="utf-8")
    assert "<h2>Warning quality</h2>" in text
    assert "quality · brier score" in text and "quality · lead time s · median" in text
    assert "calibration · bins" in text
    for key in ("class_assessed", "max_level", "decision_time_s", "first_report_s"):
        assert key not in text  # human labels only


def test_report_renders_in_chromium_and_fits_the_page(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _page(tmp_path, _summary())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path.as_uri())
    assert page.errors == [] and page.external_requests == []
    assert "L1 reached ATTACK CONFIRMED" in page.locator(".headline").inner_text()
    # nothing wider than the window: the document does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # both pictures decoded and drawn
    widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert widths == [1600, 1600]
    # the alerts table labels its time column with its origin
    assert "after epoch (s)" in page.locator("table").nth(1).inner_text()
