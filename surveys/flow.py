"""The resident flow as plain functions: start, save a page, submit, resume codes and expiry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from extensions import db
from models import Answer, InstrumentVersion, Interview, Response, ResponseMode, ResponseStatus, SubmissionKey, Wave
from models.survey import is_open_between
from models.types import utcnow
from surveys.instruments import Instrument, Page
from surveys.registry import VersionRef, ensure_version

# Waves open and close on Dutch calendar dates.
MUNICIPAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")
# Crockford's base32 without look-alikes: a resident reads the code off one screen and types it on another.
RESUME_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RESUME_CODE_LENGTH = 12  # 60 bits: guessing is hopeless even without rate limits
AGE_BAND_ITEM = "age_band"


class WaveClosed(Exception):
    """The wave accepts no (more) responses."""


class NothingAnswered(Exception):
    """The response has no answer that counts (Instrument.counting_items): it is not sent."""


class ResponseChanged(Exception):
    """Another request stored something for this response after this one read it: read again and redo."""


class SubmitKeyTaken(Exception):
    """Another submit with this key was stored first (a parallel double click, or another response's key)."""

    def __init__(self, outcome: str | None):
        super().__init__(outcome)
        self.outcome = outcome  # where the first submit led when it was this response's; None for another's


@dataclass(frozen=True)
class KeyCheck:
    usable: bool  # well formed and used by no other response: this submit may be stored under it
    outcome: str | None = None  # where the first submit with this key led: repeat that and write nothing


@dataclass(frozen=True)
class WaveTerm:
    """When a wave takes answers, read without its ORM object (PageResponse)."""

    name: str
    opens_on: date
    closes_on: date | None

    def is_open(self, today: date) -> bool:
        return is_open_between(self.opens_on, self.closes_on, today)


@dataclass
class PageResponse:
    """A response as its question pages read and write it: one row with its wave's term and its instrument version,
    read with Core (find_page_response). Loading the ORM objects cost more than the rest of a page's database work;
    a question page changes only answers and the columns save_answers writes, so it needs none of them. The pages that
    change more (area, review, pause, thank-you) read the ORM object (find_response)."""

    id: int
    token: str
    status: ResponseStatus
    page_index: int
    locale: str
    age_band: str | None
    neighbourhood_id: int | None
    area_unknown: bool
    updated_at: datetime
    expires_at: datetime | None
    wave: WaveTerm
    instrument_version: VersionRef

    @property
    def area_given(self) -> bool:
        """As Response.area_given."""
        return self.neighbourhood_id is not None or self.area_unknown


def municipal_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(MUNICIPAL_TIMEZONE).date()


def new_submit_key() -> str:
    return uuid.uuid4().hex


def is_valid_submit_key(key: str | None) -> bool:
    if not key or len(key) != 32:
        return False
    try:
        return uuid.UUID(hex=key).version == 4
    except ValueError:
        return False


def start_response(
    wave: Wave, instrument: Instrument, locale: str, expiry_days: int, mode: ResponseMode = ResponseMode.self_completed
) -> Response:
    if not wave.is_open(municipal_today()):
        raise WaveClosed(wave.name)
    now = utcnow()
    response = Response(
        token=secrets.token_urlsafe(32),
        wave=wave,
        instrument_version=ensure_version(instrument),
        locale=locale,
        mode=mode,
        status=ResponseStatus.in_progress,
        page_index=0,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=expiry_days),
    )
    db.session.add(response)
    db.session.flush()
    return response


