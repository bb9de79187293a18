"""Rows per second of an import job, for files of different sizes.

    .venv/bin/python benchmarks/imports.py --rows 10000 [--rows 100000 ...] [--seed 0]

For each size: a fresh SQLite database in a temporary folder (migrated with flask_migrate.upgrade, the demo
municipality Leefdam and its wave loaded as `flask demo` does), and a CSV file of that many respondents to the adult
questionnaire written in memory: random answer codes for every item (a whole number within range for number
items, one or two codes for multiple-choice items, a short sentence for open questions), a buurt of Leefdam and an
external id per row, as a paper-form import looks. The file goes through exchange.jobs as an upload does (saved to
the instance folder, then executed, here in this process so that the clock sees only the import: checking every
row, then storing it all in one transaction). Printed: file size, seconds, rows per second, the time spent checking
and storing, and the process's peak memory (maximum resident set size). Run one benchmark at a time on a quiet
machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OPEN_ANSWERS = (
    "Meer groen in de straat.",
    "De buren helpen elkaar.",
    "Te veel verkeer bij de school.",
    "Een plek om samen te koken.",
    "Het park is 's avonds donker.",
)


def synthetic_csv(rows: int, buurten: list[str], seed: int) -> bytes:
    from surveys.registry import current_instruments

    instrument = current_instruments()["adult"]
    chance = random.Random(seed)
    columns = ["external_id", "buurt_code", "submitted_at", *(item.id for item in instrument.items)]
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    for number in range(rows):
        row = [f"B-{number}", chance.choice(buurten), "2026-03-01T12:00:00+00:00"]
        for item in instrument.items:
            if item.type in ("short_text", "long_text"):
                row.append(chance.choice(OPEN_ANSWERS))
            elif item.type == "number":
                row.append(str(chance.randint(*item.bounds)))
            elif item.type == "multiple":
                row.append(";".join(map(str, chance.sample(list(item.codes), min(2, len(item.codes))))))
            else:
                row.append(str(chance.choice(list(item.codes))))
        writer.writerow(row)
    return text.getvalue().encode("utf-8")


def run_one(rows: int, seed: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import delete, func, select

    from app import create_app
    from demo.cli import load_demo
    from exchange.jobs import create_import_job, execute_import
    from extensions import db
    from models import ImportStatus, Neighbourhood, Response
    from surveys.registry import current_instruments

    with tempfile.TemporaryDirectory(prefix="leefwereld-bench-") as folder:
        os.environ["INSTANCE_PATH"] = folder
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}"})
        with app.app_context():
            upgrade()
            wave = load_demo()
            db.session.execute(delete(Response))  # the demo's own responses are not part of the file
            db.session.commit()
            buurten = list(db.session.scalars(select(Neighbourhood.code)))
            data = synthetic_csv(rows, buurten, seed)
            job = create_import_job(io.BytesIO(data), "bench.csv", wave, current_instruments()["adult"])
            db.session.commit()
            moments: dict[str, float] = {}
            started = time.perf_counter()
            job = execute_import(job, lambda stage, _percent: moments.setdefault(stage, time.perf_counter()))
            elapsed = time.perf_counter() - started
            stored = db.session.scalar(select(func.count()).select_from(Response))
            if job.status is not ImportStatus.succeeded or stored != rows:
                raise SystemExit(f"the import failed: {job.error or job.report.get('problems', [])[:3]}")
            checking = moments.get("storing", started) - started
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{rows:>9,} rows  {len(data) / 2**20:6.1f} MB  {elapsed:7.1f} s  {rows / elapsed:7,.0f} rows/s  "
                f"(checking {checking:.1f} s, storing {elapsed - checking:.1f} s)  peak memory {peak_mb:,.0f} MB"
            )
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows in the file (repeat for several sizes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"import jobs (adult questionnaire, SQLite), load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for rows in args.rows or [10_000, 100_000]:
        run_one(rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
