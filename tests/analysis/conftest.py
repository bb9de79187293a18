"""Fixtures: the shipped instruments, the demo municipality Leefdam and one synthetic wave with planted structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.frames import read_kwb, respondents_frame
from demo.synthetic import generate
from surveys.instruments import load_instruments

KWB = Path(__file__).parents[2] / "demo" / "leefdam_kwb.csv"


@pytest.fixture(scope="session")
def instruments():
    return load_instruments()


@pytest.fixture(scope="session")
def leefdam():
    """(areas, population) of the demo municipality."""
    return read_kwb(KWB)


@pytest.fixture(scope="session")
def leefdam_margins():
    """(areas, population) of the demo municipality with its margins beyond age (sex, households)."""
    return read_kwb(KWB, margins=True)


@pytest.fixture(scope="session")
def buurten(leefdam):
    """(buurt code, wijk index, population) as demo.synthetic.generate takes them; wijk index in code order."""
    areas, population = leefdam
    wijken = sorted(areas.index[areas["level"] == "wijk"])
    return [
        (code, wijken.index(areas.loc[code, "parent"]), int(population.loc[code].sum()))
        for code in areas.index[areas["level"] == "buurt"]
    ]


def as_records(responses):
    return [
        {
            "response_id": index,
            "instrument": response.instrument,
            "buurt_code": response.buurt_code,
            "wijk_code": "WK" + response.buurt_code[2:8],
            "age_band": response.answers.get("age_band"),
            "locale": response.locale,
            "mode": "online",
            "answers": response.answers,
        }
        for index, response in enumerate(responses)
    ]


@pytest.fixture(scope="session")
def wave(instruments, buurten):
    """4000 synthetic respondents: lower cohesion in wijk 2, loneliness in wijk 4, traffic answers in wijk 0."""
    return respondents_frame(as_records(generate(instruments, buurten, 4000, seed=11)))
