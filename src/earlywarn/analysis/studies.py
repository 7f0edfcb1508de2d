"""The Monte Carlo study table and its summary.

One row per run and launch (:data:`ROW_SCHEMA`; a run of a scenario without launches
gives one row with a null ``launch_id``): the sampled parameters, the per-launch
evaluation (:mod:`earlywarn.analysis.evaluate`) and the run's false alerts per level. A
launch is *detected* when the center reached LAUNCH for it, *confirmed* when it reached
ATTACK_CONFIRMED. :func:`summarize` reduces the table: detection and confirmation
probabilities with Wilson score intervals, latency and impact-error percentiles (p50, p95),
false alerts per simulated day by level with a one-sided 95 % upper bound per total
simulated days (:mod:`earlywarn.analysis.statistics`).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from earlywarn.analysis.statistics import (
    percentiles,
    poisson_upper_95,
    proportion,
    wilson_interval,
)

__all__ = ["LEVELS", "ROW_SCHEMA", "summarize"]

LEVELS = ("POSSIBLE_LAUNCH", "LAUNCH", "THREAT", "ATTACK_CONFIRMED")

_F = pa.float64()
ROW_SCHEMA = pa.schema(
    [
        ("study", pa.string()),
        ("root_seed", pa.int64()),
        ("run", pa.int64()),
        ("run_seed", pa.int64()),
        ("status", pa.string()),
        ("duration_s", _F),
        ("outages", pa.string()),
        ("clutter_multiplier", _F),
        ("launch_id", pa.string()),
        ("vehicle", pa.string()),
        ("t_launch_s", _F),
        ("site_lat_deg", _F),
        ("site_lon_deg", _F),
        ("class_true", pa.string()),
        ("flight_status", pa.string()),
        ("class_assessed", pa.string()),
        ("detected", pa.bool_()),
        ("confirmed", pa.bool_()),
        ("max_level", pa.string()),
        ("first_report_s", _F),
        ("possible_launch_s", _F),
        ("launch_s", _F),
        ("threat_s", _F),
        ("confirmed_s", _F),
        ("launch_point_error_km", _F),
        ("azimuth_error_deg", _F),
        ("impact_error_km_at_confirmed", _F),
        ("impact_time_error_s", _F),
        ("decision_time_s", _F),
        ("threatening", pa.bool_()),
        ("missed_threat", pa.bool_()),
        ("late_threat", pa.bool_()),
        ("wrongly_dismissed", pa.bool_()),
        ("dismissed_s", _F),
        ("wrongly_raised", pa.bool_()),
        ("radar_of_other_launch", pa.bool_()),
        ("ellipse_n", pa.int64()),
        ("ellipse_in", pa.int64()),
        ("launch95_n", pa.int64()),
        ("launch95_in", pa.int64()),
        ("impact_time_z_n", pa.int64()),
        ("impact_time_z_sum", _F),
        ("impact_time_z_sumsq", _F),
    ]
    + [(f"false_alerts_{lv}", pa.int64()) for lv in LEVELS]
    + [(f"false_events_{lv}", pa.int64()) for lv in LEVELS]
)
"""Columns of the study table (one row per run and launch)."""


def summarize(table: pa.Table) -> dict[str, Any]:
    """The study's summary, computed from its table alone (see the module docstring)."""
    d = table.to_pydict()
    n_rows = table.num_rows
    runs: dict[int, int] = {}
    for i in range(n_rows):
        runs.setdefault(int(d["run"][i]), i)
    failed = [i for i in runs.values() if d["status"][i] != "ok"]
    ok_runs = [i for i in runs.values() if d["status"][i] == "ok"]  # one row per good run
    days = sum(float(d["duration_s"][i]) for i in ok_runs) / 86_400.0
    launch_rows = [
        i for i in range(n_rows) if d["launch_id"][i] is not None and d["status"][i] == "ok"
    ]
    det = [d["detected"][i] for i in launch_rows]
    conf = [d["confirmed"][i] for i in launch_rows]
    fa = {
        lv: _per_day(sum(int(d[f"false_alerts_{lv}"][i]) for i in ok_runs), days) for lv in LEVELS
    }
    fe = {
        lv: _per_day(sum(int(d[f"false_events_{lv}"][i] or 0) for i in ok_runs), days)
        for lv in LEVELS
    }
    root = sorted({int(x) for x in d["root_seed"]}) if n_rows else []
    return {
        "study": d["study"][0] if n_rows else None,
        "root_seed": root[0] if len(root) == 1 else root,
        "n_runs": len(runs),
        "n_failed_runs": len(failed),
        "n_launch_rows": len(launch_rows),
        "simulated_days": days,
        "detection": proportion(det),
        "confirmation": proportion(conf),
        "latency_s": {
            "first_report": percentiles(d["first_report_s"][i] for i in launch_rows),
            "launch": percentiles(d["launch_s"][i] for i in launch_rows),
            "confirmed": percentiles(d["confirmed_s"][i] for i in launch_rows),
        },
        "impact_error_km_at_confirmed": percentiles(
            d["impact_error_km_at_confirmed"][i] for i in launch_rows
        ),
        "decision_time_s": percentiles(d["decision_time_s"][i] for i in launch_rows),
        "false_alerts": fa,
        "false_events": fe,
        "warning_quality": _warning_quality(d, launch_rows),
        "calibration": _calibration(d, launch_rows),
    }


