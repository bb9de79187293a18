"""A run stores weighted and unweighted figures; the council reads the weighted ones and the page says so."""

from __future__ import annotations

from sqlalchemy import select

from council.snapshots import WaveProfile
from extensions import db
from models import ProfileSnapshot
from tests.council.test_views import CENTRUM, council_client, page


def stored(run, area: str, measure: str, statistic: str) -> ProfileSnapshot | None:
    return db.session.scalar(
        select(ProfileSnapshot).filter_by(
            run_id=run.id, area_code=area, instrument="adult", measure=measure, statistic=statistic
        )
    )


def test_a_run_stores_weighted_and_unweighted_figures_and_how_it_weighted(analysed, demo_wave):
    gm = demo_wave.municipality.code
    weighting = analysed.weighting["adult"]
    assert weighting["margins"] == ["sex", "household", "age"]  # raked on what the questionnaire asks
    buurt = weighting["areas"]["BU90010000"]
    assert buurt["margins"] == ["sex", "household", "age"] and buurt["design_effect"] >= 1.0
    for statistic in ("mean", "mean_weighted"):
        assert stored(analysed, gm, "cohesion", statistic).value is not None
    assert stored(analysed, gm, "cohesion", "mean").value != stored(analysed, gm, "cohesion", "mean_weighted").value
    assert stored(analysed, gm, "djg:not_lonely", "share_weighted").flags == "weighted"
    n = stored(analysed, gm, "respondents", "n").value
    design_effect = stored(analysed, gm, "respondents", "design_effect").value
    effective = stored(analysed, gm, "respondents", "effective_n").value
    assert design_effect > 1.0 and effective < n
    assert abs(effective * design_effect - n) < 1e-6 * n
    # what the weights could not meet is told to the analyst as a note of the run, with area and margin
    for note in analysed.notes:
        if note["part"] == "weighting":
            slug, area, margin = note["subject"].split(" ")
            assert (
                slug in analysed.weighting
                and area.startswith("BU")
                and margin.split(":")[0]
                in (
                    "sex",
                    "household",
                    "age",
                    "sex+household+age",
                    "sex+age",
                    "population",
                )
            )


def test_the_council_reads_weighted_figures_by_default(analysed, demo_wave):
    gm = demo_wave.municipality.code
    profile = WaveProfile.load(demo_wave)
    weighted = profile.get(gm, "adult", "cohesion", "mean")
    assert weighted.value == stored(analysed, gm, "cohesion", "mean_weighted").value
    assert weighted.n == stored(analysed, gm, "cohesion", "mean").n and "weighted" in weighted.flags
    share = profile.get(gm, "adult", "djg:not_lonely", "share")
    assert share.value == stored(analysed, gm, "djg:not_lonely", "share_weighted").value
    unweighted = WaveProfile.load_run(demo_wave, analysed)
    unweighted.weighted = False
    assert unweighted.get(gm, "adult", "cohesion", "mean").value == stored(analysed, gm, "cohesion", "mean").value


def test_a_suppressed_figure_stays_suppressed_when_read_weighted(analysed, demo_wave):
    profile = WaveProfile.load(demo_wave)
    hidden = [key for key, figure in profile.figures.items() if figure.suppressed and key[3] == "mean"]
    assert hidden  # the demo's small buurten
    for area, instrument, measure, statistic in hidden:
        figure = profile.get(area, instrument, measure, statistic)
        assert figure.suppressed and figure.value is None


def test_every_council_page_says_the_figures_are_weighted_and_by_what(app, analysed, demo_wave):
    client = council_client(app)
    for url in ("/council/", f"/council/wijk/{CENTRUM}", f"/council/report/{CENTRUM}"):
        html = page(client, url)
        assert "the figures are weighted to the population of each buurt by age, sex, and living alone or not" in html
    overview = page(client, "/council/")
    n = stored(analysed, demo_wave.municipality.code, "respondents", "n").value
    assert f'Adults: after weighting, <span class="lw-number" dir="ltr">{int(n)}</span> answers count as much as' in (
        overview
    )
    dutch = client.get("/council/?lang=nl").get_data(as_text=True)
    assert "de cijfers zijn per buurt gewogen naar de bevolking, op leeftijd, geslacht en wel of niet alleen wonen" in (
        dutch
    )


def test_the_analyst_sees_per_buurt_the_design_effect_effective_n_and_capped_weights(app, analysed):
    from models import Role

    client = council_client(app, Role.analyst)
    html = page(client, f"/staff/analysis/runs/{analysed.id}")
    assert "Adults: weighted by age, sex, and living alone or not" in html
    binnenstad = analysed.weighting["adult"]["areas"]["BU90010000"]
    cell = '\n    <td class="lw-number" dir="ltr">'
    expected = (
        f'<tr><th scope="row">Binnenstad</th>{cell}{binnenstad["design_effect"]:.2f}</td>'
        f"{cell}{round(binnenstad['effective_n'])}</td>"
    )
    assert expected in html


def test_read_weighted_a_figure_carries_the_weighted_test_s_verdict_on_the_rest_not_the_unweighted_one():
    from datetime import date
    from types import SimpleNamespace

    from council.snapshots import Figure

    def figure(value, *flags):
        return Figure(value, value - 0.3, value + 0.3, 300, frozenset(flags))

    wave = SimpleNamespace(opens_on=date(2026, 1, 1), municipality=SimpleNamespace(code="GM9001"))
    key = ("WK900100", "adult", "cohesion")
    figures = {
        (*key, "mean"): figure(4.8, "lower_than_rest"),
        (*key, "mean_weighted"): figure(5.7, "weighted"),
        (*key, "p_vs_rest"): figure(0.001, "lower_than_rest"),
        (*key, "p_vs_rest_weighted"): figure(0.4, "weighted"),
        ("WK900101", "adult", "cohesion", "mean"): figure(5.7),
        ("WK900101", "adult", "cohesion", "mean_weighted"): figure(4.8, "weighted", "lower_than_rest"),
        ("WK900101", "adult", "cohesion", "p_vs_rest_weighted"): figure(0.001, "weighted", "lower_than_rest"),
        # a run from before the weighted test: the only verdict there is stays
        ("WK900102", "adult", "cohesion", "mean"): figure(4.8, "lower_than_rest"),
        ("WK900102", "adult", "cohesion", "mean_weighted"): figure(5.0, "weighted"),
    }
    profile = WaveProfile(wave=wave, run=None, figures=figures)
    assert profile.get("WK900100", "adult", "cohesion", "mean").flags == {"weighted"}
    assert profile.get("WK900101", "adult", "cohesion", "mean").flags == {"weighted", "lower_than_rest"}
    assert "lower_than_rest" in profile.get("WK900102", "adult", "cohesion", "mean").flags
    profile.weighted = False
    assert profile.get("WK900100", "adult", "cohesion", "mean").flags == {"lower_than_rest"}