@cache
def _statements() -> SimpleNamespace:
    """The statements every resident page runs, built once per process with bound parameters: building a statement
    and computing its cache key cost more than running it, and a statement object keeps its key."""
    # declarative models' tables; an update's parameters may not be named as its columns are
    responses, answers = cast(Table, Response.__table__), cast(Table, Answer.__table__)
    keys, waves = cast(Table, SubmissionKey.__table__), cast(Table, Wave.__table__)
    versions = cast(Table, InstrumentVersion.__table__)
    return SimpleNamespace(
        # A write that changes nothing: on PostgreSQL it locks the row, on SQLite it takes the database's write lock
        # (waiting up to busy_timeout) before anything is read, which SELECT ... FOR UPDATE cannot do there.
        hold=update(responses)
        .where(responses.c.token == bindparam("b_token"))
        .values(page_index=responses.c.page_index),
        # one query for what every resident page needs: the response, its wave and its instrument version (whose
        # definition stays deferred: the instrument comes from the registry's cache); the answers see stored_answers
        response=select(Response)
        .where(Response.token == bindparam("token"))
        .options(joinedload(Response.wave), joinedload(Response.instrument_version))
        .execution_options(populate_existing=True),
        # the same as one row of columns, for a question page (PageResponse)
        page_response=select(
            responses.c.id,
            responses.c.token,
            responses.c.status,
            responses.c.page_index,
            responses.c.locale,
            responses.c.age_band,
            responses.c.neighbourhood_id,
            responses.c.area_unknown,
            responses.c.updated_at,
            responses.c.expires_at,
            waves.c.name.label("wave_name"),
            waves.c.opens_on,
            waves.c.closes_on,
            versions.c.id.label("version_id"),
            versions.c.slug,
            versions.c.version,
            versions.c.content_hash,
        )
        .select_from(
            responses.join(waves, waves.c.id == responses.c.wave_id).join(
                versions, versions.c.id == responses.c.instrument_version_id
            )
        )
        .where(responses.c.token == bindparam("token")),
        answers=select(answers.c.item_id, answers.c.value).where(answers.c.response_id == bindparam("response_id")),
        key=select(keys.c.response_id, keys.c.outcome).where(keys.c.key == bindparam("key")),
        add_key=insert(keys),
        # without values(): the columns set are the keys of the parameters given
        write=update(responses).where(responses.c.id == bindparam("b_id")),
        # the same, only if the row is unchanged since it was read (save_answers)
        claim_and_write=update(responses).where(
            responses.c.id == bindparam("b_id"), responses.c.updated_at == bindparam("b_updated_at")
        ),
        clear_answers=delete(answers).where(
            answers.c.response_id == bindparam("response_id"), answers.c.item_id.in_(bindparam("items", expanding=True))
        ),
        add_answers=insert(answers),
    )


def find_response(token: str | None, for_update: bool = False) -> Response | None:
    """The response of this session token; `for_update` holds it until the commit, so that parallel posts of one
    response (a double click, several tabs) run one after the other and each sees what the one before stored."""
    if not token:
        return None
    statements = _statements()
    if for_update:
        db.session.connection().execute(statements.hold, {"b_token": token})
    return db.session.scalars(statements.response, {"token": token}).unique().one_or_none()


def find_page_response(token: str | None, for_update: bool = False) -> PageResponse | None:
    """The response of this session token as a question page reads it (PageResponse); `for_update` as in
    find_response."""
    if not token:
        return None
    statements, connection = _statements(), db.session.connection()
    if for_update:
        connection.execute(statements.hold, {"b_token": token})
    row = connection.execute(statements.page_response, {"token": token}).one_or_none()
    if row is None:
        return None
    return PageResponse(
        id=row.id,
        token=row.token,
        status=row.status,
        page_index=row.page_index,
        locale=row.locale,
        age_band=row.age_band,
        neighbourhood_id=row.neighbourhood_id,
        area_unknown=row.area_unknown,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        wave=WaveTerm(row.wave_name, row.opens_on, row.closes_on),
        instrument_version=VersionRef(row.version_id, row.slug, row.version, row.content_hash),
    )


def stored_answers(response: Response | PageResponse) -> dict[str, Any]:
    """The response's answers by item id, as Response.answer_values() gives them, read as plain rows: a question
    page reads them with every request, and ORM objects for them cost more than the page's other work."""
    return dict(db.session.connection().execute(_statements().answers, {"response_id": response.id}).all())


def is_expired(response: Response | PageResponse, now: datetime | None = None) -> bool:
    return (
        response.status is ResponseStatus.in_progress
        and response.expires_at is not None
        and response.expires_at <= (now or utcnow())
    )


def check_submit_key(response: Response | PageResponse, key: str | None) -> KeyCheck:
    """Whether a page submit may be stored under this key, or repeats an earlier one (then with its outcome)."""
    if not is_valid_submit_key(key):
        return KeyCheck(usable=False)
    stored = db.session.connection().execute(_statements().key, {"key": key}).one_or_none()
    if stored is None:
        return KeyCheck(usable=True)
    if stored.response_id != response.id:  # copied from someone else's page: storing it would clash
        return KeyCheck(usable=False)
    return KeyCheck(usable=True, outcome=stored.outcome)


