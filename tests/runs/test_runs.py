"""Analysis runs in the application: the command, the staff pages, background execution, stored snapshots, quotes."""

from __future__ import annotations

import re
import time

from markupsafe import escape
from sqlalchemy import func, select

from demo.cli import add_synthetic_respondents
from extensions import db
from geography.areas import area_names
from models import AnalysisRun, AuditEvent, NamedTheme, ProfileSnapshot, Quote, QuoteStatus, Role, RunStatus, Theme
from runs.releases import released_run
from runs.service import create_run
from runs.snapshots import latest_run, type_model
from surveys.flow import delete_responses
from surveys.questions import question_text
from tests.conftest import ANALYSED_RESPONDENTS
from tests.forms import main_form
from tests.staff import log_in, make_staff


def snapshot_rows(run: AnalysisRun) -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(
                ProfileSnapshot.area_code,
                ProfileSnapshot.instrument,
                ProfileSnapshot.measure,
                ProfileSnapshot.statistic,
                ProfileSnapshot.value,
                ProfileSnapshot.lower,
                ProfileSnapshot.upper,
                ProfileSnapshot.n,
                ProfileSnapshot.flags,
            )
            .where(ProfileSnapshot.run_id == run.id)
            .order_by(ProfileSnapshot.id)
        )
    ]


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_analyse_command_stores_a_run_that_names_its_inputs_and_code(analysed, demo_wave):
    run = analysed
    assert run.status is RunStatus.succeeded and run.progress == 100 and run.error is None
    assert run.seed == 5 and run.params["min_n"] == 10
    assert set(run.instrument_versions) <= {"adult", "youth", "parent"} and "adult" in run.instrument_versions
    assert sum(run.counts.values()) == ANALYSED_RESPONDENTS
    assert run.code_version.startswith("0.1.0+")
    assert {"load", "score", "profiles", "types", "themes", "disclosure", "quotes", "total"} <= set(run.timings)
    municipality = db.session.scalar(
        select(ProfileSnapshot).filter_by(
            run_id=run.id, area_code="GM9001", instrument="adult", measure="respondents", statistic="n"
        )
    )
    assert municipality.value == run.counts["adult"]
    assert "analysis_started" in actions()
    # the resident types are stored so that the next wave's types keep their names; when the answers form no
    # distinct types the model is stored without types and says why
    model = type_model(run.types["adult"])
    assert model.k == len(model.types) and model.criterion == "bic" and 1 in model.criterion_values
    if model.types:
        assert model.note == "" and abs(sum(kind.share for kind in model.types) - 1) < 1e-9
    else:
        assert model.note in ("one_group", "not_distinct", "not_stable", "too_few")


def test_the_run_page_shows_the_types_with_their_names_or_why_there_are_none(app, analysed):
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    page = client.get(f"/staff/analysis/runs/{analysed.id}?lang=en").get_data(as_text=True)
    assert "Types per questionnaire" in page and "Distinctness" in page
    for slug, model in analysed.types.items():
        if not model["types"]:
            assert "None: the" in page, slug
        for entry in model["types"]:
            assert f"Type {entry['id']}: " in page


def test_stored_snapshots_never_show_a_group_under_the_threshold(analysed):
    rows = snapshot_rows(analysed)
    assert rows
    for _area, _instrument, measure, statistic, value, lower, upper, n, flags in rows:
        if "suppressed" in flags.split():
            assert value is None and lower is None and upper is None and n is None
        elif statistic in ("mean", "share", "n") and n is not None:
            assert n >= 10, (measure, statistic, n)


def test_the_same_wave_and_seed_give_the_same_snapshots(app, analysed, demo_wave):
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    again = latest_run(demo_wave)
    assert again.id != analysed.id and snapshot_rows(again) == snapshot_rows(analysed)
    assert latest_run(demo_wave).id == again.id
    assert released_run(demo_wave).id == again.id  # nothing changed in between: the council reads the new run


def test_a_rerun_after_one_resident_is_erased_is_held_back_and_the_council_keeps_the_release(app, analysed, demo_wave):
    from council.snapshots import WaveProfile

    assert analysed.released_at is not None
    response_id = db.session.scalar(select(Quote.response_id).join(Theme).where(Theme.run_id == analysed.id))
    delete_responses([response_id])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "held back from the council" in result.output
    held = latest_run(demo_wave)
    assert held.id != analysed.id and held.released_at is None
    # set beside the release, the run would give the erased resident's answers: every change is that one resident
    assert held.release_conflicts and {conflict["change"] for conflict in held.release_conflicts} == {-1}
    assert released_run(demo_wave).id == analysed.id
    assert WaveProfile.load(demo_wave).run.id == analysed.id
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    page = client.get(f"/staff/analysis/runs/{held.id}").get_data(as_text=True)
    assert 'id="table-held"' in page and f"{analysed.id}" in page
    assert 'id="table-held"' not in client.get(f"/staff/analysis/runs/{analysed.id}").get_data(as_text=True)


