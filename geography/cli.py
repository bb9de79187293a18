"""`flask --app app geography ...`: load CBS area lists and postcode tables."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from extensions import db
from geography.cbs import load_areas, load_postcodes
from models import Municipality

geography_cli = AppGroup("geography", help="Load municipalities, wijken and buurten.")


def _finish(report, what: str) -> None:
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was loaded")
    click.echo(f"{what}: {report.created} created, {report.updated} updated")


@geography_cli.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=lambda: date.today().year, show_default="this year",
              help="CBS reference year of the area codes.")
def load_command(csv_file: Path, year: int) -> None:
    """Load a CBS 'Kerncijfers wijken en buurten' CSV (gwb_code, regio, recs, a_inw, a_00_14 ... a_65_oo)."""
    _finish(load_areas(csv_file, year), "areas")


@geography_cli.command("postcodes")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", "code", required=True, help="Municipality code, e.g. GM0599.")
def postcodes_command(csv_file: Path, code: str) -> None:
    """Load a postcode table (columns postcode, buurt_code) so residents can type their postcode."""
    municipality = db.session.scalar(
        select(Municipality).filter_by(code=code).order_by(Municipality.reference_year.desc()).limit(1)
    )
    if municipality is None:
        raise click.ClickException(f"unknown municipality {code}")
    _finish(load_postcodes(csv_file, municipality), "postcodes")
