"""The inputs of an analysis run, read from the database: respondents, areas, population, wijkteam clients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from analysis.frames import (
    CBS_AGE_BANDS,
    POPULATION_MARGINS,
    area_table,
    margin_frame,
    population_frame,
    respondents_frame,
)
from extensions import db
from models import (
    District,
    InstrumentVersion,
    Interview,
    Neighbourhood,
    Response,
    Team,
    Wave,
)
from surveys.instruments import Instrument
from surveys.registry import instrument_of
from surveys.submitted import submitted_responses


@dataclass
class RunInputs:
    respondents: pd.DataFrame
    instruments: dict[str, Instrument]
    areas: pd.DataFrame
    population: pd.DataFrame
    clients: list[dict[str, Any]]


def _areas(wave: Wave) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas with names, and population per CBS age band (and the other margins: sex, households) for every buurt,
    wijk and the municipality; a wijk's and the municipality's population are the sums of their buurten, so response
    rates agree across levels. A margin unknown for a buurt is NaN, and so for its wijk and the municipality (the
    analysis rakes buurten only)."""
    municipality = wave.municipality
    names = {municipality.code: municipality.name}
    population: dict[str, dict[str, float]] = {municipality.code: dict.fromkeys(CBS_AGE_BANDS, 0)}
    for district in municipality.districts:
        names[district.code] = district.name
        population[district.code] = dict.fromkeys(CBS_AGE_BANDS, 0)
        for buurt in district.neighbourhoods:
            names[buurt.code] = buurt.name
            population[buurt.code] = {band: int(getattr(buurt, f"age_{band}") or 0) for band in CBS_AGE_BANDS}
            for name, value in buurt.margins().items():
                population[buurt.code][name] = float("nan") if value is None else float(value)
            for parent in (district.code, municipality.code):
                for band in (*CBS_AGE_BANDS, *POPULATION_MARGINS):
                    population[parent][band] = population[parent].get(band, 0) + population[buurt.code][band]
    return area_table(names, names), pd.concat([population_frame(population), margin_frame(population)], axis=1)


def _instruments(wave: Wave) -> dict[str, Instrument]:
    """The newest version of each questionnaire answered in this wave (responses name the version they were given)."""
    versions = db.session.scalars(
        select(InstrumentVersion)
        .where(
            InstrumentVersion.id.in_(
                select(Response.instrument_version_id).where(Response.wave_id == wave.id).distinct()
            )
        )
        .order_by(InstrumentVersion.slug, InstrumentVersion.version)
    ).all()
    return {version.slug: instrument_of(version) for version in versions}


def _reworded(wave: Wave, instruments: dict[str, Instrument]) -> dict[int, set[str]]:
    """Per questionnaire version answered in the wave, its open questions worded otherwise (in Dutch, the source
    language) than in the newest version: another question, which stays out of the newest version's themes. An open
    question is one item of one questionnaire across the versions in which its wording is the same."""
    versions = db.session.scalars(
        select(InstrumentVersion).where(
            InstrumentVersion.id.in_(
                select(Response.instrument_version_id).where(Response.wave_id == wave.id).distinct()
            )
        )
    ).all()
    reworded = {}
    for version in versions:
        newest = instruments.get(version.slug)
        if newest is None or newest.content_hash == version.content_hash:
            continue
        changed = set()
        for item in instrument_of(version).items:
            current = newest.items_by_id.get(item.id)
            if item.open_question and (
                current is None or not current.open_question or current.text.get("nl") != item.text.get("nl")
            ):
                changed.add(item.id)
        if changed:
            reworded[version.id] = changed
    return reworded


def _respondent_records(
    wave: Wave, instruments: dict[str, Instrument], reworded: dict[int, set[str]] | None = None
) -> Iterator[dict[str, Any]]:
    """Submitted self-completed and imported responses with their answers, streamed in batches. Interviews are
    left out: wijkteam clients are no sample of the neighbourhood (their change is analysed separately). So are
    responses that do not count (only background questions answered: Instrument.counts), and answers to
    `reworded` open questions (per version id, see _reworded)."""
    reworded = reworded or {}
    for response in submitted_responses(wave.id, without_interviews=True):
        answers = response.answers
        for item_id in reworded.get(response.instrument_version_id, ()):
            answers.pop(item_id, None)
        if not instruments[response.instrument].counts(answers):
            continue
        yield {
            "response_id": response.id,
            "instrument": response.instrument,
            "buurt_code": response.buurt_code,
            "wijk_code": response.wijk_code,
            "age_band": response.age_band,
            "locale": response.locale,
            "mode": response.mode.value,
            "answers": answers,
        }


def _client_records(wave: Wave) -> list[dict[str, Any]]:
    """Every interview of the municipality's wijkteams up to the end of the wave, as (client, moment, ratings, the
    worker's ratings where they differ): analysis.change compares each client's intake with their latest follow-up
    and counts how often the worker rated otherwise."""
    query = (
        select(
            Interview.team_id,
            Interview.client_key,
            Interview.conducted_at,
            Interview.worker_ratings,
            Response,
            Neighbourhood.code,
            District.code,
        )
        .join(Response, Interview.response_id == Response.id)
        .join(Team, Interview.team_id == Team.id)
        .join(Neighbourhood, Response.neighbourhood_id == Neighbourhood.id)
        .join(District, Neighbourhood.district_id == District.id)
        .where(Team.municipality_id == wave.municipality_id)
        .order_by(Interview.conducted_at, Interview.id)
    )
    records, rated = [], {}
    for team_id, client, conducted_at, worker_ratings, response, buurt, wijk in db.session.execute(query):
        if wave.closes_on is not None and conducted_at.date() > wave.closes_on:
            continue
        version = response.instrument_version
        if version.id not in rated:
            rated[version.id] = {item.id for item in instrument_of(version).rated_items()}
        ratings = {
            item_id: value
            for item_id, value in response.answer_values().items()
            if item_id in rated[version.id] and isinstance(value, int)
        }
        records.append(
            {
                "client_key": f"{team_id}:{client}",
                "buurt_code": buurt,
                "wijk_code": wijk,
                "taken_at": conducted_at,
                "ratings": ratings,
                "worker_ratings": {
                    item_id: value for item_id, value in (worker_ratings or {}).items() if item_id in ratings
                },
            }
        )
    return records


def load_inputs(wave: Wave) -> RunInputs:
    areas, population = _areas(wave)
    instruments = _instruments(wave)
    records = _respondent_records(wave, instruments, _reworded(wave, instruments))
    return RunInputs(
        respondents=respondents_frame(records),
        instruments=instruments,
        areas=areas,
        population=population,
        clients=_client_records(wave),
    )
