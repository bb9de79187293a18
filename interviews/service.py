"""Storing interviews (once, whatever the number of resends), who may open them, and the change since intake."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.service import teams_on
from extensions import db
from geography.areas import neighbourhood_in
from interviews.clients import client_key, is_valid_client_code
from interviews.forms import WORKER_PREFIX, InterviewFormBase
from models import Answer, Interview, Response, ResponseMode, ResponseStatus, Role, Team, User, Wave, WaveInstrument
from models.types import utcnow
from surveys.flow import AGE_BAND_ITEM, MUNICIPAL_TIMEZONE, municipal_today
from surveys.forms import answer_values
from surveys.instruments import Instrument
from surveys.registry import ensure_version, instrument_of

# What a wijkteam worker can take at the kitchen table: the interview itself, or a resident questionnaire with them.
INTERVIEW_INSTRUMENTS = ("interview", "adult", "parent")


def new_sync_key() -> str:
    return str(uuid.uuid4())


def is_valid_sync_key(key: str | None) -> bool:
    try:
        return key is not None and str(uuid.UUID(key)) == key.lower() and uuid.UUID(key).version == 4
    except ValueError:
        return False


class SyncConflict(Exception):
    """The key belongs to an interview of someone else: a replayed or tampered submission."""


@dataclass(frozen=True)
class Saved:
    interview: Interview
    created: bool  # False: this was a resend of an interview that is already stored


def open_wave(municipality_id: int, slug: str, day: date) -> Wave | None:
    """The newest survey period of the municipality that offers this instrument on that day."""
    return db.session.scalar(
        select(Wave)
        .join(WaveInstrument)
        .where(
            Wave.municipality_id == municipality_id,
            WaveInstrument.instrument_slug == slug,
            Wave.opens_on <= day,
            (Wave.closes_on.is_(None)) | (Wave.closes_on >= day),
        )
        .order_by(Wave.opens_on.desc())
        .limit(1)
    )


def find_by_sync_key(user: User, key: str) -> Interview | None:
    interview = db.session.scalar(select(Interview).filter_by(sync_key=key.lower()))
    if interview is not None and interview.interviewer_id != user.id:
        raise SyncConflict(key)
    return interview


def conversation_moment(day: date) -> datetime:
    """When a conversation on `day` counts as held: noon, municipal time (the date counts, not the moment a tablet
    found a connection)."""
    return datetime.combine(day, time(12), MUNICIPAL_TIMEZONE).astimezone(tz=utcnow().tzinfo)


def save_interview(
    user: User, instrument: Instrument, form: InterviewFormBase, locale: str, secret: str
) -> Saved | None:
    """Validate and store the interview in one transaction; None (with errors on the form) when it is not valid."""
    key = (form.sync_key.data or "").lower()
    valid = form.validate()
    if not is_valid_sync_key(key):
        form.sync_key.errors = [_("Something in this page was changed. Check the answers and save again.")]
        return None
    if "csrf_token" in form.errors:
        return None
    existing = find_by_sync_key(user, key)
    if existing is not None:
        return Saved(existing, created=False)
    day = form.conducted_on.data or municipal_today()
    team = team_of_page(user, form.team.data, day)
    if team is None:
        form.team.errors = [
            _(
                "You were not in this wijkteam on the date of the conversation. Check the answers "
                "and save the interview again for your own wijkteam."
            )
        ]
        form.team.data = str(user.team_id)  # saved again from this page, it goes to the worker's own team
        team = own_team(user)
    if day > municipal_today():
        form.conducted_on.errors = [_("This date is in the future.")]
    code = form.client_code.data or ""
    if not code.strip():
        form.client_code.errors = [_("Fill in the client code.")]
    elif not is_valid_client_code(code):
        form.client_code.errors = [_("Use only letters, digits and - _ . / in the client code (at most 40).")]
    neighbourhood = neighbourhood_in(team.municipality_id, form.buurt.data or "") if form.buurt.data else None
    if neighbourhood is None:
        form.buurt.errors = [_("Choose the neighbourhood from the list.")]
    wave = open_wave(team.municipality_id, instrument.slug, day)
    if wave is None and not form.conducted_on.errors:
        form.conducted_on.errors = [_("No wave offers this questionnaire on this date. Ask an analyst to open one.")]
    if not valid or any(field.errors for field in form):
        return None
    values = {item_id: value for item_id, value in answer_values(form, instrument.items).items() if value is not None}
    # a question whose condition does not hold was not asked, whatever the page sent
    values = {item_id: value for item_id, value in values.items() if instrument.item(item_id).is_visible(values)}
    now = utcnow()
    response = Response(
        token=secrets.token_urlsafe(32),
        wave=wave,
        instrument_version=ensure_version(instrument),
        neighbourhood=neighbourhood,
        locale=locale,
        mode=ResponseMode.interview,
        status=ResponseStatus.submitted,
        age_band=values.get(AGE_BAND_ITEM),
        page_index=0,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        answers=[Answer(item_id=item_id, value=value) for item_id, value in values.items()],
    )
    interview = Interview(
        response=response,
        team=team,
        interviewer=user,
        sync_key=key,
        conducted_at=conversation_moment(day),
        client_key=client_key(team.id, code, secret),
        notes=(form.notes.data or "").strip() or None,
        worker_ratings=worker_ratings(form, instrument, values),
    )
    db.session.add(interview)
    try:
        # committed here, not at the request's edge, on purpose: the sync key's IntegrityError is how a resend of an
        # interview that a parallel send stored first is recognised, and answered with the stored one
        db.session.commit()
    except IntegrityError:
        # A parallel send of the same interview (the outbox retrying while the first send was still underway)
        # committed first: this one is a resend, and answers with the stored interview.
        db.session.rollback()
        existing = find_by_sync_key(user, key)
        if existing is None:
            raise
        return Saved(existing, created=False)
    return Saved(interview, created=True)


def worker_ratings(form: InterviewFormBase, instrument: Instrument, values: dict) -> dict[str, int]:
    """The worker's own ratings where they differ from the client's (a worker who agrees leaves the field empty)."""
    ratings = {}
    for item in instrument.rated_items():
        given = form[WORKER_PREFIX + item.id].data
        if given and int(given) != values.get(item.id):
            ratings[item.id] = int(given)
    return ratings


def own_team(user: User) -> Team:
    """The wijkteam of an interviewer, who always has one (accounts refuse an interviewer without)."""
    if user.team is None:
        raise RuntimeError(f"interviewer {user.id} has no wijkteam")
    return user.team


def team_of_page(user: User, team_field: str | None, day: date) -> Team | None:
    """The team an interview goes to: the one its page was made for, if the worker belonged to it on that day.

    An interview belongs to the team that holds the client's support, so one taken for team A before a move to
    team B, and sent from the tablet's outbox afterwards, is added to team A. A former team takes nothing else, and
    a team the worker never belonged to nothing at all (None). A page without the field (made before pages carried
    it) is for the worker's current team.
    """
    if not team_field or team_field == str(user.team_id):
        return user.team
    if not team_field.isdigit() or int(team_field) not in teams_on(user, day):
        return None
    return db.session.get(Team, int(team_field))


def may_open(user: User, interview: Interview) -> bool:
    """Interviewers open the interviews of their current team, their colleagues' too: a wijkteam shares its
    caseload (a colleague takes over a client, and a follow-up needs the intake, which the client's timeline on every
    interview shows anyway); every opening is written to the audit log. Analysts open those of their municipality.

    Checked on every request against the account as it is now: after a move to another team the old team's
    interviews, and the notes that team writes later, are out of reach, also those the worker took there.
    """
    if user.role is Role.interviewer:
        return user.team_id is not None and interview.team_id == user.team_id
    if user.role is Role.analyst:
        return user.municipality_id is None or interview.team.municipality_id == user.municipality_id
    return False


def visible_interviews(user: User, limit: int = 200) -> list[Interview]:
    query = select(Interview).order_by(Interview.conducted_at.desc(), Interview.id.desc()).limit(limit)
    if user.role is Role.interviewer:
        query = query.where(Interview.team_id == user.team_id)
    elif user.municipality_id is not None:
        query = query.join(Team, Interview.team_id == Team.id).where(Team.municipality_id == user.municipality_id)
    return list(db.session.scalars(query))


def find_client(user: User, code: str, secret: str) -> Interview | None:
    """The latest interview of the client with this code in the worker's current team (the code is hashed as when
    the interview was saved, and never kept), or None."""
    if user.role is not Role.interviewer or user.team_id is None or not is_valid_client_code(code):
        return None
    return db.session.scalar(
        select(Interview)
        .where(Interview.team_id == user.team_id, Interview.client_key == client_key(user.team_id, code, secret))
        .order_by(Interview.conducted_at.desc(), Interview.id.desc())
        .limit(1)
    )


def client_history(interview: Interview) -> list[Interview]:
    """Every interview of this client in this team, oldest first: the first is the intake."""
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.team_id == interview.team_id, Interview.client_key == interview.client_key)
            .order_by(Interview.conducted_at, Interview.id)
        )
    )


@dataclass(frozen=True)
class Change:
    item_id: str
    label: dict[str, str]
    before: int
    after: int
    highest: int

    @property
    def difference(self) -> int:
        return self.after - self.before


def comparable_items(first: Instrument, second: Instrument) -> list[str]:
    """Rated items of a scale that both instruments ask: the life domains and the six dimensions."""
    rated = {item.id for item in second.rated_items()}
    return [item.id for item in first.items if item.id in rated]


def changes_between(intake: Interview, later: Interview) -> list[Change]:
    first, second = instrument_of(intake.response.instrument_version), instrument_of(later.response.instrument_version)
    before, after = intake.response.answer_values(), later.response.answer_values()
    changes = []
    for item_id in comparable_items(first, second):
        if isinstance(before.get(item_id), int) and isinstance(after.get(item_id), int):
            item = second.item(item_id)
            changes.append(Change(item_id, item.text, before[item_id], after[item_id], item.bounds[1]))
    return changes


@dataclass(frozen=True)
class TimelineRow:
    """One rated area of life over a client's conversations: the rating at each (None where it was not asked)."""

    item_id: str
    label: dict[str, str]
    ratings: tuple[int | None, ...]
    highest: int

    @property
    def change(self) -> int | None:
        """The latest rating against the intake's, when both were given."""
        given = [rating for rating in self.ratings if rating is not None]
        if self.ratings[0] is None or len(given) < 2:
            return None
        return given[-1] - self.ratings[0]


def client_timeline(history: list[Interview]) -> list[TimelineRow]:
    """The intake's rated areas of life over every conversation with the client, oldest first."""
    instruments = [instrument_of(interview.response.instrument_version) for interview in history]
    answers = [interview.response.answer_values() for interview in history]
    latest = instruments[-1]
    rows = []
    for item_id in comparable_items(instruments[0], latest):
        ratings = tuple(values.get(item_id) if isinstance(values.get(item_id), int) else None for values in answers)
        item = latest.item(item_id)
        rows.append(TimelineRow(item_id, item.text, ratings, item.bounds[1]))
    return rows


@dataclass(frozen=True)
class Difference:
    """An area of life that the worker rated otherwise than the client."""

    label: dict[str, str]
    client: int | None
    worker: int


def rating_differences(interview: Interview, instrument: Instrument) -> list[Difference]:
    answers = interview.response.answer_values()
    return [
        Difference(item.text, answers.get(item.id), interview.worker_ratings[item.id])
        for item in instrument.rated_items()
        if item.id in (interview.worker_ratings or {})
    ]
