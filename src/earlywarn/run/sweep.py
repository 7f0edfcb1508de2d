"""Parameter sweeps for architecture comparison: one study per point of a grid of scenario
values, one summary row per point.

An axis is a scenario field given as a dotted path and a list of values, e.g.
``sensors.radars.rad-n.max_range`` with ``["3000 km", "4000 km"]``. A list element is named
by its index or by its ``id``/``name``. Values are YAML scalars (``4000 km``, ``0.5``,
``true``) and are validated like the scenario file itself, so a wrong path or value is
refused with the field and what is allowed before anything runs. Several axes make a grid
(every combination). Every point runs with the study's root seed, so the points share
their random draws (common random numbers) and differ by the swept values alone.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from earlywarn.io.scenario import Scenario, ScenarioError, parse_scenario
from earlywarn.io.study import Study, StudyError, check_study

__all__ = ["Axis", "SweepPoint", "parse_axis", "set_path", "sweep_points", "sweep_row"]

MAX_POINTS = 1000
"""The most points a sweep may have (a grid grows as the product of its axes)."""


@dataclass(frozen=True)
class Axis:
    """One swept scenario field and its values."""

    path: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class SweepPoint:
    """One point of the grid: its index, its values by path, and the scenario there."""

    index: int
    values: Mapping[str, Any]
    scenario: Scenario


def parse_axis(text: str) -> Axis:
    """``PATH=V1,V2,...`` → :class:`Axis` (values as YAML scalars)."""
    path, sep, vals = text.partition("=")
    path = path.strip()
    if not sep or not path or not vals.strip():
        raise ValueError(
            f"--sweep: expected PATH=V1,V2,... (e.g. sensors.radars.0.max_range=3000 km,4000 km);"
            f" got {text!r}"
        )
    values = []
    for v in vals.split(","):
        v = v.strip()
        if not v:
            raise ValueError(f"--sweep {path}: an empty value in {vals!r}")
        try:
            values.append(yaml.safe_load(v))
        except yaml.YAMLError:
            values.append(v)
    if len(set(map(repr, values))) != len(values):
        raise ValueError(f"--sweep {path}: a value appears twice in {vals!r}")
    return Axis(path, tuple(values))


def set_path(doc: Any, path: str, value: Any) -> None:
    """Set ``doc[path]`` in a YAML document in place; the path must exist up to its last
    part (a mapping may gain that key)."""
    parts = path.split(".")
    node = doc
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            idx = _list_index(node, part, where)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            elif part not in node:
                known = ", ".join(sorted(map(str, node))) or "none"
                raise ValueError(f"--sweep {path}: no field {where!r}; there: {known}")
            else:
                node = node[part]
        else:
            raise ValueError(
                f"--sweep {path}: {'.'.join(parts[:depth])!r} is a value, not a section"
            )


def _list_index(items: list[Any], part: str, where: str) -> int:
    if part.lstrip("-").isdigit():
        i = int(part)
        if not 0 <= i < len(items):
            raise ValueError(f"--sweep: {where}: index {i} outside 0..{len(items) - 1}")
        return i
    names = [it.get("id", it.get("name")) if isinstance(it, dict) else None for it in items]
    if part in names:
        return names.index(part)
    known = ", ".join(str(n) for n in names if n is not None) or "none"
    raise ValueError(f"--sweep: {where}: no element with id or name {part!r}; there: {known}")


def sweep_points(
    scenario_text: str,
    source: str,
    axes: Sequence[Axis],
    study: Study,
    base_dir: str | Path | None = None,
) -> list[SweepPoint]:
    """Every point of the grid of ``axes``, each scenario validated (and checked against
    the study's perturbations) before anything runs; ``base_dir`` is the scenario file's
    folder (for its relative paths)."""
    n = 1
    for ax in axes:
        n *= len(ax.values)
    if n > MAX_POINTS:
        raise ValueError(f"--sweep: the grid has {n} points; at most {MAX_POINTS} are allowed")
    base = yaml.safe_load(scenario_text)
    points = []
    for i, combo in enumerate(itertools.product(*(ax.values for ax in axes))):
        doc = json.loads(json.dumps(base, default=str))  # a deep copy of plain data
        values = {}
        for ax, v in zip(axes, combo, strict=True):
            set_path(doc, ax.path, v)
            values[ax.path] = v
        label = ", ".join(f"{k}={v}" for k, v in values.items())
        try:
            sc = parse_scenario(
                yaml.safe_dump(doc, sort_keys=False), f"{source} [{label}]", base_dir
            )
            check_study(study, sc, f"{source} [{label}]")
        except (ScenarioError, StudyError) as exc:
            raise ValueError(str(exc)) from None
        points.append(SweepPoint(i, values, sc))
    return points


def sweep_row(point: SweepPoint, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The point's one summary row: its values, detection and confirmation with 95 %
    intervals, median decision time, false alerts per day."""

    def prop(d: Mapping[str, Any], key: str) -> dict[str, Any]:
        ci = d.get("ci95") or [None, None]
        return {key: d.get("p"), f"{key}_ci95_low": ci[0], f"{key}_ci95_high": ci[1]}

    row: dict[str, Any] = {"point": point.index}
    row.update({k: (v if isinstance(v, int | float | bool) else str(v))
                for k, v in point.values.items()})  # fmt: skip
    row["n_runs"] = summary.get("n_runs")
    row.update(prop(summary.get("detection") or {}, "detection"))
    row.update(prop(summary.get("confirmation") or {}, "confirmation"))
    dec = summary.get("decision_time_s") or {}
    row["decision_time_s_median"] = dec.get("p50")
    for lv, f in (summary.get("false_alerts") or {}).items():
        row[f"false_{lv}_per_day"] = f.get("per_day")
    return row
