"""`flask --app app analyse --wave NAME [--seed N]`: analyse a wave and store its profile snapshots."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from exchange.cli import command_line_actor, wave_named
from transactions import unit_of_work


@click.command("analyse")
@click.option("--wave", "wave_name", help="Name of the wave to analyse.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of every random step (same seed, same result)."
)
@with_appcontext
@unit_of_work
def analyse_command(wave_name: str | None, seed: int) -> None:
    """Analyse a wave: profiles per area, resident types, themes in open answers, change for wijkteam clients,
    with disclosure control; the results are stored as the wave's newest run."""
    from runs.service import WaveBusy, create_run, execute_run  # pandas and scikit-learn load only for this command

    if not wave_name:
        raise click.UsageError("give --wave NAME")
    try:
        run = create_run(wave_named(wave_name), seed, None, via=command_line_actor())
    except WaveBusy as busy:
        raise click.ClickException(f"{busy}: one analysis of a wave at a time") from busy
    with click.progressbar(length=100, label=f"analysing {run.wave.name}") as bar:
        done = 0

        def advance(stage: str, percent: int) -> None:
            nonlocal done
            bar.label = f"analysing {run.wave.name}: {stage}"
            bar.update(max(0, percent - done))
            done = max(done, percent)

        try:
            run = execute_run(run, advance)
        except Exception as error:
            raise click.ClickException(f"run {run.id} failed: {error}") from error
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in run.timings.items())
    click.echo(f"run {run.id} of wave {run.wave.name!r} stored (seed {run.seed}): {timings}")
    for note in run.notes:
        detail = f": {note['detail']}" if note.get("detail") else ""
        click.echo(f"skipped {note['part']} of {note['subject']} ({note['reason']}){detail}")
    if run.released_at is None:
        areas = sorted({conflict["area_code"] for conflict in run.release_conflicts})
        click.echo(
            f"held back from the council: {len(run.release_conflicts)} figure(s) in {', '.join(areas[:10])} "
            f"changed by fewer than {run.params.get('min_n')} residents since an earlier release; the council "
            "keeps the earlier release"
        )
