"""Instrument files: the shipped ones load; broken ones are refused with file, item and problem."""

from __future__ import annotations

import copy

import pytest
import yaml

from config import LANGUAGES
from surveys.instruments import InstrumentError, load_instrument_file, load_instruments, parse_instrument


def text(value: str) -> dict[str, str]:
    return {lang: f"{value} ({lang})" for lang in LANGUAGES}


def minimal() -> dict:
    return {
        "slug": "mini",
        "version": 1,
        "title": text("Mini"),
        "description": text("A small test instrument"),
        "translations": {lang: {"status": "source" if lang == "nl" else "not_validated"} for lang in LANGUAGES},
        "option_sets": {"agree5": [{"code": c, "label": text(f"option {c}")} for c in range(1, 6)]},
        "pages": [
            {
                "id": "first",
                "title": text("First"),
                "items": [
                    {"id": "works", "type": "yesno", "text": text("Do you work?")},
                    {"id": "a_1", "type": "likert", "options": "agree5", "text": text("A1")},
                    {"id": "a_2", "type": "likert", "options": "agree5", "text": text("A2")},
                ],
            },
            {
                "id": "second",
                "title": text("Second"),
                "items": [
                    {
                        "id": "hours",
                        "type": "number",
                        "min": 0,
                        "max": 80,
                        "text": text("Hours"),
                        "show_if": {"item": "works", "in": ["yes"]},
                    },
                    {
                        "id": "rating",
                        "type": "scale_0_10",
                        "text": text("Rating"),
                        "anchors": {"low": text("bad"), "high": text("good")},
                    },
                    {"id": "story", "type": "long_text", "text": text("Tell"), "open_question": True},
                ],
            },
        ],
        "scales": [
            {
                "id": "a",
                "name": text("A"),
                "citation": "test",
                "items": ["a_1", "a_2"],
                "method": "mean",
                "reverse": ["a_2"],
                "range": [1, 5],
                "bands": [{"code": "low", "lt": 3}, {"code": "ok", "ge": 3}],
            }
        ],
    }


def problems_of(definition: dict) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(definition, "mini.yaml", expected_slug="mini")
    return caught.value.problems


def test_shipped_instruments_load_and_offer_all_languages():
    instruments = load_instruments()
    assert {"adult", "youth", "parent"} <= set(instruments)
    for instrument in instruments.values():
        assert set(instrument.translations) == set(LANGUAGES)
        assert instrument.translations["nl"]["status"] == "source"
        for item in instrument.items:
            assert set(item.text) == set(LANGUAGES) and all(item.text.values())


def test_adult_instrument_has_the_validated_scales_with_their_item_ids():
    adult = load_instruments()["adult"]
    expected = {
        "who5": [f"who5_{i}" for i in range(1, 6)],
        "djg": [f"djg_{i}" for i in range(1, 7)],
        "brs": [f"brs_{i}" for i in range(1, 7)],
        "mastery": [f"mastery_{i}" for i in range(1, 8)],
        "cohesion": [f"cohesion_{i}" for i in range(1, 6)],
        "life_satisfaction": ["life_satisfaction"],
    }
    for scale_id, items in expected.items():
        scale = adult.scale(scale_id)
        assert list(scale.items) == items
        assert scale.citation.strip()
    assert [adult.item(f"djg_{i}").text["nl"] for i in (1, 4)] == [
        "Ik ervaar een leegte om me heen",
        "Ik mis mensen om me heen",
    ]
    for dimension in ("ph_body", "ph_mind", "ph_meaning", "ph_quality", "ph_participation", "ph_daily"):
        assert adult.item(dimension).type == "scale_0_10"
    assert [item.id for item in adult.items if item.open_question] == ["open_good", "open_better"]


