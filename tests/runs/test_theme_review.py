"""The analyst's theme review: themes reach the council only named and ready, merged across languages, counted once
per answer; every step is audited; a rerun keeps the review."""

from __future__ import annotations

import io

from markupsafe import escape
from sqlalchemy import func, select

from extensions import db
from models import AnalysisRun, AuditEvent, NamedTheme, Quote, QuoteStatus, Role, Theme, ThemeCount, ThemeReview
from runs.snapshots import latest_run
from runs.themes import name_from_suggestions, question_review
from tests.forms import parse_forms
from tests.staff import log_in, make_staff

QUESTION = "adult.open_better"
GM, CENTRUM = "GM9001", "WK900100"
TURKISH = 14  # answers of a Turkish theme planted into the run, all in Centrum


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count_of(theme_ids: list[int], area: str) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(ThemeCount.answers), 0)).where(
            ThemeCount.theme_id.in_(theme_ids), ThemeCount.area_code == area
        )
    ).scalar_one()


def total_of(run: AnalysisRun, area: str) -> int:
    return db.session.execute(
        select(ThemeCount.answers).where(
            ThemeCount.run_id == run.id,
            ThemeCount.question == QUESTION,
            ThemeCount.theme_id.is_(None),
            ThemeCount.area_code == area,
        )
    ).scalar_one()


def plant_turkish_theme(run: AnalysisRun) -> Theme:
    """A Turkish theme of 14 answers in Centrum, as a run finds when enough residents answer in Turkish."""
    theme = Theme(
        run=run,
        question=QUESTION,
        key="tr-1",
        language="tr",
        label="araba / hızlı / sokak",
        terms=["araba", "hızlı", "sokak"],
        answers=TURKISH,
        suggestion="Arabalar çok hızlı gidiyor",
        named=NamedTheme(run=run, question=QUESTION, name="", translations={}),
    )
    db.session.add(theme)
    db.session.flush()
    for area in (GM, CENTRUM):
        db.session.add(ThemeCount(run_id=run.id, question=QUESTION, theme_id=theme.id, area_code=area, answers=TURKISH))
        total = db.session.execute(
            select(ThemeCount).where(
                ThemeCount.run_id == run.id,
                ThemeCount.question == QUESTION,
                ThemeCount.theme_id.is_(None),
                ThemeCount.area_code == area,
            )
        ).scalar_one()
        total.answers += TURKISH
    db.session.commit()
    return theme


def form_to(html: str, action: str):
    return next(form for form in parse_forms(html) if form.action == action)


def post(client, page_url: str, action: str, values: dict | None = None, **kwargs):
    form = form_to(client.get(page_url).get_data(as_text=True), action)
    data = {name: values[0] for name, values in form.fields.items()}
    data.update(values or {})
    return client.post(action, data=data, **kwargs)


def council_pages(client) -> str:
    pages = [
        client.get(url).get_data(as_text=True)
        for url in (
            f"/council/wijk/{CENTRUM}?lang=en",
            f"/council/report/{CENTRUM}?lang=en",
            "/council/report/GM9001",
            f"/council/wijk/{GM}",
        )
    ]
    pages.append(client.get("/council/download.csv").get_data(as_text=True))
    return "\n".join(pages)


def pdf_text(client, code: str) -> str:
    from pypdf import PdfReader

    from jobs.queue import queue

    huey = queue().huey
    huey.immediate = True  # the report's build job is done at once (tests/jobs/test_report_jobs.py has the worker)
    try:
        response = client.get(f"/council/report/{code}.pdf?lang=en")
    finally:
        huey.immediate = False
    assert response.status_code == 200
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())


