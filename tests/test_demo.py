"""The demo command: idempotent municipality and wave, synthetic respondents that are valid and reproducible."""

from __future__ import annotations

from statistics import mean

from sqlalchemy import func, select

from demo.synthetic import generate
from extensions import db
from models import Answer, District, Indicator, Neighbourhood, Outcome, Response, ResponseStatus, Team, Wave
from surveys.registry import current_instruments
from surveys.scoring import score_response


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_command_is_idempotent_and_adds_respondents(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert count(Wave) == 2 and count(District) == 5 and count(Neighbourhood) == 16
    wave = db.session.scalar(select(Wave).filter_by(name="Leefwereld demo 2026"))
    assert wave.instrument_slugs == ["adult", "youth", "parent", "interview"]
    earlier = db.session.scalar(select(Wave).filter_by(name="Leefwereld demo 2025"))
    assert earlier.closes_on < wave.opens_on and "interview" not in earlier.instrument_slugs
    assert all(district.boundary for district in db.session.scalars(select(District)))
    assert count(Outcome) == 4 and count(Indicator) >= 8
    assert sorted(team.name for team in db.session.scalars(select(Team))) == ["Wijkteam Noord", "Wijkteam Zuid"]
    result = runner.invoke(args=["demo", "--respondents", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert count(Response) == 40 and count(Answer) > 40 * 10
    assert wave.id == db.session.scalar(select(Response.wave_id).limit(1))  # added to the open wave
    assert {r.status for r in db.session.scalars(select(Response))} == {ResponseStatus.submitted}


def test_synthetic_answers_are_valid_answers_of_their_items(app):
    instruments = current_instruments()
    buurten = [("BU90010000", 0, 100), ("BU90010200", 2, 100)]
    for synthetic in generate(instruments, buurten, 200, seed=7):
        instrument = instruments[synthetic.instrument]
        for item_id, value in synthetic.answers.items():
            item = instrument.item(item_id)
            if item.type == "multiple":
                assert set(value) <= set(item.codes)
            elif item.type == "number":
                assert item.min <= value <= item.max
            elif item.type in ("short_text", "long_text"):
                assert isinstance(value, str) and len(value) <= item.max_length
            else:
                assert value in item.codes, (item_id, value)


def test_synthetic_respondents_are_reproducible_and_carry_the_planted_difference(app):
    instruments = current_instruments()
    buurten = [("BU90010000", 0, 100), ("BU90010200", 2, 100)]
    first = generate(instruments, buurten, 600, seed=11)
    assert first == generate(instruments, buurten, 600, seed=11)
    assert first != generate(instruments, buurten, 600, seed=12)
    cohesion = {0: [], 2: []}
    for synthetic in first:
        if synthetic.instrument == "adult":
            score = score_response(instruments["adult"], synthetic.answers)["cohesion"].score
            if score is not None:
                cohesion[synthetic.wijk_index].append(score)
    assert mean(cohesion[2]) < mean(cohesion[0]) - 1.0


def test_the_demo_plays_the_analyst_merging_themes_of_one_planted_topic_across_languages(app, demo_wave):
    from demo.cli import name_demo_themes
    from models import AnalysisRun, NamedTheme, Quote, RunStatus, Theme
    from runs.themes import question_review

    question = "adult.open_better"
    run = AnalysisRun(wave=demo_wave, status=RunStatus.succeeded)

    def theme(key: str, language: str, suggestion: str, quote: str, answers: int) -> Theme:
        return Theme(
            run=run,
            question=question,
            key=key,
            language=language,
            label=key,
            terms=[],
            answers=answers,
            suggestion=suggestion,
            named=NamedTheme(run=run, question=question, name="", translations={}),
            quotes=[Quote(area_code="WK900100", text=quote)],
        )

    db.session.add_all(
        [
            theme(
                "nl-1", "nl", "Meer drempels, auto's rijden te snel", "Er wordt veel te hard gereden in onze straat", 90
            ),
            theme("nl-2", "nl", "Meer groen en bomen in de buurt", "Een mooi park om te wandelen", 60),
            theme("tr-1", "tr", "Arabalar çok hızlı", "Sokağımızda arabalar çok hızlı gidiyor", 14),
        ]
    )
    db.session.commit()
    name_demo_themes(run)
    review = question_review(run, question)
    assert review.ready
    assert [
        (named.name, named.translations, sorted(theme.language for theme in named.members)) for named in review.named
    ] == [
        ("Meer drempels, auto's rijden te snel", {"tr": "Arabalar çok hızlı"}, ["nl", "tr"]),
        ("Meer groen en bomen in de buurt", {}, ["nl"]),
    ]


def test_synthetic_interviews_follow_clients_up_and_carry_the_planted_difference(app, demo_wave):
    from analysis.change import OVERALL, change_profiles
    from demo.interviews import LESS_CHANGE_WIJK, add_synthetic_interviews
    from runs.inputs import load_inputs

    assert add_synthetic_interviews(demo_wave, 300, seed=5) == 600  # every follow-up lies before today
    db.session.commit()
    instrument = current_instruments()["interview"]
    for response in db.session.scalars(select(Response).filter_by(wave_id=demo_wave.id)):
        assert response.answers and all(
            answer.value in instrument.item(answer.item_id).codes for answer in response.answers
        )
    inputs = load_inputs(demo_wave)
    clients = {}
    for record in inputs.clients:
        clients.setdefault(record["client_key"], []).append(record)
    assert len(clients) == 300 and all(len(records) == 2 for records in clients.values())
    assert all(intake["taken_at"] < follow["taken_at"] for intake, follow in clients.values())
    assert all(intake["buurt_code"] == follow["buurt_code"] for intake, follow in clients.values())
    improved = {
        record.area_code: record.value
        for record in change_profiles(inputs.clients, inputs.areas)
        if record.measure == f"{OVERALL}:improved" and record.area_level in ("municipality", "wijk")
    }
    others = [share for code, share in improved.items() if code.startswith("WK") and code != LESS_CHANGE_WIJK]
    assert 0.5 < improved["GM9001"] < 0.85
    assert improved[LESS_CHANGE_WIJK] < min(others)
