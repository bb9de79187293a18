"""Server time of the public results pages and the open-data API over a stored, published run.

    .venv/bin/python benchmarks/results.py --respondents 10000 [--respondents 100000 ...] [--requests 20]

Builds each database as benchmarks/council.py does (demo municipality, N synthetic respondents analysed once and
stored, themes named, approved synthetic quotes), then releases and publishes the run and times every public page
and API call with the Flask test client (median and 95th percentile per request, CPU time, SQL statements, size).
Like the council's pages these read stored snapshots only, so their time should not grow with N.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import council as bench  # noqa: E402  (after the path is set)

PUBLIC_PAGES = (
    ("results: wijk page", "/results/{wave}/{wijk}"),
    ("results: list of wijken", "/results/"),
    ("api: waves", "/open-data/v1/waves"),
    ("api: figures, 100", "/open-data/v1/waves/{wave}/figures"),
    ("api: figures, 1000", "/open-data/v1/waves/{wave}/figures?per_page=1000"),
    ("api: one wijk", "/open-data/v1/waves/{wave}/figures?area={wijk}&per_page=1000"),
    ("open data: CSV", "/open-data/v1/waves/{wave}/profile.csv"),
    ("open data: CSVW", "/open-data/v1/waves/{wave}/profile.csv-metadata.json"),
    ("openapi.json", "/open-data/v1/openapi.json"),
)


def _work_around_the_council_benchmark() -> None:
    """benchmarks/council.py analyses with quotes_per_theme=0, which analysis.themes.representative_quotes does not
    take (KeyError 'rank'); and its respondents are not stored, so a proposed quote's response id has no row. So: one
    quote per theme and area is proposed, and dropped before storing (the synthetic approved quotes stay)."""
    import dataclasses

    import analysis.run
    import runs.snapshots

    original_params, original_store = analysis.run.RunParams, runs.snapshots.store_result

    def params(**values):
        if values.get("quotes_per_theme") == 0:
            values["quotes_per_theme"] = 1
        return original_params(**values)

    def store(run, result):
        result.themes = {question: dataclasses.replace(themes, quotes=()) for question, themes in result.themes.items()}
        return original_store(run, result)

    # replaced for this benchmark's process only, where the type checker cannot follow
    analysis.run.RunParams, runs.snapshots.store_result = params, store  # type: ignore[misc, assignment]


def run_one(respondents: int, seed: int, requests: int) -> bench.Outcome:
    from sqlalchemy import select

    from app import create_app
    from extensions import db
    from models import AnalysisRun
    from models.types import utcnow

    with tempfile.TemporaryDirectory(prefix="leefwereld-bench-") as folder:
        os.environ["INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "SESSION_COOKIE_SECURE": False,
                "RATE_LIMITS": False,
            }
        )
        _work_around_the_council_benchmark()
        with app.app_context():
            outcome, codes = bench.build(app, respondents, seed)
            run = db.session.scalars(select(AnalysisRun)).one()
            run.released_at = run.published_at = utcnow()
            codes["wave"] = str(run.wave_id)
            db.session.commit()
            db.session.remove()
        bench.PAGES = PUBLIC_PAGES  # time_pages and report walk the module's list of pages
        bench.time_pages(app, outcome, codes, requests)
        with app.app_context():
            db.engine.dispose()
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/results.py", description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, action="append", required=True)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for respondents in args.respondents:
        bench.report(run_one(respondents, args.seed, args.requests))
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