def test_an_analyst_names_merges_hides_and_releases_themes_and_only_then_the_council_sees_them(app, analysed):
    run = analysed
    turkish = plant_turkish_theme(run)
    dutch = db.session.scalars(
        select(Theme)
        .where(Theme.run_id == run.id, Theme.question == QUESTION, Theme.language == "nl")
        .order_by(Theme.answers.desc())
    ).first()
    others = db.session.scalars(
        select(Theme).where(Theme.run_id == run.id, Theme.question == QUESTION, Theme.id.not_in([dutch.id, turkish.id]))
    ).all()
    assert dutch.suggestion and " / " not in dutch.suggestion
    # a quote of each, approved: still nothing reaches the council before the review is ready
    for theme in (dutch, *others):
        for quote in theme.quotes:
            if quote.area_code == CENTRUM:
                quote.status = QuoteStatus.approved
    db.session.commit()
    council = app.test_client()
    log_in(council, make_staff(Role.council, "raad@example.org"))
    before = council_pages(council)
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == run.id)):
        assert str(escape(theme.label)) not in before and str(escape(theme.suggestion)) not in before
    assert "open_answers" not in before and "adult.open_better" not in before
    report = pdf_text(council, CENTRUM)
    assert "An analyst has not named any themes for this area yet." in report  # the summary says so, and no more
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == run.id)):
        assert theme.suggestion not in report and theme.label not in report
    # the council may not reach the review
    assert council.get(f"/staff/analysis/runs/{run.id}/themes").status_code == 403

    analyst = app.test_client()
    log_in(analyst, make_staff(Role.analyst))
    listing = analyst.get(f"/staff/analysis/runs/{run.id}/themes").get_data(as_text=True)
    assert "What would make" in listing or "Wat zou" in listing  # the question's text, not its key
    assert "adult.open_better" not in listing.replace(f"/themes/{QUESTION}", "")
    page_url = f"/staff/analysis/runs/{run.id}/themes/{QUESTION}"
    page = analyst.get(page_url + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "themes_viewed" in actions()
    themed = db.session.scalar(
        select(func.sum(ThemeCount.answers)).where(
            ThemeCount.run_id == run.id,
            ThemeCount.question == QUESTION,
            ThemeCount.theme_id.is_not(None),
            ThemeCount.area_code == GM,
        )
    )
    assert f"<dt>Answers without a theme</dt><dd>{total_of(run, GM) - themed}</dd>" in html
    # the name is prefilled with the theme's typical answer, never a list of stems
    name_form = form_to(html, f"/staff/analysis/named-themes/{dutch.named_id}")
    assert name_form.fields[f"theme-{dutch.named_id}-name"] == [str(dutch.suggestion)]

    named = post(
        analyst,
        page_url,
        f"/staff/analysis/named-themes/{dutch.named_id}",
        {
            f"theme-{dutch.named_id}-name": "  Te hard   rijden ",
            f"theme-{dutch.named_id}-name_en": "Speeding",
            f"theme-{dutch.named_id}-name_tr": "Hız",
        },
    )
    assert named.status_code == 302 and "theme_named" in actions()
    merged = post(
        analyst,
        page_url,
        f"/staff/analysis/named-themes/{turkish.named_id}/merge",
        {f"merge-{turkish.named_id}-into": str(dutch.named_id)},
    )
    assert merged.status_code == 302 and "themes_merged" in actions()
    db.session.expire_all()
    group = db.session.get(Theme, dutch.id).named
    assert (group.name, group.translations) == ("Te hard rijden", {"en": "Speeding", "tr": "Hız"})
    assert {theme.language for theme in group.members} == {"nl", "tr"}

    # not ready while a theme has no name: the page says why
    refused = post(analyst, page_url, f"/staff/analysis/runs/{run.id}/themes/{QUESTION}/ready", {"decision": "ready"})
    assert refused.status_code == 422 and 'id="error-summary"' in refused.get_data(as_text=True)
    too_long = post(
        analyst, page_url, f"/staff/analysis/named-themes/{dutch.named_id}", {f"theme-{dutch.named_id}-name": "x" * 121}
    )
    assert too_long.status_code == 422 and 'id="error-summary"' in too_long.get_data(as_text=True)
    for theme in others:
        named_id = db.session.get(Theme, theme.id).named_id
        hidden = post(
            analyst,
            page_url,
            f"/staff/analysis/named-themes/{named_id}",
            {f"theme-{named_id}-name": "", f"theme-{named_id}-hidden": "y"},
        )
        assert hidden.status_code == 302
    assert "theme_hidden" in actions()
    ready = post(analyst, page_url, f"/staff/analysis/runs/{run.id}/themes/{QUESTION}/ready", {"decision": "ready"})
    assert ready.status_code == 302 and "themes_ready" in actions()
    review = db.session.scalar(
        select(ThemeReview).where(ThemeReview.run_id == run.id, ThemeReview.question == QUESTION)
    )
    assert review.ready and review.reviewed_by_id is not None

    # the council sees the named theme, Dutch and Turkish answers counted together, in its language
    count = count_of([dutch.id, turkish.id], GM)
    total = total_of(run, GM)
    assert count == count_of([dutch.id], GM) + TURKISH
    municipality = council.get(f"/council/wijk/{GM}?lang=en").get_data(as_text=True)
    assert "Speeding" in municipality and "Dutch, Turkish" in municipality
    assert f'dir="ltr">{count}</span>' in municipality and f"{round(100 * count / total)}%" in municipality
    # in Centrum the same rules as every other figure hide what would give away a small group elsewhere
    from council.themes import shown_themes

    shown = shown_themes(db.session.get(AnalysisRun, run.id))
    centrum = shown.ranked(QUESTION, CENTRUM)[0]
    wijk = council.get(f"/council/wijk/{CENTRUM}?lang=en").get_data(as_text=True)
    assert "Speeding" in wijk
    if centrum.count.suppressed:
        assert centrum.count.value is None and centrum.share.value is None
    else:
        assert centrum.count.value == count_of([dutch.id, turkish.id], CENTRUM)
    after = council_pages(council)
    assert "Te hard rijden" in council.get(f"/council/wijk/{CENTRUM}?lang=nl").get_data(as_text=True)
    for theme in others:  # hidden: neither its words nor its quotes
        assert str(escape(theme.suggestion)) not in after
        assert not [
            quote
            for quote in theme.quotes
            if quote.area_code == CENTRUM
            and quote.text not in {q.text for q in dutch.quotes}
            and str(escape(quote.text)) in after
        ]
    assert f"{QUESTION}@Te hard rijden" in council.get("/council/download.csv").get_data(as_text=True)
    assert "Speeding" in pdf_text(council, CENTRUM)

    # splitting the Turkish theme off again withdraws the question until it is marked ready again
    split = post(analyst, page_url, f"/staff/analysis/themes/{turkish.id}/split")
    assert split.status_code == 302 and {"theme_split", "themes_unready"} <= set(actions())
    assert not question_review(run, QUESTION).ready
    assert "Speeding" not in council.get(f"/council/wijk/{CENTRUM}?lang=en").get_data(as_text=True)


def test_a_rerun_keeps_the_names_merges_and_readiness_of_the_themes_it_finds_again(app, analysed, demo_wave):
    first = analysed
    name_from_suggestions(first)
    hidden = db.session.scalars(select(NamedTheme).where(NamedTheme.run_id == first.id).order_by(NamedTheme.id)).first()
    hidden.hidden = True
    db.session.commit()
    names = {
        question: sorted((named.name, named.hidden) for named in question_review(first, question).named)
        for question in {theme.question for theme in first.themes}
    }
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    second = latest_run(demo_wave)
    assert second.id != first.id
    assert "themes_carried_over" in actions()
    for question, expected in names.items():
        review = question_review(second, question)
        assert sorted((named.name, named.hidden) for named in review.named) == expected
        assert review.ready and review.review.carried_from_id == first.id


def test_a_rerun_leaves_themes_it_does_not_recognise_unnamed_and_the_question_not_ready(app, analysed, demo_wave):
    first = analysed
    name_from_suggestions(first)
    # the analyst's reviewed themes are about other answers than the new run finds
    for theme in first.themes:
        theme.signature = [0] * len(theme.signature)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    second = latest_run(demo_wave)
    for question in {theme.question for theme in second.themes}:
        review = question_review(second, question)
        assert not review.ready and all(not named.name for named in review.named)
    council = app.test_client()
    log_in(council, make_staff(Role.council, "raad@example.org"))
    assert "What residents write" not in council.get(f"/council/wijk/{CENTRUM}?lang=en").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Quote).join(Theme).where(Theme.run_id == second.id)) > 0
