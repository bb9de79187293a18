"""Codebooks per instrument version: every export column with its Dutch label, kind and codes, as a page and as CSV."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from exchange.codebook import codebook_columns
from extensions import db
from models import InstrumentVersion
from surveys.registry import get_instrument
from surveys.scoring import score_columns


def test_codebook_describes_meta_items_and_scores_in_export_order(app):
    adult = get_instrument("adult")
    columns = codebook_columns(adult)
    names = [column.name for column in columns]
    assert names[:11] == [
        "response_id",
        "external_id",
        "wave",
        "instrument",
        "instrument_version",
        "buurt_code",
        "wijk_code",
        "mode",
        "locale",
        "age_band",
        "submitted_at",
    ]
    assert names[-len(score_columns(adult)) :] == score_columns(adult)
    assert set(adult.item_ids) <= set(names)
    by_name = {column.name: column for column in columns}
    assert by_name["who5_1"].kind == "integer" and (5, "De hele tijd") in by_name["who5_1"].values
    assert by_name["djg_1"].kind == "code" and by_name["open_good"].free_text
    assert "reversed" in by_name["brs_2"].note or "omgekeerd" in by_name["brs_2"].note  # en msgid / nl translation
    assert by_name["djg_band"].values[0][0] == "not_lonely"


def test_analysts_read_and_download_the_codebook_of_each_version(analyst_client, demo_wave):
    version = db.session.scalar(select(InstrumentVersion).filter_by(slug="adult"))
    listing = analyst_client.get("/staff/data/codebooks")
    assert listing.status_code == 200
    assert f"/staff/data/codebooks/{version.id}" in listing.get_data(as_text=True)
    page = analyst_client.get(f"/staff/data/codebooks/{version.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<caption id=" in html
    assert get_instrument("adult").item("who5_1").text["nl"] in html and "who5_score" in html
    download = analyst_client.get(f"/staff/data/codebooks/{version.id}.csv")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0][0] == "variable"
    assert [row[0] for row in rows[1:]] == [column.name for column in codebook_columns(get_instrument("adult"))]
    assert analyst_client.get("/staff/data/codebooks/99999").status_code == 404


def test_codebook_command_writes_the_csv(demo_wave, runner, tmp_path):
    out = tmp_path / "codebook.csv"
    result = runner.invoke(args=["responses", "codebook", "--instrument", "parent", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "par_help_where" in out.read_text(encoding="utf-8")
    assert (
        runner.invoke(
            args=["responses", "codebook", "--instrument", "parent", "--version", "9", "--out", str(out)]
        ).exit_code
        != 0
    )
