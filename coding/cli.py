"""`flask --app app codebook list|code`: codebooks for open answers, and coding every answer of a wave."""

from __future__ import annotations

import time

import click
from flask_babel import force_locale
from sqlalchemy import func, select

from coding.service import LOW_CONFIDENCE, CodingError, code_wave
from exchange.cli import CLI_LANGUAGE, command_line_actor, wave_named
from extensions import db
from models import Codebook, CodebookCode, CodeLabel
from transactions import CommandGroup

codebook_cli = CommandGroup("codebook", help="Codebooks for open answers: list them, code every answer of a wave.")


@codebook_cli.command("list")
def list_command() -> None:
    """Every codebook with its id, municipality, question, codes and labelled answers."""
    codes = dict(
        db.session.execute(select(CodebookCode.codebook_id, func.count()).group_by(CodebookCode.codebook_id)).all()
    )
    labels = dict(db.session.execute(select(CodeLabel.codebook_id, func.count()).group_by(CodeLabel.codebook_id)).all())
    for codebook in db.session.scalars(select(Codebook).order_by(Codebook.id)):
        click.echo(
            f"{codebook.id}\t{codebook.municipality.code}\t{codebook.question}\t{codebook.name}\t"
            f"{codes.get(codebook.id, 0)} codes\t{labels.get(codebook.id, 0)} labelled"
        )


@codebook_cli.command("code")
@click.option("--codebook", "codebook_id", type=int, required=True, help="Id of the codebook (see `codebook list`).")
@click.option("--wave", "wave_name", required=True, help="Name of the wave whose answers to code.")
def code_command(codebook_id: int, wave_name: str) -> None:
    """Train on the codebook's labelled answers and code every answer of the wave to its question, replacing the
    codebook's earlier coding of that wave (written to the audit log)."""
    codebook = db.session.get(Codebook, codebook_id)
    if codebook is None:
        raise click.ClickException(f"unknown codebook {codebook_id} (see `flask --app app codebook list`)")
    wave = wave_named(wave_name)
    if wave.municipality.code != codebook.municipality.code:
        raise click.ClickException(f"wave {wave.name!r} belongs to another municipality than codebook {codebook.id}")
    started = time.perf_counter()
    with force_locale(CLI_LANGUAGE):
        try:
            summary = code_wave(codebook, wave, via=command_line_actor())
        except CodingError as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"{summary.total} answer(s) of wave {wave.name!r} coded with codebook {codebook.id} "
        f"({codebook.name!r}) in {time.perf_counter() - started:.1f}s"
    )
    for code, count in summary.per_code:
        click.echo(f"{count}\t{code.name}")
    click.echo(f"{summary.low_confidence} answer(s) with a confidence below {LOW_CONFIDENCE:.0%}")
