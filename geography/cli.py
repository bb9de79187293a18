"""`flask --app app geography ...`: load CBS area lists, postcode tables and wijk and buurt boundaries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from extensions import db
from geography.boundaries import PRECISION, load_boundaries
from geography.cbs import load_areas, load_postcodes
from models import Municipality
from transactions import CommandGroup

geography_cli = CommandGroup("geography", help="Load municipalities, wijken and buurten.")


def _finish(report, what: str) -> None:
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); nothing was loaded")
    click.echo(f"{what}: {report.created} created, {report.updated} updated")


@geography_cli.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--year",
    type=int,
    default=lambda: date.today().year,
    show_default="this year",
    help="CBS reference year of the area codes.",
)
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


def _municipality(code: str | None) -> Municipality:
    if code is None:
        found = db.session.scalars(select(Municipality).limit(2)).all()
        if len(found) != 1:
            raise click.ClickException("there is more than one municipality (or none): give --municipality GMxxxx")
        return found[0]
    municipality = db.session.scalar(
        select(Municipality).filter_by(code=code).order_by(Municipality.reference_year.desc()).limit(1)
    )
    if municipality is None:
        raise click.ClickException(f"unknown municipality {code}")
    return municipality


@geography_cli.command("boundaries")
@click.argument("geojson_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--level",
    type=click.Choice(["wijk", "buurt"]),
    default="wijk",
    show_default=True,
    help="Which areas the file's boundaries are for.",
)
@click.option(
    "--municipality", "code", default=None, help="Municipality code, e.g. GM0599 (needed when there are several)."
)
@click.option(
    "--precision",
    type=click.IntRange(min=3, max=8),
    default=PRECISION,
    show_default=True,
    help="Decimals of longitude and latitude to keep (5 is about 1 m).",
)
def boundaries_command(geojson_file: Path, level: str, code: str | None, precision: int) -> None:
    """Load wijk or buurt boundaries for the council's map from a GeoJSON FeatureCollection in WGS84, as PDOK
    publishes CBS "wijken en buurten" (properties wijkcode/buurtcode or statcode)."""
    report = load_boundaries(geojson_file, _municipality(code), level, precision)
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s); no boundary was loaded")
    for area in report.missing:
        click.echo(f"no boundary in the file for {area}: it is left out of the map", err=True)
    click.echo(
        f"{level} boundaries: {report.stored} stored, {report.unchanged} unchanged, "
        f"{len(report.missing)} missing, {report.skipped} feature(s) of other areas skipped"
    )
