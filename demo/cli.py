"""`flask --app app demo`: load the demo municipality and wave (idempotent), optionally with synthetic respondents."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import click
import yaml
from flask.cli import with_appcontext
from sqlalchemy import insert, select

from demo.interviews import add_synthetic_interviews
from demo.synthetic import OPEN_ANSWERS, generate
from extensions import db
from geography.cbs import load_areas
from models import Answer, Municipality, Response, ResponseMode, ResponseStatus, Team, Wave, WaveInstrument
from models.types import utcnow
from surveys.registry import current_instruments, ensure_version
from transactions import unit_of_work

DEMO_DIR = Path(__file__).parent


def _wave(spec: dict, municipality: Municipality) -> Wave:
    wave = db.session.scalar(select(Wave).filter_by(name=spec["name"]))
    if wave is None:
        wave = Wave(
            name=spec["name"], municipality=municipality, opens_on=spec["opens_on"], closes_on=spec.get("closes_on")
        )
        db.session.add(wave)
    for position, slug in enumerate(spec["instruments"]):
        if slug not in wave.instrument_slugs:  # a demo database from before an instrument was added
            wave.instruments.append(WaveInstrument(instrument_slug=slug, position=position))
        ensure_version(current_instruments()[slug])
    return wave


def load_demo() -> Wave:
    """The demo municipality with its areas, boundaries, teams, output figures, outcome framework and waves; returns
    the open wave (the caller commits)."""
    from council.outputs import load_outputs
    from framework.loader import load_framework
    from geography.boundaries import load_boundaries

    spec = yaml.safe_load((DEMO_DIR / "municipality.yaml").read_text(encoding="utf-8"))
    report = load_areas(DEMO_DIR / spec["areas"], spec["reference_year"])
    if report.errors:
        raise click.ClickException("\n".join(report.errors))
    municipality = db.session.execute(
        select(Municipality).filter_by(code=spec["code"], reference_year=spec["reference_year"])
    ).scalar_one()
    municipality.help_name = spec["help"]["name"]
    municipality.help_phone = spec["help"]["phone"]
    municipality.help_url = spec["help"]["url"]
    _wave(spec["earlier_wave"], municipality)
    wave = _wave(spec["wave"], municipality)
    for name in spec.get("teams", []):
        if db.session.scalar(select(Team).filter_by(municipality_id=municipality.id, name=name)) is None:
            db.session.add(Team(municipality=municipality, name=name))
    for level in ("wijk", "buurt"):
        boundaries = load_boundaries(DEMO_DIR / spec["boundaries"], municipality, level=level)
        if boundaries.errors:
            raise click.ClickException("\n".join(boundaries.errors))
    outputs = load_outputs(municipality, (DEMO_DIR / spec["outputs"]).read_text(encoding="utf-8"))
    if outputs.errors:
        raise click.ClickException("\n".join(outputs.errors))
    load_framework(municipality, DEMO_DIR / spec["framework"])
    db.session.flush()
    return wave


def add_synthetic_respondents(wave: Wave, count: int, seed: int, batch: int = 5000) -> int:
    """Store `count` submitted synthetic responses in the wave, in bulk."""
    instruments = {slug: current_instruments()[slug] for slug in wave.instrument_slugs}
    versions = {slug: ensure_version(instrument).id for slug, instrument in instruments.items()}
    buurten, ids = [], {}
    for wijk_index, district in enumerate(wave.municipality.districts):
        for neighbourhood in district.neighbourhoods:
            buurten.append((neighbourhood.code, wijk_index, neighbourhood.inhabitants or 0))
            ids[neighbourhood.code] = neighbourhood.id
    generated = generate(instruments, buurten, count, seed)
    now = utcnow()
    with click.progressbar(length=count, label="synthetic respondents") as bar:
        for start in range(0, count, batch):
            chunk = generated[start : start + batch]
            submitted = [now - timedelta(minutes=start + offset) for offset in range(len(chunk))]
            rows = [
                {
                    "token": secrets.token_urlsafe(32),
                    "wave_id": wave.id,
                    "instrument_version_id": versions[item.instrument],
                    "neighbourhood_id": ids[item.buurt_code],
                    "locale": item.locale,
                    "mode": ResponseMode.self_completed,
                    "status": ResponseStatus.submitted,
                    "age_band": item.answers.get("age_band"),
                    "page_index": 0,
                    "created_at": when,
                    "updated_at": when,
                    "submitted_at": when,
                }
                for item, when in zip(chunk, submitted, strict=True)
            ]
            response_ids = db.session.scalars(insert(Response).returning(Response.id), rows).all()
            answers = [
                {"response_id": rid, "item_id": key, "value": value}
                for rid, item in zip(response_ids, chunk, strict=True)
                for key, value in item.answers.items()
            ]
            if answers:
                db.session.execute(insert(Answer), answers)
            db.session.commit()  # a transaction per batch, on purpose: a million respondents are not held at once
            bar.update(len(chunk))
    return count


@click.command("demo")
@click.option("--respondents", type=click.IntRange(min=0), default=0, help="Add this many synthetic respondents.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed for the synthetic respondents.")
@click.option(
    "--council",
    is_flag=True,
    help="Fill both demo waves with synthetic respondents and analyse them, "
    "so the council's views have figures (once; skipped when done).",
)
@with_appcontext
@unit_of_work
def demo_command(respondents: int, seed: int, council: bool) -> None:
    """Load the demo municipality Leefdam and open its demo wave (safe to run again)."""
    wave = load_demo()
    click.echo(f"demo municipality {wave.municipality.name} ready; wave '{wave.name}' (id {wave.id})")
    if respondents:
        add_synthetic_respondents(wave, respondents, seed)
        click.echo(f"added {respondents} synthetic respondents (seed {seed})")
    if council:
        fill_for_council()


def fill_for_council() -> None:
    """Synthetic respondents and an analysis for each demo wave that has no successful run yet."""
    from results.publication import publish
    from runs.service import WaveBusy, create_run, execute_run
    from runs.snapshots import latest_run

    spec = yaml.safe_load((DEMO_DIR / "municipality.yaml").read_text(encoding="utf-8"))
    for name, plan in spec["council_demo"].items():
        wave = db.session.execute(select(Wave).filter_by(name=name)).scalar_one()
        if latest_run(wave) is not None:
            click.echo(f"wave '{name}' has been analysed before")
            continue
        answered = select(Response.id).filter_by(wave_id=wave.id).limit(1)
        if not db.session.scalar(answered.where(Response.mode != ResponseMode.interview)):
            add_synthetic_respondents(wave, plan["respondents"], plan["seed"])
        if plan.get("interview_clients") and not db.session.scalar(answered.filter_by(mode=ResponseMode.interview)):
            added = add_synthetic_interviews(wave, plan["interview_clients"], plan["seed"])
            click.echo(f"{added} synthetic wijkteam interviews (intakes and follow-ups)")
        # a few dozen answers per question in Turkish, Arabic or English: themes of their own from 20 answers on,
        # so the demo shows themes merged across languages (a real run keeps the default of 50)
        try:
            run = create_run(wave, 0, None, via="demo", theme_min_answers=plan.get("theme_min_answers"))
        except WaveBusy as busy:
            click.echo(f"wave '{name}' not analysed: {busy} (the worker does it, or stop it on its page)")
            continue
        run = execute_run(run)
        click.echo(f"run {run.id} of wave {name!r} stored")
        name_demo_themes(run)
        if run.released_at is not None:  # and publishes it to residents, as an analyst would when done
            publish(run, None)
        # each wave is a unit of work: a failing analysis of the next one rolls back, and must not take this
        # wave's names and publication with it
        db.session.commit()
        click.echo(
            f"themes of run {run.id} named from their suggestions and marked ready, and the run published "
            "(the demo plays the analyst)"
        )


def name_demo_themes(run) -> None:
    """Play the analyst on a demo run, so the council's pages show themes: every theme of a question whose answers
    are about the same planted topic (demo.synthetic knows which phrase stands for which) is merged into one named
    theme, whatever its language; it is named by the suggestion of its largest Dutch theme (a topic without one by
    the demo's Dutch phrase about it), translated by the suggestions of its other languages, and every question is
    marked ready. Real runs are named by an analyst."""
    from collections import Counter

    from models import Theme
    from runs.themes import name_from_suggestions

    phrases = {
        phrase.casefold(): topic
        for texts in OPEN_ANSWERS.values()
        for topic, items in texts.items()
        for phrase in items
    }
    topics = {}
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == run.id)):
        texts = [quote.text.casefold() for quote in theme.quotes] + [theme.suggestion.casefold()]
        votes = Counter(topic for text in texts for phrase, topic in phrases.items() if phrase in text)
        if votes:
            topics[theme.id] = votes.most_common(1)[0][0]
    # a topic found only in other languages is named in Dutch by the demo's own first Dutch phrase about it
    name_from_suggestions(run, topics, dutch_names={topic: phrases[0] for topic, phrases in OPEN_ANSWERS["nl"].items()})
