"""`flask --app app instruments ...`."""

from __future__ import annotations

import click

from surveys.instruments import InstrumentError, load_instruments
from transactions import CommandGroup

instruments_cli = CommandGroup("instruments", help="Questionnaire definitions.")


@instruments_cli.command("check")
def check_command() -> None:
    """Validate every instrument file and list its pages, items and scales."""
    try:
        instruments = load_instruments()
    except InstrumentError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s)") from error
    for instrument in instruments.values():
        click.echo(
            f"{instrument.slug} v{instrument.version}: {len(instrument.pages)} pages, "
            f"{len(instrument.items)} items, scales {', '.join(s.id for s in instrument.scales)}"
        )
