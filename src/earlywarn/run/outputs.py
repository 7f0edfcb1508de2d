"""The files a run leaves behind: ``write_outputs`` puts every one of them in a directory.

The formats live in :mod:`earlywarn.io`; this module only decides what goes where.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from earlywarn.io.reports import REJECTIONS_FILE, write_rejections, write_reports_parquet
from earlywarn.io.tables import tracks_table, truth_table
from earlywarn.run.pipeline import RunResult
from earlywarn.run.sceneview import scene_from_run


def write_outputs(result: RunResult, out_dir: str | Path, pictures: bool = True) -> list[Path]:
    """Write every output file of a run into ``out_dir``; return their paths."""
    from earlywarn.io import czml, geojson, globe, html, plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    summary = result.summary()
    p = out / "summary.json"
    p.write_text(json.dumps(summary, indent=2) + "\n")
    written.append(p)
    p = out / "alerts.jsonl"
    p.write_text(result.center.alerts_jsonl())
    written.append(p)
    written.append(write_reports_parquet(result.reports, out / "reports.parquet"))
    written.append(write_rejections(result.center.rejected, out / REJECTIONS_FILE))
    result.report_truth.write_parquet(out)
    written.append(out / "truth_labels.parquet")
    pq.write_table(tracks_table(result.center), out / "tracks.parquet")
    written.append(out / "tracks.parquet")
    pq.write_table(truth_table(result.truth), out / "truth.parquet")
    written.append(out / "truth.parquet")
    scene = scene_from_run(result)
    written.append(czml.write_czml(scene, out / "scene.czml"))
    written.append(geojson.write_geojson(scene, out / "map.geojson"))
    if pictures:
        written.append(plots.plot_timeline(scene, out / "timeline.png"))
        written.append(plots.plot_map(scene, out / "map.png"))
        written.append(globe.write_globe(scene, out / "globe.html"))
    written.append(html.write_report(scene, summary, out))
    return written
