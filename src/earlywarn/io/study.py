"""The Monte Carlo study file and the files a study writes.

A *study* (YAML, validated by pydantic like a scenario) names a scenario file and declares
how each run perturbs it:

* ``launches``: per launch id, a launch-time window (uniform) and/or a radius around the
  scenario's site (uniform over the disc's area; destination on a sphere of the IUGG mean
  radius);
* ``outages``: per sensor, the probability that it is out for a window of the run;
* ``clutter``: a multiplier range (uniform, or log-uniform) applied to every infrared
  payload's ``clutter_per_frame`` and every radar's ``false_alarms_per_scan``.

Part files. Each finished run's rows go to ``<out>/runs/run-NNNNNN.parquet`` (written to
a temporary name, then renamed: a part file is whole or absent), with the study hash and
root seed in its metadata, so a restarted study can tell which runs are done.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from earlywarn.analysis.studies import ROW_SCHEMA
from earlywarn.io.scenario import (
    Launch,
    Metres,
    Scenario,
    ScenarioError,
    Seconds,
    decode_text,
    describe_errors,
    load_scenario,
    read_yaml,
    scenario_hash,
)

__all__ = [
    "Study",
    "StudyError",
    "check_study",
    "done_runs",
    "load_study",
    "parse_study",
    "part_path",
    "rows_table",
    "study_hash",
    "write_part",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LaunchPerturbation(_Model):
    """How one launch of the scenario varies between runs."""

    id: str = Field(min_length=1)
    time_window: tuple[Seconds, Seconds] | None = Field(
        default=None, description="launch time uniform in [start, end] (scenario time)"
    )
    site_radius: Metres | None = Field(
        default=None, gt=0.0, description="site uniform over a disc of this radius"
    )

    @model_validator(mode="after")
    def _window(self) -> LaunchPerturbation:
        if self.time_window is not None and not self.time_window[0] <= self.time_window[1]:
            raise ValueError(f"time_window: start must not be after end; got {self.time_window}")
        return self


class OutagePerturbation(_Model):
    """A sensor out, with a probability, over ``[start, end]`` (default: the whole run)."""

    sensor: str = Field(min_length=1)
    probability: float = Field(ge=0.0, le=1.0)
    start: Seconds = 0.0
    end: Seconds | None = None


class ClutterPerturbation(_Model):
    """Multiplier of IR clutter and radar false-alarm rates, uniform (or log-uniform)."""

    multiplier: tuple[float, float] = Field(description="[low, high], both > 0")
    log_uniform: bool = False

    @model_validator(mode="after")
    def _range(self) -> ClutterPerturbation:
        lo, hi = self.multiplier
        if not (lo > 0 and hi >= lo):
            raise ValueError(f"multiplier: expected 0 < low <= high; got {self.multiplier}")
        return self


class Study(_Model):
    """A Monte Carlo study file."""

    name: str = "study"
    description: str = ""
    scenario: str = Field(min_length=1, description="scenario file, relative to the study")
    runs: int = Field(gt=0, le=10_000_000)
    seed: int = Field(ge=0)
    launches: tuple[LaunchPerturbation, ...] = ()
    outages: tuple[OutagePerturbation, ...] = ()
    clutter: ClutterPerturbation | None = None


class StudyError(ValueError):
    """A study file that cannot be used; the message says where and why."""


def check_study(study: Study, scenario: Scenario, source: str = "<study>") -> None:
    """Cross-check the study against its scenario (ids that must exist)."""
    lids = {ln.id for ln in scenario.launches if isinstance(ln, Launch)}
    sids = {s.id for s in scenario.sensors.satellites} | {r.id for r in scenario.sensors.radars}
    for i, lp in enumerate(study.launches):
        if lp.id not in lids:
            raise StudyError(
                f"{source}: launches.{i}.id: unknown launch {lp.id!r}; the scenario has "
                f"{', '.join(sorted(lids)) or 'none'}"
            )
    for i, op in enumerate(study.outages):
        if op.sensor not in sids:
            raise StudyError(
                f"{source}: outages.{i}.sensor: unknown sensor {op.sensor!r}; the scenario has "
                f"{', '.join(sorted(sids)) or 'none'}"
            )


def parse_study(text: str, source: str = "<study>") -> Study:
    """Validate study YAML text (the scenario is not loaded here)."""
    try:
        data, root = read_yaml(text, source, "a study")
    except ScenarioError as exc:
        raise StudyError(str(exc)) from None
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        raise StudyError(describe_errors(exc, root, source)) from None


def load_study(path: str | Path) -> tuple[Study, Scenario]:
    """Read a study file and the scenario it names (relative to the study file)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        text = decode_text(raw, str(p), "a study")
    except OSError as exc:
        raise StudyError(f"{p}: cannot read the study file: {exc.strerror}") from None
    except ScenarioError as exc:
        raise StudyError(str(exc)) from None
    study = parse_study(text, str(p))
    scen_path = Path(study.scenario)
    if not scen_path.is_absolute():
        scen_path = p.parent / scen_path
    scenario = load_scenario(scen_path)
    check_study(study, scenario, str(p))
    return study, scenario


def study_hash(study: Study, scenario: Scenario) -> str:
    """SHA-256 (16 hex digits) of the study and its scenario: identifies a study's outputs."""
    blob = json.dumps(
        {"study": study.model_dump(mode="json"), "scenario": scenario_hash(scenario)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# -------------------------------------------------------------------------- part files


def rows_table(rows: Sequence[dict[str, Any]], meta: dict[str, str] | None = None) -> pa.Table:
    """The rows as a table of :data:`~earlywarn.analysis.studies.ROW_SCHEMA`."""
    cols = {f.name: [r.get(f.name) for r in rows] for f in ROW_SCHEMA}
    t = pa.table(cols, schema=ROW_SCHEMA)
    if meta:
        t = t.replace_schema_metadata({k.encode(): v.encode() for k, v in meta.items()})
    return t


def part_path(out: Path, run: int) -> Path:
    """Where one run's rows are written: ``<out>/runs/run-NNNNNN.parquet``."""
    return out / "runs" / f"run-{run:06d}.parquet"


def write_part(
    out: Path, run: int, rows: list[dict[str, Any]], *, study_hash: str, root_seed: int
) -> None:
    """One run's rows, written to a temporary name, then renamed: whole or absent."""
    meta = {
        "earlywarn.study_hash": study_hash,
        "earlywarn.root_seed": str(root_seed),
    }
    p = part_path(out, run)
    tmp = p.with_suffix(f".tmp{os.getpid()}")
    pq.write_table(rows_table(rows, meta), tmp)
    os.replace(tmp, p)


def done_runs(out: Path, h: str, n_runs: int) -> set[int]:
    """The runs (below ``n_runs``) whose part files exist; refuses another study's files."""
    done: set[int] = set()
    for p in sorted((out / "runs").glob("run-*.parquet")):
        try:
            run = int(p.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        try:
            meta = pq.read_schema(p).metadata or {}
        except (pa.ArrowException, OSError) as exc:
            raise StudyError(
                f"{p}: not a readable part file ({type(exc).__name__}: "
                f"{' '.join(str(exc).split())[:120]}); remove it and the run is done again on "
                "resume"
            ) from None
        if meta.get(b"earlywarn.study_hash", b"").decode() != h:
            raise StudyError(
                f"{p}: belongs to a different study or seed (study hash "
                f"{meta.get(b'earlywarn.study_hash', b'?').decode()}, this one {h}); use "
                "another output directory or remove it"
            )
        if run < n_runs:
            done.add(run)
    return done
