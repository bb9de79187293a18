"""Codebooks, codes and labels, and coding every answer of a wave: the rules shared by the staff pages and the CLI.

An analyst labels a few answers; a classifier trained on those labels (analysis.codebook) codes all answers to the
question in a wave, each with a confidence; the analyst labels the least certain ones next and codes again. The
labels of every wave train the classifier, so a codebook carries over to later waves and across languages.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

import transactions
from accounts import audit
from config import DEFAULT_LANGUAGE, LANGUAGES
from extensions import db
from models import (
    AnalysisRun,
    Answer,
    Codebook,
    CodebookCode,
    CodedAnswer,
    CodeLabel,
    InstrumentVersion,
    Municipality,
    Response,
    ResponseStatus,
    RunStatus,
    Theme,
    User,
    Wave,
)
from models.types import utcnow
from surveys.questions import open_questions, split_key

NAME_LENGTH = 120
DESCRIPTION_LENGTH = 2000
PAGE_SIZE = 20
LOW_CONFIDENCE = 0.6  # below this, an answer's code is shown as uncertain
# Coding reads, featurises and classifies every answer; on one core 10,000 answers take a few seconds and 100,000
# about 40 seconds and 800 MB: a wave above CODING_JOB_ANSWERS is coded by a job on the queue (coding.jobs).
TRANSLATION_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
SHOW_CHOICES = ("unlabelled", "all", "labelled")
SEED = 0  # the classifier is deterministic; the seed is kept for analysis.codebook's signature
_INSERT_BATCH = 5_000


class CodingError(ValueError):
    """A request about codebooks that cannot be honoured; the message is translated and shown as it is."""


def asks_question(key: str) -> list:
    """Conditions on Answer and Response for the answers to one open question (`adult.open_better`): the item of that
    questionnaire only, since questionnaires reuse item ids for questions of their own."""
    slug, item_id = split_key(key)
    conditions = [Answer.item_id == item_id]
    if slug is not None:
        conditions.append(
            Response.instrument_version_id.in_(select(InstrumentVersion.id).where(InstrumentVersion.slug == slug))
        )
    return conditions


# --- codebooks ----------------------------------------------------------------------------------------------------


def codebooks_for(user: User) -> list[Codebook]:
    query = select(Codebook).order_by(Codebook.question, Codebook.name)
    if user.municipality_id is not None:
        query = query.where(Codebook.municipality_id == user.municipality_id)
    return list(db.session.scalars(query))


def codebook_for(user: User, codebook_id: int) -> Codebook | None:
    codebook = db.session.get(Codebook, codebook_id)
    if codebook is None or user.municipality_id not in (None, codebook.municipality_id):
        return None
    return codebook


def _name(value: str | None, *, empty: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise CodingError(empty)
    if len(name) > NAME_LENGTH:
        raise CodingError(_("Use at most %(max)s characters for the name.", max=NAME_LENGTH))
    return name


def create_codebook(name: str, question: str, municipality: Municipality, actor: User | None = None) -> Codebook:
    name = _name(name, empty=_("Give the codebook a name."))
    if question not in open_questions():
        raise CodingError(_("Choose one of the open questions shown."))
    taken = db.session.scalar(
        select(Codebook.id).where(
            Codebook.municipality_id == municipality.id,
            Codebook.question == question,
            func.lower(Codebook.name) == name.lower(),
        )
    )
    if taken is not None:
        raise CodingError(_("There is already a codebook with this name for this question."))
    codebook = Codebook(municipality=municipality, question=question, name=name, created_by=actor)
    db.session.add(codebook)
    db.session.flush()
    audit.record("codebook_created", actor, "codebook", codebook.id, question=question)
    return codebook


def delete_codebook(codebook: Codebook, actor: User | None = None) -> None:
    """Delete the codebook with its codes, labels and codings (the answers themselves stay)."""
    codebook_id = codebook.id
    db.session.delete(codebook)
    audit.record("codebook_deleted", actor, "codebook", codebook_id)


# --- codes --------------------------------------------------------------------------------------------------------


def clean_translations(raw: dict[str, dict[str, str | None]] | None) -> dict[str, dict[str, str]]:
    """Only the languages we ship, only what was filled in, with the same length limits as the main texts."""
    cleaned: dict[str, dict[str, str]] = {}
    for lang in TRANSLATION_LANGUAGES:
        entry = (raw or {}).get(lang) or {}
        name = " ".join((entry.get("name") or "").split())
        description = (entry.get("description") or "").strip()
        if len(name) > NAME_LENGTH:
            raise CodingError(_("Use at most %(max)s characters for the name.", max=NAME_LENGTH))
        if len(description) > DESCRIPTION_LENGTH:
            raise CodingError(_("Use at most %(max)s characters for the description.", max=DESCRIPTION_LENGTH))
        kept = {key: value for key, value in (("name", name), ("description", description)) if value}
        if kept:
            cleaned[lang] = kept
    return cleaned


def _check_code(codebook: Codebook, name: str | None, description: str | None, code_id: int | None) -> tuple[str, str]:
    name = _name(name, empty=_("Give the code a name."))
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LENGTH:
        raise CodingError(_("Use at most %(max)s characters for the description.", max=DESCRIPTION_LENGTH))
    taken = db.session.scalar(
        select(CodebookCode.id).where(
            CodebookCode.codebook_id == codebook.id,
            func.lower(CodebookCode.name) == name.lower(),
            CodebookCode.id != (code_id or 0),
        )
    )
    if taken is not None:
        raise CodingError(_("This codebook already has a code with this name."))
    return name, description


def _next_position(codebook: Codebook) -> int:
    last = db.session.scalar(select(func.max(CodebookCode.position)).where(CodebookCode.codebook_id == codebook.id))
    return 0 if last is None else last + 1


def add_code(
    codebook: Codebook, name: str, description: str = "", translations: dict | None = None, actor: User | None = None
) -> CodebookCode:
    name, description = _check_code(codebook, name, description, None)
    code = CodebookCode(
        codebook=codebook,
        name=name,
        description=description,
        position=_next_position(codebook),
        translations=clean_translations(translations),
    )
    db.session.add(code)
    db.session.flush()
    audit.record("code_added", actor, "codebook", codebook.id, code=code.id)
    return code


def update_code(
    code: CodebookCode, name: str, description: str, translations: dict | None = None, actor: User | None = None
) -> None:
    name, description = _check_code(code.codebook, name, description, code.id)
    code.name, code.description, code.translations = name, description, clean_translations(translations)
    audit.record("code_changed", actor, "codebook", code.codebook_id, code=code.id)


def delete_code(code: CodebookCode, actor: User | None = None, move_to: CodebookCode | None = None) -> int:
    """Delete a code. Its labels move to `move_to` (merging two codes) or are deleted with it. Every coding of the
    codebook is deleted too: it was made with the old codes, so the answers must be coded again. Returns the number
    of labels moved."""
    if move_to is not None and (move_to.codebook_id != code.codebook_id or move_to.id == code.id):
        raise CodingError(_("Choose one of the codes shown."))
    codebook_id, code_id = code.codebook_id, code.id
    moved = 0
    if move_to is not None:
        moved = cast(
            CursorResult,
            db.session.execute(
                update(CodeLabel)
                .where(CodeLabel.codebook_id == codebook_id, CodeLabel.code_id == code_id)
                .values(code_id=move_to.id)
            ),
        ).rowcount
    db.session.execute(delete(CodedAnswer).where(CodedAnswer.codebook_id == codebook_id))
    db.session.delete(code)  # its remaining labels go with it (the database cascades)
    audit.record(
        "code_deleted",
        actor,
        "codebook",
        codebook_id,
        code=code_id,
        moved_to=move_to.id if move_to else None,
        labels_moved=moved,
    )
    return moved


def label_counts(codebook: Codebook) -> dict[int, int]:
    """Labelled answers per code id, over every wave."""
    return dict(
        db.session.execute(
            select(CodeLabel.code_id, func.count())
            .where(CodeLabel.codebook_id == codebook.id)
            .group_by(CodeLabel.code_id)
        ).all()
    )


# --- codes from an analysis's themes ------------------------------------------------------------------------------


def runs_with_themes(user: User, codebook: Codebook) -> list[AnalysisRun]:
    """Finished analyses of this municipality's waves that found themes in answers to the codebook's question."""
    query = (
        select(AnalysisRun)
        .join(Wave, AnalysisRun.wave_id == Wave.id)
        .join(Municipality, Wave.municipality_id == Municipality.id)
        .where(
            AnalysisRun.status == RunStatus.succeeded,
            Municipality.code == codebook.municipality.code,
            AnalysisRun.id.in_(select(Theme.run_id).where(Theme.question == codebook.question)),
        )
        .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
        .limit(50)
    )
    if user.municipality_id is not None:
        query = query.where(Wave.municipality_id == user.municipality_id)
    return list(db.session.scalars(query))


def codes_from_themes(codebook: Codebook, run: AnalysisRun, actor: User | None = None) -> list[CodebookCode]:
    """One code per theme the run found for the codebook's question. A theme an analyst named (runs.themes) gives
    one code for its named theme, whatever languages it was merged from, with the name's translations; any other
    theme is named by its label. Described by its words. A name the codebook already has is left out, so doing this
    twice adds nothing.
    """
    if run.status is not RunStatus.succeeded:
        raise CodingError(_("Choose a finished analysis."))
    themes = db.session.scalars(
        select(Theme)
        .where(Theme.run_id == run.id, Theme.question == codebook.question)
        .order_by(Theme.language, Theme.key)
    ).all()
    if not themes:
        raise CodingError(_("This analysis found no themes in the answers to this question."))
    taken = {
        name.lower()
        for name in db.session.scalars(select(CodebookCode.name).where(CodebookCode.codebook_id == codebook.id))
    }
    proposals: dict[object, tuple[str, list[str], dict]] = {}
    for theme in themes:
        named = theme.named if theme.named is not None and theme.named.name and not theme.named.hidden else None
        if named is not None:
            terms = proposals.setdefault(
                named.id,
                (
                    named.name,
                    [],
                    {
                        lang: {"name": text}
                        for lang, text in (named.translations or {}).items()
                        if lang in TRANSLATION_LANGUAGES
                    },
                ),
            )[1]
            terms.extend(term for term in theme.terms if term not in terms)
        else:
            proposals[f"theme-{theme.id}"] = (
                theme.label or " / ".join(theme.terms[:3]) or theme.key,
                list(theme.terms),
                {},
            )
    position = _next_position(codebook)
    added = []
    for name, terms, translations in proposals.values():
        name = " ".join(name.split())[:NAME_LENGTH]
        if not name or name.lower() in taken:
            continue
        taken.add(name.lower())
        code = CodebookCode(
            codebook=codebook,
            name=name,
            description=", ".join(terms)[:DESCRIPTION_LENGTH],
            position=position,
            translations=translations,
        )
        db.session.add(code)
        added.append(code)
        position += 1
    db.session.flush()
    audit.record("codes_from_themes", actor, "codebook", codebook.id, run=run.id, codes=len(added))
    return added


# --- waves and their answers --------------------------------------------------------------------------------------


def waves_for_codebook(user: User, codebook: Codebook) -> list[Wave]:
    """The waves of the codebook's municipality (by CBS code, so later reference years count too) that ask its
    question, newest first."""
    from exchange.waves import waves_for

    question = open_questions().get(codebook.question)
    return [
        wave
        for wave in waves_for(user)
        if wave.municipality.code == codebook.municipality.code
        and ((question is not None and question.instrument in wave.instrument_slugs) or answer_count(codebook, wave))
    ]


def _answers(codebook: Codebook, wave: Wave):
    """Submitted answers to the codebook's question in the wave: (response id, text, response language)."""
    return (
        select(Response.id, Answer.value, Response.locale)
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .where(
            *asks_question(codebook.question), Response.wave_id == wave.id, Response.status == ResponseStatus.submitted
        )
    )


