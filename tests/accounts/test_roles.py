"""Every staff route checks the role on the server: the whole matrix, so a new route without a check fails here."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from models import Role
from tests.staff import log_in, make_staff

ADMIN, ANALYST, INTERVIEWER, COUNCIL = Role.admin, Role.analyst, Role.interviewer, Role.council
EVERYONE = {ADMIN, ANALYST, INTERVIEWER, COUNCIL}

# endpoint -> roles allowed. A staff route missing here fails test_every_staff_route_is_in_the_matrix.
MATRIX: dict[str, set[Role]] = {
    "accounts.home": EVERYONE,
    "accounts.account": EVERYONE,
    "accounts.users": {ADMIN},
    "accounts.new_user": {ADMIN},
    "accounts.edit_user": {ADMIN},
    "accounts.new_team": {ADMIN},
    "accounts.audit_log": {ADMIN},
    "interviews.index": {INTERVIEWER, ANALYST},
    "interviews.new": {INTERVIEWER},
    "interviews.sync": {INTERVIEWER},
    "interviews.show": {INTERVIEWER, ANALYST},
    "interviews.find": {INTERVIEWER},
    "interviews.timeline": {INTERVIEWER, ANALYST},
    "exchange.waves": {ADMIN, ANALYST},
    "exchange.new_wave": {ADMIN, ANALYST},
    "exchange.wave": {ADMIN, ANALYST},
    "exchange.open_wave_view": {ADMIN, ANALYST},
    "exchange.close_wave_view": {ADMIN, ANALYST},
    "exchange.import_view": {ADMIN, ANALYST},
    "exchange.import_job": {ADMIN, ANALYST},
    "exchange.cancel_import_job": {ADMIN, ANALYST},
    "exchange.export": {ADMIN, ANALYST},
    "exchange.codebooks": {ADMIN, ANALYST},
    "exchange.codebook": {ADMIN, ANALYST},
    "exchange.codebook_csv": {ADMIN, ANALYST},
    "exchange.retention": {ADMIN},
    "runs.runs": {ADMIN, ANALYST},
    "runs.run": {ADMIN, ANALYST},
    "runs.cancel": {ADMIN, ANALYST},  # whoever may start a run may stop it
    "runs.quotes": {ANALYST},
    "runs.publish_run": {ANALYST},  # who reviews the quotes and themes decides when residents see them
    "runs.review_quote": {ANALYST},
    # theme review shows typical answers, residents' own words: analysts only, like quotes
    "runs.themes": {ANALYST},
    "runs.question_themes": {ANALYST},
    "runs.name_named_theme": {ANALYST},
    "runs.merge_named_theme": {ANALYST},
    "runs.split_named_theme": {ANALYST},
    "runs.themes_ready": {ANALYST},
    # residents' own words: analysts only
    "coding.codebooks": {ANALYST},
    "coding.codebook": {ANALYST},
    "coding.new_code": {ANALYST},
    "coding.from_themes": {ANALYST},
    "coding.delete": {ANALYST},
    "coding.edit_code": {ANALYST},
    "coding.remove_code": {ANALYST},
    "coding.answers": {ANALYST},
    "coding.code_all": {ANALYST},
    "coding.coding_job": {ANALYST},
    "coding.cancel_coding_job": {ANALYST},
    # the outcome framework is kept by analysts and administrators; council members read it in their own views
    "framework.index": {ADMIN, ANALYST},
    "framework.new_outcome": {ADMIN, ANALYST},
    "framework.edit_outcome": {ADMIN, ANALYST},
    "framework.delete_outcome": {ADMIN, ANALYST},
    "framework.new_indicator": {ADMIN, ANALYST},
    "framework.edit_indicator": {ADMIN, ANALYST},
    "framework.delete_indicator": {ADMIN, ANALYST},
    "framework.new_target": {ADMIN, ANALYST},
    "framework.edit_target": {ADMIN, ANALYST},
    "framework.delete_target": {ADMIN, ANALYST},
    "framework.history": {ADMIN, ANALYST},
    # output figures are loaded by analysts and administrators; council members see them beside the outcomes
    "outputs.index": {ADMIN, ANALYST},
    "council.output": {ADMIN, ANALYST, COUNCIL},
    # the aggregated profile as open data: everyone who reads the council's views
    "council.download": {ADMIN, ANALYST, COUNCIL},
    "council.download_metadata": {ADMIN, ANALYST, COUNCIL},
    # the council's pages: aggregates and approved quotes only
    "council.overview": {ADMIN, ANALYST, COUNCIL},
    "council.wijk": {ADMIN, ANALYST, COUNCIL},
    "council.compare_view": {ADMIN, ANALYST, COUNCIL},
    "council.report": {ADMIN, ANALYST, COUNCIL},
    "council.report_pdf": {ADMIN, ANALYST, COUNCIL},
    "council.cancel_report_pdf": {ADMIN, ANALYST, COUNCIL},
}
# open to everyone by design: the resident survey, assets, logging in or out, the interview app's service worker
# and manifest (files without data), and the published results and open data (published runs only)
PUBLIC_BLUEPRINTS = {"surveys", "assets", "results", "opendata"}
PUBLIC_ENDPOINTS = {"static", "accounts.login", "accounts.logout", "service_worker", "manifest"}


def staff_rules(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS and rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS
    ]


def test_every_staff_route_is_in_the_matrix_and_checks_roles(app):
    rules = staff_rules(app)
    assert rules, "no staff routes found"
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "allowed_roles"), f"{rule.endpoint} has no @requires role check"
        assert rule.endpoint in MATRIX, f"{rule.endpoint} is missing from the role matrix in this test"
        assert view.allowed_roles == MATRIX[rule.endpoint], rule.endpoint


def _url(rule: Rule, user_id: int) -> str:
    # any value of the right type: a missing object answers 404, which still proves the role check passed
    values = {name: user_id if "user" in name else 1 for name in rule.arguments}
    built = rule.build(values, append_unknown=False)
    assert built is not None  # every argument of the rule has a value
    return built[1]


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_holds_for_every_staff_route(app, demo_wave, role):
    user = make_staff(role)
    client = app.test_client()
    log_in(client, user)
    anonymous = app.test_client()
    for rule in staff_rules(app):
        url = _url(rule, user.id)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if role in MATRIX[rule.endpoint]:
            assert response.status_code != 403, (role, rule.endpoint)
            assert "/staff/login" not in response.headers.get("Location", ""), (role, rule.endpoint)
        else:
            assert response.status_code == 403, (role, rule.endpoint, response.status_code)
        refused = anonymous.open(url, method=method)
        assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"], rule.endpoint


# the wijkteam rule on top of the roles: a team shares its caseload (interviews.service.may_open)
TEAM_RULE = {"same team": 200, "other team": 403}


@pytest.mark.parametrize("relation", list(TEAM_RULE))
def test_the_team_rule_holds_for_opening_an_interview(app, demo_wave, relation):
    from extensions import db
    from models import Interview
    from tests.interviews.test_interviews import interview_fields
    from tests.staff import team_named

    author = make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord"))
    tablet = app.test_client()
    log_in(tablet, author)
    tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    interview = db.session.query(Interview).one()
    team = {"same team": team_named("Wijkteam Noord"), "other team": team_named("Wijkteam Zuid")}
    reader = app.test_client()
    log_in(reader, make_staff(Role.interviewer, "reader@leefdam.example", team=team[relation]))
    assert reader.get(f"/staff/interviews/{interview.id}").status_code == TEAM_RULE[relation]
    assert reader.get(f"/staff/interviews/{interview.id}/timeline").status_code == TEAM_RULE[relation]
