"""`flask --app app waves ...`, `responses import|export|codebook|purge-expired` and `retention apply`."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from accounts.service import only_municipality
from exchange.codebook import codebook_columns, write_codebook_csv
from exchange.exporter import FORMATS, ExportRefused, export_wave
from exchange.importer import ImportRefused, import_responses, write_rejected
from exchange.retention import apply_retention, retention_plan
from exchange.tables import ENCODINGS
from exchange.waves import WaveError, close_wave, create_wave, find_wave, open_wave
from extensions import db
from models import InstrumentVersion, Municipality, Response, ResponseStatus, Wave
from surveys.flow import municipal_today, purge_expired
from surveys.registry import get_instrument, instrument_of
from transactions import CommandGroup

waves_cli = CommandGroup("waves", help="Survey waves: create, open, close, list.")
responses_cli = CommandGroup("responses", help="Stored responses.")
retention_cli = CommandGroup("retention", help="Delete submitted responses past their retention period.")
CLI_LANGUAGE = "en"  # like every other command's output


def command_line_actor() -> str:
    # the command line has no staff account: the audit log names the system user who ran the command
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _date(value: datetime | None) -> date | None:
    return value.date() if value else None


def wave_named(name: str) -> Wave:
    wave = find_wave(name)
    if wave is None:
        raise click.ClickException(f"unknown wave {name!r} (see `flask --app app waves list`)")
    return wave


def _municipality(code: str | None) -> Municipality:
    if code is None:
        municipality = only_municipality()
        if municipality is None:
            raise click.ClickException("there is more than one municipality (or none): give --municipality GMxxxx")
        return municipality
    municipality = db.session.scalar(
        select(Municipality).filter_by(code=code).order_by(Municipality.reference_year.desc()).limit(1)
    )
    if municipality is None:
        raise click.ClickException(f"unknown municipality {code}")
    return municipality


@waves_cli.command("create")
@click.argument("name")
@click.option("--instruments", required=True, help="Questionnaire slugs separated by commas, e.g. adult,parent.")
@click.option("--opens", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (YYYY-MM-DD); today if left out.")
@click.option(
    "--closes", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day (YYYY-MM-DD); open-ended if left out."
)
@click.option("--municipality", "code", help="Municipality code, e.g. GM0599; needed when there are several.")
def create_command(
    name: str, instruments: str, opens: datetime | None, closes: datetime | None, code: str | None
) -> None:
    """Create a wave NAME offering the given questionnaires."""
    slugs = [slug.strip() for slug in instruments.split(",") if slug.strip()]
    with force_locale(CLI_LANGUAGE):
        try:
            wave = create_wave(
                name,
                slugs,
                _municipality(code),
                _date(opens) or municipal_today(),
                _date(closes),
                via=command_line_actor(),
            )
        except WaveError as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"wave {wave.name!r} (id {wave.id}) created: {', '.join(wave.instrument_slugs)}, "
        f"{wave.opens_on} to {wave.closes_on or 'open-ended'}"
    )


@waves_cli.command("close")
@click.argument("name")
def close_command(name: str) -> None:
    """Close the wave NAME now (answers already sent are kept)."""
    wave = wave_named(name)
    close_wave(wave, via=command_line_actor())
    click.echo(f"wave {wave.name!r} closed (last day {wave.closes_on})")


@waves_cli.command("open")
@click.argument("name")
def open_command(name: str) -> None:
    """Open the wave NAME from today, without a closing date."""
    wave = wave_named(name)
    open_wave(wave, via=command_line_actor())
    click.echo(f"wave {wave.name!r} open from {wave.opens_on}")


@waves_cli.command("list")
def list_command() -> None:
    """Every wave with its dates, questionnaires and number of responses sent."""
    counts = dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .where(Response.status == ResponseStatus.submitted)
            .group_by(Response.wave_id)
        ).all()
    )
    today = municipal_today()
    for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on, Wave.name)):
        state = "open" if wave.is_open(today) else "closed"
        click.echo(
            f"{wave.name}\t{wave.municipality.code}\t{wave.opens_on}..{wave.closes_on or ''}\t{state}\t"
            f"{','.join(wave.instrument_slugs)}\t{counts.get(wave.id, 0)} sent"
        )


@responses_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--instrument", "slug", required=True, help="Slug of the questionnaire the file answers.")
@click.option("--wave", "wave_name", required=True, help="Name of the wave to import into.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and leave out the rows with problems.")
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="With --skip-invalid: write the rows left out, with their problems, to this CSV file.",
)
@click.option(
    "--encoding",
    type=click.Choice(list(ENCODINGS)),
    default="utf-8",
    show_default=True,
    help="Encoding of a CSV file (UTF-8 with or without BOM; cp1252 is Windows-1252).",
)
def import_command(
    file: Path, slug: str, wave_name: str, skip_invalid: bool, rejected: Path | None, encoding: str
) -> None:
    """Import responses from a CSV or XLSX FILE (columns: item ids, buurt_code, optionally age_band, mode, locale,
    submitted_at, external_id). Nothing is imported while any row has a problem, unless --skip-invalid."""
    wave = wave_named(wave_name)
    instrument = get_instrument(slug)
    if instrument is None:
        raise click.ClickException(f"unknown questionnaire {slug!r}")
    with force_locale(CLI_LANGUAGE):
        try:
            report = import_responses(
                file,
                file.name,
                wave,
                instrument,
                skip_invalid=skip_invalid,
                via=command_line_actor(),
                encoding=encoding,
            )
        except ImportRefused as error:
            raise click.ClickException(str(error)) from error
        for problem in report.problems:
            click.echo(str(problem), err=True)
        if rejected is not None and report.rejected:
            with rejected.open("w", encoding="utf-8", newline="") as handle:
                write_rejected(report, handle)
    if not report.completed:
        raise click.ClickException(f"{len(report.problems)} problem(s); nothing was imported")
    click.echo(
        f"{report.imported} response(s) imported, {report.already_present} already present, "
        f"{len(report.rejected)} row(s) rejected"
        + (f" (written to {rejected})" if rejected and report.rejected else "")
    )
    if report.dropped_answers:
        click.echo(f"{report.dropped_answers} answer(s) to questions that did not apply were left out")
    if report.older_than_retention:
        click.echo(
            f"note: {report.older_than_retention} imported response(s) are older than the retention period "
            "and will be deleted by the next `retention apply`",
            err=True,
        )


@responses_cli.command("export")
@click.option("--wave", "wave_name", required=True, help="Name of the wave.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="csv, xlsx or sav (SPSS).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--instrument", "slug", help="Only responses to this questionnaire.")
@click.option("--no-free-text", is_flag=True, help="Leave out the answers to open questions.")
def export_command(wave_name: str, fmt: str, out: Path, slug: str | None, no_free_text: bool) -> None:
    """Export the submitted responses of a wave, with every item and scale score (written to the audit log)."""
    wave = wave_named(wave_name)
    try:
        count = export_wave(wave, fmt, out, slug, include_free_text=not no_free_text, via=command_line_actor())
    except ExportRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{count} response(s) written to {out}")


@responses_cli.command("codebook")
@click.option("--instrument", "slug", required=True)
@click.option("--version", type=int, help="A stored version; the current file if left out.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def codebook_command(slug: str, version: int | None, out: Path) -> None:
    """Write the codebook (every export column, its label and codes) of a questionnaire version as CSV."""
    if version is None:
        instrument = get_instrument(slug)
    else:
        stored = db.session.scalar(select(InstrumentVersion).filter_by(slug=slug, version=version))
        instrument = instrument_of(stored) if stored else None
    if instrument is None:
        raise click.ClickException(f"unknown questionnaire {slug!r}" + (f" version {version}" if version else ""))
    with out.open("w", encoding="utf-8", newline="") as handle:
        write_codebook_csv(codebook_columns(instrument), handle)
    click.echo(f"codebook of {instrument.slug} v{instrument.version} written to {out}")


@responses_cli.command("purge-expired")
def purge_command() -> None:
    """Delete unfinished responses past their expiry time (safe to run from cron)."""
    click.echo(f"deleted {purge_expired()} expired unfinished response(s)")


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def apply_command(dry_run: bool) -> None:
    """Delete submitted responses older than RETENTION_DAYS (or RETENTION_DAYS_<SLUG>); safe to run from cron."""
    if dry_run:
        for line in retention_plan(current_app.config):
            click.echo(
                f"{line.instrument}: {line.due} response(s) sent before {line.cutoff:%Y-%m-%d %H:%M} UTC "
                f"({line.days} days) would be deleted"
            )
        return
    removed = apply_retention(current_app.config, via=command_line_actor())
    for slug, count in removed.items():
        click.echo(f"{slug}: {count} response(s) deleted")
    click.echo(f"deleted {sum(removed.values())} response(s) in total")