def answer_count(codebook: Codebook, wave: Wave) -> int:
    return db.session.execute(select(func.count()).select_from(_answers(codebook, wave).subquery())).scalar_one()


@dataclass
class WaveState:
    """How far a codebook is with a wave: answers, labelled answers, coded answers and how many are uncertain."""

    wave: Wave
    answers: int
    labelled: int
    coded: int
    low_confidence: int
    coded_at: datetime | None


def wave_states(codebook: Codebook, waves: list[Wave]) -> list[WaveState]:
    ids = [wave.id for wave in waves]
    answers = dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .select_from(Answer)
            .join(Response, Answer.response_id == Response.id)
            .where(
                *asks_question(codebook.question),
                Response.wave_id.in_(ids),
                Response.status == ResponseStatus.submitted,
            )
            .group_by(Response.wave_id)
        ).all()
    )
    labelled = dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .select_from(CodeLabel)
            .join(Response, CodeLabel.response_id == Response.id)
            .where(CodeLabel.codebook_id == codebook.id, Response.wave_id.in_(ids))
            .group_by(Response.wave_id)
        ).all()
    )
    coded = {
        wave_id: (count, low, at)
        for wave_id, count, low, at in db.session.execute(
            select(
                CodedAnswer.wave_id,
                func.count(),
                func.sum(case((CodedAnswer.confidence < LOW_CONFIDENCE, 1), else_=0)),
                func.max(CodedAnswer.coded_at),
            )
            .where(CodedAnswer.codebook_id == codebook.id, CodedAnswer.wave_id.in_(ids))
            .group_by(CodedAnswer.wave_id)
        )
    }
    states = []
    for wave in waves:
        count, low, at = coded.get(wave.id, (0, 0, None))
        states.append(WaveState(wave, answers.get(wave.id, 0), labelled.get(wave.id, 0), count, int(low or 0), at))
    return states


