"""Staff pages for everyone (login, overview, own account) and for administrators (accounts, teams, audit log)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from accounts.audit import audit_page, logged_actions
from accounts.auth import (
    ALL_STAFF,
    LoginRefused,
    StaffView,
    address_throttled,
    authenticate,
    current_user,
    login,
    logout,
    requires,
    set_password,
    staff_user,
)
from accounts.forms import ROLE_LABELS, ConfirmForm, LoginForm, PasswordChangeForm, TeamForm, UserForm
from accounts.passwords import password_problems, verify_password
from accounts.service import AccountError, create_team, create_user, unlock_user, update_user
from extensions import db, rate_limit
from models import Municipality, Role, Team, User

bp = Blueprint("accounts", __name__, url_prefix="/staff", template_folder="templates")
AUDIT_PAGE_SIZE = 50


def _safe_next(target: str | None) -> str:
    # only a path on this site: never send someone who just logged in to another host
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return url_for("accounts.home")


@bp.route("/login", endpoint="login", methods=["GET", "POST"])
@rate_limit("10 per minute")
def login_page():
    if current_user() is not None:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    user = _authenticated(form) if request.method == "POST" else None
    if user is not None:
        login(user)
        return redirect(_safe_next(request.args.get("next")))
    form.password.data = ""
    return render_template(
        "accounts/login.html",
        form=form,
        ended=request.args.get("ended"),
        idle_minutes=_minutes(current_app.config["STAFF_IDLE_TIMEOUT"]),
    ), (422 if request.method == "POST" else 200)


def _authenticated(form: LoginForm) -> User | None:
    """The member the posted form names, or None with the reason on the form."""
    if not form.validate_on_submit():
        return None
    try:
        return authenticate(form.email.data, form.password.data)
    except LoginRefused:
        # one answer for an unknown address, a wrong password and too many attempts: it confirms no account
        form.form_errors.append(
            _(
                "This e-mail address and password do not match an account, or there were "
                "too many attempts. Check them, or wait a few minutes and try again."
            )
        )
        return None


def _minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)


@bp.post("/logout", endpoint="logout")
def logout_page():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout()
    return _to_login_with_device_cleared()


def _to_login_with_device_cleared():
    """Whatever the page's script managed before it sent the form, the browser empties the pages and interviews it kept
    for offline work and unregisters the service worker. Cookies are left alone: a resident's survey session on a
    shared tablet is not touched."""
    response = redirect(url_for("accounts.login", logged_out=1))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/")
@requires(*ALL_STAFF)
def home():
    return render_template("accounts/home.html", role_label=ROLE_LABELS[staff_user().role])


@bp.route("/account", methods=["GET", "POST"])
@requires(*ALL_STAFF)
def account():
    user = staff_user()
    form = PasswordChangeForm()
    everywhere = ConfirmForm(prefix="everywhere")
    status = 200
    if request.method == "POST" and request.form.get("action") == "everywhere":
        if everywhere.validate_on_submit():
            logout(everywhere=True)
            return _to_login_with_device_cleared()
    elif request.method == "POST":
        if form.validate_on_submit() and _password_changed(form, user):
            flash(_("Your password has been changed. You are logged out on other devices."), "success")
            return redirect(url_for("accounts.account"))
        status = 422
    return render_template("accounts/account.html", form=form, everywhere=everywhere, user=user), status


def _password_changed(form: PasswordChangeForm, user: User) -> bool:
    """Change the password as the posted form asks, and log in anew; False with the reason on the form."""
    if not verify_password(user.password_hash, form.current.data):
        form.current.errors = [_("This is not your current password.")]
        return False
    if problems := password_problems(form.new.data, user.email):
        form.new.errors = problems
        return False
    set_password(user, form.new.data)
    login(user)  # a new session here; every other one has ended
    return True


def _team_choices(user: User) -> list[SelectChoice]:
    return [SelectChoice("", _("No wijkteam"))] + [SelectChoice(str(team.id), team.name) for team in _teams_of(user)]


def _visible_users(admin: User):
    query = select(User).order_by(User.email)
    if admin.municipality_id is not None:
        query = query.where(User.municipality_id == admin.municipality_id)
    return query


def _team_form(admin: User) -> TeamForm:
    """The new-team form: an administrator of every municipality chooses the team's municipality on it."""
    form = TeamForm()
    if admin.municipality_id is not None:
        del form.municipality
    else:
        municipalities = db.session.scalars(
            select(Municipality).order_by(Municipality.name, Municipality.reference_year.desc())
        ).all()
        form.municipality.choices = [SelectChoice("", _("Choose the municipality"))] + [
            SelectChoice(str(m.id), f"{m.name} ({m.code}, {m.reference_year})") for m in municipalities
        ]
        if len(municipalities) == 1 and not form.municipality.data:
            form.municipality.data = str(municipalities[0].id)
    return form


def _users_page(team_form: TeamForm, status: int = 200):
    admin = staff_user()
    users = db.session.scalars(_visible_users(admin)).all()
    throttled = {user.id for user in users if address_throttled(user.email)}
    return render_template(
        "accounts/users.html",
        users=users,
        role_labels=ROLE_LABELS,
        teams=_teams_of(admin),
        team_form=team_form,
        throttled=throttled,
    ), status


