"""Loading CBS wijk/buurt lists: parents from codes, idempotent, every bad row named."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from extensions import db
from geography.cbs import load_areas, load_postcodes
from models import District, Municipality, Neighbourhood, PostcodeArea

DEMO_CSV = Path(__file__).parents[2] / "demo" / "leefdam_kwb.csv"
HEADER = "gwb_code;regio;recs;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo\n"


def write(tmp_path, body: str) -> Path:
    path = tmp_path / "kwb.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def counts() -> tuple[int, int, int]:
    municipalities, districts, neighbourhoods = (
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Municipality, District, Neighbourhood)
    )
    return municipalities, districts, neighbourhoods


def test_demo_municipality_has_realistic_shape(app):
    report = load_areas(DEMO_CSV, 2026)
    assert report.errors == []
    municipalities, districts, neighbourhoods = counts()
    assert municipalities == 1 and 4 <= districts <= 6 and 12 <= neighbourhoods <= 20
    for neighbourhood in db.session.scalars(select(Neighbourhood)):
        bands = neighbourhood.population_by_age_band()
        assert sum(bands.values()) == neighbourhood.inhabitants
        assert neighbourhood.code[2:8] == neighbourhood.district.code[2:]


def test_loading_twice_changes_nothing(app):
    first = load_areas(DEMO_CSV, 2026)
    second = load_areas(DEMO_CSV, 2026)
    assert first.created > 0 and second.created == 0 and second.updated == 0
    assert counts()[2] == first.created - counts()[0] - counts()[1]


def test_changed_figures_update_in_place(app, tmp_path):
    load_areas(
        write(
            tmp_path,
            "GM0599;Rotterdam;Gemeente;10;1;2;3;2;2\nWK059901;Stadsdriehoek;Wijk;10;1;2;3;2;2\n"
            "BU05990110;Oude Westen;Buurt;10;1;2;3;2;2\n",
        ),
        2024,
    )
    report = load_areas(
        write(
            tmp_path,
            "GM0599;Rotterdam;Gemeente;20;1;2;3;2;12\n"
            "WK059901;Stadsdriehoek;Wijk;20;1;2;3;2;12\n"
            "BU05990110;Oude Westen;Buurt;20;1;2;3;2;12\n",
        ),
        2024,
    )
    assert (report.created, report.updated) == (0, 3)
    assert db.session.scalars(select(Neighbourhood)).one().age_65_plus == 12


def test_unknown_figures_marked_with_a_dot_are_stored_as_unknown(app, tmp_path):
    load_areas(
        write(
            tmp_path, "GM0599;R;Gemeente;10;.;.;.;.;.\nWK059901;W;Wijk;.;.;.;.;.;.\nBU05990110;B;Buurt;  7 ;.;.;.;.;.\n"
        ),
        2024,
    )
    neighbourhood = db.session.scalars(select(Neighbourhood)).one()
    assert neighbourhood.inhabitants == 7 and neighbourhood.age_0_14 is None


def test_bad_rows_are_all_reported_and_nothing_is_loaded(app, tmp_path):
    path = write(
        tmp_path,
        "\n".join(
            [
                "GM0599;Rotterdam;Gemeente;10;1;2;3;2;2",
                "WK05990;Kort;Wijk;1;1;1;1;1;1",
                "BU05990110;Verkeerd niveau;Wijk;1;1;1;1;1;1",
                "BU05990211;Zonder wijk;Buurt;1;1;1;1;1;1",
                "WK059901;Wijk;Wijk;veel;1;1;1;1;1",
                "XX123;Raar;Provincie;1;1;1;1;1;1",
            ]
        )
        + "\n",
    )
    report = load_areas(path, 2024)
    assert counts() == (0, 0, 0)
    joined = "\n".join(report.errors)
    assert "row 3: gwb_code: 'WK05990' is not a valid wijk code" in joined
    assert "row 4: gwb_code: 'BU05990110' is not a valid wijk code" in joined
    assert "row 5: gwb_code: BU05990211 belongs to WK059902, which is not in the file" in joined
    assert "row 6: a_inw: 'veel' is not a whole number" in joined
    assert "row 7: recs: 'Provincie' must be Gemeente, Wijk or Buurt" in joined


def test_missing_columns_are_named(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("gwb_code,regio\nGM0599,Rotterdam\n")
    assert load_areas(path, 2024).errors == [
        "header: missing column(s) recs, a_inw, a_00_14, a_15_24, a_25_44, a_45_64, a_65_oo"
    ]


def test_cli_loads_and_fails_loudly(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geography", "load", str(DEMO_CSV), "--year", "2026"])
    assert result.exit_code == 0 and "created" in result.output
    bad = write(tmp_path, "GM05;X;Gemeente;1;1;1;1;1;1\n")
    result = runner.invoke(args=["geography", "load", str(bad)])
    assert result.exit_code != 0 and "nothing was loaded" in result.output


def test_postcode_table_maps_postcodes_to_buurten(app, tmp_path):
    load_areas(DEMO_CSV, 2026)
    municipality = db.session.scalars(select(Municipality)).one()
    path = tmp_path / "pc.csv"
    path.write_text("postcode;buurt_code\n1234 AB;BU90010000\n1234AC;BU90010001\n")
    report = load_postcodes(path, municipality)
    assert report.created == 2 and load_postcodes(path, municipality).created == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode;buurt_code\n0123AB;BU90010000\n1234AB;BU05990110\n")
    errors = load_postcodes(bad, municipality).errors
    assert len(errors) == 2 and db.session.scalar(select(func.count()).select_from(PostcodeArea)) == 2


def test_postcode_lets_a_resident_find_their_buurt(resident, tmp_path):
    municipality = resident.wave.municipality
    path = tmp_path / "pc.csv"
    path.write_text("postcode;buurt_code\n1234AB;BU90010102\n")
    load_postcodes(path, municipality)
    resident.start()
    resident.submit({"postcode": "9999 ZZ"})
    assert resident.last.status_code == 422
    resident.submit({"postcode": "12345"})
    assert resident.last.status_code == 422
    resident.submit({"postcode": "1234 ab"})
    assert "/r/page/" in resident.last.request.path
    from models import Response

    assert db.session.scalars(select(Response)).one().neighbourhood.code == "BU90010102"


def test_the_four_digits_of_a_postcode_find_the_buurt_when_they_lie_in_one(resident, tmp_path):
    municipality = resident.wave.municipality
    path = tmp_path / "pc.csv"
    path.write_text("postcode;buurt_code\n1234AB;BU90010102\n1234AC;BU90010102\n5678AA;BU90010102\n5678AB;BU90010000\n")
    load_postcodes(path, municipality)
    resident.start(lang="en")
    resident.submit({"postcode": "5678"})  # two buurten: the resident is told which, and asked for more
    assert resident.last.status_code == 422 and "lies in more than one neighbourhood" in resident.html
    resident.submit({"postcode": "1234"})
    assert "/r/page/" in resident.last.request.path
    from models import Response

    assert db.session.scalars(select(Response)).one().neighbourhood.code == "BU90010102"


MARGINS_HEADER = HEADER.rstrip("\n") + ";a_man;a_vrouw;a_hh;a_1p_hh;a_hh_z_k;a_hh_m_k\n"


def write_margins(tmp_path, body: str) -> Path:
    path = tmp_path / "kwb_margins.csv"
    path.write_text(MARGINS_HEADER + body, encoding="utf-8")
    return path


def test_sex_and_household_margins_are_loaded_and_a_reload_changes_nothing(app, tmp_path):
    path = write_margins(
        tmp_path,
        "GM0599;R;Gemeente;100;10;20;30;20;20;49;51;50;20;20;10\n"
        "WK059901;W;Wijk;100;10;20;30;20;20;49;51;50;20;20;10\n"
        "BU05990110;B;Buurt;100;10;20;30;20;20;49;51;50;20;20;10\n",
    )
    assert load_areas(path, 2024).errors == []
    neighbourhood = db.session.scalars(select(Neighbourhood)).one()
    assert neighbourhood.margins() == {
        "men": 49,
        "women": 51,
        "households": 50,
        "households_single": 20,
        "households_without_children": 20,
        "households_with_children": 10,
    }
    again = load_areas(path, 2024)
    assert (again.created, again.updated) == (0, 0)


def test_the_demo_municipality_has_margins_for_every_buurt(app):
    assert load_areas(DEMO_CSV, 2026).errors == []
    for neighbourhood in db.session.scalars(select(Neighbourhood)):
        margins = neighbourhood.margins()
        assert None not in margins.values()
        assert margins["men"] + margins["women"] == neighbourhood.inhabitants
        assert 0 < margins["households_single"] < margins["households"]


def test_bad_margins_are_named_by_row_and_column_and_nothing_is_loaded(app, tmp_path):
    path = write_margins(
        tmp_path,
        "GM0599;R;Gemeente;100;10;20;30;20;20;49;51;50;20;20;10\n"
        "WK059901;W;Wijk;100;10;20;30;20;20;veel;51;50;20;20;10\n"
        "BU05990110;B;Buurt;100;10;20;30;20;20;10;20;50;20;20;10\n"
        "BU05990111;C;Buurt;100;10;20;30;20;20;49;51;50;90;90;10\n"
        "BU05990112;D;Buurt;100;10;20;30;20;20;49;51;50;-3;20;10\n",
    )
    report = load_areas(path, 2024)
    assert counts() == (0, 0, 0)
    assert report.errors == [
        "row 3: a_man: 'veel' is not a whole number of people",
        "row 4: a_man, a_vrouw: add up to 30, not to a_inw 100",
        "row 5: a_1p_hh, a_hh_z_k, a_hh_m_k: add up to 190, not to a_hh 50",
        "row 6: a_1p_hh: '-3' is not a whole number of people",
    ]


def test_a_margin_group_needs_all_its_columns(app, tmp_path):
    path = tmp_path / "half.csv"
    path.write_text(HEADER.rstrip("\n") + ";a_hh;a_1p_hh\nGM0599;R;Gemeente;1;1;0;0;0;0;1;1\n", encoding="utf-8")
    assert load_areas(path, 2024).errors == ["header: a_hh, a_1p_hh without a_hh_z_k, a_hh_m_k (all of them or none)"]
    assert counts() == (0, 0, 0)


def test_unknown_margins_are_stored_as_unknown_and_a_file_without_them_leaves_them_unknown(app, tmp_path):
    load_areas(
        write_margins(
            tmp_path,
            "GM0599;R;Gemeente;10;1;2;3;2;2;.;.;.;.;.;.\nWK059901;W;Wijk;10;1;2;3;2;2;5;5;.;.;.;.\n"
            "BU05990110;B;Buurt;10;1;2;3;2;2;5;5;x;.;.;.\n",
        ),
        2024,
    )
    neighbourhood = db.session.scalars(select(Neighbourhood)).one()
    assert (neighbourhood.men, neighbourhood.women, neighbourhood.households) == (5, 5, None)
    load_areas(
        write(
            tmp_path, "GM0599;R;Gemeente;10;1;2;3;2;2\nWK059901;W;Wijk;10;1;2;3;2;2\nBU05990110;B;Buurt;10;1;2;3;2;2\n"
        ),
        2024,
    )
    db.session.refresh(neighbourhood)
    assert neighbourhood.men is None and neighbourhood.women is None