def _commit_submit(response: Response | PageResponse, key: str, outcome: str) -> None:
    """Store the submit key with where the submit led and commit; a submit with the same key that was committed first
    wins.

    A commit inside the flow, not at the request's edge, on purpose: the duplicate key's IntegrityError is how a
    double submit is recognised and answered as the first one, and the answers are kept even when the page is then
    shown again with an error (422)."""
    response_id = response.id
    try:
        db.session.connection().execute(
            _statements().add_key, {"key": key, "response_id": response_id, "outcome": outcome, "created_at": utcnow()}
        )
        db.session.commit()
    except IntegrityError:
        # The parallel twin was not yet visible when this one checked its key (or another response took the key
        # at the same moment): nothing of this submit is kept, and it answers as the stored one did.
        db.session.rollback()
        stored = db.session.get(SubmissionKey, key)
        if stored is None:
            raise
        raise SubmitKeyTaken(stored.outcome if stored.response_id == response_id else None) from None


def _touch(response: Response, expiry_days: int) -> None:
    now = utcnow()
    response.updated_at = now
    if response.status is ResponseStatus.in_progress:
        response.expires_at = now + timedelta(days=expiry_days)


def set_neighbourhood(
    response: Response, neighbourhood_id: int | None, key: str, outcome: str, expiry_days: int
) -> None:
    """The buurt the resident chose; None when they said they do not know it (the response then counts for the
    municipality only)."""
    response.neighbourhood_id = neighbourhood_id
    response.area_unknown = neighbourhood_id is None
    _touch(response, expiry_days)
    _commit_submit(response, key, outcome)


def save_answers(
    response: Response | PageResponse,
    page: Page,
    values: dict[str, Any],
    key: str | None,
    outcome: str,
    expiry_days: int,
    page_index: int | None = None,
    locale: str | None = None,
    stored: Collection[str] | None = None,
) -> None:
    """Replace the answers of one page in a single transaction; a missing value clears that item. `locale`: the
    language the page was answered in.

    `values` holds only valid answers: items with errors are left out and keep what was stored before.

    `stored`: the items the response had answers to when it was read. Only those of them that the page changes are
    deleted before the page's answers are inserted (on a page answered for the first time, nothing): the claim below
    writes only if the response is unchanged since it was read, so they are still what is stored. None deletes every
    item the page changes.

    The first statement writes the response's row only if nothing was stored for it since it was read: on PostgreSQL
    that locks the row, on SQLite it takes the database's write lock, until the commit. When another request stored
    answers, a neighbourhood or the submit meanwhile (each moves `updated_at`), it writes nothing and this raises
    ResponseChanged; the caller rolls back and does its work again on a response read with `for_update`. A page post
    so reads and checks without holding a lock, and holds one only while it writes: on SQLite the write lock is the
    database's, and every resident waits while one holds it.
    """
    # The response's row and the page's answers are written by Core statements, not through the unit of work, whose
    # flush costs more than all of a page's writes (stored_answers reads the answers the same way).
    statements, connection = _statements(), db.session.connection()
    now = utcnow()
    columns: dict[str, Any] = {"updated_at": now}
    if response.status is ResponseStatus.in_progress:
        columns["expires_at"] = now + timedelta(days=expiry_days)
    if AGE_BAND_ITEM in values:
        columns["age_band"] = values[AGE_BAND_ITEM] or None
    if page_index is not None:
        columns["page_index"] = page_index
    if locale is not None:
        columns["locale"] = locale
    written = connection.execute(
        statements.claim_and_write, {"b_id": response.id, "b_updated_at": response.updated_at, **columns}
    )
    if written.rowcount != 1:
        raise ResponseChanged()
    changed = list(values)
    replaced = changed if stored is None else [item for item in changed if item in stored]
    if replaced:
        connection.execute(statements.clear_answers, {"response_id": response.id, "items": replaced})
    given = [
        {"response_id": response.id, "item_id": item_id, "value": values[item_id]}
        for item_id in changed
        if values[item_id] is not None and values[item_id] != "" and values[item_id] != []
    ]
    if given:
        connection.execute(statements.add_answers, given)
    if isinstance(response, Response) and "answers" in response.__dict__:  # loaded before: read again when next used
        db.session.expire(response, ["answers"])
    for name, value in columns.items():  # the object as stored, with nothing left for a flush to write
        if isinstance(response, Response):
            set_committed_value(response, name, value)
        else:
            setattr(response, name, value)
    if key is None:
        db.session.commit()  # the valid answers of a page shown again with its errors (422) are kept: never lost
    else:
        _commit_submit(response, key, outcome)


