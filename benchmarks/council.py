"""Server time of the council's pages over a stored snapshot, for waves of different sizes.

    .venv/bin/python benchmarks/council.py --respondents 10000 [--respondents 1000000 ...] [--requests 20]

For each N: a fresh SQLite database in a temporary folder (migrated with flask_migrate.upgrade, the demo municipality
Leefdam with its boundaries and outcome framework loaded as `flask demo` does), N synthetic respondents generated in
memory with demo.synthetic.generate_frame (as benchmarks/analysis.py does), analysed once with analysis.run.run_analysis
and stored as a succeeded run with runs.snapshots.store_result. Then, logged in as a council member, every council
page is requested `--requests` times with the Flask test client (after two warm-up requests; the PDF report fewer
times, it is slow by nature) and the median and 95th percentile of the time per request are printed, with the number
of snapshot rows and the size of the database. The PDF report is timed twice: "first" with the stored reports removed
before every request (it is built by WeasyPrint each time, by the job that the request queues, done at once here),
"repeat" as served from the stored file.

The point to show: the pages read stored snapshots only, so their time does not grow with N (rows depend on areas and
measures, not on respondents). The responses themselves are not stored (the pages never read them), so quotes are
not drawn from the answers: the run keeps its themes, and each theme gets the same few approved synthetic quotes per
wijk, so the pages show quotes at every N. This also skips quote scrubbing (deduce), which otherwise dominates the
analysis time at small N and has nothing to do with the pages. Run one benchmark at a time on a quiet machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (name, path); {wijk} and {other} are the demo's first two wijken, {municipality} its code
PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "/council/"),
    ("wijk profile", "/council/wijk/{wijk}"),
    ("compare two wijken", "/council/compare?area={wijk}&area={other}"),
    ("compare over waves", "/council/compare?area={wijk}&waves=all"),
    ("report (HTML)", "/council/report/{wijk}"),
    ("report municipality", "/council/report/{municipality}"),
    ("report PDF first", "/council/report/{wijk}.pdf"),
    ("report PDF repeat", "/council/report/{wijk}.pdf"),
    ("report PDF municip.", "/council/report/{municipality}.pdf"),
    ("download CSV", "/council/download.csv"),
    ("download XLSX", "/council/download.xlsx"),
)
SLOW_PAGES = {"report PDF first": 5, "report PDF municip.": 3}  # pages that take seconds by nature
# built anew on every request: the stored reports (council.pdf) are removed before each; "repeat" is served from them
BUILT_EVERY_TIME = {"report PDF first", "report PDF municip."}
QUOTES_PER_THEME_AND_WIJK = 2


@dataclass
class Outcome:
    respondents: int
    analysis_seconds: float
    store_seconds: float
    snapshot_rows: int
    database_mb: float
    # name -> status, median ms, p95 ms, median CPU ms, SQL statements per request, bytes
    pages: dict[str, tuple[int, float, float, float, int, int]] = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def build(app, respondents: int, seed: int) -> tuple[Outcome, dict[str, str]]:
    """The database of one benchmark: demo municipality, one analysed wave of `respondents`, a council member."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from accounts.auth import open_session
    from accounts.service import create_user
    from analysis.frames import read_kwb
    from analysis.run import RunParams, run_analysis
    from demo.cli import load_demo
    from demo.synthetic import generate_frame
    from extensions import db
    from models import AnalysisRun, ProfileSnapshot, Quote, QuoteStatus, Role, RunStatus, Theme
    from models.types import utcnow
    from runs.snapshots import store_result
    from runs.themes import name_from_suggestions
    from surveys.instruments import load_instruments

    upgrade()
    wave = load_demo()
    municipality = wave.municipality
    instruments = load_instruments()
    areas, population = read_kwb(ROOT / "demo" / "leefdam_kwb.csv")
    buurten = [
        (neighbourhood.code, index, neighbourhood.inhabitants or 0)
        for index, district in enumerate(municipality.districts)
        for neighbourhood in district.neighbourhoods
    ]
    frame = generate_frame(instruments, buurten, respondents, seed, varied_text=True)
    started = time.perf_counter()
    result = run_analysis(
        frame, instruments, population, areas, seed=seed, params=RunParams(quotes_per_theme=0)
    )  # quotes are added below, without scrubbing
    analysis_seconds = time.perf_counter() - started
    del frame
    gc.collect()

    started = time.perf_counter()
    finished = utcnow()
    run = AnalysisRun(
        wave=wave,
        status=RunStatus.succeeded,
        seed=seed,
        progress=100,
        started_at=finished - timedelta(seconds=analysis_seconds),
        finished_at=finished,
        released_at=finished,
    )  # the council reads released runs only (runs.releases)
    db.session.add(run)
    db.session.flush()
    store_result(run, result)
    db.session.flush()
    del result
    gc.collect()
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == run.id)):
        for district in municipality.districts:
            for number in range(QUOTES_PER_THEME_AND_WIJK):
                theme.quotes.append(
                    Quote(
                        area_code=district.code,
                        status=QuoteStatus.approved,
                        text=f"Synthetic quote {number + 1} about {theme.label[:60]} in {district.name}.",
                    )
                )
    name_from_suggestions(run)  # themes reach the council's pages only named and ready, as an analyst leaves them
    user = create_user(
        "council@benchmark.example",
        Role.council,
        "een lange zin als wachtwoord voor de raad",
        municipality=municipality,
    )
    token = open_session(user)  # a staff login, as the login page makes one
    db.session.commit()
    store_seconds = time.perf_counter() - started

    rows = db.session.execute(
        select(func.count()).select_from(ProfileSnapshot).where(ProfileSnapshot.run_id == run.id)
    ).scalar_one()
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    with db.engine.connect() as connection:  # fold the write-ahead log into the file before measuring it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(path.stat().st_size for path in database.parent.glob(database.name + "*")) / 2**20
    codes = {
        "wijk": municipality.districts[0].code,
        "other": municipality.districts[1].code,
        "municipality": municipality.code,
        "session": token,
    }
    return Outcome(respondents, analysis_seconds, store_seconds, rows, size), codes


