"""An outcome names the output measures meant to serve it: in the framework file and in the staff editor, checked
against the municipality's loaded output figures, with the change in the framework's history."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from demo.cli import DEMO_DIR
from extensions import db
from framework import loader
from framework.errors import FrameworkError
from framework.history import framework_history
from models import AuditEvent, Outcome
from tests.framework.test_framework import form_posting_to, html_of
from tests.staff import log_in

YOUTH = "Jeugdigen groeien veilig op in een gezin"


@pytest.fixture
def municipality(demo_wave):
    return demo_wave.municipality


def outcome_named(name: str) -> Outcome:
    return db.session.execute(select(Outcome).filter_by(name=name)).scalar_one()


def demo_file(tmp_path, change) -> str:
    data = yaml.safe_load((DEMO_DIR / "framework.yaml").read_text(encoding="utf-8"))
    change(next(entry for entry in data["outcomes"] if entry["name"] == YOUTH))
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_demo_framework_pairs_outcomes_with_output_measures(app, municipality):
    assert [measure.code for measure in outcome_named(YOUTH).outputs] == ["jeugd_trajecten", "jeugdzorg_pct"]
    assert [m.code for m in outcome_named("Inwoners hebben regie over hun leven").outputs] == ["wmo_per_1000"]
    assert outcome_named("Inwoners doen mee").outputs == []
    created = next(
        entry
        for entry in framework_history(municipality, limit=500)
        if entry.subject_type == "outcome" and entry.subject["name"] == YOUTH
    )
    assert created.subject["outputs"] == "jeugd_trajecten, jeugdzorg_pct"


def test_a_file_changes_the_pairing_and_one_that_does_not_name_it_keeps_it(app, municipality, tmp_path):
    report = loader.load_framework(
        municipality, demo_file(tmp_path, lambda entry: entry.update(outputs=["jeugdzorg_pct"]))
    )
    assert report.changed == 1
    db.session.expire_all()
    assert [measure.code for measure in outcome_named(YOUTH).outputs] == ["jeugdzorg_pct"]
    latest = framework_history(municipality, limit=1)[0]
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("outputs", "jeugd_trajecten, jeugdzorg_pct", "jeugdzorg_pct")
    ]
    report = loader.load_framework(municipality, demo_file(tmp_path, lambda entry: entry.pop("outputs")))
    assert report.changed == 0
    assert [measure.code for measure in outcome_named(YOUTH).outputs] == ["jeugdzorg_pct"]


def test_a_file_naming_an_output_measure_without_figures_is_refused_whole(app, municipality, tmp_path):
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for outputs, expected in ((["jeugdzorg_pct", "wachtlijst"], "wachtlijst"), ("jeugdzorg_pct", "list of codes")):
        path = demo_file(tmp_path, lambda entry, outputs=outputs: entry.update(outputs=outputs, description="Anders"))
        with pytest.raises(FrameworkError) as caught:
            loader.load_framework(municipality, path)
        assert any(problem.startswith("outcome 1: ") and expected in problem for problem in caught.value.errors[""])
    db.session.expire_all()
    assert outcome_named(YOUTH).description != "Anders"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_editor_offers_the_output_measures_and_saves_the_choice(app, analyst, municipality):
    client = app.test_client()
    log_in(client, analyst)
    client.get("/staff/framework/?lang=en")
    outcome = outcome_named("Inwoners doen mee")
    edit = f"/staff/framework/outcomes/{outcome.id}"
    form = form_posting_to(html_of(client.get(edit)), edit)
    assert set(form.checkboxes["outputs"]) == {"jeugd_trajecten", "jeugdzorg_pct", "wmo_per_1000"}
    data = {key: list(value) for key, value in form.fields.items()}
    saved = client.post(edit, data={**data, "outputs": ["wmo_per_1000", "jeugd_trajecten"]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert [measure.code for measure in outcome.outputs] == ["jeugd_trajecten", "wmo_per_1000"]
    index = html_of(client.get("/staff/framework/"))
    assert "Gestarte jeugdtrajecten wijkteam (jeugd_trajecten)" in index
    refused = client.post(edit, data={**data, "outputs": ["wachtlijst"]})
    assert refused.status_code == 422
    assert "There are no output figures for wachtlijst. Load them first under Output figures." in html_of(refused)
    db.session.expire_all()
    assert [measure.code for measure in outcome.outputs] == ["jeugd_trajecten", "wmo_per_1000"]
    cleared = client.post(edit, data=data)  # no box ticked: the outcome names none
    assert cleared.status_code == 302
    db.session.expire_all()
    assert outcome.outputs == []