def test_minimal_definition_is_valid():
    instrument = parse_instrument(minimal(), "mini.yaml", expected_slug="mini")
    assert [page.id for page in instrument.pages] == ["first", "second"]
    assert instrument.item("hours").show_if.values == ("yes",)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["pages"][0]["items"][1].update(type="slider"), "mini.yaml: item a_1: type 'slider' is not one of"),
        (lambda d: d["pages"][0]["items"][1].update(options="nope"), "mini.yaml: item a_1: unknown option set 'nope'"),
        (lambda d: d["pages"][1]["items"][1].pop("anchors"), "mini.yaml: item rating: a scale_0_10 item needs anchors"),
        (lambda d: d["pages"][1]["items"][0].update(max=-1), "mini.yaml: item hours: a number item needs integer min"),
        (lambda d: d["pages"][0]["items"][0]["text"].pop("ar"), "mini.yaml: item works: text missing in ar"),
        (
            lambda d: d["pages"][0]["items"].append(
                {"id": "later", "type": "yesno", "text": text("x"), "show_if": {"item": "rating", "in": [1]}}
            ),
            "mini.yaml: item later: show_if refers to 'rating', which is not an item on an earlier page",
        ),
        (
            lambda d: d["pages"][1]["items"][0]["show_if"].update({"in": ["maybe"]}),
            "mini.yaml: item hours: show_if values ['maybe'] are not answers of works",
        ),
        (
            lambda d: d["pages"][1]["items"].append({"id": "a_1", "type": "yesno", "text": text("x")}),
            "mini.yaml: item a_1: duplicate id",
        ),
        (
            lambda d: d["scales"][0].update(range=[0, 10]),
            "mini.yaml: scale a: range [0, 10] does not match the computed range 1..5",
        ),
        (lambda d: d["scales"][0].update(items=["a_1", "ghost"]), "mini.yaml: scale a: unknown item(s) ghost"),
        (lambda d: d["scales"][0].update(items=["works"]), "mini.yaml: scale a: item works has no numeric values"),
        (lambda d: d["scales"][0].pop("citation"), "mini.yaml: scale a: needs a citation"),
        (
            lambda d: d["scales"][0].update(rescale={"from": [0, 4], "to": [0, 10]}),
            "mini.yaml: scale a: rescale from [0, 4] but the raw score runs 1..5",
        ),
        (lambda d: d.update(slug="other"), "mini.yaml: file: slug 'other' differs from the file name 'mini'"),
        (lambda d: d["translations"]["tr"].update(status="maybe"), "mini.yaml: translations tr: status must be one of"),
        (
            lambda d: d["pages"][1]["items"][1].update(open_question=True),
            "mini.yaml: item rating: only text items can be open questions",
        ),
    ],
)
def test_invalid_definitions_name_file_item_and_problem(change, expected):
    definition = copy.deepcopy(minimal())
    change(definition)
    problems = problems_of(definition)
    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.mark.parametrize(
    "rescale",
    [
        {"from": [1, 1], "to": [0, 10]},  # a == b
        {"from": [1, 5], "to": [0]},  # not two points
        {"from": [1, 5, 9], "to": [0, 10]},
        {"to": [0, 10]},  # no from
    ],
)
def test_a_malformed_rescale_is_refused_with_its_problem(rescale):
    definition = copy.deepcopy(minimal())
    definition["scales"][0]["rescale"] = rescale
    problems = problems_of(definition)
    assert "mini.yaml: scale a: rescale needs from: [a, b] and to: [c, d] with a != b" in problems, problems


def test_a_malformed_rescale_is_refused_also_under_python_optimisation(tmp_path):
    """The check is no `assert`, which `python -O` removes."""
    import subprocess
    import sys
    from pathlib import Path

    definition = copy.deepcopy(minimal())
    definition["scales"][0]["rescale"] = {"from": [1, 1], "to": [0, 10]}
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True))
    script = (
        "import sys\nfrom surveys.instruments import InstrumentError, load_instrument_file\n"
        "try:\n    load_instrument_file(__import__('pathlib').Path(sys.argv[1]))\n"
        "except InstrumentError as error:\n    print('\\n'.join(error.problems))\n"
    )
    done = subprocess.run(
        [sys.executable, "-O", "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert "mini.yaml: scale a: rescale needs from: [a, b] and to: [c, d] with a != b" in done.stdout, done


def test_every_problem_is_reported_at_once():
    definition = minimal()
    definition["pages"][0]["items"][1]["type"] = "slider"
    definition["scales"][0]["citation"] = ""
    assert len(problems_of(definition)) >= 2


def test_invalid_yaml_is_reported_with_the_file_name(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("slug: [unclosed\n")
    with pytest.raises(InstrumentError, match=r"^broken.yaml: file: not valid YAML"):
        load_instrument_file(path)


def test_stored_definition_round_trips_through_yaml(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(minimal(), allow_unicode=True))
    loaded = load_instrument_file(path)
    assert loaded.content_hash == parse_instrument(loaded.definition, "stored").content_hash
