"""A council report's PDF built by a job on the queue: a first build takes seconds of CPU (WeasyPrint), too long for a
web request. The request that finds no stored PDF asks for one build (one per stored file at a time: Job.active_key)
and a page waits for it; the worker renders the report as the reader's request would (address, language, and only
a wave the reader may read) and stores it where council.pdf keeps it, and the next request serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import current_app, g
from flask_babel import force_locale
from sqlalchemy import delete, select

from config import RTL_LANGUAGES
from council.areas import Area, find_area
from extensions import db
from models import AnalysisRun, Job, JobKind, JobStatus, Municipality, Role, User, Wave
from models.jobs import ACTIVE


class ReportRefused(ValueError):
    """The report cannot be built for this reader (any more): the reason is stored on the job."""


def _stored(path: Path) -> bytes | None:
    # read at once, not checked first: a build for a newer state removes the older file at any moment
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _present_report(wave: Wave, area: Area, run: AnalysisRun, lang: str) -> Path:
    """Where the report's PDF for the run's present state is (or will be) stored (council.pdf.report_fingerprint)."""
    from council.pdf import report_fingerprint, stored_report

    return stored_report(wave.id, area.code, lang, report_fingerprint(run, area, lang))


def stored_or_asked(
    wave: Wave, area: Area, run: AnalysisRun, *, lang: str, base_url: str, reader: User, again: bool = False
) -> tuple[bytes | None, Job | None]:
    """The report's stored PDF for the run's present state (council.pdf.report_fingerprint); when there is none yet,
    the job that builds it (ask_for_report), and the PDF too when it was built at once (a quick worker, or a test
    with the queue in immediate mode)."""
    path = _present_report(wave, area, run, lang)
    body = _stored(path)
    if body is not None:
        return body, None
    job = ask_for_report(wave, area, path, lang=lang, base_url=base_url, reader=reader, again=again)
    return _stored(path), job


def active_build(wave: Wave, area: Area, run: AnalysisRun, lang: str) -> Job | None:
    """The job that builds the report's PDF for the run's present state, while it is queued or working."""
    key = report_key(_present_report(wave, area, run, lang))
    return db.session.scalars(select(Job).where(Job.active_key == key)).one_or_none()


def cancel_build(job: Job, reader: User) -> bool:
    """Stop the build (the caller commits): it stores no file, and the report's page offers to make it again. False
    when it had ended already."""
    from jobs.tasks import cancel_job

    return cancel_job(job, reader, "report_build_cancelled", "wave", job.wave_id, area=job.params.get("area"))


def report_key(path: Path) -> str:
    """The work of one build: the stored file it makes (wave, area, language and fingerprint)."""
    return f"report:{path.name}"


def ask_for_report(
    wave: Wave, area: Area, path: Path, *, lang: str, base_url: str, reader: User, again: bool = False
) -> Job:
    """The job that builds the report's PDF at `path`: the one queued or working, else a new one on the queue. A build
    that failed is shown with its reason and built again only when asked (`again`), not at every look."""
    key = report_key(path)
    latest = db.session.scalar(select(Job).where(Job.key == key).order_by(Job.id.desc()).limit(1))
    if latest is not None and (latest.status in ACTIVE or (latest.status is JobStatus.failed and not again)):
        return latest
    from jobs.queue import start_job

    # what the request knew and the worker needs: ids and words of the reader's request, never an answer
    params = {
        "area": area.code,
        "lang": lang,
        "base_url": base_url,
        "role": reader.role.value,
        "municipality_id": reader.municipality_id,
    }
    job = start_job(JobKind.report_pdf, wave.id, key, reader.id, params)
    # None: another request asked for the same build a moment ago; wait for that one
    return job or db.session.scalars(select(Job).where(Job.key == key).order_by(Job.id.desc()).limit(1)).one()


def build_report(job: Job, progress: Callable[[str, int], None]) -> dict:
    """The job's work: render the report in a request like the reader's and store the PDF (council.pdf)."""
    from council.blueprint import COUNCIL_ROLES
    from council.pdf import render_pdf, report_fingerprint, store_report, stored_report
    from council.snapshots import analysed_waves
    from council.views import report_pdf_html
    from runs.releases import released_run

    params = job.params
    lang, base_url, code = params["lang"], params["base_url"], params["area"]
    wave = db.session.get_one(Wave, job.wave_id)
    municipality_id = params.get("municipality_id")
    municipality = db.session.get(Municipality, municipality_id) if municipality_id is not None else None
    # the reader's role and municipality bound what the report may show, as on the reader's own pages
    if Role(params["role"]) not in COUNCIL_ROLES or (municipality_id is not None and municipality is None):
        raise ReportRefused("the reader may not read the reports of this wave")
    if wave not in analysed_waves(municipality):
        raise ReportRefused("the wave has no released analysis that the reader may read")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    progress("reading", 10)
    with app.test_request_context(
        f"/council/report/{code}.pdf", base_url=base_url, query_string={"wave": str(wave.id), "lang": lang}
    ):
        g.lang, g.staff = lang, None  # the staff menu is not printed; the wave was checked just above
        with force_locale(lang):
            run = released_run(wave)
            area = find_area(wave.municipality, code)
            if run is None or area is None:
                raise ReportRefused("the wave has no released analysis, or the area is gone")
            # the state of now: a quote withdrawn since the request makes another file, which the next request finds
            path = stored_report(wave.id, area.code, lang, report_fingerprint(run, area, lang))
            if path.exists():  # built by an attempt whose worker was killed before it could say so
                _forget_earlier_builds(job, path)
                return {"file": path.name}
            html = report_pdf_html(wave, area.code)
            progress("rendering", 40)
            body = render_pdf(html, base_url, direction="rtl" if lang in RTL_LANGUAGES else "ltr")
    progress("storing", 95)
    store_report(path, body)  # atomic: a reader never gets half a file
    _forget_earlier_builds(job, path)
    return {"file": path.name, "bytes": len(body)}


def _forget_earlier_builds(job: Job, path: Path) -> None:
    """The ended builds of the same wave, area and language go with their files (council.pdf.store_report keeps one
    per report): only the latest build of a report is ever read, so the job table keeps one row per report rather
    than one per build."""
    same_report = report_key(path).rsplit("-", 1)[0] + "-"  # the key without its fingerprint
    db.session.execute(
        delete(Job).where(
            Job.kind == JobKind.report_pdf,
            Job.key.startswith(same_report, autoescape=True),
            Job.id != job.id,
            Job.status.not_in(ACTIVE),
        )
    )
