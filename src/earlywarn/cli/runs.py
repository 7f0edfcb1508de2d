"""``earlywarn trajectory``, ``run``, ``replay`` and ``demo``: one flight, the whole chain,
the center alone over saved reports, and the built-in example."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from earlywarn.cli.common import (
    FORCE_HELP,
    check_seed,
    fail,
    load_scenario_or_fail,
    parse_latlon,
)


def trajectory(
    vehicle: Annotated[str, typer.Option(help="Vehicle name (catalog or --vehicles file).")],
    from_: Annotated[str, typer.Option("--from", help="Launch site LAT,LON in degrees.")],
    to: Annotated[str | None, typer.Option(help="Aim point LAT,LON in degrees.")] = None,
    apogee_km: Annotated[
        float | None, typer.Option(help="Apogee for a lofted/depressed trajectory, km.")
    ] = None,
    azimuth_deg: Annotated[float | None, typer.Option(help="Unaimed: launch azimuth.")] = None,
    elevation_deg: Annotated[float | None, typer.Option(help="Unaimed: launch elevation.")] = None,
    vehicles: Annotated[
        Path | None,
        typer.Option(help="YAML file with a 'vehicles:' mapping of user-defined vehicles."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing (with --out).")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also write trajectory.json into this directory.")
    ] = None,
) -> None:
    """Fly one trajectory and print its key figures.

    A flight that cannot be flown as asked (an aim point or apogee beyond the vehicle's
    reach) is an error (exit status 2) that says what can be reached. Deterministic: no
    seed."""
    from earlywarn.flight import FlightSolver, LaunchSpec
    from earlywarn.flight.catalog import load_user_vehicles
    from earlywarn.flight.summary import summarize

    lat, lon = parse_latlon(from_, "--from")
    aimed = to is not None
    unaimed = azimuth_deg is not None or elevation_deg is not None
    if aimed == unaimed:
        fail("give either --to LAT,LON (aimed) or --azimuth-deg and --elevation-deg (unaimed)")
    if unaimed and (azimuth_deg is None or elevation_deg is None):
        fail("unaimed mode needs both --azimuth-deg and --elevation-deg")
    if apogee_km is not None and not aimed:
        fail("--apogee-km applies to aimed trajectories (with --to)")
    try:
        solver = FlightSolver(None if vehicles is None else load_user_vehicles(vehicles))
        if to is not None:
            alat, alon = parse_latlon(to, "--to")
            spec = LaunchSpec(
                launch_id="L1",
                vehicle=vehicle,
                lat_deg=lat,
                lon_deg=lon,
                aim_lat_deg=alat,
                aim_lon_deg=alon,
                apogee_km=apogee_km,
            )
        else:
            spec = LaunchSpec(
                launch_id="L1",
                vehicle=vehicle,
                lat_deg=lat,
                lon_deg=lon,
                azimuth_deg=azimuth_deg,
                elevation_deg=elevation_deg,
            )
        problem = solver.problem(spec)
        if problem is not None:
            fail(f"{vehicle} from {from_} to {to}: {problem}")
        result = solver.fly([spec])
    except ValueError as exc:
        fail(str(exc))
    ev = result.events[0]
    if ev.status != "ok":
        fail(f"{vehicle} from {from_} to {to}: {flight_failure(ev, solver.reach(spec))}")
    summary = summarize(result, 0)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "trajectory.json").write_text(json.dumps(summary, indent=2) + "\n")
        except OSError as exc:
            fail(f"--out {out}: cannot write there: {exc.strerror}")
    if quiet:
        return
    if json_out:
        typer.echo(json.dumps(summary, indent=2))
        return
    _print_trajectory(summary)


def flight_failure(ev: Any, reach: Any) -> str:
    """One sentence for a flown launch whose status is not ok: what was flown, what can be."""
    miss = "" if ev.aim_miss_m is None else f", landing {ev.aim_miss_m / 1e3:,.0f} km from the aim"
    out = (
        f"cannot be flown as asked ({ev.status}): the closest flight reaches apogee "
        f"{ev.apogee_altitude_m / 1e3:,.0f} km{miss}"
    )
    km = 1e-3
    if reach.apogee_min_m == reach.apogee_min_m:  # not NaN
        out += (
            f"; flights of {reach.vehicle!r} that land {reach.range_m * km:,.0f} km away reach "
            f"apogees of about {reach.apogee_min_m * km:,.0f}-{reach.apogee_max_m * km:,.0f} km"
        )
    return out + f" (ranges {reach.min_range_m * km:,.0f}-{reach.max_range_m * km:,.0f} km)"


def _print_trajectory(s: dict[str, Any]) -> None:
    b, a, i = s["burnout"], s["apogee"], s["impact"]
    typer.echo(f"vehicle      {s['vehicle']}")
    typer.echo(f"launch       {s['launch']['lat_deg']:.3f}°, {s['launch']['lon_deg']:.3f}°")
    typer.echo(
        f"burnout      T+{b['time_s']:.1f} s at {b['altitude_km']:.1f} km, "
        f"{b['speed_km_s']:.3f} km/s, flight-path angle {b['flight_path_angle_deg']:.2f}°"
    )
    typer.echo(f"apogee       T+{a['time_s']:.1f} s at {a['altitude_km']:.1f} km")
    if i is None:
        typer.echo("impact       none (reaches orbit)")
    else:
        typer.echo(
            f"impact       T+{i['time_s']:.1f} s at {i['lat_deg']:.3f}°, {i['lon_deg']:.3f}°"
        )
    if s["ground_range_km"] is not None:
        typer.echo(f"ground range {s['ground_range_km']:.1f} km")
    if s["flight_time_s"] is not None:
        typer.echo(f"flight time  {s['flight_time_s'] / 60.0:.2f} min")
    if s["aim_miss_km"] is not None:
        typer.echo(f"aim miss     {s['aim_miss_km'] * 1000.0:.1f} m")


def format_timeline(alerts: list[dict[str, Any]]) -> list[str]:
    """One line per alert: time, event, level/disposition, class, launch and impact."""
    lines = []
    for a in alerts:
        what = a["level"] if a["disposition"] == "OPEN" else f"{a['level']}→{a['disposition']}"
        bits = [f"T={a['t_s']:7.0f} s", f"{a['event_id']:<6}", f"{what:<28}"]
        if a.get("vehicle_class"):
            p = a.get("class_probability")
            bits.append(f"{a['vehicle_class']}" + (f" ({p:.0%})" if p is not None else ""))
        if a.get("launch_lat_deg") is not None:
            bits.append(f"from {a['launch_lat_deg']:.2f},{a['launch_lon_deg']:.2f}")
        if a.get("impact_lat_deg") is not None:
            bits.append(f"impact {a['impact_lat_deg']:.2f},{a['impact_lon_deg']:.2f}")
            if a.get("impact_time_s") is not None:
                bits.append(f"at T={a['impact_time_s']:.0f} s")
        if a.get("threatened_areas"):
            bits.append("threatens " + ",".join(a["threatened_areas"]))
        if a.get("decision_time_s") is not None:
            bits.append(f"decision time {a['decision_time_s'] / 60:.1f} min")
        if a["disposition"] != "OPEN" and a.get("reason"):
            bits.append(f"({a['reason']})")
        lines.append("  ".join(bits))
    return lines


def changes_only(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alerts that change an event's level or disposition, without possible launches that
    never rose above POSSIBLE_LAUNCH (they are counted, and kept in alerts.jsonl)."""
    from earlywarn.center.alerts import Level

    rose = {a["event_id"] for a in alerts if Level[a["level"]] > Level.POSSIBLE_LAUNCH}
    last: dict[str, tuple[str, str]] = {}
    out = []
    for a in alerts:
        key = (a["level"], a["disposition"])
        if a["event_id"] not in rose or last.get(a["event_id"]) == key:
            continue
        last[a["event_id"]] = key
        out.append(a)
    return out


