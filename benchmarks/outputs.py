"""Time to load output figures: a Kerncijfers wijken en buurten file the size of the whole country, and the council's
page across wijken with its correlation.

    .venv/bin/python benchmarks/outputs.py [--rows 17000] [--seed 0]

A fresh SQLite database in a temporary folder with the demo municipality Leefdam loaded as `flask demo` does. The
file is written in memory in the KWB layout (`;`, decimal commas): Leefdam's own gemeente, wijk and buurt rows and
`--rows` rows of other municipalities (about the number of gemeenten, wijken and buurten CBS publishes), each with
the four care columns. Printed: the file's size, the seconds to check and load it (council.outputs.load_outputs, as
the command and the staff page do), the seconds to load it again (nothing changes), the seconds of the correlation
across Leefdam's wijken (analysis.association) and the process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def kwb_file(rows: int, own: list[str], seed: int) -> str:
    rng = random.Random(seed)
    lines = ["gwb_code;regio;recs;a_jz_tn;p_jz_tn;a_wmo_t;p_wmo_t"]

    def row(code: str, level: str) -> str:
        if rng.random() < 0.2:  # small areas: secret at CBS
            return f"{code};Gebied;{level};.;.;.;."
        percent = f"{rng.uniform(3, 16):.1f}".replace(".", ",")
        return f"{code};Gebied;{level};{rng.randint(10, 900)};{percent};{rng.randint(10, 3000)};{rng.randint(20, 160)}"

    for code in own:
        lines.append(row(code, {"GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]]))
    for index in range(rows):
        municipality = 100 + index // 50
        lines.append(row(f"BU{municipality:04d}{index % 50:02d}{index % 7:02d}", "Buurt"))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=17000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lw-bench-outputs-")
    os.environ.setdefault("INSTANCE_PATH", folder)
    from flask_migrate import upgrade

    from analysis.association import correlation
    from app import create_app
    from council.outputs import load_outputs, values_of
    from demo.cli import load_demo
    from extensions import db
    from geography.areas import area_names

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "RATE_LIMITS": False})
    with app.app_context():
        upgrade()
        municipality = load_demo().municipality
        text = kwb_file(args.rows, list(area_names(municipality)), args.seed)
        start = time.perf_counter()
        report = load_outputs(municipality, text, 2024)
        db.session.commit()  # the benchmark is the command's edge: loading includes storing
        first = time.perf_counter() - start
        assert not report.errors, report.errors[:3]
        start = time.perf_counter()
        again = load_outputs(municipality, text, 2024)
        db.session.commit()
        second = time.perf_counter() - start
        from models import OutputMeasure

        measure = OutputMeasure.query.filter_by(municipality_id=municipality.id, code="wmo_per_1000").one()
        values = values_of(measure)
        wijken = [d.code for d in municipality.districts]
        start = time.perf_counter()
        for _ in range(1000):
            correlation(
                [values[(code, 2024)] for code in wijken], [float(len(code)) + i for i, code in enumerate(wijken)]
            )
        per_correlation = (time.perf_counter() - start) / 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"KWB file: {len(text.splitlines()) - 1} rows, {len(text.encode()) / 1e6:.2f} MB")
    print(
        f"load: {first:.3f} s ({report.created} figures added for {municipality.code}; "
        "other municipalities passed over)"
    )
    print(f"load again: {second:.3f} s ({again.unchanged} unchanged, {again.created + again.updated} changed)")
    print(f"correlation across {len(wijken)} wijken: {per_correlation * 1e3:.3f} ms")
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
