"""The instruments the running app offers, and the frozen versions stored with responses."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import select

from extensions import db
from models import InstrumentVersion, Wave
from surveys.instruments import Instrument, InstrumentError, load_instruments, localise, parse_instrument


def init_registry(app: Flask) -> None:
    app.extensions["instruments"] = load_instruments()
    app.add_template_global(questionnaire_name)


def current_instruments() -> dict[str, Instrument]:
    return current_app.extensions["instruments"]


def get_instrument(slug: str) -> Instrument | None:
    return current_instruments().get(slug)


def offered_instruments(wave: Wave) -> list[Instrument]:
    """The questionnaires of a wave that residents fill in themselves (not those for interviews only), in the
    wave's order."""
    return [
        instrument
        for slug in wave.instrument_slugs
        if (instrument := get_instrument(slug)) and not instrument.interview_only
    ]


def offered_instrument(wave: Wave, slug: str) -> Instrument | None:
    """The questionnaire `slug` when this wave offers it to residents to fill in themselves, else None."""
    instrument = get_instrument(slug)
    if instrument is None or instrument.interview_only or slug not in wave.instrument_slugs:
        return None
    return instrument


def questionnaire_name(slug: str) -> str:
    """The questionnaire's title in the reader's language (staff pages show it instead of the slug); the slug itself
    for one the app does not offer (any more)."""
    instrument = get_instrument(slug)
    return localise(instrument.title, g.get("lang", "nl")) if instrument else slug


@dataclass(frozen=True)
class VersionRef:
    """A stored instrument version named by its row's columns, without its ORM object (surveys.flow.PageResponse);
    instrument_of reads its definition only for a version whose file has changed since."""

    id: int
    slug: str
    version: int
    content_hash: str

    @property
    def definition(self) -> Any:
        return db.session.scalar(select(InstrumentVersion.definition).where(InstrumentVersion.id == self.id))


# Stored instruments parsed once per process: a stored version's content never changes (ensure_version refuses
# that), so its row id with its slug, version and content hash name it for good.
_stored: dict[tuple[int, str, int, str], Instrument] = {}
_stored_lock = threading.Lock()
STORED_CACHE_SIZE = 64


def instrument_of(version: InstrumentVersion | VersionRef) -> Instrument:
    """The instrument exactly as a response saw it: the live file when unchanged, else the stored copy (parsed
    once; its definition is read from the database only then)."""
    live = get_instrument(version.slug)
    if live is not None and live.content_hash == version.content_hash:
        return live
    key = (version.id, version.slug, version.version, version.content_hash)
    parsed = _stored.get(key)
    if parsed is None:  # a copy: the parsed instrument outlives the session that loaded the row
        parsed = parse_instrument(
            json.loads(json.dumps(version.definition)), f"{version.slug} v{version.version} (stored)"
        )
        with _stored_lock:
            if len(_stored) >= STORED_CACHE_SIZE:
                _stored.pop(next(iter(_stored)))
            _stored[key] = parsed
    return parsed


def ensure_version(instrument: Instrument) -> InstrumentVersion:
    """The stored row for this instrument file; a changed file under an old version number is refused."""
    stored = db.session.scalar(select(InstrumentVersion).filter_by(slug=instrument.slug, version=instrument.version))
    if stored is None:
        stored = InstrumentVersion(
            slug=instrument.slug,
            version=instrument.version,
            content_hash=instrument.content_hash,
            definition=instrument.definition,
        )
        db.session.add(stored)
        db.session.flush()
    elif stored.content_hash != instrument.content_hash:
        raise InstrumentError(
            [
                f"{instrument.slug}.yaml: file: content changed but version is still {instrument.version}; "
                "raise the version so stored responses keep the questions they answered"
            ]
        )
    return stored
