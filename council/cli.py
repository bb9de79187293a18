"""`flask --app app profiles ...`: the aggregated profiles for publishing pipelines."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from accounts import audit
from council.export import FORMATS, write_profile
from exchange.cli import command_line_actor, wave_named
from runs.releases import released_run

profiles_cli = AppGroup("profiles", help="Aggregated neighbourhood outcome profiles.")


@profiles_cli.command("export")
@click.option("--wave", "wave_name", required=True, help="Name of the wave (see `flask --app app waves list`).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="csv (open data) or xlsx.")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True, help="File to write."
)
def export_command(wave_name: str, fmt: str, out: Path) -> None:
    """Write the newest released analysis of a wave as one row per area and figure; suppressed figures are "."."""
    wave = wave_named(wave_name)
    run = released_run(wave)
    if run is None:
        raise click.ClickException(
            f"wave {wave.name!r} has no released analysis yet: run "
            f"`flask --app app analyse --wave {wave.name!r}` first (a run held back says "
            "why on its page)"
        )
    try:
        count = write_profile(run, fmt, out)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None
    audit.record("profile_exported", None, "wave", wave.id, run=run.id, format=fmt, via=command_line_actor())
    click.echo(f"{count} rows of wave {wave.name} (analysis {run.id}) written to {out}")
