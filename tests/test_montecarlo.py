"""Monte Carlo studies: intervals, the summary against its table, engines, resume."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.stats import binom

from earlywarn.analysis.statistics import (
    clopper_pearson_interval,
    poisson_upper_95,
    wilson_interval,
)
from earlywarn.analysis.studies import summarize
from earlywarn.io.study import StudyError, load_study
from earlywarn.run.sampling import make_tasks
from earlywarn.run.study import run_study

SCENARIO = """\
name: mc-test
epoch: "2026-03-20T12:00:00Z"
duration: "8 min"
seed: 3
launches:
  - id: L1
    vehicle: srbm
    site: {lat_deg: 40.0, lon_deg: 60.0}
    aim: {lat_deg: 41.5, lon_deg: 62.0}
    time: "30 s"
glint: {enabled: false}
sensors:
  satellites:
    - id: geo-w
      orbit: {preset: geo, lon_deg: 30.0}
      payload: {mode: scanning, revisit: "2 s"}
    - id: geo-e
      orbit: {preset: geo, lon_deg: 95.0}
      payload: {mode: scanning, revisit: "2 s"}
  radars:
    - id: rad
      site: {lat_deg: 43.0, lon_deg: 64.0}
      faces: [{id: s, boresight_az_deg: 200, half_width_deg: 60}]
      detection_range: "3000 km"
defended_areas:
  - name: target
    circle: {lat_deg: 41.5, lon_deg: 62.0, radius: "100 km"}
"""

STUDY = """\
name: t
scenario: scen.yaml
runs: {runs}
seed: 42
launches:
  - {{id: L1, time_window: ["10 s", "60 s"], site_radius: "30 km"}}
outages:
  - {{sensor: geo-w, probability: 0.5}}
