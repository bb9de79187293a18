"""Reading a wave's submitted responses with their answers, in batches: what an export and an analysis run read."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from extensions import db
from models import Answer, District, InstrumentVersion, Neighbourhood, Response, ResponseMode, ResponseStatus

BATCH = 5_000


@dataclass(frozen=True, slots=True)
class SubmittedResponse:
    """One submitted response as plain values; `answers` maps item id to value as stored (a list for several codes).
    A resident who did not know their neighbourhood has no buurt and no wijk (analysis.frames.place_unknown)."""

    id: int
    external_id: str | None
    instrument_version_id: int
    instrument: str  # the questionnaire's slug
    mode: ResponseMode
    locale: str
    age_band: str | None
    submitted_at: datetime | None
    buurt_code: str | None
    wijk_code: str | None
    answers: dict[str, Any]


def submitted_responses(
    wave_id: int,
    *,
    version_ids: Collection[int] | None = None,
    without_interviews: bool = False,
    batch_size: int = BATCH,
) -> Iterator[SubmittedResponse]:
    """The wave's submitted responses in order of id, given on one of `version_ids` (any version when None), with
    or without interviews.

    Read by id (keyset paging) `batch_size` responses and their answers at a time, as rows rather than ORM objects,
    so memory stays that of one batch however many responses a wave holds (1,000,000 in the benchmarks)."""
    if version_ids is not None and not version_ids:
        return
    query = (
        select(
            Response.id,
            Response.external_id,
            Response.instrument_version_id,
            InstrumentVersion.slug,
            Response.mode,
            Response.locale,
            Response.age_band,
            Response.submitted_at,
            Neighbourhood.code,
            District.code,
        )
        .join(InstrumentVersion, Response.instrument_version_id == InstrumentVersion.id)
        .outerjoin(Neighbourhood, Response.neighbourhood_id == Neighbourhood.id)
        .outerjoin(District, Neighbourhood.district_id == District.id)
        .where(Response.wave_id == wave_id, Response.status == ResponseStatus.submitted)
        .order_by(Response.id)
    )
    if version_ids is not None:
        query = query.where(Response.instrument_version_id.in_(list(version_ids)))
    if without_interviews:
        query = query.where(Response.mode != ResponseMode.interview)
    last_id = 0
    while True:
        rows = db.session.execute(query.where(Response.id > last_id).limit(batch_size)).all()
        if not rows:
            return
        answers: dict[int, dict[str, Any]] = {row[0]: {} for row in rows}
        for response_id, item_id, value in db.session.execute(
            select(Answer.response_id, Answer.item_id, Answer.value).where(Answer.response_id.in_(list(answers)))
        ):
            answers[response_id][item_id] = value
        for response_id, external_id, version_id, slug, mode, locale, age_band, submitted_at, buurt, wijk in rows:
            yield SubmittedResponse(
                response_id,
                external_id,
                version_id,
                slug,
                mode,
                locale,
                age_band,
                submitted_at,
                buurt,
                wijk,
                answers[response_id],
            )
        last_id = rows[-1][0]