MANY_EVENTS = 36
"""Above this many events the printed timeline is summarised (see :func:`summarise_timeline`)."""


def summarise_timeline(alerts: list[dict[str, Any]], rows: int = 12) -> list[str]:
    """The timeline of a large run: for each of ``rows`` equal time bins, how many events
    stand at each level (or were dismissed or retracted) at the bin's end, and the first
    events that changed in the bin, named; every alert stays in alerts.jsonl."""
    from collections import Counter

    from earlywarn.center.alerts import Level

    if not alerts:
        return []
    t0, t1 = float(alerts[0]["t_s"]), float(alerts[-1]["t_s"])
    width = max((t1 - t0) / rows, 1.0)
    cols = [lv.name for lv in Level if lv > Level.NONE] + ["NOT_A_THREAT", "RETRACTED"]
    state: dict[str, str] = {}
    head = f"{'':19}" + "".join(f"{c[:16]:>17}" for c in cols)
    out = [head]
    i = 0
    for b in range(rows):
        end = t0 + (b + 1) * width if b < rows - 1 else t1
        named: list[str] = []
        more = 0
        while i < len(alerts) and float(alerts[i]["t_s"]) <= end:
            a = alerts[i]
            d = a["disposition"]
            now = (
                a["level"] if d == "OPEN" else ("RETRACTED" if d == "RETRACTED" else "NOT_A_THREAT")
            )
            if state.get(a["event_id"]) != now:
                if len(named) < 3:
                    named.append(f"{a['event_id']} {now}")
                else:
                    more += 1
            state[a["event_id"]] = now
            i += 1
        tally = Counter(state.values())
        counts = [tally.get(c, 0) for c in cols]
        first = ", ".join(named) + (f" +{more} more" if more else "")
        out.append(
            f"T={t0 + b * width:6.0f}–{end:6.0f} s"
            + "".join(f"{n:>17}" for n in counts)
            + (f"   {first}" if first else "")
        )
    return out


