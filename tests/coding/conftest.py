"""Fixtures for coding open answers: a wave with synthetic open answers, and the truth behind them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coding.service import add_code, asks_question, create_codebook
from demo.cli import add_synthetic_respondents
from demo.synthetic import OPEN_ANSWERS
from extensions import db
from models import Answer, Codebook, Response, Wave

QUESTION = "adult.open_better"  # the adult questionnaire's; youth and parent ask their own
THEMES = ("contact", "green", "litter", "traffic")  # the planted themes of demo.synthetic
RESPONDENTS = 240
# which theme each synthetic phrase stands for, in every language: the answers are clearly separable
TRUTH = {phrase: theme for phrases in OPEN_ANSWERS.values() for theme, texts in phrases.items() for phrase in texts}


@pytest.fixture
def answered_wave(demo_wave) -> Wave:
    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=11)
    return demo_wave


@pytest.fixture
def codebook(answered_wave, analyst) -> Codebook:
    """A codebook for the adults' open_better with one code per planted theme (named as the themes)."""
    book = create_codebook("Wat beter kan", QUESTION, answered_wave.municipality, actor=analyst)
    for theme in THEMES:
        add_code(book, theme, actor=analyst)
    return book


def answers_of(wave: Wave, question: str = QUESTION) -> dict[int, str]:
    """Response id -> answer text of every submitted answer to the question in the wave."""
    return dict(
        db.session.execute(  # type: ignore[arg-type]  # Answer.value is JSON: a text for an open question
            select(Answer.response_id, Answer.value)
            .join(Response)
            .where(*asks_question(question), Response.wave_id == wave.id)
            .order_by(Answer.response_id)
        ).all()
    )


def code_ids(codebook: Codebook) -> dict[str, int]:
    return {code.name: code.id for code in codebook.codes}
