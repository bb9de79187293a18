"""Whatever bytes arrive, the import parser answers with an import or a clear message: never an exception."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.importer import ImportReport, import_responses
from exchange.tables import ENCODINGS
from surveys.registry import get_instrument
from tests.exchange.conftest import FULL

# One database for every example (the fixture is made once per test): what an earlier example stored only makes a
# later row "already present", which is an answer too.
PROPERTY = settings(
    derandomize=True,
    deadline=None,
    max_examples=150,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

COLUMNS = [*FULL, "mode", "response_id", "who5_score", "", " ", "BUURT_CODE", "éé", "=1+1"]
HOSTILE_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "-3",
            "3.0",
            "1e309",
            "nan",
            "inf",
            "-0",
            "99999999999999999999",
            "31-02-2026",
            "2026-13-01",
            "0001-01-01T00:00:00",
            "9999-12-31",
            "BU90010001",
            "bu90010001",
            "import",
            "self;interview",
            "yes;;no",
            "=cmd|' /C calc'!A0",
            "@SUM(1)",
            "\x00",
            "\ufeff",
            "\r",
            '"',
            "\u202e",
            "\ud7ff",
            "x" * 5000,
            *FULL.values(),
        ]
    ),
    st.text(max_size=40),
)


def assert_answered(report: ImportReport) -> None:
    assert isinstance(report, ImportReport)
    if not report.completed:
        assert report.problems, "an import that stored nothing says why"
    for problem in report.problems:
        assert str(problem).strip()


@PROPERTY
@given(
    data=st.binary(max_size=400),
    name=st.sampled_from(["in.csv", "in.xlsx", "in.CSV"]),
    encoding=st.sampled_from(list(ENCODINGS)),
    skip_invalid=st.booleans(),
)
def test_random_bytes_give_an_import_or_a_message(demo_wave, data, name, encoding, skip_invalid):
    assert_answered(
        import_responses(data, name, demo_wave, get_instrument("adult"), skip_invalid=skip_invalid, encoding=encoding)
    )


@PROPERTY
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8),
    rows=st.lists(st.lists(HOSTILE_CELLS, max_size=9), max_size=5),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    skip_invalid=st.booleans(),
)
def test_hostile_csv_content_gives_an_import_or_a_message(demo_wave, header, rows, delimiter, bom, skip_invalid):
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = ("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8", errors="surrogatepass")
    assert_answered(import_responses(data, "in.csv", demo_wave, get_instrument("adult"), skip_invalid=skip_invalid))