@bp.get("/users")
@requires(Role.admin, menu=_l("Accounts"))
def users():
    return _users_page(_team_form(staff_user()))


def _teams_of(user: User) -> Sequence[Team]:
    query = select(Team).order_by(Team.name)
    if user.municipality_id is not None:
        query = query.where(Team.municipality_id == user.municipality_id)
    return db.session.scalars(query).all()


def _team_from(form: UserForm, admin: User) -> Team | None:
    if not form.team.data:
        return None
    team = db.session.get(Team, int(form.team.data)) if form.team.data.isdigit() else None
    if team is None or (admin.municipality_id is not None and team.municipality_id != admin.municipality_id):
        form.team.errors = [_("Choose one of the wijkteams shown.")]
        return None
    return team


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.admin)
def new_user():
    admin = staff_user()
    form = UserForm()
    form.team.choices = _team_choices(admin)

    def save(team: Team | None) -> None:
        role, password = Role(form.role.data), form.password.data or ""
        create_user(form.email.data, role, password, team=team, municipality=admin.municipality, actor=admin)

    if request.method == "POST" and _saved(form, admin, save):
        flash(_("The account has been made."), "success")
        return redirect(url_for("accounts.users"))
    form.password.data = ""
    return render_template("accounts/user_form.html", form=form, user=None), (422 if request.method == "POST" else 200)


def _saved(form: UserForm, admin: User, save: Callable[[Team | None], object]) -> bool:
    """Check the posted account form and its wijkteam, then `save(team)`; False with the reasons on the form."""
    if not form.validate_on_submit():
        return False
    team = _team_from(form, admin)
    if form.team.errors:
        return False
    try:
        save(team)
    except AccountError as error:
        form.form_errors.append(str(error))
        return False
    return True


def _managed_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    admin = staff_user()
    if user is None or (admin.municipality_id is not None and user.municipality_id != admin.municipality_id):
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Role.admin)
def edit_user(user_id: int):
    admin, user = staff_user(), _managed_user(user_id)
    form, unlock = _edit_user_form(admin, user), ConfirmForm(prefix="unlock")
    if request.method == "POST" and request.form.get("action") == "unlock":
        if unlock.validate_on_submit():
            unlock_user(user, admin)
            flash(_("The account is unlocked."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    elif request.method == "POST":
        form.email.data = user.email  # the address is the login name: it is not changed here
        if _saved(form, admin, lambda team: _update_user(user, form, team, admin)):
            flash(_("The changes are saved."), "success")
            return redirect(url_for("accounts.users"))
        return _user_page(form, user, unlock, 422)
    return _user_page(form, user, unlock)


def _update_user(user: User, form: UserForm, team: Team | None, admin: User) -> None:
    update_user(user, role=Role(form.role.data), team=team, active=form.active.data, actor=admin)


def _edit_user_form(admin: User, user: User) -> UserForm:
    form = UserForm(
        obj=None if request.method == "POST" else user,
        data=None if request.method == "POST" else {"role": user.role.value, "team": str(user.team_id or "")},
    )
    del form.password
    form.team.choices = _team_choices(admin)
    return form


def _user_page(form: UserForm, user: User, unlock: ConfirmForm, status: int = 200):
    return render_template(
        "accounts/user_form.html", form=form, user=user, unlock=unlock, throttled=address_throttled(user.email)
    ), status


@bp.post("/teams")
@requires(Role.admin)
def new_team():
    admin = staff_user()
    form = _team_form(admin)
    if not form.validate_on_submit():
        return _users_page(form, 422)  # the messages next to the fields, with the name still there
    municipality = admin.municipality or db.session.get_one(Municipality, int(form.municipality.data))
    create_team(form.name.data, municipality, admin)
    flash(_("The wijkteam has been made."), "success")
    return redirect(url_for("accounts.users"))


@bp.get("/audit")
@requires(Role.admin, menu=_l("Audit log"))
def audit_log():
    action = request.args.get("action") or None
    page = max(request.args.get("page", 1, type=int), 1)
    events, total = audit_page(action, page, AUDIT_PAGE_SIZE)
    return render_template(
        "accounts/audit.html",
        events=events,
        actions=logged_actions(),
        action=action,
        page=page,
        pages=max(1, -(-total // AUDIT_PAGE_SIZE)),
        total=total,
    )


def staff_menu(user: User | None) -> list[tuple[str, str]]:
    """Menu entries: every staff view that declares a menu label and allows this member's role."""
    if user is None:
        return []
    entries = []
    for endpoint, view in current_app.view_functions.items():
        label = getattr(view, "menu_label", None)
        if label is not None and user.role in cast(StaffView, view).allowed_roles:
            entries.append((endpoint, str(label)))
    return entries


def init_views(app) -> None:
    from flask_wtf.csrf import generate_csrf

    from accounts.audit import event_name, target_name

    app.register_blueprint(bp)
    app.jinja_env.globals.update(csrf_token=generate_csrf, event_name=event_name, target_name=target_name)

    @app.context_processor
    def _staff_context():
        user = current_user()  # no database query unless the session belongs to a staff member
        return {"staff": user, "staff_menu": staff_menu(user)}
