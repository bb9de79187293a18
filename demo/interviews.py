"""Synthetic wijkteam interviews for the demo: clients with an intake and a follow-up, so that the council's
indicator "clients of the wijkteam are doing better" (improved_share, analysis.change) has figures.

Each client of a demo wijkteam is interviewed twice in the wave that offers the interview: an intake, and a
follow-up three to five months later (never after today). At intake they rate five to eight life domains (1..5)
and the six dimensions of Positive Health (0..10); at follow-up the same ones again, on average better. Planted: in
Molenwijk, where the demo's output figures show many more youth trajectories, clients improve clearly less than
elsewhere (output up, outcome not), which the output-beside-outcome page is there to show. Now and then the worker
rates a domain one point otherwise than the client. No names, no free text: a client is a made-up code, stored
only as its key.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import select

from extensions import db
from interviews.clients import client_key
from interviews.service import conversation_moment, new_sync_key
from models import (
    Answer,
    District,
    Interview,
    Neighbourhood,
    Response,
    ResponseMode,
    ResponseStatus,
    Team,
    Wave,
)
from surveys.flow import municipal_today
from surveys.registry import current_instruments, ensure_version

SLUG = "interview"
LESS_CHANGE_WIJK = "WK900103"  # Molenwijk: more trajectories, less change (demo/municipality.yaml, outputs)
MEAN_CHANGE = {"elsewhere": 0.55, LESS_CHANGE_WIJK: 0.1}  # on the 1..5 domains; twice that on 0..10
WORKER_DIFFERS = 0.12  # share of follow-up domain ratings the worker rates one point otherwise


def add_synthetic_interviews(wave: Wave, clients: int, seed: int) -> int:
    """Intake and follow-up of `clients` made-up clients of the municipality's wijkteams in `wave`; returns the
    number of interviews added (the caller commits). A demo loaded in the first months of its wave has fewer
    follow-ups: none falls after today."""
    instrument = current_instruments()[SLUG]
    version = ensure_version(instrument)
    teams = list(db.session.scalars(select(Team).filter_by(municipality_id=wave.municipality_id).order_by(Team.id)))
    buurten = list(
        db.session.execute(
            select(Neighbourhood, District.code)
            .join(District, Neighbourhood.district_id == District.id)
            .where(District.municipality_id == wave.municipality_id)
            .order_by(Neighbourhood.code)
        )
    )
    if not teams or not buurten:
        return 0
    domains = [item.id for item in instrument.rated_items() if item.type == "likert"]
    dimensions = [item.id for item in instrument.rated_items() if item.type == "scale_0_10"]
    secret = current_app.config["CLIENT_CODE_SECRET"]
    rng = np.random.default_rng(seed)
    inhabitants = np.array([buurt.inhabitants or 1 for buurt, _ in buurten], dtype=float)
    wijken = sorted({wijk_code for _, wijk_code in buurten})
    today = municipal_today()
    intake_days = max((today - wave.opens_on).days - 90, 8)  # intakes whose follow-up has mostly taken place
    added = 0
    for number in range(clients):
        buurt, wijk_code = buurten[rng.choice(len(buurten), p=inhabitants / inhabitants.sum())]
        team = teams[wijken.index(wijk_code) * len(teams) // len(wijken)]  # each team its own wijken
        code = f"DEMO-{seed}-{number:04d}"
        intake_day = wave.opens_on + timedelta(days=int(rng.integers(7, intake_days)))
        follow_day = min(intake_day + timedelta(days=int(rng.integers(90, 150))), today)
        level = rng.normal()
        change = rng.normal(MEAN_CHANGE.get(wijk_code, MEAN_CHANGE["elsewhere"]), 0.6)
        rated = list(rng.choice(domains, size=int(rng.integers(5, 9)), replace=False))
        intake = {item: 2.6 + 0.7 * level + rng.normal(0, 0.6) for item in rated}
        intake |= {item: 5.2 + 1.4 * level + rng.normal(0, 1.0) for item in dimensions}
        follow = {
            item: value + (change if item in domains else 2 * change) + rng.normal(0, 0.5 if item in domains else 0.9)
            for item, value in intake.items()
        }
        for day, ratings, later in ((intake_day, intake, False), (follow_day, follow, True)):
            if day > today or (later and day <= intake_day):
                break
            values = {
                item: int(np.clip(round(value), 1, 5) if item in domains else np.clip(round(value), 0, 10))
                for item, value in ratings.items()
            }
            worker = {
                item: value + (1 if value < 5 else -1)
                for item, value in values.items()
                if later and item in domains and rng.random() < WORKER_DIFFERS
            }
            moment = conversation_moment(day)
            response = Response(
                token=secrets.token_urlsafe(32),
                wave=wave,
                instrument_version=version,
                neighbourhood=buurt,
                locale="nl",
                mode=ResponseMode.interview,
                status=ResponseStatus.submitted,
                page_index=0,
                created_at=moment,
                updated_at=moment,
                submitted_at=moment,
                answers=[Answer(item_id=item, value=value) for item, value in values.items()],
            )
            db.session.add(
                Interview(
                    response=response,
                    team=team,
                    sync_key=new_sync_key(),
                    conducted_at=moment,
                    client_key=client_key(team.id, code, secret),
                    worker_ratings=worker,
                )
            )
            added += 1
    db.session.flush()
    return added