def test_a_run_that_fails_says_why_and_is_never_read(app, demo_wave, monkeypatch):
    import analysis.run

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(analysis.run, "run_analysis", broken)
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name])
    assert result.exit_code != 0 and "disk full" in result.output
    run = db.session.scalar(select(AnalysisRun))
    assert run.status is RunStatus.failed and "disk full" in run.error
    assert latest_run(demo_wave) is None


def test_an_unknown_wave_is_refused(app, demo_wave):
    runner = app.test_cli_runner()
    assert "unknown wave" in runner.invoke(args=["analyse", "--wave", "nope"]).output


def test_an_analyst_starts_a_run_that_works_in_the_background(app, demo_wave, worker):
    add_synthetic_respondents(demo_wave, 120, seed=3)
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    form = main_form(client.get("/staff/analysis/").get_data(as_text=True))
    data = {"csrf_token": form.fields["csrf_token"][0], "wave": str(demo_wave.id), "seed": "7"}
    started = client.post("/staff/analysis/", data=data)
    assert started.status_code == 302
    run_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        db.session.expire_all()
        run = db.session.get(AnalysisRun, run_id)
        if run.status not in (RunStatus.queued, RunStatus.running):
            break
        time.sleep(0.5)
    assert run.status is RunStatus.succeeded, run.error
    assert run.seed == 7 and run.started_by.role is Role.analyst
    page = client.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True)
    assert "Klaar" in page or "Finished" in page
    assert "data-job-watch" not in page


def test_a_working_run_page_shows_progress_and_offers_to_look_again(app, demo_wave):
    run = create_run(demo_wave, 0, None)
    client = app.test_client()
    log_in(client, make_staff(Role.admin))
    page = client.get(f"/staff/analysis/runs/{run.id}").get_data(as_text=True)
    assert f'data-job-watch="/staff/analysis/runs/{run.id}"' in page and "<progress" in page
    assert 'http-equiv="refresh"' not in page  # never a timed refresh (WCAG 2.2.1)


