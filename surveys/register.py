"""The register a resident page speaks in: informally to young people, formally to adults (translations/README.md)."""

from __future__ import annotations

from flask import g, has_request_context


def young_reader() -> bool:
    """Whether a young person reads the page being made: the view said so (`g.young_reader`, on pages before a
    questionnaire is in hand), or the questionnaire in hand (`g.instrument`, set when a response is loaded or started)
    is for young people (Instrument.for_young_people)."""
    if not has_request_context():
        return False
    if "young_reader" in g:
        return bool(g.young_reader)
    instrument = g.get("instrument")
    return instrument is not None and instrument.for_young_people


def addressed(adult: str, youth: str) -> str:
    """The text for whoever reads the page: `youth` (written with pgettext("youth", ...)) for a young person, else
    `adult`. Both are translated already, so both msgids stay visible to the extractor."""
    return youth if young_reader() else adult
