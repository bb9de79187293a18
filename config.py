"""The one settings object: every setting comes from an environment variable with a safe default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

LANGUAGES = ("nl", "en", "tr", "ar", "pl", "uk")
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "nl"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _retention_overrides() -> dict[str, int]:
    """RETENTION_DAYS_<SLUG> per instrument, e.g. RETENTION_DAYS_ADULT=365 for the instrument with slug adult."""
    prefix = "RETENTION_DAYS_"
    return {
        name[len(prefix) :].lower(): int(value)
        for name, value in os.environ.items()
        if name.startswith(prefix) and value.strip()
    }


def instance_secret(instance_path: Path, name: str) -> str:
    """Read a secret kept in the instance folder, creating it on first use (never a constant in code)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        # O_EXCL: two workers starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    client_code_secret: str
    suppression_min_n: int
    response_expiry_days: int
    retention_days: int
    retention_days_by_instrument: dict[str, int]
    import_max_bytes: int
    session_cookie_secure: bool
    staff_idle_timeout_minutes: int
    staff_session_lifetime_minutes: int
    ratelimit_enabled: bool
    ratelimit_storage_uri: str
    proxy_hops: int
    theme_primary: str
    theme_primary_text: str
    theme_logo_url: str | None
    job_queue_url: str
    job_queue_name: str
    job_workers: int
    job_retries: int
    job_retry_delay: int
    job_time_limit: float
    job_expires: float
    job_lease: float
    job_preload_languages: bool
    coding_job_answers: int

    @classmethod
    def from_environment(cls, instance_path: Path) -> Settings:
        default_db = f"sqlite:///{instance_path / 'leefwereld.sqlite'}"
        return cls(
            database_url=os.environ.get("DATABASE_URL") or default_db,
            secret_key=os.environ.get("SECRET_KEY") or instance_secret(instance_path, "secret_key"),
            # A key of its own: rotating SECRET_KEY (sessions) must not unlink follow-ups from their intake.
            client_code_secret=os.environ.get("CLIENT_CODE_SECRET")
            or instance_secret(instance_path, "client_code_key"),
            suppression_min_n=_int("SUPPRESSION_MIN_N", 10),
            response_expiry_days=_int("RESPONSE_EXPIRY_DAYS", 30),
            # Submitted responses are deleted this long after submission by `flask retention apply`.
            retention_days=_int("RETENTION_DAYS", 730),
            retention_days_by_instrument=_retention_overrides(),
            import_max_bytes=_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024),
            session_cookie_secure=_bool("SESSION_COOKIE_SECURE", True),
            # A staff login ends after this many minutes without a request, and at the latest after the lifetime.
            staff_idle_timeout_minutes=_int("STAFF_IDLE_TIMEOUT", 30),
            staff_session_lifetime_minutes=_int("STAFF_SESSION_LIFETIME", 12 * 60),
            ratelimit_enabled=_bool("RATELIMIT_ENABLED", True),
            ratelimit_storage_uri=os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
            # Proxies in front of the app that set X-Forwarded-For/-Proto/-Host: 0 trusts no such header (a client
            # could claim any address and dodge the rate limits), 1 behind one load balancer.
            proxy_hops=_int("PROXY_HOPS", 0),
            # Municipal branding as NL Design System tokens; defaults pass WCAG AA contrast.
            theme_primary=os.environ.get("THEME_PRIMARY", "#00689e"),
            theme_primary_text=os.environ.get("THEME_PRIMARY_TEXT", "#ffffff"),
            theme_logo_url=os.environ.get("THEME_LOGO_URL") or None,
            # The job queue (jobs/): empty is SQLite in the instance folder, no extra service; redis://... in
            # production. The name keeps the queues of two applications on one Redis apart.
            job_queue_url=os.environ.get("JOB_QUEUE_URL", ""),
            job_queue_name=os.environ.get("JOB_QUEUE_NAME") or "leefwereld",
            job_workers=_int("JOB_WORKERS", 1),
            job_retries=_int("JOB_RETRIES", 2),
            job_retry_delay=_int("JOB_RETRY_DELAY", 30),  # seconds before the first retry; doubles each time
            job_time_limit=float(os.environ.get("JOB_TIME_LIMIT") or 3 * 3600),  # seconds a job may work
            job_expires=float(os.environ.get("JOB_EXPIRES") or 24 * 3600),  # seconds a job may wait, queued
            # seconds without a worker's heartbeat after which a running job counts as abandoned (its worker was
            # killed) and is taken up again by any worker; the heartbeat comes four times per lease
            job_lease=float(os.environ.get("JOB_LEASE") or 60),
            # a worker reads the analysis's language resources when it starts (about 5 s of CPU), not at its first run
            job_preload_languages=_bool("JOB_PRELOAD_LANGUAGES", True),
            # coding a wave with more answers than this is a job on the queue (coding.jobs); fewer are coded within
            # the request (a second or two), which keeps the page, its tests and the demo's small wave simple
            coding_job_answers=_int("CODING_JOB_ANSWERS", 2000),
        )

    def flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "CLIENT_CODE_SECRET": self.client_code_secret,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SUPPRESSION_MIN_N": self.suppression_min_n,
            "RESPONSE_EXPIRY_DAYS": self.response_expiry_days,
            "RETENTION_DAYS": self.retention_days,
            **{f"RETENTION_DAYS_{slug.upper()}": days for slug, days in self.retention_days_by_instrument.items()},
            # Only the staff upload of response files may send this much; every other request keeps the cap below.
            "IMPORT_MAX_BYTES": self.import_max_bytes,
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "STAFF_IDLE_TIMEOUT": timedelta(minutes=self.staff_idle_timeout_minutes),
            "STAFF_SESSION_LIFETIME": timedelta(minutes=self.staff_session_lifetime_minutes),
            # PERMANENT_SESSION_LIFETIME stays Flask's 31 days: a resident who stops comes back to their answers on the
            # same device; a staff login ends on the server (accounts.auth) whatever the cookie's age
            "RATE_LIMITS": self.ratelimit_enabled,  # read by extensions.rate_limit
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "PROXY_HOPS": self.proxy_hops,
            "THEME_PRIMARY": self.theme_primary,
            "THEME_PRIMARY_TEXT": self.theme_primary_text,
            "THEME_LOGO_URL": self.theme_logo_url,
            "JOB_QUEUE_URL": self.job_queue_url,
            "JOB_QUEUE_NAME": self.job_queue_name,
            "JOB_WORKERS": self.job_workers,
            "JOB_RETRIES": self.job_retries,
            "JOB_RETRY_DELAY": self.job_retry_delay,
            "JOB_TIME_LIMIT": self.job_time_limit,
            "JOB_EXPIRES": self.job_expires,
            "JOB_LEASE": self.job_lease,
            "JOB_PRELOAD_LANGUAGES": self.job_preload_languages,
            "CODING_JOB_ANSWERS": self.coding_job_answers,
            "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
            # Long answers are capped per field (2,000 characters); anything this large is not a survey page.
            "MAX_CONTENT_LENGTH": 256 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; a slow resident is no attacker
        }
