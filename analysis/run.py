"""One reproducible analysis run: scores, profiles, types and themes, with disclosure control applied last."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # installed with scikit-learn, which depends on it

from analysis.change import change_profiles, rating_differences
from analysis.disclosure import apply_disclosure
from analysis.frames import (
    area_table,
    eligible_population,
    is_unplaced,
    margin_frame,
    place_unknown,
    population_frame,
    respondents_frame,
)
from analysis.profiles import scale_profiles
from analysis.records import SUPPRESSED, ProfileRecord
from analysis.scrub import scrub
from analysis.smallarea import model_records
from analysis.themematch import answer_signatures, area_answer_counts, suggested_names
from analysis.themes import LanguageThemes, Quote, discover_themes, representative_quotes, theme_prevalence
from analysis.types import TypeModel, fit_types, type_shares
from analysis.weighting import MARGINS, raked_weights
from surveys.instruments import Instrument
from surveys.questions import question_key
from surveys.scoring import item_value_frame, score_frame

log = logging.getLogger(__name__)
OPEN_ANSWERS = "open_answers"  # the `instrument` of theme records, whose measure is "<question key>@<theme id>"
# What themes and quotes need of an answer's respondent: its id, its areas, and its locale as a language hint.
_ANSWER_COLUMNS = ("response_id", "buurt_code", "wijk_code", "locale")
_SOURCES = (Path(__file__).parent, Path(__file__).parent.parent / "surveys" / "scoring.py")


@dataclass(frozen=True)
class RunParams:
    min_n: int = 10  # suppression threshold for a group
    indicative_n: int = 30  # below this an estimate is flagged indicative
    min_count: int | None = None  # smallest shown band/type count (None: min_n)
    confidence: float = 0.95
    fdr: float = 0.05  # Benjamini-Hochberg level for lower/higher than the rest
    weights: bool = True  # rake to the population per buurt (analysis.weighting.raked_weights)
    weight_margins: tuple[str, ...] = MARGINS  # of age, sex, household: those the data have are used
    weight_cap: float | None = 5.0  # trim weights above this many times the buurt's mean weight
    small_area: bool = True  # model estimates per buurt beside the direct ones (analysis.smallarea)
    types: bool = True
    type_k_range: tuple[int, int] = (1, 6)  # one: the data may form one group, without types
    type_sample: int = 10_000
    themes: bool = True
    theme_k: str | int = "auto"
    theme_k_range: tuple[int, int] = (3, 8)
    theme_min_answers: int = 50  # languages with fewer answers go to analysts unmodelled
    theme_fit_sample: int = 20_000
    quotes_per_theme: int = 3
    scrub_with_deduce: bool = True


@dataclass(frozen=True)
class QuestionThemes:
    """Themes of one open question (its key, "<questionnaire>.<item id>"). Quotes are scrubbed proposals that an
    analyst must approve before use; `unmodelled` lists (response_id, language) of answers in languages with too few
    answers to model. For the analyst's review (see analysis.themematch): `area_answers` the answers to the question
    per area code, all languages; `area_counts` per theme id and area the answers with it as main theme;
    `suggestions` a suggested name per theme; `signatures` a fingerprint of each theme's answers, to recognise the
    theme in a rerun. Counts are raw: they leave the run only through disclosure control applied where named themes
    are shown."""

    question: str
    models: dict[str, LanguageThemes]
    quotes: tuple[Quote, ...]
    unmodelled: tuple[tuple[Any, str], ...]
    area_answers: dict[str, int] = field(default_factory=dict)
    area_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)
    signatures: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SkippedPart:
    """A part of a run that could not be done, so that the rest is stored and the analyst reads why this is missing.

    `part`: "types", "themes", "quotes", "profiles", "scale" or "small_area"; `subject`: the questionnaire (types,
    profiles), the question key (themes, quotes), "<questionnaire>.<scale id>" or "buurten"; `reason`: a code the
    analysis page translates (TOO_FEW, FAILED, NO_ITEMS, NO_ANSWERS); `detail`: the error's own words, for the
    analyst who digs deeper."""

    part: str
    subject: str
    reason: str
    detail: str = ""


TOO_FEW, FAILED, NO_ITEMS, NO_ANSWERS = "too_few_respondents", "failed", "no_items", "no_answers"
# A margin that a buurt's weights do not meet: `part` "weighting", `subject` "<questionnaire> <area> <margin>" or
# "<questionnaire> <area> <margin>:<category>", `reason` an analysis.raking reason (no_respondents, no_population,
# no_figures, not_converged), `detail` the largest remaining share difference where there is one.


@dataclass
class RunResult:
    records: list[ProfileRecord]
    types: dict[str, TypeModel]
    themes: dict[str, QuestionThemes]
    timings: dict[str, float]
    params: dict[str, Any]
    seed: int
    instrument_versions: dict[str, dict[str, Any]]
    code_version: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedPart] = field(default_factory=list)
    # per questionnaire: the margins its weights were raked to, and per buurt the design effect, effective n and
    # trimmed weights (analysis.raking.AreaWeights); the figures per area are also ProfileRecords of "respondents"
    weighting: dict[str, dict[str, Any]] = field(default_factory=dict)


def code_version() -> str:
    """Package version plus a hash of the analysis and scoring sources, so a stored run names the code it ran."""
    try:
        version = metadata.version("leefwereld")
    except metadata.PackageNotFoundError:
        version = "0"
    digest = hashlib.sha256()
    for source in _SOURCES:
        for path in sorted(source.rglob("*.py")) if source.is_dir() else [source]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


def _open_questions(instruments: Mapping[str, Instrument]) -> list[tuple[str, str, str]]:
    """(key, instrument slug, item id) of every open question. Questionnaires reuse item ids (adult, parent and youth
    all ask `open_better`, each in its own words): a theme describes the answers to one question only, so the unit
    is the item of one questionnaire, never an item id across questionnaires."""
    return [
        (question_key(slug, item.id), slug, item.id)
        for slug in sorted(instruments)
        for item in instruments[slug].items
        if item.open_question
    ]


# Numeric libraries (OpenBLAS, k-means' OpenMP) run on one thread. Their threads bring little to the small problems
# of a run (k-means on a sample of 10,000 respondents, NMF with at most 8 themes) and cost more than they gain when
# other work shares the cores: on two busy cores themes took 17.5 s with two threads and 12.2 s with one. With one
# thread the same input and seed also give the same figures bit for bit on any machine; BLAS sums split over a
# machine's threads differ in the last bits (theme weights by up to 1e-14 between one and two threads).
@threadpool_limits.wrap(limits=1)
def run_analysis(
    respondents: pd.DataFrame | Iterable[Mapping[str, Any]],
    instruments: Mapping[str, Instrument],
    population: Mapping[str, Mapping[str, int]] | pd.DataFrame,
    areas: pd.DataFrame | Iterable[str],
    *,
    texts: pd.DataFrame | None = None,
    clients: Iterable[Mapping[str, Any]] | None = None,
    previous_types: Mapping[str, TypeModel] | None = None,
    seed: int = 0,
    params: RunParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Analyse one wave.

    `respondents`: the frame of analysis.frames.respondents_frame (or its plain records); `population`: per area
    code and CBS age band; `areas`: analysis.frames.area_table (or area codes); `texts`: optional long frame
    (response_id, question, text) to take open answers from instead of the respondents' item columns; `clients`:
    optional wijkteam interview records (see analysis.change); `previous_types`: the last wave's type models, which
    keep their ids; `progress`: called with each stage's name as it finishes. Every figure leaves as a ProfileRecord
    after disclosure control; the same input and seed give the same result.
    """
    params = params or RunParams()
    timings: dict[str, float] = {}
    skipped: list[SkippedPart] = []

    def skip(part: str, subject: str, reason: str, error: Exception | None = None) -> None:
        # one part that cannot be done (a wave from paper without the Positive Health ratings cannot form types)
        # must not cost the figures of all the others: it is noted and the run goes on
        if error is not None:
            log.warning("analysis: %s of %s skipped", part, subject, exc_info=error)
        skipped.append(SkippedPart(part, subject, reason, "" if error is None else f"{type(error).__name__}: {error}"))

    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        if progress is not None:
            progress(stage)

    frame = respondents if isinstance(respondents, pd.DataFrame) else respondents_frame(respondents)
    areas = areas if isinstance(areas, pd.DataFrame) else area_table(areas)
    population = pd.concat([population_frame(population), margin_frame(population)], axis=1)
    frame, areas = place_unknown(frame, areas, params.min_n)
    slugs = [slug for slug in sorted(instruments) if (frame["instrument"] == slug).any()]
    rows = {slug: np.flatnonzero((frame["instrument"] == slug).to_numpy()) for slug in slugs}
    lap("load")

    scores = {slug: score_frame(instruments[slug], frame.iloc[rows[slug]]) for slug in slugs}
    lap("score")

    records: list[ProfileRecord] = []
    weighting: dict[str, dict[str, Any]] = {}
    for slug in slugs:
        instrument, subset = instruments[slug], frame.iloc[rows[slug]]
        for scale in instrument.scales:
            column = scores[slug].get(f"{scale.id}_score")
            if not scale.items:
                skip("scale", f"{slug}.{scale.id}", NO_ITEMS)
            elif column is None or not column.notna().any():
                skip("scale", f"{slug}.{scale.id}", NO_ANSWERS)
        try:
            eligible = eligible_population(population, instrument).sum(axis=1)
            weights = None
            if params.weights:
                raking = raked_weights(
                    subset, instrument, population, margins=tuple(params.weight_margins), cap=params.weight_cap
                )
                weights = raking.weights
                weighting[slug] = {
                    "margins": list(raking.margins),
                    "areas": {
                        area: {
                            "margins": list(summary.margins),
                            "design_effect": summary.design_effect,
                            "effective_n": summary.effective_n,
                            "trimmed": summary.trimmed,
                        }
                        for area, summary in raking.areas.items()
                    },
                }
                for problem in raking.problems:
                    margin = problem.margin if problem.category is None else f"{problem.margin}:{problem.category}"
                    detail = "" if problem.deviation is None else f"{problem.deviation:.4f}"
                    skipped.append(SkippedPart("weighting", f"{slug} {problem.area} {margin}", problem.reason, detail))
            reliability = {
                scale.id: item_value_frame(instrument, scale.id, subset)
                for scale in instrument.scales
                if len(scale.items) > 1
            }
            records.extend(
                scale_profiles(
                    subset,
                    scores[slug],
                    areas,
                    instrument=slug,
                    eligible=eligible,
                    weights=weights,
                    reliability=reliability,
                    confidence=params.confidence,
                    fdr=params.fdr,
                )
            )
        except Exception as error:
            skip("profiles", slug, FAILED, error)
    lap("profiles")

    type_models: dict[str, TypeModel] = {}
    if params.types:
        for slug in slugs:
            features = [f"{scale.id}_score" for scale in instruments[slug].scales]
            if len(features) < 2:
                continue  # one scale has no pattern to type
            if len(rows[slug]) < max(params.min_n, 3 * params.type_k_range[1]):
                skip("types", slug, TOO_FEW)
                continue
            try:
                fitted = fit_types(
                    scores[slug],
                    features,
                    instrument=slug,
                    k_range=params.type_k_range,
                    seed=seed,
                    sample_size=params.type_sample,
                    previous=(previous_types or {}).get(slug),
                )
                shares = type_shares(fitted, frame.iloc[rows[slug]], areas, params.confidence)
            except Exception as error:
                skip("types", slug, FAILED, error)
                continue
            type_models[slug] = fitted.model
            records.extend(shares)
    lap("types")

    theme_results = {}
    if params.themes:
        for question, slug, item_id in _open_questions({slug: instruments[slug] for slug in slugs}):
            subset = frame.iloc[rows[slug]]  # the answers of this questionnaire's respondents only
            if texts is not None:
                asked = (texts["question"] == question) | (
                    (texts["question"] == item_id) & texts["response_id"].isin(subset["response_id"])
                )
                chosen = texts[asked]
                located = (
                    subset[[column for column in _ANSWER_COLUMNS if column in subset.columns]]
                    .set_index("response_id")
                    .loc[chosen["response_id"]]
                    .reset_index()
                )
                answers, answer_ids = chosen["text"].tolist(), chosen["response_id"].tolist()
            else:
                if item_id not in subset.columns:
                    continue
                column = subset[item_id].astype(object)
                present = np.flatnonzero(
                    column.map(lambda value: isinstance(value, str) and bool(value.strip())).to_numpy(dtype=bool)
                )
                # only the columns themes and quotes use: a copy of every item column would double the memory
                located = subset[[column for column in _ANSWER_COLUMNS if column in subset.columns]].iloc[present]
                located = located.reset_index(drop=True)
                answers = column.iloc[present].tolist()
                answer_ids = located["response_id"].tolist()
            if not answers:
                continue
            try:
                result = discover_themes(
                    answers,
                    ids=answer_ids,
                    hints=located["locale"].astype(object).tolist(),
                    themes=params.theme_k,
                    k_range=params.theme_k_range,
                    seed=seed,
                    min_answers=params.theme_min_answers,
                    fit_sample=params.theme_fit_sample,
                )
                prevalence = theme_prevalence(
                    result, located, areas, question=question, instrument=OPEN_ANSWERS, confidence=params.confidence
                )
            except Exception as error:
                skip("themes", question, FAILED, error)
                continue
            records.extend(prevalence)
            theme_results[question] = (result, answers, located)
    lap("themes")

    if clients is not None:
        clients = list(clients)
        records.extend(change_profiles(clients, areas, confidence=params.confidence))
        records.extend(rating_differences(clients, areas, confidence=params.confidence))
    records = apply_disclosure(
        records, areas, min_n=params.min_n, indicative_n=params.indicative_n, min_count=params.min_count
    )
    records = [record for record in records if not is_unplaced(record.area_code)]  # protected, never published
    lap("disclosure")
    if params.small_area:
        # after disclosure control, from what it publishes only: see analysis.smallarea
        try:
            records.extend(
                model_records(records, areas, population, weighted=params.weights, confidence=params.confidence)
            )
        except Exception as error:
            skip("small_area", "buurten", FAILED, error)
    lap("small_area")
    hidden = {
        (record.measure, record.area_code)
        for record in records
        if record.instrument == OPEN_ANSWERS and SUPPRESSED in record.flags
    }
    themes: dict[str, QuestionThemes] = {}
    keep = frozenset(str(name) for name in areas["name"])  # area names in a quote are no personal data

    def scrubber(text: str, language: str) -> str:
        return scrub(text, language, use_deduce=params.scrub_with_deduce, keep=keep)

    for question, (result, answers, located) in theme_results.items():
        # a suppressed theme share gets no quote, and takes no answer that another area could quote
        suppressed = frozenset(
            (measure.removeprefix(f"{question}@"), area)
            for measure, area in hidden
            if measure.startswith(f"{question}@")
        )
        try:
            quotes = representative_quotes(
                result,
                answers,
                located,
                areas,
                question=question,
                per_theme=params.quotes_per_theme,
                scrubber=scrubber,
                exclude_groups=suppressed,
            )
        except Exception as error:  # the themes and their counts stand without quotes
            skip("quotes", question, FAILED, error)
            quotes = []
        quotes = [quote for quote in quotes if not is_unplaced(quote.area_code)]
        # raw counts keep the stand-in wijk: the disclosure control of named themes protects it as a part
        area_answers, area_counts = area_answer_counts(result.answers["theme"], located, areas)
        themes[question] = QuestionThemes(
            question=question,
            models=result.models,
            quotes=tuple(quotes),
            unmodelled=tuple(zip(result.unmodelled["id"], result.unmodelled["language"], strict=True)),
            area_answers=area_answers,
            area_counts=area_counts,
            suggestions=suggested_names(result.answers, answers, scrubber),
            signatures=answer_signatures(result.answers["theme"], result.answers["id"]),
        )
    lap("quotes")
    timings["total"] = time.perf_counter() - started
    return RunResult(
        records=records,
        types=type_models,
        themes=themes,
        timings=timings,
        params=asdict(params),
        seed=seed,
        instrument_versions={
            slug: {"version": instruments[slug].version, "content_hash": instruments[slug].content_hash}
            for slug in slugs
        },
        code_version=code_version(),
        counts={slug: len(rows[slug]) for slug in slugs},
        skipped=skipped,
        weighting=weighting,
    )