clutter: {{multiplier: [0.5, 1.5]}}
"""


def _write(tmp: Path, runs: int) -> Path:
    (tmp / "scen.yaml").write_text(SCENARIO)
    p = tmp / "study.yaml"
    p.write_text(STUDY.format(runs=runs))
    return p


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("study"), 4)


@pytest.fixture(scope="module")
def inprocess(study_dir: Path):
    st, sc = load_study(study_dir)
    return run_study(st, sc, study_dir.parent / "out0", workers=0)


# ---------------------------------------------------------------------- statistics


def test_wilson_published_value_and_exact_coverage() -> None:
    """k = 0 of n = 10 gives [0, 0.2775] (Brown, Cai & DasGupta 2001, Table/eq. 4).
    Exact coverage Σ_k Binom(k; n, p)·1[p ∈ CI(k)] over p in [0.02, 0.98]: its mean is
    within 0.94–0.96 and its minimum above 0.92 for n = 20, 50, 100 (the known
    behaviour of the Wilson interval; the Wald interval fails this badly)."""
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=5e-5)
    assert wilson_interval(5, 10)[0] == pytest.approx(1 - wilson_interval(5, 10)[1])
    for n in (20, 50, 100):
        ks = np.arange(n + 1)
        ci = np.array([wilson_interval(int(k), n) for k in ks])
        cover = []
        for p in np.linspace(0.02, 0.98, 49):
            inside = (ci[:, 0] <= p) & (p <= ci[:, 1])
            cover.append(float(binom.pmf(ks, n, p)[inside].sum()))
        assert 0.94 <= np.mean(cover) <= 0.96
        assert min(cover) > 0.92


def test_clopper_pearson_and_poisson_bounds() -> None:
    lo, hi = clopper_pearson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 10))  # closed form at k = 0
    assert poisson_upper_95(0) == 3.0  # the rule of three
    assert poisson_upper_95(1) == pytest.approx(4.744, abs=1e-3)  # χ²(0.95, 4)/2
    with pytest.raises(ValueError):
        wilson_interval(5, 3)


# ----------------------------------------------------------------------- the study


def test_seeds_are_spawned_from_the_root(study_dir: Path) -> None:
    st, sc = load_study(study_dir)
    tasks = make_tasks(st, sc)
    root = np.random.SeedSequence(42)
    for t, child in zip(tasks, root.spawn(4), strict=True):
        assert t.root_seed == 42
        assert t.run_seed == int(child.spawn(2)[1].generate_state(1)[0])
        (ln,) = t.scenario.launches
        assert 10.0 <= ln.time <= 60.0
        dlat = ln.site.lat_deg - 40.0
        dlon = (ln.site.lon_deg - 60.0) * math.cos(math.radians(40.0))
        dist = 6371.0 * math.radians(math.hypot(dlat, dlon))
        assert dist < 31.0
    assert len({t.run_seed for t in tasks}) == 4


def test_summary_matches_its_table(inprocess) -> None:
    res = inprocess
    rows = res.table.to_pylist()
    assert len(rows) == 4 and [r["run"] for r in rows] == [0, 1, 2, 3]
    assert all(r["root_seed"] == 42 for r in rows)
    s = res.summary
    det = [r["detected"] for r in rows]
    assert s["detection"]["k"] == sum(det) and s["detection"]["n"] == 4
    assert s["detection"]["ci95"] == list(wilson_interval(sum(det), 4))
    conf = [r["confirmed"] for r in rows]
    assert s["confirmation"]["k"] == sum(conf)
    # a launch is detected exactly when the center reached LAUNCH for it
    assert det == [r["launch_s"] is not None for r in rows]
    assert conf == [r["confirmed_s"] is not None for r in rows]
    lat = sorted(r["launch_s"] for r in rows if r["launch_s"] is not None)
    assert lat, "the study's launches should be detected (else the latency goes unchecked)"
    assert s["latency_s"]["launch"]["n"] == len(lat)
    assert s["latency_s"]["launch"]["p50"] == pytest.approx(float(np.median(lat)))
    assert s["latency_s"]["launch"]["p95"] == pytest.approx(float(np.percentile(lat, 95)))
    days = 4 * 480.0 / 86_400.0
    assert s["simulated_days"] == pytest.approx(days)
    for lv in ("POSSIBLE_LAUNCH", "LAUNCH", "THREAT", "ATTACK_CONFIRMED"):
        k = sum(r[f"false_alerts_{lv}"] for r in rows)
        assert s["false_alerts"][lv]["count"] == k
        assert s["false_alerts"][lv]["per_day"] == pytest.approx(k / days)
        bound = 3.0 if k == 0 else poisson_upper_95(k)
        assert s["false_alerts"][lv]["upper95_per_day"] == pytest.approx(bound / days)
        assert s["false_events"][lv]["count"] == sum(r[f"false_events_{lv}"] for r in rows)
    # warning quality: rates over the threatening launches, calibration pooled over alerts
    threat = [r for r in rows if r["threatening"]]
    wq = s["warning_quality"]
    assert wq["threatening_launches"] == len(threat)
    assert wq["wrongly_dismissed"]["k"] == sum(bool(r["wrongly_dismissed"]) for r in threat)
    assert wq["wrongly_dismissed"]["n"] == len(threat)
    cal = s["calibration"]["impact_ellipse_95"]
    assert cal["n"] == sum(r["ellipse_n"] for r in rows) and cal["n"] > 0
    assert cal["k"] == sum(r["ellipse_in"] for r in rows)
    # written files hold the same
    out = res.paths[0].parent
    assert pq.read_table(out / "runs.parquet").equals(res.table)
    assert summarize(pq.read_table(out / "runs.parquet"))["detection"] == s["detection"]


def test_local_pool_gives_the_same_table(study_dir: Path, inprocess) -> None:
    st, sc = load_study(study_dir)
    res = run_study(st, sc, study_dir.parent / "out_pool", workers=2)
    assert res.table.equals(inprocess.table)


def test_dask_local_cluster_gives_the_same_table(study_dir: Path, inprocess) -> None:
    pytest.importorskip("distributed")
    st, sc = load_study(study_dir)
    res = run_study(st, sc, study_dir.parent / "out_dask", engine="dask", workers=2)
    assert res.table.equals(inprocess.table)


def test_interrupted_study_resumes(study_dir: Path, inprocess) -> None:
    st, sc = load_study(study_dir)
    out = study_dir.parent / "out_resume"
    first = run_study(st, sc, out, workers=0, max_new_runs=2)
    assert first.n_new == 2 and not first.summary["complete"]
    assert not (out / "runs.parquet").exists()
    seen: list[tuple[int, int]] = []
    second = run_study(st, sc, out, workers=0, progress=lambda d, n: seen.append((d, n)))
    assert second.n_resumed == 2 and second.n_new == 2
    assert seen[0] == (2, 4) and seen[-1] == (4, 4)
    assert second.table.equals(inprocess.table)
    # a different study may not write into that directory
    other = st.model_copy(update={"seed": 7})
    with pytest.raises(StudyError, match="different study"):
        run_study(other, sc, out, workers=0)


def test_bad_study_files(tmp_path: Path) -> None:
    p = _write(tmp_path, 2)
    p.write_text(p.read_text().replace("id: L1", "id: L9"))
    with pytest.raises(StudyError, match="unknown launch 'L9'"):
        load_study(p)
    p.write_text(STUDY.format(runs=0))
    with pytest.raises(StudyError, match="runs"):
        load_study(p)


def test_runs_are_drawn_one_at_a_time_and_a_huge_study_starts_at_once(
    study_dir: Path, tmp_path: Path
) -> None:
    from earlywarn.run.sampling import iter_tasks, make_task

    st, sc = load_study(study_dir)
    tasks = make_tasks(st, sc)
    assert [make_task(st, sc, i) for i in range(4)] == tasks
    assert [t.run for t in iter_tasks(st, sc, skip={1, 2})] == [0, 3]
    # ten million runs: the first is drawn without drawing (or holding) the others
    huge = st.model_copy(update={"runs": 10_000_000})
    first = next(iter_tasks(huge, sc))
    assert first.run == 0 and first.run_seed == tasks[0].run_seed
    res = run_study(huge, sc, tmp_path / "huge", workers=0, max_new_runs=1)
    assert res.n_new == 1 and not res.summary["complete"]
    assert sorted(p.name for p in (tmp_path / "huge" / "runs").iterdir()) == ["run-000000.parquet"]


def test_bad_engine_settings_and_corrupt_part_files(study_dir: Path, tmp_path: Path) -> None:
    st, sc = load_study(study_dir)
    with pytest.raises(StudyError, match="--workers: got -3"):
        run_study(st, sc, tmp_path / "a", workers=-3)
    with pytest.raises(StudyError, match="--scheduler: got 'localhost'; expected"):
        run_study(st, sc, tmp_path / "a", engine="dask", scheduler="localhost")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StudyError, match="is a file, not a folder"):
        run_study(st, sc, tmp_path / "file", workers=0)
    out = tmp_path / "b"
    run_study(st, sc, out, workers=0, max_new_runs=1)
    (out / "runs" / "run-000001.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(StudyError, match=r"run-000001.parquet: not a readable part file.*remove"):
        run_study(st, sc, out, workers=0)


@pytest.mark.reliability
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_stopped_study_keeps_its_runs_and_leaves_no_workers(tmp_path: Path, signame: str) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM to the
    command: it stops within seconds, keeps the part files written, says how to resume,
    and no worker process outlives it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    p = _write(tmp_path, 60)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "earlywarn", "study", str(p), "--out", str(out),
         "--workers", "2", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / "runs").glob("run-*.parquet")):
        time.sleep(0.2)
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the pool's workers should be running"
    sig = getattr(signal, signame)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "run the same command again to resume" in err and "Traceback" not in err
    kept = list((out / "runs").glob("run-*.parquet"))
    assert kept
    time.sleep(2.0)
    assert not [c for c in children if Path(f"/proc/{c}").exists()]
    done = subprocess.run(
        [sys.executable, "-m", "earlywarn", "study", str(p), "--out", str(out), "--workers", "0",
         "--quiet"], capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} resumed" in done.stdout
