"""The application factory: configuration, extensions, then each feature package (`flask --app app ...`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlencode

from babel import support
from flask import Flask, g, has_request_context, render_template, request, session
from flask_babel import get_translations
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

import session_cookie
import transactions
from config import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES, Settings
from extensions import babel, compress, db, limiter, migrate, new_pools_after_fork
from surveys.register import young_reader

LANGUAGE_NAMES = {  # each language in its own name, as a resident looks for it
    "nl": "Nederlands",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "pl": "Polski",
    "uk": "Українська",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond the range of a database id matches no route (404).

    Such a number can name no row, and the database fails on it (a server error instead of "not found"): SQLite
    beyond 64 bits, PostgreSQL already beyond 32 bits, as every id column is an INTEGER (signed 32-bit there).
    """

    LARGEST = 2**31 - 1

    def to_python(self, value: str) -> int:
        if len(value) > len(str(self.LARGEST)):  # before int(): a very long number is costly to convert
            raise ValidationError()
        number = super().to_python(value)
        if number > self.LARGEST:
            raise ValidationError()
        return number


def select_locale() -> str:
    """An explicit choice (?lang=, kept in the session) wins over the browser's languages; Dutch by default."""
    if not has_request_context():  # the command line: messages in the municipality's language
        return DEFAULT_LANGUAGE
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def request_translations() -> support.NullTranslations:
    """The translations of the request's locale, looked up once per request for the templates' _() and pgettext():
    Flask-Babel looks them up through three reads of its request state per string, about 3% of a question page's
    CPU. Kept in that state's babel_translations, which Flask-Babel's force_locale() and refresh() clear and restore,
    so a forced locale gets its own."""
    if not g:  # outside an app context, as Flask-Babel: no translations
        return get_translations()
    state = g.get("_flask_babel")
    translations = getattr(state, "babel_translations", None)
    if translations is None:
        translations = get_translations()  # makes the state when there was none
        g._flask_babel.babel_translations = translations
    return translations


def language_url(code: str) -> str:
    """This page in another language, with its other query arguments kept: a page reached from a page for young
    people keeps its ?audience=youth (surveys.register), a filtered list its filter."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL lets readers go on while a resident's page is written; foreign keys are off in SQLite by default.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _warn_about_per_process_limits(app: Flask) -> None:
    # The memory store counts per worker process: with four workers, four times the attempts get through. Only said
    # when gunicorn serves the app: the development server and the commands run in one process.
    if (
        app.config["RATE_LIMITS"]
        and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")
        and "gunicorn" in sys.modules
        and not (app.testing or app.debug)
    ):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker process counts login and submission "
            "attempts on its own. With more than one worker, set it to a shared store such as "
            "redis://127.0.0.1:6379/0 (README: Running several workers)."
        )


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    settings = Settings.from_environment(Path(app.instance_path))
    app.config.update(settings.flask_config())
    app.config.update(overrides or {})
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # a pooled connection to a database server may have been closed (a restart, a failover, an idle timeout):
        # tested with a round trip before each use; a SQLite file has no connection to lose
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }

    session_cookie.init_app(app)
    db.init_app(app)
    new_pools_after_fork(app)
    transactions.init_app(app)  # first: its after_request hook runs after every other one
    # batch mode: SQLite can only change constraints by copying the table
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True, compare_type=True
    )
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(Path(__file__).parent / "translations")
    )
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by Flask-Babel's jinja2.ext.i18n
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    compress.init_app(app)
    limiter.init_app(app)
    _warn_about_per_process_limits(app)
    if app.config["PROXY_HOPS"]:
        # the client's address (rate limits), scheme (secure cookies, links) and host as the proxies saw them
        hops = app.config["PROXY_HOPS"]
        # wrapping wsgi_app is how Flask documents middleware; its type is that of the method it replaces
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    import accounts
    import coding
    import council
    import demo
    import exchange
    import framework
    import geography
    import interviews
    import jobs
    import models  # noqa: F401  (registers the tables with the metadata)
    import results
    import runs
    import surveys
    from assets import init_assets

    init_assets(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    # each feature registers its blueprints, CLI commands and extensions; the blueprints in this order, which is
    # also the order in which their template folders are searched
    for feature in (
        surveys,
        accounts,
        exchange,
        runs,
        coding,
        interviews,
        framework,
        council,
        results,
        geography,
        demo,
        jobs,
    ):
        feature.init_app(app)

    @app.before_request
    def _locale_context():
        from flask_babel import get_locale

        lang = str(get_locale())
        g.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    @app.context_processor
    def _layout_context():
        lang = getattr(g, "lang", DEFAULT_LANGUAGE)
        return {
            "lang": lang,
            "dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "languages": LANGUAGE_NAMES,
            "language_url": language_url,
            "young_reader": young_reader(),  # the layout's sentences speak as the page does (translations/README.md)
            "theme": {
                "primary": app.config["THEME_PRIMARY"],
                "primary_text": app.config["THEME_PRIMARY_TEXT"],
                "logo_url": app.config["THEME_LOGO_URL"],
            },
        }

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint and request.endpoint.startswith(("surveys.", "interviews.", "accounts.")):
            # answers are personal: no shared cache may keep a page, and the back button re-fetches it
            response.headers["Cache-Control"] = "no-store"
        return response

    def _error_page(status: int, title: str, message: str):
        return render_template("error.html", title=title, message=message), status

    @app.errorhandler(404)
    def _not_found(error):
        return _error_page(404, _("Page not found"), _("This page does not exist (anymore). Check the address."))

    @app.errorhandler(405)
    def _not_allowed(error):
        return _error_page(405, _("That did not work"), _("This page cannot be used like this. Go back and try again."))

    @app.errorhandler(413)
    def _too_large(error):
        return _error_page(
            413,
            _("Too much text"),
            _(
                "You sent more text than we can take. Your earlier pages are saved. "
                "Go back, make your answer shorter and send it again."
            ),
        )

    @app.errorhandler(429)
    def _too_many(error):
        return _error_page(
            429,
            _("Please wait a moment"),
            _("We received many requests from you in a short time. Wait a minute and try again."),
        )

    @app.errorhandler(500)
    def _server_error(error):
        db.session.rollback()
        return _error_page(
            500,
            _("Something went wrong"),
            _("Something went wrong on our side. Your saved answers are safe. Try again in a moment."),
        )

    return app
