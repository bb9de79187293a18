"""CSV files are decoded strictly: UTF-8 (with or without BOM) or the encoding the analyst chooses; a file that is
neither is refused with the line and byte where it fails, and no letter is ever stored garbled."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from exchange.importer import import_responses
from extensions import db
from models import Answer, Response
from surveys.registry import get_instrument
from tests.exchange.conftest import FULL, csv_bytes

ARABIC = "الحديقة نظيفة"
ACCENTED = "Café, één brug, façade"


def csv_text(open_better: str) -> str:
    return csv_bytes([{**FULL, "open_better": open_better}]).decode("utf-8")


def stored_open_better() -> list[str]:
    return list(db.session.scalars(select(Answer.value).where(Answer.item_id == "open_better")))


def responses() -> int:
    return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["without-bom", "with-bom"])
def test_utf8_with_or_without_bom_keeps_arabic_and_accented_letters(demo_wave, bom):
    data = bom + csv_text(f"{ARABIC} / {ACCENTED}").encode("utf-8")
    report = import_responses(data, "in.csv", demo_wave, get_instrument("adult"))
    assert report.completed, [str(problem) for problem in report.problems]
    assert stored_open_better() == [f"{ARABIC} / {ACCENTED}"]


def test_one_stray_byte_refuses_the_whole_utf8_file_naming_line_and_byte(demo_wave):
    good = csv_text(f"{ARABIC} / {ACCENTED}").encode("utf-8")
    header, first = good.split(b"\n", 1)
    data = header + b"\n" + first.replace("één".encode(), b"\xe9\xe9n", 1)  # one word saved as Windows-1252
    line = data.count(b"\n", 0, data.index(b"\xe9\xe9n")) + 1
    position = data.index(b"\xe9\xe9n") - data.rfind(b"\n", 0, data.index(b"\xe9\xe9n"))
    with force_locale("en"):
        report = import_responses(data, "in.csv", demo_wave, get_instrument("adult"))
    assert not report.completed and [problem.kind for problem in report.problems] == ["unreadable_file"]
    message = str(report.problems[0])
    assert f"line {line}, byte {position} " in message and "0xE9" in message and "UTF-8" in message
    assert responses() == 0


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_file_in_the_encoding_the_analyst_chose_is_read_in_that_encoding(demo_wave, encoding):
    data = csv_text(ACCENTED).encode(encoding)
    refused = import_responses(data, "in.csv", demo_wave, get_instrument("adult"))
    assert not refused.completed and refused.problems[0].kind == "unreadable_file"
    report = import_responses(data, "in.csv", demo_wave, get_instrument("adult"), encoding=encoding)
    assert report.completed, [str(problem) for problem in report.problems]
    assert stored_open_better() == [ACCENTED]


def test_a_byte_windows_1252_does_not_have_is_refused_there_too(demo_wave):
    data = csv_text("prijs ").encode("cp1252").replace(b"prijs ", b"prijs \x81")
    report = import_responses(data, "in.csv", demo_wave, get_instrument("adult"), encoding="cp1252")
    assert not report.completed and "0x81" in str(report.problems[0]) and "Windows-1252" in str(report.problems[0])


def test_the_command_line_takes_the_encoding(demo_wave, runner, tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(csv_text(ACCENTED).encode("cp1252"))
    args = ["responses", "import", str(path), "--instrument", "adult", "--wave", demo_wave.name]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "0xE9" in refused.output
    result = runner.invoke(args=[*args, "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert stored_open_better() == [ACCENTED]
