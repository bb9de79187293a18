"""The instruments the running app offers, and the frozen versions stored with responses."""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app
from sqlalchemy import select

from extensions import db
from models import InstrumentVersion
from surveys.instruments import Instrument, InstrumentError, load_instruments, parse_instrument


def init_registry(app: Flask) -> None:
    app.extensions["instruments"] = load_instruments()


def current_instruments() -> dict[str, Instrument]:
    return current_app.extensions["instruments"]


def get_instrument(slug: str) -> Instrument | None:
    return current_instruments().get(slug)


@lru_cache(maxsize=64)
def _parse_stored(version_id: int, content_hash: str, source: str, definition_json: str) -> Instrument:
    import json

    return parse_instrument(json.loads(definition_json), source)


def instrument_of(version: InstrumentVersion) -> Instrument:
    """The instrument exactly as a response saw it: the live file when unchanged, else the stored copy."""
    live = get_instrument(version.slug)
    if live is not None and live.content_hash == version.content_hash:
        return live
    import json

    return _parse_stored(version.id, version.content_hash, f"{version.slug} v{version.version} (stored)",
                         json.dumps(version.definition))


def ensure_version(instrument: Instrument) -> InstrumentVersion:
    """The stored row for this instrument file; a changed file under an old version number is refused."""
    stored = db.session.scalar(
        select(InstrumentVersion).filter_by(slug=instrument.slug, version=instrument.version)
    )
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
        raise InstrumentError([
            f"{instrument.slug}.yaml: file: content changed but version is still {instrument.version}; "
            "raise the version so stored responses keep the questions they answered"
        ])
    return stored