def summarise_launches(rows: list[dict[str, Any]]) -> list[str]:
    """The per-launch lines of a large run, counted: launches by the highest level their
    event reached and by disposition, and those never at LAUNCH, named (up to ten)."""
    from collections import Counter

    levels = Counter(str(r.get("max_level")) for r in rows)
    disp = Counter(str(r.get("disposition")) for r in rows if r.get("disposition") != "OPEN")
    missed = [r["id"] for r in rows if r.get("launch_s") is None]
    out = [
        f"launches: {len(rows)}; by highest level "
        + ", ".join(f"{k} {v}" for k, v in sorted(levels.items()))
        + (("; closed " + ", ".join(f"{k} {v}" for k, v in sorted(disp.items()))) if disp else "")
    ]
    if missed:
        more = f" +{len(missed) - 10} more" if len(missed) > 10 else ""
        out.append(f"launches never at LAUNCH: {len(missed)} ({', '.join(missed[:10])}{more})")
    return out


class _Progress:
    """A rich progress bar on a terminal, plain lines otherwise, nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None
        self._printed: tuple[str, int] | None = None

    def __enter__(self) -> _Progress:
        if not self.quiet and self.tty:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description:<44}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("flight", total=1.0)
        return self

    def __call__(self, stage: str, fraction: float) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=fraction, description=stage)
            return
        # plain lines (a log, a pipe): a line per stage and per tenth of the run, not per call
        mark = (stage.split(" ", 1)[0], int(fraction * 10))
        if mark != self._printed:
            self._printed = mark
            typer.echo(f"[{fraction:4.0%}] {stage}", err=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _run_and_write(
    scenario: Any, out: Path, seed: int | None, quiet: bool, force: bool = False
) -> Any:
    from earlywarn.io.scenario import ScenarioError
    from earlywarn.run.outputs import write_outputs
    from earlywarn.run.pipeline import run_scenario
    from earlywarn.run.staging import OutputError, check_output_dir, staged_output

    try:
        check_output_dir(out, force)  # before the run, not after it
        with _Progress(quiet) as progress:
            result = run_scenario(scenario, seed=seed, progress=progress)
            progress("writing", 0.95)
            with staged_output(out, force) as tmp:
                write_outputs(result, tmp)
            progress("done", 1.0)
    except (ScenarioError, OutputError) as exc:
        fail(str(exc))
    return result


def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("earlywarn-out"),
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress or timeline.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Run the whole chain (flight → sensors → center → evaluation) and write outputs."""
    check_seed(seed)
    _run_command(load_scenario_or_fail(scenario), out, seed, json_out, quiet, force)


def _run_command(
    sc: Any, out: Path, seed: int | None, json_out: bool, quiet: bool, force: bool
) -> None:
    """``run`` and ``demo``: run, write, then print summary.json or the timeline."""
    result = _run_and_write(sc, out, seed, quiet or json_out, force)
    if json_out:
        typer.echo(json.dumps(result.summary(), indent=2))
    elif not quiet:
        _print_run(result, out)


def _print_run(result: Any, out: Path) -> None:
    s = result.summary()
    typer.echo(f"{s['scenario']}: seed {s['seed']}, {s['wall_time_s']:.1f} s wall time")
    alerts = [a.to_dict() for a in result.center.alerts]
    shown = changes_only(alerts)
    n_events = len({a["event_id"] for a in shown})
    typer.echo(
        f"alert timeline: the {len(shown)} changes of level or disposition among "
        f"{len(alerts)} alerts (all are in alerts.jsonl)"
        + (f"; {n_events} events, summarised by level" if n_events > MANY_EVENTS else "")
    )
    lines = summarise_timeline(shown) if n_events > MANY_EVENTS else format_timeline(shown)
    for line in lines:
        typer.echo("  " + line)
    if len(s["launches"]) > MANY_EVENTS:
        for line in summarise_launches(s["launches"]):
            typer.echo(line)
    for row in s["launches"] if len(s["launches"]) <= MANY_EVENTS else ():
        disp = row.get("disposition")
        end = f" → {disp} ({row.get('reason')})" if disp not in (None, "OPEN") else ""
        dt = row.get("decision_time_s")
        dts = f"{dt / 60:.1f} min" if dt is not None else "—"
        typer.echo(
            f"launch {row['id']} ({row['vehicle']}): {row['max_level']}{end}; class "
            f"{row['class_assessed']} (true {row['class_true']}); decision time {dts}"
        )
    fa = {k: v for k, v in s["false_alerts"].items() if v}
    typer.echo(f"false alerts by level: {fa or 'none'}")
    dropped = {
        o: sum(by.get(o, 0) for by in s["report_intake"].values())
        for o in ("refused", "implausible", "other_mode")
    }
    if any(dropped.values()):
        typer.echo(
            f"reports not used: {dropped['refused']} refused (broke the contract) and "
            f"{dropped['implausible']} implausible (each named in rejected_reports.jsonl), "
            f"{dropped['other_mode']} of another mode than {s['center_mode']}"
        )
    typer.echo(f"outputs in {out}/ (summary.json, alerts.jsonl, report.html, map.png, ...)")


