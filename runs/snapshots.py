"""Storing a run's results as profile snapshots, themes and proposed quotes; reading back what later runs need."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select

from analysis.run import RunResult
from analysis.types import ResidentType, TypeModel
from extensions import db
from models import (
    AnalysisRun,
    NamedTheme,
    ProfileSnapshot,
    Quote,
    QuoteStatus,
    RunStatus,
    Theme,
    ThemeCount,
    ThemeReview,
    Wave,
)

_BATCH = 10_000


def _json_safe(value: Any) -> Any:
    """Tuples as lists and keys as strings, the way JSON stores them, so a stored run reads back as it was written."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def store_result(run: AnalysisRun, result: RunResult) -> None:
    """Write every record and theme of the result under `run` (the caller commits)."""
    run.params = _json_safe(result.params)
    run.seed = result.seed
    run.instrument_versions = _json_safe(result.instrument_versions)
    run.code_version = result.code_version
    run.counts = _json_safe(result.counts)
    run.types = {slug: _json_safe(asdict(model)) for slug, model in result.types.items()}
    run.notes = [_json_safe(asdict(part)) for part in result.skipped]
    run.weighting = _json_safe(result.weighting)
    rows = [
        {
            "run_id": run.id,
            "area_code": record.area_code,
            "area_level": record.area_level,
            "instrument": record.instrument,
            "measure": record.measure,
            "statistic": record.statistic,
            "value": record.value,
            "lower": record.lower,
            "upper": record.upper,
            "n": record.n,
            "flags": " ".join(record.flags),
        }
        for record in result.records
    ]
    for start in range(0, len(rows), _BATCH):
        db.session.execute(insert(ProfileSnapshot), rows[start : start + _BATCH])
    for question, themes in result.themes.items():
        stored: dict[str, Theme] = {}
        for model in themes.models.values():
            for theme in model.themes:
                # each theme starts as a named theme of its own, without a name: an analyst names and merges them
                stored[theme.id] = Theme(
                    run=run,
                    question=question,
                    key=theme.id,
                    language=theme.language,
                    label=theme.label[:200],
                    terms=list(theme.top_terms),
                    answers=theme.answers,
                    suggestion=themes.suggestions.get(theme.id, "")[:200],
                    signature=list(themes.signatures.get(theme.id, [])),
                    named=NamedTheme(run=run, question=question, name="", translations={}),
                )
                db.session.add(stored[theme.id])
        for quote in themes.quotes:
            if quote.theme_id in stored:
                stored[quote.theme_id].quotes.append(
                    Quote(
                        response_id=int(quote.answer_id),
                        area_code=quote.area_code,
                        text=quote.text,
                        status=QuoteStatus.proposed,
                    )
                )
        if stored or themes.area_answers:
            db.session.add(ThemeReview(run_id=run.id, question=question, ready=False))
        db.session.flush()
        counts = [
            {"run_id": run.id, "question": question, "theme_id": None, "area_code": area, "answers": n}
            for area, n in themes.area_answers.items()
        ]
        counts += [
            {"run_id": run.id, "question": question, "theme_id": stored[theme_id].id, "area_code": area, "answers": n}
            for theme_id, per_area in themes.area_counts.items()
            if theme_id in stored
            for area, n in per_area.items()
        ]
        for start in range(0, len(counts), _BATCH):
            db.session.execute(insert(ThemeCount), counts[start : start + _BATCH])


def type_model(data: dict[str, Any]) -> TypeModel:
    """A TypeModel from its stored JSON (see store_result); runs stored before types were named by their shape
    read back without names and diagnostics."""
    types = tuple(
        ResidentType(
            id=entry["id"],
            size=entry["size"],
            share=entry["share"],
            centre=entry["centre"],
            centre_z=entry["centre_z"],
            profile=tuple(tuple(pair) for pair in entry["profile"]),
            level=entry.get("level", 0.0),
            shape=entry.get("shape", {}),
            name=tuple(tuple(pair) for pair in entry.get("name", [])),
        )
        for entry in data["types"]
    )
    return TypeModel(
        instrument=data["instrument"],
        features=tuple(data["features"]),
        k=data["k"],
        criterion=data["criterion"],
        criterion_values={int(k): value for k, value in data["criterion_values"].items()},
        means=data["means"],
        sds=data["sds"],
        types=types,
        seed=data["seed"],
        fitted_on=data["fitted_on"],
        matched_to_previous=data["matched_to_previous"],
        bic_k=data.get("bic_k", data["k"]),
        note=data.get("note", ""),
        mean_posterior=data.get("mean_posterior"),
        bootstrap_ari=data.get("bootstrap_ari"),
        bootstrap_runs=data.get("bootstrap_runs", 0),
    )


def latest_run(wave: Wave) -> AnalysisRun | None:
    """The newest successful run of a wave: what analysts work on (the council reads runs.releases.released_run)."""
    return db.session.scalar(
        select(AnalysisRun)
        .where(AnalysisRun.wave_id == wave.id, AnalysisRun.status == RunStatus.succeeded)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )


def previous_types(wave: Wave) -> dict[str, TypeModel]:
    """The resident types of the municipality's newest analysed wave that opened before this one, so that types
    keep their ids from wave to wave."""
    earlier = db.session.scalars(
        select(Wave)
        .where(Wave.municipality_id == wave.municipality_id, Wave.opens_on < wave.opens_on)
        .order_by(Wave.opens_on.desc())
    ).all()
    for other in earlier:
        run = latest_run(other)
        if run is not None and run.types:
            return {slug: type_model(data) for slug, data in run.types.items()}
    return {}
