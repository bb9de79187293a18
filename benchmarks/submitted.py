"""Time and peak memory of reading a wave's submitted responses with their answers, as an export and a run do.

    .venv/bin/python benchmarks/submitted.py --respondents 10000 [--respondents 100000 ...] [--seed 0]

For each size: a fresh SQLite database in a temporary folder (migrated, the demo municipality Leefdam and its wave
loaded as `flask demo` does) is filled with that many submitted responses to the adult questionnaire (a random
buurt, random answer codes for every rated and choice item, a short sentence for each open question), written
straight into the tables. Then a new process reads them, once through the export's rows (exchange.exporter.iter_rows,
CSV columns, scores included) and once through an analysis run's respondent records (runs.inputs, interviews left
out), and prints seconds, rows per second and its peak memory while reading (the resident set's high-water mark
VmHWM, reset before each reading, and how far it rose above the resident set at the start): bounded by a batch,
not by the wave. Run one benchmark at a time on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OPEN_ANSWERS = ("Meer groen in de straat.", "De buren helpen elkaar.", "Te veel verkeer bij de school.")
CHUNK = 10_000


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # the peak resident set (VmHWM) starts again from now


def _app(folder: str):
    from app import create_app

    os.environ["INSTANCE_PATH"] = folder
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}"})


def _answer(item, chance: random.Random):
    if item.type in ("short_text", "long_text"):
        return chance.choice(OPEN_ANSWERS)
    if item.type == "number":
        return chance.randint(*item.bounds)
    codes = list(item.codes)
    if item.type == "multiple":
        return chance.sample(codes, min(2, len(codes)))
    return chance.choice(codes)


def fill(folder: str, respondents: int, seed: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from demo.cli import load_demo
    from extensions import db
    from models import Answer, Neighbourhood, Response, ResponseMode, ResponseStatus
    from models.types import utcnow
    from surveys.registry import current_instruments, ensure_version

    app = _app(folder)
    with app.app_context():
        upgrade()
        wave = load_demo()
        instrument = current_instruments()["adult"]
        version_id = ensure_version(instrument).id
        buurten = list(db.session.scalars(select(Neighbourhood.id)))
        db.session.commit()
        chance = random.Random(seed)
        now = utcnow()
        for start in range(0, respondents, CHUNK):
            count = min(CHUNK, respondents - start)
            first = start + 1
            db.session.execute(
                insert(Response),
                [
                    {
                        "id": first + n,
                        "token": uuid.UUID(int=chance.getrandbits(128)).hex,
                        "wave_id": wave.id,
                        "instrument_version_id": version_id,
                        "neighbourhood_id": chance.choice(buurten),
                        "locale": "nl",
                        "mode": ResponseMode.self_completed,
                        "status": ResponseStatus.submitted,
                        "age_band": "45_64",
                        "created_at": now,
                        "updated_at": now,
                        "submitted_at": now,
                    }
                    for n in range(count)
                ],
            )
            db.session.execute(
                insert(Answer),
                [
                    {"response_id": first + n, "item_id": item.id, "value": _answer(item, chance)}
                    for n in range(count)
                    for item in instrument.items
                ],
            )
            db.session.commit()


def read(folder: str) -> None:
    """In a process of its own, so that its peak memory is that of the reading alone (and of the loaded app)."""
    from sqlalchemy import select

    from exchange.exporter import iter_rows, plan_export
    from extensions import db
    from models import Response, Wave
    from runs.inputs import _instruments, _respondent_records

    app = _app(folder)
    with app.app_context():
        wave = db.session.execute(select(Wave).where(Wave.id.in_(select(Response.wave_id)))).scalar_one()
        plan = plan_export(wave)
        instruments = _instruments(wave)
        for name, rows in (
            ("export rows", lambda: iter_rows(plan)),
            ("run respondents", lambda: _respondent_records(wave, instruments)),
        ):
            _reset_peak()
            before = _memory_mb("VmRSS")
            started = time.perf_counter()
            count = sum(1 for _ in rows())
            elapsed = time.perf_counter() - started
            print(
                f"  {name:16} {count:>9,} rows  {elapsed:7.1f} s  {count / elapsed:8,.0f} rows/s  "
                f"peak memory {_memory_mb('VmHWM'):,.0f} MB ({_memory_mb('VmHWM') - before:+,.0f} MB while reading)",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, action="append", help="responses in the wave (repeat)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--read", help=argparse.SUPPRESS)  # the child process: the folder to read from
    args = parser.parse_args(argv)
    if args.read:
        read(args.read)
        return 0
    print(
        f"reading submitted responses (adult, SQLite), load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    for respondents in args.respondents or [10_000, 100_000]:
        with tempfile.TemporaryDirectory(prefix="leefwereld-bench-") as folder:
            started = time.perf_counter()
            fill(folder, respondents, args.seed)
            print(f"{respondents:,} respondents (filled in {time.perf_counter() - started:.0f} s)", flush=True)
            subprocess.run([sys.executable, __file__, "--read", folder], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
