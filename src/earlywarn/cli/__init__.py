"""The ``earlywarn`` command: a thin face over the library.

Every command parses its arguments, calls one library function and prints the result;
no physics lives here. Errors in user input are printed as one plain sentence and exit
with status 2 (usage) — never a traceback.

Commands by group: :mod:`.info` (doctor, validate, schema), :mod:`.runs` (trajectory,
run, replay, demo), :mod:`.analysis` (coverage, warning, study); the shared argument
parsers are in :mod:`.common`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from earlywarn import __version__
from earlywarn.cli import analysis, info, live, runs

__all__ = ["app", "main"]

app = typer.Typer(
    name="earlywarn",
    help="earlywarn: an open ballistic-missile early-warning system (sensors, center, analysis).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"earlywarn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """earlywarn command-line interface."""


app.command("doctor")(info.doctor)
app.command("vehicles")(info.vehicles)
app.command("trajectory")(runs.trajectory)
app.command("run")(runs.run)
app.command("validate")(info.validate)
app.command("schema")(info.schema)
app.command("replay")(runs.replay)
app.command("demo")(runs.demo)
app.command("coverage")(analysis.coverage_command)
app.command("warning")(analysis.warning_command)
app.command("study")(analysis.study_command)
app.command("serve")(live.serve)
app.command("feed")(live.feed)
app.command("live-config")(live.live_config)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