def submit_response(response: Response, instrument: Instrument, key: str, outcome: str) -> None:
    """Mark the response submitted in one transaction; answers were saved page by page before.

    Answers to questions that a later change made irrelevant (their show-if no longer holds) are dropped.
    """
    if response.status is ResponseStatus.submitted:
        return
    if not response.wave.is_open(municipal_today()):
        raise WaveClosed(response.wave.name)
    # the answers as rows and the hidden ones dropped by a statement (see save_answers); a NothingAnswered is rolled
    # back by the caller, the statement with it
    answers = stored_answers(response)
    hidden = [
        item_id
        for item_id in answers
        if item_id in instrument.item_ids and not instrument.item(item_id).is_visible(answers)
    ]
    if hidden:
        db.session.connection().execute(_statements().clear_answers, {"response_id": response.id, "items": hidden})
        if "answers" in response.__dict__:  # loaded before: read again when next used
            db.session.expire(response, ["answers"])
    if not instrument.counts({item_id: value for item_id, value in answers.items() if item_id not in hidden}):
        raise NothingAnswered()
    now = utcnow()
    response.status = ResponseStatus.submitted
    response.submitted_at = now
    response.updated_at = now
    response.expires_at = None
    _commit_submit(response, key, outcome)


def hash_resume_code(code: str, secret: str) -> str:
    return hmac.new(secret.encode(), normalise_resume_code(code).encode(), hashlib.sha256).hexdigest()


def normalise_resume_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OILU", "011V"))


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_resume_code(response: Response | PageResponse, secret: str) -> str:
    """A fresh code for this response (an earlier one stops working); only its keyed hash is stored."""
    code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
    if isinstance(response, Response):
        response.resume_code_hash = hash_resume_code(code, secret)
    else:  # no ORM object to flush: written now, in the request's transaction
        db.session.connection().execute(
            _statements().write, {"b_id": response.id, "resume_code_hash": hash_resume_code(code, secret)}
        )
    return format_resume_code(code)


@dataclass(frozen=True)
class ResumeResult:
    """The response a code opens, or why it opens none. An expired response is named too (it cannot be opened), so
    its message can speak in the register of its questionnaire."""

    response: Response | None
    problem: str | None  # "unknown", "expired", "submitted"


def find_by_resume_code(code: str, secret: str) -> ResumeResult:
    if len(normalise_resume_code(code)) != RESUME_CODE_LENGTH:
        return ResumeResult(None, "unknown")
    response = db.session.scalar(select(Response).filter_by(resume_code_hash=hash_resume_code(code, secret)))
    if response is None:
        return ResumeResult(None, "unknown")
    if response.status is ResponseStatus.submitted:
        return ResumeResult(response, "submitted")
    if is_expired(response):
        return ResumeResult(response, "expired")
    return ResumeResult(response, None)


def purge_expired(now: datetime | None = None) -> int:
    """Delete unfinished responses past their expiry (answers and submit keys go with them)."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Response.id).where(Response.status == ResponseStatus.in_progress, Response.expires_at <= now)
    ).all()
    if ids:
        db.session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
        db.session.execute(delete(SubmissionKey).where(SubmissionKey.response_id.in_(ids)))
        db.session.execute(delete(Response).where(Response.id.in_(ids)))
    return len(ids)


def delete_responses(ids: Sequence[int]) -> None:
    """Really delete these responses with their answers, submit keys and interview notes (the caller commits)."""
    if not ids:
        return
    db.session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    db.session.execute(delete(SubmissionKey).where(SubmissionKey.response_id.in_(ids)))
    db.session.execute(delete(Interview).where(Interview.response_id.in_(ids)))
    db.session.execute(delete(Response).where(Response.id.in_(ids)))


def find_for_erasure(code: str, secret: str) -> Response | None:
    """The response a resident's code belongs to, sent or not yet sent; None for an unknown or expired code."""
    result = find_by_resume_code(code, secret)
    return result.response if result.problem in (None, "submitted") else None


def erase_response(response: Response) -> None:
    """Delete a response at the resident's request, in the request's transaction. The audit log says that a response was
    erased, never what it held."""
    from accounts import audit

    details = {
        "wave": response.wave_id,
        "instrument": response.instrument_version.slug,
        "status": response.status.value,
    }
    response_id = response.id
    db.session.expunge(response)  # deleted below with a bulk statement; the session must not flush it again
    delete_responses([response_id])
    audit.record("response_erased_by_resident", None, "response", response_id, **details)
