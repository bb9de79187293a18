"""The outcome framework: indicators refer to what the analysis stores, targets lie in range, every change has its
history with before and after, the demo framework loads (twice without change), and the staff pages keep it with
translated messages and nothing lost on bad input."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from accounts.service import create_user
from council.snapshots import WaveProfile
from demo.cli import DEMO_DIR
from extensions import db
from framework import loader, measurables, service
from framework.errors import FrameworkError
from framework.history import framework_history, history_count
from framework.service import IndicatorSpec
from models import AuditEvent, Direction, Indicator, IndicatorKind, Outcome, Role, Target
from tests.forms import ParsedForm, parse_forms
from tests.staff import PASSWORD, log_in, make_staff
from transactions import unit_of_work

DEMO_OUTCOMES = [
    "Jeugdigen groeien veilig op in een gezin",
    "Inwoners doen mee",
    "Inwoners voelen zich verbonden",
    "Inwoners hebben regie over hun leven",
]
MEAN, SHARE, IMPROVED = IndicatorKind.scale_mean, IndicatorKind.band_share, IndicatorKind.improved_share
HIGHER, LOWER = Direction.higher_is_better, Direction.lower_is_better


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(FrameworkError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def municipality(demo_wave):
    return demo_wave.municipality


@pytest.fixture
def own_outcome(municipality, analyst) -> Outcome:
    return service.create_outcome(
        municipality, "Inwoners zijn gezond", "Meer inwoners voelen zich gezond.", actor=analyst
    )


def spec(
    name="Samenhang",
    kind=MEAN,
    instrument="adult",
    measure="cohesion",
    direction=HIGHER,
    population="inwoners van 18 jaar en ouder",
) -> IndicatorSpec:
    return IndicatorSpec(
        name=name, kind=kind, instrument=instrument, measure=measure, direction=direction, population=population
    )


# --- what an indicator can measure --------------------------------------------------------------------------------


def test_an_indicator_names_a_scale_subscale_band_or_interview_domain_the_instruments_offer(app):
    cohesion = measurables.find_measurable(MEAN, "adult", "cohesion")
    assert (cohesion.low, cohesion.high) == (0, 10)
    emotional = measurables.find_measurable(MEAN, "adult", "djg_emotional")  # a subscale, stored as its own mean
    assert (emotional.low, emotional.high) == (0, 3)
    assert measurables.find_measurable(MEAN, "adult", "mastery").low == 7
    assert measurables.find_measurable(SHARE, "adult", "djg:not_lonely").is_share
    assert measurables.find_measurable(IMPROVED, "wijkteam", "overall").is_share
    assert measurables.find_measurable(IMPROVED, "wijkteam", "sr_finances")  # a rated domain of the interview

    unknown_scale = refused(measurables.find_measurable, MEAN, "adult", "happiness")
    assert list(unknown_scale) == ["measure"] and "happiness" in unknown_scale["measure"][0]
    assert "teenager" in refused(measurables.find_measurable, MEAN, "teenager", "cohesion")["measure"][0]
    # interviews are no sample of a neighbourhood: the analysis stores no profile of their scales
    assert refused(measurables.find_measurable, MEAN, "interview", "self_reliance")
    unknown_band = refused(measurables.find_measurable, SHARE, "adult", "djg:very_lonely")
    assert "very_lonely" in unknown_band["measure"][0]
    assert refused(measurables.find_measurable, SHARE, "adult", "djg")  # a share needs a band
    assert "safety" in refused(measurables.find_measurable, SHARE, "adult", "safety:low")["measure"][0]
    assert refused(measurables.find_measurable, SHARE, "adult", "cohesion")  # a mean is no share
    assert refused(measurables.find_measurable, IMPROVED, "adult", "overall")  # change comes from wijkteam interviews
    assert "cohesion" in refused(measurables.find_measurable, IMPROVED, "wijkteam", "cohesion")["measure"][0]
    assert refused(measurables.parse_key, "scale_mean/adult")["measure"]
    assert measurables.parse_key("band_share/adult/djg:not_lonely") == (SHARE, "adult", "djg:not_lonely")


def test_every_mean_and_band_share_on_offer_is_a_figure_the_analysis_stores(app, analysed):
    profile = WaveProfile.load(analysed.wave, levels=["municipality"])
    code = analysed.wave.municipality.code
    offered = [
        measurable
        for measurable in measurables.measurables().values()
        if measurable.instrument in profile.instruments()
    ]
    assert {measurable.kind for measurable in offered} == {MEAN, SHARE}
    statistic = {MEAN: "mean", SHARE: "share"}
    missing = [
        measurable.key
        for measurable in offered
        if profile.get(code, measurable.instrument, measurable.measure, statistic[measurable.kind]) is None
    ]
    assert missing == []
    # and the reverse: every stored mean of a questionnaire can be chosen
    stored = {
        (instrument, measure)
        for (area, instrument, measure, stat) in profile.figures
        if stat == "mean" and instrument in {"adult", "youth", "parent"}
    }
    assert stored <= {(measurable.instrument, measurable.measure) for measurable in offered}


# --- targets ------------------------------------------------------------------------------------------------------


def test_a_target_lies_in_the_range_of_what_the_indicator_measures(app, own_outcome):
    mean = service.create_indicator(own_outcome, spec())
    share = service.create_indicator(own_outcome, spec(name="Niet eenzaam", kind=SHARE, measure="djg:not_lonely"))
    mastery = service.create_indicator(own_outcome, spec(name="Grip", measure="mastery"))
    for indicator, value in ((mean, 0), (mean, 10), (share, 0), (share, 1), (mastery, 7), (mastery, 35)):
        service.check_target(indicator, 2026, "GM9001", value)
    for indicator, value in (
        (mean, -0.01),
        (mean, 10.01),
        (share, 1.01),
        (share, -0.001),
        (mastery, 6.9),
        (mastery, 35.5),
        (mean, float("nan")),
        (mean, None),
        (mean, "6"),
    ):
        assert list(refused(service.check_target, indicator, 2026, "GM9001", value)) == ["value"], (indicator, value)
    assert "100" in refused(service.check_target, share, 2026, "GM9001", 1.5)["value"][0]  # said as a percentage


def test_a_target_is_for_a_plausible_year_and_an_area_of_the_municipality(app, own_outcome):
    indicator = service.create_indicator(own_outcome, spec())
    for year in (2000, 2100):
        service.check_target(indicator, year, "WK900104", 6)
    for year in (1999, 2101, "2026", None):
        assert list(refused(service.check_target, indicator, year, "GM9001", 6)) == ["year"]
    for area in ("WK900199", "GM9002", "BU90010000", "", None):
        assert list(refused(service.check_target, indicator, 2026, area, 6)) == ["area"]


def test_an_indicator_has_one_target_per_year_and_area(app, own_outcome):
    indicator = service.create_indicator(own_outcome, spec())
    first = service.create_target(indicator, 2026, "GM9001", 6.0)
    service.create_target(indicator, 2026, "WK900100", 6.2)  # another area in the same year
    service.create_target(indicator, 2028, "GM9001", 6.5)  # another year for the same area
    assert "2026" in refused(service.create_target, indicator, 2026, "GM9001", 7.0)["year"][0]
    service.update_target(first, 2026, "GM9001", 6.1)  # a target does not clash with itself
    assert refused(service.update_target, first, 2028, "GM9001", 6.1)
    assert sorted((t.year, t.area_code, t.value) for t in indicator.targets) == [
        (2026, "GM9001", 6.1),
        (2026, "WK900100", 6.2),
        (2028, "GM9001", 6.5),
    ]


def test_shares_are_typed_as_percentages_and_stored_as_fractions(app):
    assert measurables.to_stored(SHARE, 20) == 0.2
    assert measurables.to_stored(IMPROVED, 33.3) == 0.333
    assert measurables.to_stored(SHARE, 100) == 1.0
    assert measurables.to_stored(MEAN, 6.5) == 6.5
    assert measurables.to_shown(SHARE, 0.205) == 20.5
    assert measurables.to_shown(MEAN, 6.5) == 6.5
    share = measurables.find_measurable(SHARE, "adult", "who5:poor")
    assert measurables.shown_range(share) == (0, 100)


def test_an_indicator_cannot_change_into_something_its_targets_do_not_fit(app, own_outcome):
    mean = service.create_indicator(own_outcome, spec())
    service.create_target(mean, 2026, "GM9001", 6.0)
    assert list(refused(service.update_indicator, mean, spec(kind=SHARE, measure="djg:not_lonely"))) == ["measure"]
    assert list(refused(service.update_indicator, mean, spec(measure="mastery"))) == ["measure"]  # 7..35
    assert service.update_indicator(mean, spec(measure="life_satisfaction"))  # also 0..10: the target still fits
    assert not service.update_indicator(mean, spec(measure="life_satisfaction"))  # nothing changed
    assert "Samenhang" in [indicator.name for indicator in own_outcome.indicators]
    other = service.create_indicator(own_outcome, spec(name="Leven"))
    assert list(refused(service.update_indicator, other, spec(name="Samenhang"))) == ["name"]
    assert set(refused(service.create_indicator, own_outcome, spec(name=" ", measure="nothing"))) == {
        "name",
        "measure",
    }


# --- history ------------------------------------------------------------------------------------------------------


def test_every_change_is_in_the_history_with_who_and_before_and_after(app, municipality, analyst):
    before = count(AuditEvent)
    outcome = service.create_outcome(municipality, "Inwoners zijn gezond", actor=analyst)
    indicator = service.create_indicator(
        outcome, spec(name="Welbevinden laag", kind=SHARE, measure="who5:poor", direction=LOWER), actor=analyst
    )
    target = service.create_target(indicator, 2026, "GM9001", 0.25, actor=analyst)
    assert service.update_target(target, 2026, "GM9001", 0.2, actor=analyst)
    assert not service.update_outcome(outcome, " Inwoners  zijn gezond ", None, actor=analyst)  # the same
    assert service.update_outcome(outcome, "Inwoners zijn gezonder", "Beter dan nu.", actor=analyst)
    service.delete_target(target, actor=analyst)
    service.delete_indicator(indicator, actor=analyst)
    service.delete_outcome(outcome, actor=analyst)
    assert count(AuditEvent) == before + 8
    assert [outcome.name for outcome in service.outcomes_of(municipality)] == DEMO_OUTCOMES

    history = framework_history(municipality, limit=8)
    assert [(entry.subject_type, entry.verb) for entry in history] == [
        ("outcome", "deleted"),
        ("indicator", "deleted"),
        ("target", "deleted"),
        ("outcome", "changed"),
        ("target", "changed"),
        ("target", "created"),
        ("indicator", "created"),
        ("outcome", "created"),
    ]
    assert {entry.who for entry in history} == {analyst.email}
    changed_target = history[4]
    assert changed_target.unit == "share"
    assert [(c.field, c.before, c.after) for c in changed_target.changes] == [("value", 0.25, 0.2)]
    assert changed_target.subject["indicator"] == "Welbevinden laag"
    renamed = history[3]
    assert {(c.field, c.before, c.after) for c in renamed.changes} == {
        ("name", "Inwoners zijn gezond", "Inwoners zijn gezonder"),
        ("description", "", "Beter dan nu."),
    }
    created = history[6]
    assert ("measure", None, "who5:poor") in {(c.field, c.before, c.after) for c in created.changes}
    deleted = history[0]
    assert deleted.subject["name"] == "Inwoners zijn gezonder"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "target_changed"))
    assert (event.actor_id, event.target_type, event.details["before"]["value"], event.details["after"]["value"]) == (
        analyst.id,
        "target",
        0.25,
        0.2,
    )


def test_the_history_is_the_municipalitys_own(app, municipality, analyst):
    other = type(municipality)(code="GM9002", name="Elders", reference_year=2026)
    db.session.add(other)
    db.session.commit()
    service.create_outcome(other, "Elders meedoen", actor=analyst)
    assert [entry.subject["name"] for entry in framework_history(other)] == ["Elders meedoen"]
    assert "Elders meedoen" not in [entry.subject.get("name") for entry in framework_history(municipality)]


# --- loading a framework from a file ------------------------------------------------------------------------------


def test_the_demo_framework_is_loaded_with_the_demo_and_loading_it_again_changes_nothing(app, municipality):
    outcomes = service.outcomes_of(municipality)
    assert [outcome.name for outcome in outcomes] == DEMO_OUTCOMES
    for outcome in outcomes:
        assert outcome.description and 2 <= len(outcome.indicators) <= 3
        for indicator in outcome.indicators:
            assert measurables.measurable_of(indicator) is not None, indicator
            assert indicator.population
            assert {(2026, "GM9001"), (2028, "GM9001")} <= {(t.year, t.area_code) for t in indicator.targets}
    indicators = [indicator for outcome in outcomes for indicator in outcome.indicators]
    assert {indicator.direction for indicator in indicators} == {HIGHER, LOWER}
    assert {indicator.kind for indicator in indicators} == {MEAN, SHARE, IMPROVED}
    assert any(t.area_code.startswith("WK") for indicator in indicators for t in indicator.targets)
    not_lonely = next(indicator for indicator in indicators if indicator.measure == "djg:not_lonely")
    assert {t.value for t in not_lonely.targets if t.area_code == "GM9001"} == {0.55, 0.6}  # percentages in the file
    loaded = history_count(municipality)
    assert loaded == count(Outcome) + count(Indicator) + count(Target)
    assert {entry.file for entry in framework_history(municipality)} == {"framework.yaml"}

    snapshot = [(t.indicator_id, t.year, t.area_code, t.value) for t in db.session.scalars(select(Target))]
    report = loader.load_framework(municipality, DEMO_DIR / "framework.yaml")
    assert (report.created, report.changed, report.unchanged) == (0, 0, loaded)
    assert history_count(municipality) == loaded
    assert [(t.indicator_id, t.year, t.area_code, t.value) for t in db.session.scalars(select(Target))] == snapshot


def test_loading_a_changed_file_brings_the_framework_in_line_and_keeps_what_it_does_not_name(
    app, municipality, own_outcome, tmp_path
):
    data = yaml.safe_load((DEMO_DIR / "framework.yaml").read_text(encoding="utf-8"))
    connected = next(entry for entry in data["outcomes"] if entry["name"] == "Inwoners voelen zich verbonden")
    connected["indicators"][0]["targets"][0]["value"] = 5.8
    connected["indicators"] = connected["indicators"][:1]  # the others are not named: they stay
    changed = tmp_path / "framework.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = loader.load_framework(municipality, changed)
    assert (report.created, report.changed) == (0, 1)
    cohesion = db.session.scalar(select(Indicator).filter_by(measure="cohesion"))
    assert {t.value for t in cohesion.targets if (t.year, t.area_code) == (2026, "GM9001")} == {5.8}
    assert len(cohesion.outcome.indicators) == 3 and own_outcome in service.outcomes_of(municipality)
    latest = framework_history(municipality, limit=1)[0]
    assert (latest.verb, latest.file, [(c.before, c.after) for c in latest.changes]) == (
        "changed",
        "framework.yaml",
        [(5.5, 5.8)],
    )


def test_a_file_change_the_stored_targets_do_not_fit_is_refused_and_nothing_is_kept(app, municipality, tmp_path):
    data = yaml.safe_load((DEMO_DIR / "framework.yaml").read_text(encoding="utf-8"))
    data["outcomes"].insert(0, {"name": "Nieuw resultaat", "indicators": []})
    cohesion = data["outcomes"][3]["indicators"][0]
    cohesion["measure"] = "mastery"  # 7..35, while the stored targets of cohesion lie around 6
    for target in cohesion["targets"]:
        target["value"] = 20
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = count(AuditEvent)
    assert list(refused(unit_of_work(loader.load_framework), municipality, path)) == ["measure"]
    assert count(AuditEvent) == before and "Nieuw resultaat" not in [o.name for o in service.outcomes_of(municipality)]
    assert db.session.scalar(select(Indicator).filter_by(name=cohesion["name"])).measure == "cohesion"


def test_a_framework_file_with_problems_is_refused_whole_with_every_problem_listed(app, municipality, tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "outcomes": [
                    {
                        "name": "Nieuw resultaat",
                        "indicators": [
                            {
                                "name": "Goed",
                                "kind": "scale_mean",
                                "instrument": "adult",
                                "measure": "cohesion",
                                "direction": "higher_is_better",
                                "targets": [{"year": 2026, "area": "GM9001", "value": 7}],
                            }
                        ],
                    },
                    {
                        "name": "Kapot",
                        "colour": "red",
                        "indicators": [
                            {
                                "name": "Band",
                                "kind": "band_share",
                                "instrument": "adult",
                                "measure": "djg:very_lonely",
                                "direction": "lower_is_better",
                            },
                            {
                                "name": "Te hoog",
                                "kind": "band_share",
                                "instrument": "adult",
                                "measure": "djg:severe",
                                "direction": "sideways",
                                "targets": [],
                            },
                            {
                                "name": "Procent",
                                "kind": "band_share",
                                "instrument": "adult",
                                "measure": "djg:severe",
                                "direction": "lower_is_better",
                                "targets": [
                                    {"year": 2026, "area": "GM9001", "value": 120},
                                    {"year": 1990, "area": "WK900100", "value": 10},
                                ],
                            },
                        ],
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    before = (count(Outcome), count(AuditEvent))
    problems = refused(loader.load_framework, municipality, path)[""]
    assert len(problems) == 5, problems
    assert any("colour" in problem for problem in problems)
    assert any("very_lonely" in problem for problem in problems)
    assert any("sideways" in problem for problem in problems)
    assert any("indicator 3 target 1" in problem for problem in problems)  # 120%
    assert any("indicator 3 target 2" in problem for problem in problems)  # 1990
    assert (count(Outcome), count(AuditEvent)) == before  # not even the good outcome
    path.write_text("outcomes: [", encoding="utf-8")
    assert refused(loader.load_framework, municipality, path)[""]


# --- the staff pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(app, analyst):
    client = app.test_client()
    log_in(client, analyst)
    client.get("/staff/framework/?lang=en")  # messages in English, whatever the catalogues say in Dutch
    return client


def form_posting_to(html: str, action: str) -> ParsedForm:
    return next(form for form in parse_forms(html) if form.action.split("#")[0].split("?")[0] == action)


def post_form(client, page_url: str, action: str, values: dict, drop: tuple[str, ...] = ()):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    form = form_posting_to(page.get_data(as_text=True), action)
    data = {key: list(value) for key, value in form.fields.items()}
    data.update({key: [value] for key, value in values.items()})
    for key in drop:
        data.pop(key, None)
    return client.post(form.action, data=data)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_an_analyst_keeps_outcomes_indicators_and_targets_through_the_pages(app, staff_client, analyst):
    index = html_of(staff_client.get("/staff/framework/"))
    assert all(name in index for name in DEMO_OUTCOMES) and "Sociale samenhang in de buurt" in index
    assert "/staff/framework/" in html_of(staff_client.get("/staff/"))  # in the staff menu

    new = "/staff/framework/outcomes/new"
    made = post_form(staff_client, new, new, {"name": "Inwoners zijn gezond", "description": "Meer inwoners gezond."})
    assert made.status_code == 302
    outcome = db.session.scalar(select(Outcome).filter_by(name="Inwoners zijn gezond"))
    assert made.headers["Location"].endswith(f"#outcome-{outcome.id}")
    edit = f"/staff/framework/outcomes/{outcome.id}"
    assert post_form(staff_client, edit, edit, {"name": "Inwoners voelen zich gezond"}).status_code == 302
    db.session.expire_all()
    assert outcome.name == "Inwoners voelen zich gezond" and outcome.description == "Meer inwoners gezond."

    add = f"/staff/framework/outcomes/{outcome.id}/indicators/new"
    form = form_posting_to(html_of(staff_client.get(add)), add)
    offered = set(form.selects["measure"])
    assert {
        "scale_mean/adult/cohesion",
        "scale_mean/adult/djg_emotional",
        "band_share/adult/djg:not_lonely",
        "band_share/youth/who5:poor",
        "improved_share/wijkteam/overall",
        "improved_share/wijkteam/sr_finances",
    } <= offered
    assert "scale_mean/interview/self_reliance" not in offered
    made = post_form(
        staff_client,
        add,
        add,
        {
            "name": "Goed welbevinden",
            "measure": "band_share/adult/who5:adequate",
            "direction": "higher_is_better",
            "population": "inwoners 18+",
        },
    )
    assert made.status_code == 302
    indicator = db.session.scalar(select(Indicator).filter_by(name="Goed welbevinden"))
    assert (indicator.kind, indicator.instrument, indicator.measure, indicator.direction, indicator.population) == (
        SHARE,
        "adult",
        "who5:adequate",
        HIGHER,
        "inwoners 18+",
    )

    page = f"/staff/framework/indicators/{indicator.id}"
    targets = f"{page}/targets"
    html = html_of(staff_client.get(page))
    assert "A percentage from 0 to 100." in html
    assert set(form_posting_to(html, targets).selects["area"]) == {
        "",
        "GM9001",
        "WK900100",
        "WK900101",
        "WK900102",
        "WK900103",
        "WK900104",
    }
    assert (
        post_form(staff_client, page, targets, {"year": "2026", "area": "GM9001", "value": "72,5"}).status_code == 302
    )
    assert (
        post_form(staff_client, page, targets, {"year": "2028", "area": "WK900102", "value": "80%"}).status_code == 302
    )
    db.session.expire_all()
    assert sorted((t.year, t.area_code, t.value) for t in indicator.targets) == [
        (2026, "GM9001", 0.725),
        (2028, "WK900102", 0.8),
    ]
    assert "72.5%" in html_of(staff_client.get(page))
    target = indicator.targets[0]
    edit_target = f"/staff/framework/targets/{target.id}"
    assert 'value="72.5"' in html_of(staff_client.get(edit_target))  # shown again as a percentage
    assert post_form(staff_client, edit_target, edit_target, {"value": "75"}).status_code == 302
    db.session.expire_all()
    assert target.value == 0.75

    changed = post_form(staff_client, page, page, {"direction": "lower_is_better"})
    assert changed.status_code == 302
    db.session.expire_all()
    assert indicator.direction is LOWER and indicator.measure == "who5:adequate"

    history = html_of(staff_client.get("/staff/framework/history"))
    assert analyst.email in history and "72.5%" in history and "75%" in history and "Lower is better" in history


def test_deleting_asks_for_confirmation_first(app, staff_client, municipality, own_outcome):
    indicator = service.create_indicator(own_outcome, spec())
    target = service.create_target(indicator, 2026, "GM9001", 6.0)
    for url, model, object_id in (
        (f"/staff/framework/targets/{target.id}/delete", Target, target.id),
        (f"/staff/framework/indicators/{indicator.id}/delete", Indicator, indicator.id),
        (f"/staff/framework/outcomes/{own_outcome.id}/delete", Outcome, own_outcome.id),
    ):
        question = staff_client.get(url)
        assert question.status_code == 200 and "Yes, delete" in html_of(question)
        assert db.session.get(model, object_id) is not None  # asking deletes nothing
        no_token = staff_client.post(url, data={})
        assert no_token.status_code == 422 and db.session.get(model, object_id) is not None
        assert post_form(staff_client, url, url, {}).status_code == 302
        db.session.expire_all()
        assert db.session.get(model, object_id) is None, url
    verbs = [(entry.subject_type, entry.verb) for entry in framework_history(municipality, limit=3)]
    assert verbs == [("outcome", "deleted"), ("indicator", "deleted"), ("target", "deleted")]


def test_bad_input_is_refused_with_messages_linked_to_the_fields_and_nothing_lost(app, staff_client, own_outcome):
    new = "/staff/framework/outcomes/new"
    empty = post_form(staff_client, new, new, {"name": "  ", "description": "Wat we willen bereiken."})
    html = html_of(empty)
    assert empty.status_code == 422 and 'id="error-summary"' in html and 'href="#name"' in html
    assert "Wat we willen bereiken." in html
    twice = post_form(staff_client, new, new, {"name": "Inwoners voelen zich verbonden"})
    assert twice.status_code == 422 and "There is already an outcome with this name." in html_of(twice)
    assert count(select(Outcome).filter_by(name="Inwoners voelen zich verbonden").subquery()) == 1

    add = f"/staff/framework/outcomes/{own_outcome.id}/indicators/new"
    forged = post_form(
        staff_client,
        add,
        add,
        {
            "name": "Vervalst",
            "measure": "band_share/adult/djg:very_lonely",
            "direction": "higher_is_better",
            "population": "iedereen",
        },
    )
    html = html_of(forged)
    assert forged.status_code == 422 and 'href="#measure"' in html and "very_lonely" in html
    assert 'value="Vervalst"' in html and 'value="iedereen"' in html
    nameless = post_form(
        staff_client, add, add, {"name": "", "measure": "scale_mean/adult/happiness", "direction": "higher_is_better"}
    )
    assert nameless.status_code == 422 and all(f'href="#{field}"' in html_of(nameless) for field in ("name", "measure"))
    no_direction = post_form(
        staff_client, add, add, {"name": "Zonder richting", "measure": "scale_mean/adult/brs"}, drop=("direction",)
    )
    assert no_direction.status_code == 422 and 'href="#direction-0"' in html_of(no_direction)
    assert own_outcome.indicators == []

    indicator = service.create_indicator(own_outcome, spec())
    service.create_target(indicator, 2026, "GM9001", 6.0)
    page = f"/staff/framework/indicators/{indicator.id}"
    targets = f"{page}/targets"
    for values, field, message in (
        ({"year": "20x6", "area": "GM9001", "value": "6,5"}, "year", "Give a year from 2000 to 2100."),
        ({"year": "2027", "area": "GM9001", "value": "6,5,1"}, "value", "Give a number, for example 6.5."),
        ({"year": "2027", "area": "GM9001", "value": "11"}, "value", "Give a value from 0 to 10."),
        ({"year": "2027", "area": "WK999999", "value": "6"}, "area", "Choose the municipality or one of its wijken."),
        (
            {"year": "2026", "area": "GM9001", "value": "6.5"},
            "year",
            "There is already a target for Leefdam in 2026. Change that one instead.",
        ),
    ):
        response = post_form(staff_client, page, targets, values)
        html = html_of(response)
        assert response.status_code == 422 and f'href="#{field}"' in html and message in html, values
        assert f'value="{values["year"]}"' in html and f'value="{values["value"]}"' in html  # as typed
    every = post_form(staff_client, page, targets, {"year": "20x6", "area": "", "value": "999"})
    html = html_of(every)  # one answer names every problem, the form's and the framework's
    assert every.status_code == 422 and all(f'href="#{field}"' in html for field in ("year", "area", "value"))
    assert html.count("Give a year from 2000 to 2100.") == 2  # in the summary and at the field, not twice each
    db.session.expire_all()
    assert [(t.year, t.value) for t in indicator.targets] == [(2026, 6.0)]


def test_a_platform_administrator_chooses_the_municipality_and_others_stay_in_their_own(app, municipality, analyst):
    other = type(municipality)(code="GM9002", name="Elders", reference_year=2026)
    db.session.add(other)
    db.session.commit()
    elsewhere = service.create_outcome(other, "Elders meedoen")
    admin = make_staff(Role.admin)  # no municipality: the whole installation
    client = app.test_client()
    log_in(client, admin)
    assert "Elders meedoen" not in html_of(client.get("/staff/framework/"))
    assert "Elders meedoen" in html_of(client.get(f"/staff/framework/?municipality={other.id}"))
    own = create_user("analist@leefdam.example", Role.analyst, PASSWORD, municipality=municipality)
    db.session.commit()
    own_client = app.test_client()
    log_in(own_client, own)
    assert "Elders meedoen" not in html_of(own_client.get(f"/staff/framework/?municipality={other.id}"))
    assert own_client.get(f"/staff/framework/outcomes/{elsewhere.id}").status_code == 404


def test_the_pages_render_right_to_left_in_arabic(app, staff_client, municipality):
    indicator = service.outcomes_of(municipality)[0].indicators[0]
    for url in ("/staff/framework/?lang=ar", f"/staff/framework/indicators/{indicator.id}", "/staff/framework/history"):
        response = staff_client.get(url)
        assert response.status_code == 200 and 'dir="rtl"' in html_of(response), url
