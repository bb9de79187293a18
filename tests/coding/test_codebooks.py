"""Codebooks and codes through the staff pages: making them, codes from an analysis's themes, merging codes,
bad input that is refused with a translated message, and who may see any of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import analysis.codebook
from accounts.service import create_user
from coding.service import add_code, code_wave, codes_from_themes, create_codebook, save_labels, update_code
from extensions import db
from models import (
    AnalysisRun,
    AuditEvent,
    Codebook,
    CodebookCode,
    CodedAnswer,
    CodeLabel,
    Municipality,
    NamedTheme,
    Role,
    RunStatus,
    Theme,
)
from tests.coding.conftest import QUESTION, answers_of, code_ids
from tests.forms import ParsedForm, main_form, parse_forms
from tests.staff import PASSWORD, log_in, make_staff


def form_posting_to(html: str, action: str) -> ParsedForm:
    return next(form for form in parse_forms(html) if form.action.split("#")[0] == action)


def post_form(client, page_url: str, action: str, values: dict, drop: tuple[str, ...] = ()):
    form = form_posting_to(client.get(page_url).get_data(as_text=True), action)
    data = {key: list(value) for key, value in form.fields.items()}
    data.update({key: [value] for key, value in values.items()})
    for key in drop:
        data.pop(key, None)
    return client.post(action, data=data)


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_analyst_makes_a_codebook_for_an_open_question_and_adds_codes(app, analyst_client, demo_wave):
    page = analyst_client.get("/staff/coding/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    form = main_form(html)
    # the open questions of the instruments, one per questionnaire: adults, parents and youth each ask open_better
    assert {"adult.open_good", "adult.open_better", "parent.open_better", "youth.open_better"} <= set(
        form.radios["question"]
    )
    made = analyst_client.post(
        "/staff/coding/",
        data={"csrf_token": form.fields["csrf_token"][0], "name": "  Wat beter kan  ", "question": QUESTION},
    )
    assert made.status_code == 302
    codebook = db.session.scalar(select(Codebook))
    assert (codebook.name, codebook.question, codebook.municipality_id) == (
        "Wat beter kan",
        QUESTION,
        demo_wave.municipality_id,
    )
    url = f"/staff/coding/{codebook.id}"
    assert made.headers["Location"].endswith(url)
    added = post_form(
        analyst_client,
        url,
        f"{url}/codes",
        {
            "name": "Verkeer",
            "description": "te hard rijden, drempels, oversteken",
            "name_tr": "Trafik",
            "description_tr": "arabalar çok hızlı, güvenli geçit",
        },
    )
    assert added.status_code == 302
    code = db.session.scalar(select(CodebookCode))
    assert (code.name, code.position) == ("Verkeer", 0)
    assert code.translations == {"tr": {"name": "Trafik", "description": "arabalar çok hızlı, güvenli geçit"}}
    page = analyst_client.get(url).get_data(as_text=True)
    assert "Verkeer" in page and "te hard rijden" in page
    assert analyst_client.get(f"{url}?lang=tr").get_data(as_text=True).count("Trafik") >= 1
    changed = post_form(
        analyst_client,
        f"{url}/codes/{code.id}",
        f"{url}/codes/{code.id}",
        {"name": "Verkeersveiligheid", "description_tr": ""},
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert code.name == "Verkeersveiligheid" and code.translations == {"tr": {"name": "Trafik"}}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"codebook_created", "code_added", "code_changed"} <= actions


def test_codes_start_from_the_themes_of_a_finished_analysis_once(app, analyst_client, demo_wave, analyst):
    codebook = create_codebook("Thema's", QUESTION, demo_wave.municipality, actor=analyst)
    run = AnalysisRun(wave=demo_wave, status=RunStatus.succeeded)
    db.session.add(run)
    db.session.add_all(
        [
            Theme(
                run=run,
                question=QUESTION,
                key="nl-1",
                language="nl",
                label="verkeer / snel / drempels",
                terms=["verkeer", "snel", "drempels", "school"],
                answers=40,
            ),
            Theme(
                run=run,
                question=QUESTION,
                key="tr-1",
                language="tr",
                label="araba / hızlı / okul",
                terms=["araba", "hızlı", "okul"],
                answers=6,
            ),
            Theme(
                run=run,
                question="adult.open_good",
                key="nl-1",
                language="nl",
                label="buren / fijn / rustig",
                terms=["buren", "fijn", "rustig"],
                answers=30,
            ),
        ]
    )
    unfinished = AnalysisRun(wave=demo_wave, status=RunStatus.failed)
    db.session.add(unfinished)
    db.session.commit()
    url = f"/staff/coding/{codebook.id}"
    page = analyst_client.get(url).get_data(as_text=True)
    form = form_posting_to(page, f"{url}/themes")
    assert form.selects["run"] == [str(run.id)]  # only finished analyses with themes for this question
    added = post_form(analyst_client, url, f"{url}/themes", {"run": str(run.id)})
    assert added.status_code == 302
    codes = db.session.scalars(select(CodebookCode).order_by(CodebookCode.position)).all()
    assert [(code.name, code.description) for code in codes] == [
        ("verkeer / snel / drempels", "verkeer, snel, drempels, school"),
        ("araba / hızlı / okul", "araba, hızlı, okul"),
    ]
    again = post_form(analyst_client, url, f"{url}/themes", {"run": str(run.id)})
    assert again.status_code == 302 and count(CodebookCode) == 2
    refused = post_form(analyst_client, url, f"{url}/themes", {"run": str(unfinished.id)})
    assert refused.status_code == 422 and 'id="error-summary"' in refused.get_data(as_text=True)


def test_bad_codebook_input_is_refused_with_a_translated_message_and_kept(app, analyst_client, demo_wave):
    form = main_form(analyst_client.get("/staff/coding/").get_data(as_text=True))
    token = form.fields["csrf_token"][0]
    empty = analyst_client.post("/staff/coding/", data={"csrf_token": token, "name": "  ", "question": QUESTION})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Vul dit in." in html and 'id="error-summary"' in html
    assert main_form(html).fields["question"] == [QUESTION]  # the choice made is still there
    no_question = analyst_client.post("/staff/coding/", data={"csrf_token": token, "name": "Zonder vraag"})
    assert no_question.status_code == 422 and 'value="Zonder vraag"' in no_question.get_data(as_text=True)
    unknown = analyst_client.post("/staff/coding/", data={"csrf_token": token, "name": "X", "question": "who5_1"})
    assert unknown.status_code == 422 and "Kies een van de open vragen" in unknown.get_data(as_text=True)
    no_csrf = analyst_client.post("/staff/coding/", data={"name": "Zonder token", "question": QUESTION})
    assert no_csrf.status_code == 422 and "te lang open" in no_csrf.get_data(as_text=True)
    assert count(Codebook) == 0
    assert (
        analyst_client.post(
            "/staff/coding/", data={"csrf_token": token, "name": "Eén", "question": QUESTION}
        ).status_code
        == 302
    )
    twice = analyst_client.post("/staff/coding/", data={"csrf_token": token, "name": "eén", "question": QUESTION})
    assert twice.status_code == 422 and "bestaat al een codeboek" in twice.get_data(as_text=True)
    assert count(Codebook) == 1


def test_bad_code_input_is_refused_and_what_was_typed_stays(app, analyst_client, demo_wave, analyst):
    codebook = create_codebook("Codes", QUESTION, demo_wave.municipality, actor=analyst)
    add_code(codebook, "Groen", "bomen en parken", actor=analyst)
    url = f"/staff/coding/{codebook.id}"
    duplicate = post_form(analyst_client, url, f"{url}/codes", {"name": " groen ", "description": "speeltuinen"})
    html = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 422 and "heeft al een code met deze naam" in html
    assert "speeltuinen" in html  # the description typed is still there
    empty = post_form(analyst_client, url, f"{url}/codes", {"name": "", "description": "iets"})
    assert empty.status_code == 422 and "Vul dit in." in empty.get_data(as_text=True)
    too_long = post_form(analyst_client, url, f"{url}/codes", {"name": "x" * 121})
    assert too_long.status_code == 422 and "120" in too_long.get_data(as_text=True)
    translated_too_long = post_form(analyst_client, url, f"{url}/codes", {"name": "Lang", "name_pl": "y" * 121})
    html = translated_too_long.get_data(as_text=True)
    assert translated_too_long.status_code == 422 and '<details class="lw-language-form" open>' in html
    no_csrf = post_form(analyst_client, url, f"{url}/codes", {"name": "Zonder token"}, drop=("csrf_token",))
    assert no_csrf.status_code == 422 and "te lang open" in no_csrf.get_data(as_text=True)
    code = db.session.scalar(select(CodebookCode))
    rename = post_form(analyst_client, f"{url}/codes/{code.id}", f"{url}/codes/{code.id}", {"name": ""})
    assert rename.status_code == 422
    db.session.expire_all()
    assert [c.name for c in db.session.scalars(select(CodebookCode))] == ["Groen"]


def test_merging_two_codes_moves_the_labels_and_asks_for_new_coding(
    app, analyst_client, codebook, analyst, answered_wave
):
    ids, answers = code_ids(codebook), list(answers_of(answered_wave))
    save_labels(
        codebook,
        answered_wave,
        {answers[0]: ids["green"], answers[1]: ids["green"], answers[2]: ids["traffic"], answers[3]: ids["litter"]},
        actor=analyst,
    )
    code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    assert count(CodedAnswer) > 0
    url = f"/staff/coding/{codebook.id}/codes/{ids['litter']}"
    bad = post_form(analyst_client, url, f"{url}/delete", {"delete-move_to": str(ids["litter"])})
    assert bad.status_code == 422 and count(CodebookCode) == 4
    merged = post_form(analyst_client, url, f"{url}/delete", {"delete-move_to": str(ids["green"])})
    assert merged.status_code == 302
    labels = dict(db.session.execute(select(CodeLabel.response_id, CodeLabel.code_id)).all())
    assert labels == {
        answers[0]: ids["green"],
        answers[1]: ids["green"],
        answers[2]: ids["traffic"],
        answers[3]: ids["green"],
    }
    assert count(CodebookCode) == 3 and count(CodedAnswer) == 0  # coded with the old codes: code again
    url = f"/staff/coding/{codebook.id}/codes/{ids['traffic']}"
    assert post_form(analyst_client, url, f"{url}/delete", {"delete-move_to": ""}).status_code == 302
    assert dict(db.session.execute(select(CodeLabel.response_id, CodeLabel.code_id)).all()) == {
        answers[0]: ids["green"],
        answers[1]: ids["green"],
        answers[3]: ids["green"],
    }


def test_deleting_a_codebook_keeps_the_answers(app, analyst_client, codebook, analyst, answered_wave):
    ids, answers = code_ids(codebook), answers_of(answered_wave)
    save_labels(codebook, answered_wave, {next(iter(answers)): ids["green"]}, actor=analyst)
    url = f"/staff/coding/{codebook.id}"
    assert post_form(analyst_client, url, f"{url}/delete", {}, drop=("delete-csrf_token",)).status_code == 302
    assert count(Codebook) == 1
    assert post_form(analyst_client, url, f"{url}/delete", {}).status_code == 302
    assert count(Codebook) == 0 and count(CodebookCode) == 0 and count(CodeLabel) == 0
    assert answers_of(answered_wave) == answers


def test_only_analysts_of_the_municipality_see_codebooks(app, codebook, answered_wave):
    url = f"/staff/coding/{codebook.id}"
    answers_url = f"{url}/waves/{answered_wave.id}"
    for role in (Role.admin, Role.council, Role.interviewer):
        client = app.test_client()
        log_in(client, make_staff(role))
        for path in ("/staff/coding/", url, answers_url):
            assert client.get(path).status_code == 403, (role, path)
    # an analyst of another municipality does not find this municipality's codebooks
    other = Municipality(code="GM9002", name="Andersdam", reference_year=2026)
    db.session.add(other)
    db.session.commit()
    stranger = create_user("analist@andersdam.example", Role.analyst, PASSWORD, municipality=other)
    db.session.commit()
    client = app.test_client()
    log_in(client, stranger)
    assert codebook.name not in client.get("/staff/coding/").get_data(as_text=True)
    assert client.get(url).status_code == 404 and client.get(answers_url).status_code == 404
    assert client.post(f"{url}/delete").status_code == 404
    assert count(Codebook) == 1


def test_a_label_can_only_name_a_code_of_its_own_codebook(app, codebook, answered_wave, analyst):
    other = create_codebook("Ander codeboek", QUESTION, answered_wave.municipality, actor=analyst)
    foreign = add_code(other, "Elders", actor=analyst)
    db.session.add(
        CodeLabel(codebook_id=codebook.id, code_id=foreign.id, response_id=next(iter(answers_of(answered_wave))))
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_descriptions_in_every_language_are_examples_for_the_classifier(
    app, codebook, answered_wave, analyst, monkeypatch
):
    ids, answers = code_ids(codebook), list(answers_of(answered_wave))
    green = db.session.get(CodebookCode, ids["green"])
    update_code(
        green,
        "green",
        "bomen en parken",
        {"tr": {"name": "yeşil", "description": "ağaç ve park"}, "pl": {"name": "zieleń"}},
        actor=analyst,
    )
    save_labels(codebook, answered_wave, {answers[0]: ids["green"], answers[1]: ids["traffic"]}, actor=analyst)
    trained = {}
    original = analysis.codebook.train_codebook

    def spy(codes, **kwargs):
        trained.update({code.name: code for code in codes})
        return original(codes, **kwargs)

    monkeypatch.setattr(analysis.codebook, "train_codebook", spy)
    code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    texts = answers_of(answered_wave)
    assert trained[str(ids["green"])].description == "bomen en parken"
    assert trained[str(ids["green"])].examples == (texts[answers[0]].strip(), "ağaç ve park")
    assert trained[str(ids["traffic"])].examples == (texts[answers[1]].strip(),)
    assert trained[str(ids["contact"])].examples == ()


def test_themes_an_analyst_named_and_merged_become_one_code_with_its_translations(app, demo_wave, analyst):
    codebook = create_codebook("Benoemd", QUESTION, demo_wave.municipality, actor=analyst)
    run = AnalysisRun(wave=demo_wave, status=RunStatus.succeeded)
    named = NamedTheme(run=run, question=QUESTION, name="Te hard rijden", translations={"en": "Speeding"})
    db.session.add_all(
        [
            Theme(
                run=run,
                question=QUESTION,
                key="nl-1",
                language="nl",
                label="verkeer / snel",
                terms=["verkeer", "snel"],
                answers=40,
                named=named,
            ),
            Theme(
                run=run,
                question=QUESTION,
                key="tr-1",
                language="tr",
                label="araba / hızlı",
                terms=["araba", "hızlı"],
                answers=6,
                named=named,
            ),
            Theme(
                run=run,
                question=QUESTION,
                key="nl-2",
                language="nl",
                label="groen / park",
                terms=["groen", "park"],
                answers=30,
                named=NamedTheme(run=run, question=QUESTION, name="", translations={}),
            ),
        ]
    )
    db.session.commit()
    added = codes_from_themes(codebook, run, actor=analyst)
    assert [(code.name, code.description, code.translations) for code in added] == [
        ("Te hard rijden", "verkeer, snel, araba, hızlı", {"en": {"name": "Speeding"}}),
        ("groen / park", "groen, park", {}),
    ]