@dataclass
class AnswerRow:
    number: int  # its place in the list, counted from 1 over all pages
    response_id: int
    text: str
    locale: str
    label_id: int | None  # the analyst's label
    coded_id: int | None  # the classifier's code
    confidence: float | None
    margin: float | None


@dataclass
class AnswerPage:
    rows: list[AnswerRow]
    total: int
    page: int
    pages: int
    show: str


def answer_page(
    codebook: Codebook, wave: Wave, *, show: str = "unlabelled", page: int = 1, per_page: int = PAGE_SIZE
) -> AnswerPage:
    """One page of the wave's answers to the question, with label and coding.

    Once the wave is coded the least certain answers come first: smallest margin between the two likeliest codes,
    then lowest confidence (the order of analysis.codebook.most_uncertain_first). Answers sent after the last coding
    have no code yet and come before them.
    """
    show = show if show in SHOW_CHOICES else SHOW_CHOICES[0]
    query = (
        select(
            Response.id,
            Answer.value,
            Response.locale,
            CodeLabel.code_id,
            CodedAnswer.code_id,
            CodedAnswer.confidence,
            CodedAnswer.margin,
        )
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .outerjoin(CodeLabel, (CodeLabel.response_id == Response.id) & (CodeLabel.codebook_id == codebook.id))
        .outerjoin(CodedAnswer, (CodedAnswer.response_id == Response.id) & (CodedAnswer.codebook_id == codebook.id))
        .where(
            *asks_question(codebook.question), Response.wave_id == wave.id, Response.status == ResponseStatus.submitted
        )
    )
    if show == "unlabelled":
        query = query.where(CodeLabel.id.is_(None))
    elif show == "labelled":
        query = query.where(CodeLabel.id.is_not(None))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    ordered = query.order_by(CodedAnswer.margin.is_not(None), CodedAnswer.margin, CodedAnswer.confidence, Response.id)
    rows = [
        AnswerRow(
            (page - 1) * per_page + index + 1,
            response_id,
            "" if value is None else str(value),
            locale,
            label_id,
            coded_id,
            confidence,
            margin,
        )
        for index, (response_id, value, locale, label_id, coded_id, confidence, margin) in enumerate(
            db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page))
        )
    ]
    return AnswerPage(rows, total, page, pages, show)


