"""`flask --app app profiles ...`: the aggregated profiles for publishing pipelines; `flask --app app outputs load`:
output figures per area and year."""

from __future__ import annotations

from pathlib import Path

import click

from accounts import audit
from council.export import FORMATS, write_profile
from exchange.cli import command_line_actor, wave_named
from runs.releases import released_run
from transactions import CommandGroup

profiles_cli = CommandGroup("profiles", help="Aggregated neighbourhood outcome profiles.")
outputs_cli = CommandGroup("outputs", help="Output figures (youth care, Wmo, trajectories) per wijk or buurt and year.")


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


@outputs_cli.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--municipality", "code", default=None, help="Municipality code, e.g. GM0599 (needed when there are several)."
)
@click.option("--year", type=int, default=None, help="Year of a CBS Kerncijfers wijken en buurten file.")
def load_outputs_command(csv_file: Path, code: str | None, year: int | None) -> None:
    """Load output figures from a CSV: a CBS Kerncijfers wijken en buurten file (gwb_code with a_jz_tn, p_jz_tn,
    a_wmo_t, p_wmo_t; give --year) or the plain layout (measure, unit, area_code, year, value; name and source
    optional). All or nothing; loading the same file again changes nothing."""
    from council.outputs import load_outputs
    from geography.cli import _municipality

    municipality = _municipality(code)
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{csv_file} is not UTF-8: save it as CSV UTF-8") from None
    report = load_outputs(municipality, text, year)
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was loaded")
    audit.record("outputs_loaded", None, "municipality", municipality.id, file=csv_file.name, via=command_line_actor())
    click.echo(
        f"output figures: {report.created} added, {report.updated} changed, {report.unchanged} unchanged; "
        f"{report.measures} new measure(s)"
    )