def replay(
    reports: Annotated[Path, typer.Argument(help="reports.parquet or a JSONL stream.")],
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("earlywarn-out"),
    scenario: Annotated[
        Path | None,
        typer.Option(help="Scenario whose defended areas/notifications the center uses."),
    ] = None,
    epoch: Annotated[
        str | None,
        typer.Option(help="Epoch (ISO 8601 Z); checked against the reports' own time_utc."),
    ] = None,
    step: Annotated[float, typer.Option(help="Center step, s (0.1 to 600).")] = 2.0,
    mode: Annotated[
        str | None,
        typer.Option(
            help="The center's mode: live, exercise, test or replay (default: the "
            "scenario's center.mode, else live); reports of other modes are counted, not used."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the alerts as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No timeline.")] = False,
) -> None:
    """Run the center alone over a saved report stream: no truth, no evaluation
    (deterministic: the same reports give the same alerts; no seed). Corrupt records are
    rejected one by one and listed in rejected_reports.jsonl; the rest is replayed."""
    from earlywarn.center import run_center
    from earlywarn.center.intake import Outcome
    from earlywarn.io.reports import REJECTIONS_FILE, write_rejections
    from earlywarn.run.replay import ReplayError, prepare_replay
    from earlywarn.run.staging import OutputError, check_output_dir, staged_output

    sc = load_scenario_or_fail(scenario) if scenario is not None else None
    try:
        check_output_dir(out, force)
        rp = prepare_replay(reports, sc, epoch, step, mode)
    except (ReplayError, OutputError) as exc:
        fail(str(exc))
    for what in rp.missing:
        typer.echo(f"earlywarn: warning: no --scenario: {what}", err=True)
    for note in rp.notes:
        typer.echo(f"earlywarn: note: {note}", err=True)
    result = run_center(rp.batch, rp.config, dt_s=step)
    rejected = (*rp.rejected, *result.rejected)
    try:
        with staged_output(out, force) as tmp:
            (tmp / "alerts.jsonl").write_text(result.alerts_jsonl())
            write_rejections(rejected, tmp / REJECTIONS_FILE)
    except OutputError as exc:
        fail(str(exc))
    alerts = [a.to_dict() for a in result.alerts]
    intake = result.intake.to_dict()
    if json_out:
        typer.echo(
            json.dumps(
                {"n_alerts": len(alerts), "alerts": alerts,
                 "n_rejected_on_reading": len(rp.rejected), "report_intake": intake},
                indent=2,
            )
        )  # fmt: skip
        return
    n_other = result.intake.total(Outcome.OTHER_MODE)
    typer.echo(
        f"{len(rp.rejected)} records rejected on reading, "
        f"{result.intake.total(Outcome.IMPLAUSIBLE)} implausible, "
        f"{n_other} of another mode than {rp.config.mode} (listed in "
        f"{out / REJECTIONS_FILE}; counts by outcome: {intake or 'none'})",
        err=True,
    )
    if quiet:
        return
    for line in format_timeline(alerts):
        typer.echo(line)
    typer.echo(f"{len(alerts)} alerts written to {out / 'alerts.jsonl'}")
    if rp.missing:
        typer.echo("without a scenario's context (see the warnings above): give --scenario FILE")


def demo(
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("earlywarn-out"),
    seed: Annotated[int | None, typer.Option(help="Override the demo's seed.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress or timeline.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Run the built-in example (a launch and a non-threat) and print the alert timeline."""
    from earlywarn.io.scenario import parse_scenario

    check_seed(seed)
    text = (resources.files("earlywarn") / "data" / "demo.yaml").read_text(encoding="utf-8")
    sc = parse_scenario(text, "demo.yaml")
    if not (quiet or json_out):
        typer.echo(f"earlywarn demo: {sc.description}")
    _run_command(sc, out, seed, json_out, quiet, force)
