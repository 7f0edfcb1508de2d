"""Replay: the center alone over a saved report stream, with its context checked.

The stream is read through the report contract (Parquet written by ``earlywarn run``, or
JSON lines), record by record: a corrupt record is rejected, named and counted
(:attr:`Replay.rejected`, written as ``rejected_reports.jsonl``) and the rest replayed;
records of report schema version 1 are read as mode ``"live"`` (:attr:`Replay.notes`).
The context the center needs besides the reports — the epoch, the defended areas and
the declared launches — comes from the scenario; the records carry their own epoch
(``time_utc`` with ``t_s``), so a given ``--epoch`` or scenario that contradicts it is
refused rather than silently used. Without a scenario the replay still runs, and says
what is missing (:attr:`Replay.missing`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from earlywarn.center import CenterConfig
from earlywarn.earth.time import parse_utc
from earlywarn.io.reports import ReportRead, read_reports
from earlywarn.io.scenario import MAX_DURATION_S, Scenario
from earlywarn.reports import KINDS, MODES, SCHEMA_V1, Rejection, ReportBatch, ReportError
from earlywarn.run import build

__all__ = ["MAX_STEP_S", "MIN_STEP_S", "Replay", "ReplayError", "prepare_replay"]

MIN_STEP_S = 0.1
"""The finest center step: reports carry their own times, finer steps only add cost."""
MAX_STEP_S = 600.0
"""The coarsest: beyond ten minutes a step spans a whole short-range flight."""


class ReplayError(ValueError):
    """A replay that cannot run as asked; the message says why."""


@dataclass(frozen=True)
class Replay:
    """What the center is run on: the reports, its configuration, and what it lacks."""

    batch: ReportBatch
    config: CenterConfig
    missing: tuple[str, ...]
    rejected: tuple[Rejection, ...] = ()
    """Records of the stream rejected on reading (line or row, field, value, why)."""
    notes: tuple[str, ...] = ()
    """What the reader assumed (e.g. version-1 records read as mode live)."""


def check_step(step_s: float) -> None:
    if not (math.isfinite(step_s) and MIN_STEP_S <= step_s <= MAX_STEP_S):
        raise ReplayError(
            f"--step: got {step_s!r}; allowed {MIN_STEP_S:g} to {MAX_STEP_S:g} s (reports "
            "carry their own times: a finer step adds only cost)"
        )


def _read(path: Path, epoch: str | None) -> ReportRead:
    try:
        return read_reports(path, epoch)
    except ReportError as exc:
        raise ReplayError(f"{path}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise ReplayError(str(exc)) from None


def _check_span(batch: ReportBatch, path: Path) -> None:
    times = np.concatenate([batch.columns(k)["t_s"] for k in KINDS])
    times = times[np.isfinite(times)]
    if times.size and float(times.max() - times.min()) > MAX_DURATION_S:
        raise ReplayError(
            f"{path}: the reports span {times.min():.6g} s to {times.max():.6g} s after the "
            f"epoch; at most {MAX_DURATION_S / 86400:g} days (the scenario limit) can be "
            "replayed: a report time is wrong, or split the stream"
        )


def prepare_replay(
    path: Path,
    scenario: Scenario | None,
    epoch: str | None,
    step_s: float,
    mode: str | None = None,
) -> Replay:
    """Read and check a report stream and the center's context; raise :class:`ReplayError`.

    ``mode``: the replaying center's mode (None: the scenario's ``center.mode``, else
    ``"live"``); it uses only reports of that mode and counts the others."""
    check_step(step_s)
    if mode is not None and mode not in MODES:
        raise ReplayError(f"--mode: got {mode!r}; allowed {', '.join(MODES)}")
    given = [(name, text) for name, text in (("--epoch", epoch),) if text is not None]
    if scenario is not None:
        given.append((f"the scenario's epoch ({scenario.name})", scenario.epoch))
    for name, text in given:
        try:
            parse_utc(text)
        except ValueError as exc:
            raise ReplayError(f"{name}: {exc}") from None
    if len(given) == 2 and parse_utc(given[0][1]) != parse_utc(given[1][1]):
        raise ReplayError(f"--epoch {epoch} contradicts the scenario's epoch {scenario.epoch}")  # type: ignore[union-attr]
    read = _read(path, given[0][1] if given else None)
    batch = read.batch
    notes: tuple[str, ...] = ()
    if read.upgraded:
        notes = (
            f"{read.upgraded} records of report schema {SCHEMA_V1} (before report modes) "
            "read as mode 'live'",
        )
    for name, text in given:
        if parse_utc(text) != batch.epoch:
            raise ReplayError(
                f"{name} {text} contradicts the reports' own epoch {batch.epoch_utc} "
                "(their time_utc less t_s); leave it out or give the right one"
            )
    _check_span(batch, path)
    if scenario is not None:
        config = build.center_config(scenario)
        if mode is not None:
            config = dataclasses.replace(config, mode=mode)
        return Replay(batch, config, (), read.rejected, notes)
    missing = (
        "no defended areas: no event can reach THREAT (every impact is outside them)",
        "no declared launches: no event is matched to a notification",
    )
    config = CenterConfig(epoch=batch.epoch_utc, mode=mode or "live")  # type: ignore[arg-type]
    return Replay(batch, config, missing, read.rejected, notes)
