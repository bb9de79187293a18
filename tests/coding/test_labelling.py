"""Labelling answers and coding a whole wave: the classifier codes unseen answers in every language, uncertain
answers come first, coding again replaces the earlier coding, erasure takes labels and codes along, every look at
raw answers is audited, and bad input is refused without losing anything."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from sqlalchemy import func, select

from analysis.codebook import most_uncertain_first
from coding.service import code_wave, save_labels
from demo.cli import add_synthetic_respondents
from exchange.waves import create_wave
from extensions import db
from models import AuditEvent, CodedAnswer, CodeLabel, Response
from surveys.flow import delete_responses
from tests.coding.conftest import TRUTH, answers_of, code_ids
from tests.forms import main_form


def page_url(codebook, wave, **query) -> str:
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/staff/coding/{codebook.id}/waves/{wave.id}" + (f"?{suffix}" if suffix else "")


def shown_answers(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li class="lw-quote" id="answer-(\d+)">', html)]


def label_through_the_page(client, codebook, wave, labels: dict[int, int | None], **query):
    form = main_form(client.get(page_url(codebook, wave, **query)).get_data(as_text=True))
    data = {
        "csrf_token": form.fields["csrf_token"][0],
        **{f"label-{rid}": str(code or "") for rid, code in labels.items()},
    }
    return client.post(page_url(codebook, wave, **query), data=data)


def one_label_per_distinct_text(codebook, wave) -> dict[int, int]:
    """The first answer of each distinct text, labelled with its planted theme."""
    ids, first = code_ids(codebook), dict[str, int]()
    for response_id, text in answers_of(wave).items():
        first.setdefault(text, response_id)
    return {response_id: ids[TRUTH[text]] for text, response_id in first.items()}


def coded_rows(codebook, wave) -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(CodedAnswer.response_id, CodedAnswer.code_id, CodedAnswer.confidence, CodedAnswer.margin)
            .where(CodedAnswer.codebook_id == codebook.id, CodedAnswer.wave_id == wave.id)
            .order_by(CodedAnswer.response_id)
        )
    ]


def test_labels_train_a_classifier_that_codes_unseen_answers_in_every_language(
    app, analyst_client, codebook, answered_wave
):
    answers = answers_of(answered_wave)
    assert len({text for text in answers.values()}) > 20 and len(answers) > 100
    labels = one_label_per_distinct_text(codebook, answered_wave)
    saved = label_through_the_page(analyst_client, codebook, answered_wave, labels)
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CodeLabel)) == len(labels)
    form = main_form(analyst_client.get(page_url(codebook, answered_wave)).get_data(as_text=True))
    coded = analyst_client.post(
        f"/staff/coding/{codebook.id}/waves/{answered_wave.id}/code", data={"csrf_token": form.fields["csrf_token"][0]}
    )
    assert coded.status_code == 302 and coded.headers["Location"].endswith("#summary")
    rows = coded_rows(codebook, answered_wave)
    assert [row[0] for row in rows] == sorted(answers)  # every answer of the wave, once
    names = {code.id: code.name for code in codebook.codes}
    unseen = [(answers[rid], names[code], confidence) for rid, code, confidence, _ in rows if rid not in labels]
    assert len(unseen) > 50
    assert all(TRUTH[text] == name for text, name, _ in unseen)
    assert min(confidence for _, _, confidence in unseen) >= 0.6
    page = analyst_client.get(page_url(codebook, answered_wave, show="all")).get_data(as_text=True)
    assert 'id="summary-caption"' in page and "Antwoorden per code" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers_coded"))
    assert event.details["answers"] == len(answers) and event.details["labels"] == len(labels)


def test_uncertain_answers_come_first_and_pages_follow_on(app, analyst_client, codebook, answered_wave, analyst):
    ids, answers = code_ids(codebook), answers_of(answered_wave)
    # a handful of Dutch labels only: other languages stay uncertain
    dutch = [rid for rid, text in answers.items() if text in TRUTH and re.search(r"\b(de|het|een|meer)\b", text)]
    chosen = {rid: ids[TRUTH[answers[rid]]] for rid in dutch[:12]}
    save_labels(codebook, answered_wave, chosen, actor=analyst)
    code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    coded = pd.DataFrame(coded_rows(codebook, answered_wave), columns=["response_id", "code", "confidence", "margin"])
    expected = most_uncertain_first(coded[~coded.response_id.isin(chosen)])["response_id"].tolist()
    first = shown_answers(analyst_client.get(page_url(codebook, answered_wave)).get_data(as_text=True))
    second = shown_answers(analyst_client.get(page_url(codebook, answered_wave, page=2)).get_data(as_text=True))
    assert len(first) == 20 and first + second == expected[:40]
    margins = dict(zip(coded.response_id, coded.margin, strict=True))
    assert margins[first[0]] <= margins[second[-1]]
    labelled = shown_answers(
        analyst_client.get(page_url(codebook, answered_wave, show="labelled")).get_data(as_text=True)
    )
    assert set(labelled) == set(chosen)


def test_coding_again_replaces_the_coding_with_the_same_result(app, codebook, answered_wave, analyst):
    save_labels(codebook, answered_wave, one_label_per_distinct_text(codebook, answered_wave), actor=analyst)
    first = code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    rows = coded_rows(codebook, answered_wave)
    second = code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    assert coded_rows(codebook, answered_wave) == rows and first.total == second.total == len(rows)
    assert [(code.name, count) for code, count in first.per_code] == [
        (code.name, count) for code, count in second.per_code
    ]
    result = app.test_cli_runner().invoke(
        args=["codebook", "code", "--codebook", str(codebook.id), "--wave", answered_wave.name]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} answer(s) of wave" in result.output and "confidence below 60%" in result.output
    assert coded_rows(codebook, answered_wave) == rows
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "answers_coded")) == 3
    )


def test_the_same_codebook_codes_a_later_wave(app, codebook, answered_wave, analyst):
    save_labels(codebook, answered_wave, one_label_per_distinct_text(codebook, answered_wave), actor=analyst)
    later = create_wave(
        "Leefwereld najaar 2026",
        ["adult", "parent", "youth"],
        answered_wave.municipality,
        answered_wave.opens_on,
        actor=analyst,
    )
    add_synthetic_respondents(later, 80, seed=12)
    result = app.test_cli_runner().invoke(
        args=["codebook", "code", "--codebook", str(codebook.id), "--wave", later.name]
    )
    assert result.exit_code == 0, result.output
    answers, names = answers_of(later), {code.id: code.name for code in codebook.codes}
    rows = coded_rows(codebook, later)
    assert len(rows) == len(answers) > 20
    known = set(answers_of(answered_wave).values())
    # answers like those labelled in the first wave get their code; answers unlike any label are shown as uncertain
    like = [
        (TRUTH[answers[rid]], names[code], confidence) for rid, code, confidence, _ in rows if answers[rid] in known
    ]
    unlike = [confidence for rid, _, confidence, _ in rows if answers[rid] not in known]
    assert len(like) > 20 and all(truth == name and confidence >= 0.6 for truth, name, confidence in like)
    assert all(confidence < 0.6 for confidence in unlike)
    assert coded_rows(codebook, answered_wave) == []  # the first wave was not coded


def test_erasing_a_response_removes_its_label_and_its_code(app, codebook, answered_wave, analyst):
    labels = one_label_per_distinct_text(codebook, answered_wave)
    save_labels(codebook, answered_wave, labels, actor=analyst)
    code_wave(codebook, answered_wave, actor=analyst)
    db.session.commit()  # code_wave adds; its caller commits
    response_id = next(iter(labels))
    delete_responses([response_id])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Response, response_id) is None
    assert db.session.scalar(select(CodeLabel).where(CodeLabel.response_id == response_id)) is None
    assert db.session.scalar(select(CodedAnswer).where(CodedAnswer.response_id == response_id)) is None
    assert db.session.scalar(select(func.count()).select_from(CodeLabel)) == len(labels) - 1


def test_every_look_at_raw_answers_is_audited_without_their_content(app, analyst_client, codebook, answered_wave):
    html = analyst_client.get(page_url(codebook, answered_wave)).get_data(as_text=True)
    assert len(shown_answers(html)) == 20
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "open_answers_viewed")).all()
    assert len(events) == 1 and events[0].actor.email == "analyst@leefdam.example"
    assert events[0].details == {"wave": answered_wave.id, "count": 20, "page": 1, "show": "unlabelled"}
    logged = json.dumps([event.details for event in db.session.scalars(select(AuditEvent))], ensure_ascii=False)
    assert not any(text in logged for text in answers_of(answered_wave).values())


def test_bad_labels_are_refused_and_nothing_is_lost(app, analyst_client, codebook, answered_wave):
    ids, answers = code_ids(codebook), list(answers_of(answered_wave))
    first, second = answers[0], answers[1]
    unknown = label_through_the_page(analyst_client, codebook, answered_wave, {first: ids["green"], second: 999_999})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'id="error-summary"' in html and "Kies een van de codes" in html
    assert re.search(rf'<option value="{ids["green"]}" selected>', html)  # the other choice is still made
    malformed = label_through_the_page(analyst_client, codebook, answered_wave, {first: ids["green"]})
    assert malformed.status_code == 302
    form = main_form(analyst_client.get(page_url(codebook, answered_wave)).get_data(as_text=True))
    garbage = analyst_client.post(
        page_url(codebook, answered_wave), data={"csrf_token": form.fields["csrf_token"][0], f"label-{second}": "groen"}
    )
    assert garbage.status_code == 422
    no_csrf = analyst_client.post(page_url(codebook, answered_wave), data={f"label-{second}": str(ids["litter"])})
    assert no_csrf.status_code == 422 and "te lang open" in no_csrf.get_data(as_text=True)
    assert dict(db.session.execute(select(CodeLabel.response_id, CodeLabel.code_id)).all()) == {first: ids["green"]}
    cleared = label_through_the_page(analyst_client, codebook, answered_wave, {first: None}, show="labelled")
    assert cleared.status_code == 302 and db.session.scalar(select(func.count()).select_from(CodeLabel)) == 0


@pytest.mark.parametrize("labelled_codes", [0, 1])
def test_coding_needs_labels_for_two_codes(app, analyst_client, codebook, answered_wave, analyst, labelled_codes):
    ids, answers = code_ids(codebook), list(answers_of(answered_wave))
    if labelled_codes:
        save_labels(codebook, answered_wave, {answers[0]: ids["green"], answers[1]: ids["green"]}, actor=analyst)
    form = main_form(analyst_client.get(page_url(codebook, answered_wave)).get_data(as_text=True))
    refused = analyst_client.post(
        f"/staff/coding/{codebook.id}/waves/{answered_wave.id}/code", data={"csrf_token": form.fields["csrf_token"][0]}
    )
    assert refused.status_code == 302
    page = analyst_client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "minstens twee verschillende codes" in page
    assert db.session.scalar(select(func.count()).select_from(CodedAnswer)) == 0
    result = app.test_cli_runner().invoke(
        args=["codebook", "code", "--codebook", str(codebook.id), "--wave", answered_wave.name]
    )
    assert result.exit_code != 0 and "at least two different codes" in result.output


def test_the_command_refuses_an_unknown_codebook_or_a_wave_of_another_municipality(app, codebook, answered_wave):
    runner = app.test_cli_runner()
    assert (
        "unknown codebook"
        in runner.invoke(args=["codebook", "code", "--codebook", "999999", "--wave", answered_wave.name]).output
    )
    assert (
        "unknown wave"
        in runner.invoke(args=["codebook", "code", "--codebook", str(codebook.id), "--wave", "nope"]).output
    )
    listed = runner.invoke(args=["codebook", "list"]).output
    assert f"{codebook.id}\tGM9001\tadult.open_better\tWat beter kan\t4 codes\t0 labelled" in listed