@dataclass
class LabelChanges:
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


def save_labels(
    codebook: Codebook, wave: Wave, choices: dict[int, int | None], actor: User | None = None
) -> LabelChanges:
    """Set the label of each answer (response id -> code id, None for no label); all or nothing.

    Answers that are not (or no longer) in the wave are passed over: a resident may have erased theirs meanwhile.
    """
    codes = set(db.session.scalars(select(CodebookCode.id).where(CodebookCode.codebook_id == codebook.id)))
    if any(code_id is not None and code_id not in codes for code_id in choices.values()):
        raise CodingError(_("Choose one of the codes shown."))
    present = set(
        db.session.scalars(
            select(Response.id).where(
                Response.id.in_(list(choices)), Response.wave_id == wave.id, Response.status == ResponseStatus.submitted
            )
        )
    )
    existing = {
        label.response_id: label
        for label in db.session.scalars(
            select(CodeLabel).where(CodeLabel.codebook_id == codebook.id, CodeLabel.response_id.in_(list(present)))
        )
    }
    changes, now = LabelChanges(), utcnow()
    for response_id, code_id in choices.items():
        if response_id not in present:
            continue
        label = existing.get(response_id)
        if label is None and code_id is not None:
            db.session.add(
                CodeLabel(
                    codebook_id=codebook.id,
                    code_id=code_id,
                    response_id=response_id,
                    labelled_by_id=actor.id if actor else None,
                    labelled_at=now,
                )
            )
            changes.added += 1
        elif label is not None and code_id is None:
            db.session.delete(label)
            changes.removed += 1
        elif label is not None and code_id is not None and label.code_id != code_id:  # code_id None: removed above
            label.code_id, label.labelled_by_id, label.labelled_at = code_id, actor.id if actor else None, now
            changes.changed += 1
    if not changes.total:
        return changes
    audit.record(
        "answers_labelled",
        actor,
        "codebook",
        codebook.id,
        wave=wave.id,
        added=changes.added,
        changed=changes.changed,
        removed=changes.removed,
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # another analyst labelled one of these answers at the same moment
        transactions.roll_back()  # the failed flush leaves the session unusable: this unit of work ends here
        raise CodingError(
            _("Someone else saved labels for these answers at the same moment. Check the labels and save again.")
        ) from error
    return changes


# --- coding every answer of a wave --------------------------------------------------------------------------------


@dataclass
class CodingSummary:
    total: int
    low_confidence: int
    per_code: list[tuple[CodebookCode, int]]  # every code of the codebook, in codebook order
    coded_at: datetime | None


def coding_summary(codebook: Codebook, wave: Wave) -> CodingSummary | None:
    """The stored coding of the wave: answers per code and how many are uncertain; None when it was never coded."""
    counts = dict(
        db.session.execute(
            select(CodedAnswer.code_id, func.count())
            .where(CodedAnswer.codebook_id == codebook.id, CodedAnswer.wave_id == wave.id)
            .group_by(CodedAnswer.code_id)
        ).all()
    )
    if not counts:
        return None
    low, at = db.session.execute(
        select(
            func.sum(case((CodedAnswer.confidence < LOW_CONFIDENCE, 1), else_=0)), func.max(CodedAnswer.coded_at)
        ).where(CodedAnswer.codebook_id == codebook.id, CodedAnswer.wave_id == wave.id)
    ).one()
    per_code = [(code, counts.get(code.id, 0)) for code in codebook.codes]
    return CodingSummary(sum(counts.values()), int(low or 0), per_code, at)


def training_examples(codebook: Codebook) -> dict[int, list[str]]:
    """Per code id, the texts of the answers labelled with it, in every wave (oldest label first)."""
    examples: dict[int, list[str]] = defaultdict(list)
    for code_id, value in db.session.execute(
        select(CodeLabel.code_id, Answer.value)
        .join(Answer, Answer.response_id == CodeLabel.response_id)
        .join(Response, Response.id == CodeLabel.response_id)
        .where(CodeLabel.codebook_id == codebook.id, *asks_question(codebook.question))
        .order_by(CodeLabel.id)
    ):
        if isinstance(value, str) and value.strip():
            examples[code_id].append(value.strip())
    return examples


def code_wave(
    codebook: Codebook,
    wave: Wave,
    *,
    actor: User | None = None,
    via: str | None = None,
    limit: int | None = None,
    progress: Callable[[str, int], object] | None = None,
) -> CodingSummary:
    """Train on the labels and code every answer of the wave, replacing the codebook's earlier coding of it (added
    and flushed: the caller commits, so the old coding is replaced whole or not at all).

    Examples of a code: the answers labelled with it (in any wave), its description, and its descriptions in other
    languages. At least two codes need labelled answers. `limit` refuses waves with more answers. `progress(stage,
    percent)` is called between the stages, before anything is written (a job's progress, cancellation, time limit).
    """
    # pandas and scikit-learn load here, not when the web application starts
    from analysis.codebook import Code, code_answers, train_codebook

    def stage(name: str, percent: int) -> None:
        if progress is not None:
            progress(name, percent)

    stage("reading", 5)
    codes = list(codebook.codes)
    examples = training_examples(codebook)
    if sum(1 for code in codes if examples.get(code.id)) < 2:
        raise CodingError(
            _("Label answers with at least two different codes first. The computer learns from your labels.")
        )
    answers = [
        (response_id, value.strip(), locale)
        for response_id, value, locale in db.session.execute(_answers(codebook, wave).order_by(Response.id))
        if isinstance(value, str) and value.strip()
    ]
    if not answers:
        raise CodingError(_("This wave has no answers to this question yet."))
    if limit is not None and len(answers) > limit:
        raise CodingError(
            _(
                "This wave has %(count)s answers to this question: too many to code on this page. Ask "
                "your application manager to run: %(command)s",
                count=len(answers),
                command=f'flask --app app codebook code --codebook {codebook.id} --wave "{wave.name}"',
            )
        )
    texts = [text for _response_id, text, _locale in answers]
    stage("training", 20)
    training = [
        Code(
            str(code.id),
            code.description,
            tuple(examples.get(code.id, ()))
            + tuple(entry["description"] for entry in (code.translations or {}).values() if entry.get("description")),
        )
        for code in codes
    ]
    model = train_codebook(training, corpus=texts, seed=SEED)
    stage("coding", 50)
    coded = code_answers(model, texts, hints=[locale for _response_id, _text, locale in answers])
    stage("storing", 90)
    db.session.execute(
        delete(CodedAnswer).where(CodedAnswer.codebook_id == codebook.id, CodedAnswer.wave_id == wave.id)
    )
    now = utcnow()
    rows = [
        {
            "codebook_id": codebook.id,
            "wave_id": wave.id,
            "response_id": response_id,
            "code_id": int(code),
            "confidence": min(1.0, max(0.0, float(confidence))),
            "margin": min(1.0, max(0.0, float(margin))),
            "coded_at": now,
        }
        for (response_id, _text, _locale), code, confidence, margin in zip(
            answers, coded["code"], coded["confidence"], coded["margin"], strict=True
        )
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        db.session.execute(insert(CodedAnswer), rows[start : start + _INSERT_BATCH])
    # training and coding read raw answers: an access to raw responses
    audit.record(
        "answers_coded",
        actor,
        "codebook",
        codebook.id,
        wave=wave.id,
        answers=len(rows),
        labels=sum(len(labelled) for labelled in examples.values()),
        codes=len(codes),
        **({"via": via} if via else {}),
    )
    db.session.flush()
    summary = coding_summary(codebook, wave)
    if summary is None:  # never: every answer was coded just above
        raise RuntimeError(f"codebook {codebook.id}: wave {wave.id} has no coding after coding it")
    return summary