def _per_day(k: int, days: float) -> dict[str, Any]:
    return {
        "count": k,
        "per_day": (k / days) if days > 0 else None,
        "upper95_per_day": (poisson_upper_95(k) / days) if days > 0 else None,
    }


def _warning_quality(d: dict[str, list[Any]], rows: list[int]) -> dict[str, Any]:
    """Surprises over threatening launches, false raises over the others (definitions in
    :mod:`earlywarn.analysis.quality`), each with its Wilson 95 % interval."""
    threat = [i for i in rows if d["threatening"][i]]
    other = [i for i in rows if d["threatening"][i] is False]
    return {
        "threatening_launches": len(threat),
        "missed_threat": proportion([d["missed_threat"][i] for i in threat]),
        "late_threat": proportion([d["late_threat"][i] for i in threat]),
        "wrongly_dismissed": proportion([d["wrongly_dismissed"][i] for i in threat]),
        "dismissed_s": percentiles(d["dismissed_s"][i] for i in threat),
        "wrongly_raised": proportion([d["wrongly_raised"][i] for i in other]),
        "radar_of_other_launch": proportion([d["radar_of_other_launch"][i] for i in rows]),
    }


def _calibration(d: dict[str, list[Any]], rows: list[int]) -> dict[str, Any]:
    """Pooled over every alert of every launch row: ellipse and launch-circle containment
    (Wilson 95 %) and the impact-time error in sigmas (mean = bias, RMS ≈ 1 if honest)."""

    def tot(key: str) -> int:
        return sum(int(d[key][i] or 0) for i in rows)

    def frac(k: int, n: int) -> dict[str, Any]:
        lo, hi = wilson_interval(k, n)
        return {"k": k, "n": n, "p": (k / n) if n else None, "ci95": [lo, hi]}

    zn = tot("impact_time_z_n")
    zs = sum(float(d["impact_time_z_sum"][i] or 0.0) for i in rows)
    zq = sum(float(d["impact_time_z_sumsq"][i] or 0.0) for i in rows)
    return {
        "impact_ellipse_95": frac(tot("ellipse_in"), tot("ellipse_n")),
        "launch_point_95": frac(tot("launch95_in"), tot("launch95_n")),
        "impact_time_z": {
            "n": zn,
            "mean": zs / zn if zn else None,
            "rms": (zq / zn) ** 0.5 if zn else None,
        },
    }
