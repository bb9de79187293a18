"""Administrators manage accounts and teams in the staff interface and from the command line."""

from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import AuditEvent, Municipality, Role, Team, User
from tests.forms import main_form
from tests.staff import PASSWORD, log_in, make_staff, team_named


def fields(html: str) -> dict[str, str]:
    return {key: values[0] for key, values in main_form(html).fields.items()}


def test_admin_creates_an_interviewer_with_a_team(admin_client, admin):
    team = team_named()
    form = fields(admin_client.get("/staff/users/new").get_data(as_text=True))
    response = admin_client.post(
        "/staff/users/new",
        data={
            **form,
            "email": "Kim@Leefdam.example",
            "role": "interviewer",
            "team": str(team.id),
            "password": "koffie aan de keukentafel",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).filter_by(email="kim@leefdam.example"))
    assert user.role is Role.interviewer and user.team_id == team.id
    event = db.session.scalar(select(AuditEvent).filter_by(action="user_created").order_by(AuditEvent.id.desc()))
    assert event.actor_id == admin.id and "koffie" not in str(event.details)


def test_an_interviewer_needs_a_team_and_a_good_password(admin_client):
    form = fields(admin_client.get("/staff/users/new").get_data(as_text=True))
    no_team = admin_client.post(
        "/staff/users/new",
        data={
            **form,
            "email": "a@leefdam.example",
            "role": "interviewer",
            "team": "",
            "password": "koffie aan de keukentafel",
        },
    )
    assert no_team.status_code == 422
    weak = admin_client.post(
        "/staff/users/new",
        data={**form, "email": "b@leefdam.example", "role": "analyst", "team": "", "password": "welkom"},
    )
    assert weak.status_code == 422
    assert db.session.scalar(select(User).filter_by(email="a@leefdam.example")) is None


def test_changing_a_role_ends_that_persons_sessions(app, admin_client):
    analyst = make_staff(Role.analyst)
    their_client = app.test_client()
    log_in(their_client, analyst)
    assert their_client.get("/staff/").status_code == 200
    form = fields(admin_client.get(f"/staff/users/{analyst.id}").get_data(as_text=True))
    response = admin_client.post(f"/staff/users/{analyst.id}", data={**form, "role": "council", "team": ""})
    assert response.status_code == 302
    assert db.session.get(User, analyst.id).role is Role.council
    assert their_client.get("/staff/").status_code == 302


def test_an_admin_cannot_demote_themselves(admin_client, admin):
    form = fields(admin_client.get(f"/staff/users/{admin.id}").get_data(as_text=True))
    response = admin_client.post(f"/staff/users/{admin.id}", data={**form, "role": "council"})
    assert response.status_code == 422 and db.session.get(User, admin.id).role is Role.admin


def test_admin_adds_a_team(admin_client):
    page = admin_client.get("/staff/users").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    admin_client.post("/staff/teams", data={"csrf_token": token, "name": "Wijkteam Zuid"})
    assert db.session.scalar(select(Team).filter_by(name="Wijkteam Zuid")) is not None


def test_an_admin_of_every_municipality_chooses_the_municipality_of_a_new_team(admin_client, demo_wave):
    other = Municipality(code="GM9002", name="Andersdam", reference_year=2026)
    db.session.add(other)
    db.session.commit()
    page = admin_client.get("/staff/users").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert 'name="municipality"' in page and "Andersdam (GM9002, 2026)" in page

    response = admin_client.post(
        "/staff/teams", data={"csrf_token": token, "name": "Wijkteam Anders", "municipality": str(other.id)}
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Team).filter_by(name="Wijkteam Anders")).municipality_id == other.id


def test_a_new_team_without_a_municipality_says_so_and_keeps_the_name(admin_client, demo_wave):
    db.session.add(Municipality(code="GM9002", name="Andersdam", reference_year=2026))
    db.session.commit()
    page = admin_client.get("/staff/users").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]

    response = admin_client.post(
        "/staff/teams", data={"csrf_token": token, "name": "Wijkteam Anders", "municipality": ""}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422 and db.session.scalar(select(Team).filter_by(name="Wijkteam Anders")) is None
    assert 'href="#municipality"' in html and 'value="Wijkteam Anders"' in html


def test_an_admin_of_one_municipality_adds_teams_only_there(app, demo_wave):
    own = db.session.scalar(select(Municipality).filter_by(code="GM9001"))
    other = Municipality(code="GM9002", name="Andersdam", reference_year=2026)
    db.session.add(other)
    db.session.commit()
    local_admin = make_staff(Role.admin, "beheer@leefdam.example")
    local_admin.municipality = own
    db.session.commit()
    client = app.test_client()
    log_in(client, local_admin)
    page = client.get("/staff/users").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert "Andersdam" not in page

    client.post("/staff/teams", data={"csrf_token": token, "name": "Wijkteam Eigen", "municipality": str(other.id)})

    assert db.session.scalar(select(Team).filter_by(name="Wijkteam Eigen")).municipality_id == own.id


def test_audit_log_page_lists_events(admin_client):
    page = admin_client.get("/staff/audit?action=user_created").get_data(as_text=True)
    assert "admin@leefdam.example" in page
    # in the reader's language: the kind of event and what it is about, not their codes
    assert '<th scope="row">Account aangemaakt</th>' in page and "user_created" not in page.split("<tbody>", 1)[1]
    assert '<option value="user_created" selected>Account aangemaakt</option>' in page
    english = admin_client.get("/staff/audit?action=user_created&lang=en").get_data(as_text=True)
    assert '<th scope="row">Account created</th>' in english and "<td>account " in english


def test_every_kind_of_audit_event_has_a_name_in_every_language():
    """Every kind of event the code records (found in its source) has a name, translated like every other text."""
    import ast
    from pathlib import Path

    from accounts.audit import EVENT_NAMES, TARGET_NAMES

    root = Path(__file__).parents[2]
    kinds, targets = set(), set()
    # kinds written with a variable part, as their code names them
    kinds |= {f"quote_{status}" for status in ("approved", "rejected", "proposed")}
    kinds |= {
        f"{subject}_{verb}"
        for subject in ("outcome", "indicator", "target")
        for verb in ("created", "changed", "deleted")
    }
    kinds |= {"logout", "theme_hidden", "theme_named", "themes_ready", "themes_withdrawn", "interview_viewed"}
    kinds |= {"client_timeline_viewed"}
    targets |= {"outcome", "indicator", "target"}
    for path in root.glob("*/**/*.py"):
        if path.relative_to(root).parts[0] in {".venv", "node_modules", "tests", "migrations", "benchmarks", "build"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    kinds.add(node.args[0].value)
                if len(node.args) > 2 and isinstance(node.args[2], ast.Constant):
                    targets.add(node.args[2].value)
    assert sorted(kinds - set(EVENT_NAMES)) == []
    assert sorted(targets - {None} - set(TARGET_NAMES)) == []


def test_cli_creates_accounts_with_the_password_from_standard_input(app, demo_wave):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "jan@leefdam.example", "--role", "interviewer", "--team", "Wijkteam Oost"],
        input="een veilig lang wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).filter_by(email="jan@leefdam.example"))
    assert user.team.name == "Wijkteam Oost" and "een veilig" not in result.output
    again = runner.invoke(args=["users", "create", "jan@leefdam.example", "--role", "analyst"], input=PASSWORD)
    assert again.exit_code != 0
    weak = runner.invoke(args=["users", "create", "piet@leefdam.example", "--role", "analyst"], input="123456\n")
    assert weak.exit_code != 0 and db.session.scalar(select(User).filter_by(email="piet@leefdam.example")) is None