def test_start_form_errors_are_shown_and_nothing_starts(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    form = main_form(client.get("/staff/analysis/").get_data(as_text=True))
    refused = client.post(
        "/staff/analysis/", data={"csrf_token": form.fields["csrf_token"][0], "wave": "999", "seed": "-1"}
    )
    assert refused.status_code == 422 and 'id="error-summary"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AnalysisRun)) == 0


def test_an_analyst_reviews_quotes_and_every_look_is_audited(app, analysed):
    quotes = db.session.scalars(select(Quote).join(Theme).where(Theme.run_id == analysed.id)).all()
    assert quotes and all(quote.status is QuoteStatus.proposed for quote in quotes)
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    page = client.get(f"/staff/analysis/runs/{analysed.id}/quotes")
    assert page.status_code == 200 and "quotes_viewed" in actions()
    form = main_form(page.get_data(as_text=True))
    quote = quotes[0]
    answer = client.post(
        f"/staff/analysis/quotes/{quote.id}", data={"csrf_token": form.fields["csrf_token"][0], "decision": "approve"}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status is QuoteStatus.approved and "quote_approved" in actions()
    tampered = client.post(
        f"/staff/analysis/quotes/{quotes[1].id}",
        data={"csrf_token": form.fields["csrf_token"][0], "decision": "publish"},
    )
    assert tampered.status_code == 302 and db.session.get(Quote, quotes[1].id).status is QuoteStatus.proposed


def test_erasing_a_response_removes_the_quotes_taken_from_it(app, analysed):
    quote = db.session.scalars(select(Quote).join(Theme).where(Theme.run_id == analysed.id)).first()
    response_id, quote_id = quote.response_id, quote.id
    delete_responses([response_id])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Quote, quote_id) is None


def test_a_stored_type_model_reads_back_as_it_was_fitted():
    from dataclasses import asdict

    from analysis.types import fit_types
    from runs.snapshots import _json_safe
    from tests.analysis.test_types import SHAPE_FEATURES, planted_shapes

    model = fit_types(planted_shapes(0, size=800)[0], SHAPE_FEATURES, instrument="adult", seed=0).model
    assert model.types and all(kind.name for kind in model.types)
    assert type_model(_json_safe(asdict(model))) == model


def quote_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li id="quote-(\d+)"', html)]


def test_quotes_are_grouped_by_question_text_and_theme_name_with_area_names(app, analysed):
    quote = db.session.scalars(select(Quote).join(Theme).where(Theme.run_id == analysed.id).order_by(Quote.id)).first()
    named = quote.theme.named or NamedTheme(run_id=analysed.id, question=quote.theme.question)
    named.name, named.translations = "Groen in de wijk", {"en": "Green in the neighbourhood"}
    quote.theme.named = named
    db.session.commit()
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    pages = [
        client.get(f"/staff/analysis/runs/{analysed.id}/quotes?page={number}").get_data(as_text=True)
        for number in range(1, 30)
    ]
    html = next(page for page in pages if f'id="quote-{quote.id}"' in page)
    assert "<h2" in html and str(escape(question_text(quote.theme.question, "nl"))) in html
    assert "Groen in de wijk" in html
    names = area_names(analysed.wave.municipality)
    assert str(escape(names[quote.area_code])) in html
    assert f": {quote.area_code} ·" not in html  # the name, not the code
    assert "lw-error" not in html and "lw-alert--error" not in html


def test_quotes_are_paged_and_a_decision_returns_to_the_next_quote(app, analysed, monkeypatch):
    monkeypatch.setattr("runs.quotes.PER_PAGE", 3)
    total = db.session.scalar(select(func.count()).select_from(Quote).join(Theme).where(Theme.run_id == analysed.id))
    assert total > 3
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    first = client.get(f"/staff/analysis/runs/{analysed.id}/quotes")
    html = first.get_data(as_text=True)
    assert len(quote_ids(html)) == 3 and '<nav aria-label="Pagina\'s"' in html and "Pagina 1 van" in html
    second_html = client.get(f"/staff/analysis/runs/{analysed.id}/quotes?page=2").get_data(as_text=True)
    page_one, page_two = quote_ids(html), quote_ids(second_html)
    assert page_two and not set(page_one) & set(page_two) and "Vorige pagina" in second_html
    token = main_form(html).fields["csrf_token"][0]
    # deciding on the first quote goes on to the second, on the same page
    answer = client.post(f"/staff/analysis/quotes/{page_one[0]}", data={"csrf_token": token, "decision": "approve"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/quotes?page=1#quote-{page_one[1]}")
    # deciding on the last quote of a page goes on to the first quote of the next page
    answer = client.post(f"/staff/analysis/quotes/{page_one[-1]}", data={"csrf_token": token, "decision": "reject"})
    assert answer.headers["Location"].endswith(f"/quotes?page=2#quote-{page_two[0]}")
    db.session.expire_all()
    assert db.session.get(Quote, page_one[-1]).status is QuoteStatus.rejected
    assert actions().count("quotes_viewed") == 2 and "quote_rejected" in actions()
    # the status is written out, not shown by colour alone
    after = client.get(f"/staff/analysis/runs/{analysed.id}/quotes?page=1").get_data(as_text=True)
    cards = {
        int(found.group(1)): found.group(0)
        for found in re.finditer(r'<li id="quote-(\d+)".*?</li>', after, flags=re.DOTALL)
    }
    assert 'lw-quote-status">goedgekeurd<' in cards[page_one[0]]
    assert 'lw-quote-status">afgewezen<' in cards[page_one[-1]]
    assert 'lw-quote-status">nog niet beoordeeld<' in cards[page_one[1]]


def test_with_javascript_a_decision_answers_with_the_status_and_the_next_quote(app, analysed):
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    html = client.get(f"/staff/analysis/runs/{analysed.id}/quotes").get_data(as_text=True)
    assert "js/quotes.js" in html and 'role="status"' in html
    ids, token = quote_ids(html), main_form(html).fields["csrf_token"][0]
    answer = client.post(
        f"/staff/analysis/quotes/{ids[0]}",
        data={"csrf_token": token, "decision": "approve"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200
    assert answer.json == {
        "ok": True,
        "status": "approved",
        "status_text": "goedgekeurd",
        "message": "Het citaat is goedgekeurd.",
        "next": ids[1],
        "url": f"/staff/analysis/runs/{analysed.id}/quotes?page=1#quote-{ids[1]}",
    }
    assert "quote_approved" in actions()
    refused = client.post(
        f"/staff/analysis/quotes/{ids[1]}", data={"decision": "approve"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400 and refused.json["ok"] is False
    db.session.expire_all()
    assert db.session.get(Quote, ids[1]).status is QuoteStatus.proposed


def test_a_response_with_only_background_answers_is_left_out_of_the_analysis(app, demo_wave):
    from models import Response
    from runs.inputs import load_inputs

    add_synthetic_respondents(demo_wave, 30, seed=3)
    before = len(load_inputs(demo_wave).respondents)
    emptied = db.session.scalars(select(Response).where(Response.wave_id == demo_wave.id).order_by(Response.id)).first()
    for answer in list(emptied.answers):
        if answer.item_id not in ("age_band", "gender"):
            db.session.delete(answer)
    db.session.commit()
    respondents = load_inputs(demo_wave).respondents
    assert len(respondents) == before - 1
    assert emptied.id not in set(respondents["response_id"])