def time_pages(app, outcome: Outcome, codes: dict[str, str], requests: int) -> None:
    """Wall-clock time per request (what a council member waits), CPU time of this process (the work done, which
    other processes on a busy machine disturb less) and the SQL statements a request sends."""
    from sqlalchemy import event

    from accounts.auth import SESSION_KEY
    from extensions import db

    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", count)
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = codes["session"]
    for name, template in PAGES:
        path = template.format(**codes)
        repeats = SLOW_PAGES.get(name, requests)
        seconds, cpu, status, size, sent = [], [], 0, 0, 0
        for attempt in range(repeats + 2):
            if name in BUILT_EVERY_TIME:
                shutil.rmtree(Path(app.instance_path) / "reports", ignore_errors=True)
            statements[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers={"Accept-Language": "nl"})
            body = response.get_data()
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            status, size, sent = response.status_code, len(body), statements[0]
            if status != 200:
                break
            if attempt >= 2:  # the first two warm caches (templates, fonts, the query planner)
                seconds.append(elapsed)
                cpu.append(elapsed_cpu)
        if status != 200:
            outcome.pages[name] = (status, 0.0, 0.0, 0.0, sent, size)
            continue
        outcome.pages[name] = (
            status,
            statistics.median(seconds) * 1000,
            percentile(seconds, 0.95) * 1000,
            statistics.median(cpu) * 1000,
            sent,
            size,
        )


def run_one(respondents: int, seed: int, requests: int) -> Outcome:
    from app import create_app
    from extensions import db

    with tempfile.TemporaryDirectory(prefix="leefwereld-bench-") as folder:
        os.environ["INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "SESSION_COOKIE_SECURE": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        # a report's first PDF is a job on the queue (council.report_jobs): huey's immediate mode does the job inside
        # the request, so "report PDF first" times the request with the build as the worker does it
        app.extensions["jobs"].huey.immediate = True
        with app.app_context():
            outcome, codes = build(app, respondents, seed)
            db.session.remove()
        time_pages(app, outcome, codes, requests)
        with app.app_context():
            db.engine.dispose()
    return outcome


def report(outcome: Outcome) -> None:
    print(
        f"council pages: {outcome.respondents:,} respondents, load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} cores"
    )
    print(
        f"  analysis {outcome.analysis_seconds:.1f} s (not timed below), storing {outcome.store_seconds:.1f} s; "
        f"snapshot rows {outcome.snapshot_rows:,}; database {outcome.database_mb:.1f} MB"
    )
    print(f"  {'page':<24}{'status':>7}{'median ms':>11}{'p95 ms':>9}{'CPU ms':>9}{'SQL':>6}{'KB':>7}")
    print(f"  {'-' * 73}")
    for name, (status, median, p95, cpu, sent, size) in outcome.pages.items():
        if status != 200:
            print(f"  {name:<24}{status:>7}{'-':>11}{'-':>9}{'-':>9}{'-':>6}{size / 1024:>7.0f}")
        else:
            print(f"  {name:<24}{status:>7}{median:>11.1f}{p95:>9.1f}{cpu:>9.1f}{sent:>6}{size / 1024:>7.0f}")
    print(flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/council.py", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--respondents",
        type=int,
        action="append",
        required=True,
        help="size of a synthetic wave; give it more than once to compare sizes",
    )
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    outcomes = []
    for respondents in args.respondents:
        outcomes.append(run_one(respondents, args.seed, args.requests))
        report(outcomes[-1])
        gc.collect()
    if len(outcomes) > 1:
        print(
            "median wall ms / CPU ms / SQL statements per page, by respondents: "
            + ", ".join(f"{o.respondents:,}" for o in outcomes)
        )
        for name, _path in PAGES:
            cells = [
                f"{o.pages[name][1]:>9.1f} /{o.pages[name][3]:>7.1f} /{o.pages[name][4]:>3}"
                if o.pages[name][0] == 200
                else f"{'-':>24}"
                for o in outcomes
            ]
            print(f"  {name:<24}{'   '.join(cells)}")
        print(f"  {'snapshot rows':<24}" + "   ".join(f"{o.snapshot_rows:>24,}" for o in outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
