"""The open data of published waves: a paged read-only JSON API described by an OpenAPI 3.1 document, the profile
CSV with its CSVW metadata, and the same CSVW next to the council's downloads. Never a suppressed number, an
unreviewed theme or an unpublished run.

No OpenAPI or JSON Schema validator is installed (openapi-spec-validator, jsonschema): the document is checked here
against the rules of OpenAPI 3.1 the API uses, and every response against its schema with a small checker of the
JSON Schema keywords the document uses (type, required, properties, items, enum, minimum, maximum, $ref).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from council.export import HEADER, HIDDEN
from extensions import db
from results.opendata import FLAGS, openapi
from results.publication import publish
from tests.results.conftest import CENTRUM, NEVER_THEMES, OUD_WEST, TRAP, store_run
from tests.staff import log_in, make_staff

API = "/open-data/v1"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def conforms(document: dict, schema: dict, value, where: str = "$") -> list[str]:
    """The places where `value` breaks `schema` (the keywords the API's document uses)."""
    if "$ref" in schema:
        return conforms(document, _resolve(document, schema["$ref"]), value, where)
    problems = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        ok = any(
            (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
            or (kind == "number" and isinstance(value, int | float) and not isinstance(value, bool))
            or (kind in TYPES and isinstance(value, TYPES[kind]))
            for kind in kinds
        )
        if not ok:
            return [f"{where}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in enum")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: above maximum")
    if isinstance(value, dict):
        problems += [f"{where}: {name} missing" for name in schema.get("required", []) if name not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += conforms(document, sub, value[name], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += conforms(document, schema["items"], item, f"{where}[{index}]")
    return problems


def structure_problems(document: dict) -> list[str]:
    """What breaks the OpenAPI 3.1 rules this document relies on."""
    problems = []
    if not re.fullmatch(r"3\.1\.\d+", str(document.get("openapi", ""))):
        problems.append("openapi must be 3.1.x")
    info = document.get("info", {})
    problems += [f"info.{key} missing" for key in ("title", "version") if not isinstance(info.get(key), str)]
    paths = document.get("paths")
    if not isinstance(paths, dict) or not paths:
        return [*problems, "paths missing"]
    operation_ids = []
    for path, item in paths.items():
        if not path.startswith("/"):
            problems.append(f"{path}: must start with /")
        templated = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method not in METHODS:
                problems.append(f"{path}: unknown method {method}")
                continue
            operation_ids.append(operation.get("operationId"))
            responses = operation.get("responses")
            if not responses:
                problems.append(f"{method} {path}: responses missing")
            for status, response in (responses or {}).items():
                if not re.fullmatch(r"[1-5](\d\d|XX)|default", status):
                    problems.append(f"{method} {path}: bad status {status}")
                if "description" not in response:
                    problems.append(f"{method} {path} {status}: description missing")
                for media in response.get("content", {}).values():
                    if "schema" not in media:
                        problems.append(f"{method} {path} {status}: schema missing")
            declared = set()
            for parameter in operation.get("parameters", []):
                if parameter.get("in") not in ("query", "header", "path", "cookie") or not parameter.get("name"):
                    problems.append(f"{method} {path}: parameter needs name and in")
                if "schema" not in parameter and "content" not in parameter:
                    problems.append(f"{method} {path}: parameter {parameter.get('name')} needs a schema")
                if parameter.get("in") == "path":
                    declared.add(parameter["name"])
                    if parameter.get("required") is not True:
                        problems.append(f"{method} {path}: path parameter {parameter['name']} must be required")
            if declared != templated:
                problems.append(f"{method} {path}: path parameters {declared} differ from the template {templated}")
    if len(set(operation_ids)) != len(operation_ids) or None in operation_ids:
        problems.append("operationId missing or repeated")

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        try:
            _resolve(document, ref)
        except AssertionError as error:
            problems.append(str(error))
    return problems


def get_json(client, url: str, status: int = 200):
    reply = client.get(url)
    assert reply.status_code == status, (url, reply.status_code, reply.get_data(as_text=True)[:200])
    return reply.get_json()


@pytest.fixture
def public(app, stored):
    publish(stored.run, None)
    db.session.commit()
    return stored


def test_the_openapi_document_follows_openapi_3_1_and_a_broken_one_is_caught(app, client):
    document = get_json(client, f"{API}/openapi.json")
    assert structure_problems(document) == []
    assert document["servers"][0]["url"].endswith(API)
    broken = openapi("http://localhost")
    broken["paths"]["/waves/{wave_id}/figures"]["get"]["parameters"].pop(0)
    broken["paths"]["/waves"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
        "waves"
    ]["items"]["$ref"] = "#/components/schemas/Nothing"
    broken["openapi"] = "3.0.3"
    assert len(structure_problems(broken)) == 3


def test_the_api_serves_published_waves_paged_and_as_its_document_describes(app, client, public, demo_wave):
    document = get_json(client, f"{API}/openapi.json")
    ok = document["paths"]
    waves = get_json(client, f"{API}/waves")
    assert (
        conforms(document, ok["/waves"]["get"]["responses"]["200"]["content"]["application/json"]["schema"], waves)
        == []
    )
    assert [wave["id"] for wave in waves["waves"]] == [demo_wave.id]
    schema = ok["/waves/{wave_id}/figures"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    first = get_json(client, f"{API}/waves/{demo_wave.id}/figures?per_page=7")
    assert conforms(document, schema, first) == []
    assert first["page"] == 1 and len(first["items"]) == 7 and first["links"]["prev"] is None
    seen, url = [], first["links"]["self"]
    while url:
        page = get_json(client, url.split("localhost", 1)[1])
        assert conforms(document, schema, page) == []
        seen += page["items"]
        url = page["links"]["next"]
    assert len(seen) == first["total"] and first["pages"] == -(-first["total"] // 7)
    only = get_json(client, f"{API}/waves/{demo_wave.id}/figures?area={CENTRUM}&measure=life_satisfaction")
    assert [
        (item["statistic"], item["value"], item["lower"], item["upper"], item["n"], item["flags"])
        for item in only["items"]
    ] == [("mean", 7.6, 7.2, 8.0, 60, ["higher_than_rest"])]
    beyond = get_json(client, f"{API}/waves/{demo_wave.id}/figures?page=999")
    assert beyond["items"] == [] and beyond["links"]["next"] is None


def test_the_api_never_serves_a_suppressed_number_an_unreviewed_theme_or_an_unpublished_wave(
    app, client, public, demo_wave
):
    items = get_json(client, f"{API}/waves/{demo_wave.id}/figures?per_page=1000")["items"]
    hidden = [item for item in items if item["suppressed"]]
    assert {(item["area_code"], item["measure"]) for item in hidden} >= {
        (OUD_WEST, "cohesion"),
        (OUD_WEST, "djg:not_lonely"),
    }
    assert all(item[key] is None for item in hidden for key in ("value", "lower", "upper", "n"))
    assert all(set(item["flags"]) <= set(FLAGS) for item in items)
    served = str(items)
    assert str(TRAP) not in served and not any(name in served for name in NEVER_THEMES)
    assert "Verkeer is te druk" in served  # the named, released theme
    csv_text = client.get(f"{API}/waves/{demo_wave.id}/profile.csv").get_data(as_text=True)
    assert str(TRAP) not in csv_text and not any(name in csv_text for name in NEVER_THEMES)
    newer = store_run(demo_wave, theme_name="Nieuwer thema")  # released to the council, not published
    assert "Nieuwer thema" not in str(get_json(client, f"{API}/waves/{demo_wave.id}/figures?per_page=1000"))
    assert newer.run.published_at is None
    other = store_run(demo_wave, released=False)
    get_json(client, f"{API}/waves/{demo_wave.id + 1}/figures", 404)
    publish(newer.run, None)
    db.session.commit()
    assert "Nieuwer thema" in str(get_json(client, f"{API}/waves/{demo_wave.id}/figures?per_page=1000"))
    assert other.run.published_at is None


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=1001", "per_page=-1", "page=99999999999"])
def test_a_bad_paging_parameter_is_a_400_with_the_reason(app, client, public, demo_wave, query):
    body = get_json(client, f"{API}/waves/{demo_wave.id}/figures?{query}", 400)
    assert "whole number" in body["error"]


def test_an_unpublished_wave_is_not_found_in_the_api(app, client, stored, demo_wave):
    assert get_json(client, f"{API}/waves") == {"waves": []}
    for path in ("figures", "profile.csv", "profile.csv-metadata.json"):
        assert get_json(client, f"{API}/waves/{demo_wave.id}/{path}", 404) == {"error": "not found"}


def test_the_csvw_metadata_describes_every_column_of_the_csv_in_dutch_and_english(app, client, public, demo_wave):
    reply = client.get(f"{API}/waves/{demo_wave.id}/profile.csv-metadata.json")
    assert reply.mimetype == "application/csvm+json"
    metadata = reply.get_json()
    assert metadata["@context"][0] == "http://www.w3.org/ns/csvw"
    assert metadata["url"].endswith(f"{API}/waves/{demo_wave.id}/profile.csv")
    columns = metadata["tableSchema"]["columns"]
    rows = list(csv.reader(io.StringIO(client.get(metadata["url"].split("localhost", 1)[1]).get_data(as_text=True))))
    assert [column["name"] for column in columns] == rows[0] == list(HEADER)
    assert all(set(column["titles"]) == {"nl", "en"} for column in columns)
    by_name = {column["name"]: column for column in columns}
    assert by_name["value"]["datatype"] == "double" and HIDDEN in by_name["value"]["null"]
    assert by_name["n"]["datatype"] == "nonNegativeInteger" and by_name["flags"]["separator"] == " "
    described = str(by_name["flags"]["dc:description"])
    assert all(flag in described for flag in FLAGS)
    assert any(f'"{HIDDEN}"' in entry["@value"] for entry in metadata["dc:description"])
    # every cell reads as its column's datatype, or is one of its null markers
    for row in rows[1:]:
        for column, cell in zip(columns, row, strict=True):
            nulls = column.get("null", [])
            if cell in (nulls if isinstance(nulls, list) else [nulls]):
                continue
            if column["datatype"] == "double":
                float(cell)
            elif column["datatype"] == "nonNegativeInteger":
                assert int(cell) >= 0
            elif isinstance(column["datatype"], dict):
                assert re.fullmatch(column["datatype"]["format"], cell), (column["name"], cell)


def test_the_council_download_has_its_csvw_next_to_it(app, public, demo_wave):
    from models import Role

    council = app.test_client()
    log_in(council, make_staff(Role.council, "raad@leefdam.example"))
    reply = council.get(f"/council/download.csv-metadata.json?wave={demo_wave.id}")
    assert reply.status_code == 200
    assert reply.get_json()["url"].endswith(f"/council/download.csv?wave={demo_wave.id}")
    assert app.test_client().get(f"/council/download.csv-metadata.json?wave={demo_wave.id}").status_code in (
        302,
        401,
        403,
    )


def test_the_public_routes_are_rate_limited(app, client, public, demo_wave, rate_limited):
    statuses = [client.get(f"{API}/waves").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    assert client.get(f"{API}/waves").get_json() == {"error": "too many requests; wait a minute"}
    assert client.get(f"/results/{demo_wave.id}/{CENTRUM}").status_code == 429


def test_a_model_estimate_is_marked_in_words_in_the_api_the_csv_and_the_xlsx(app, client, public, demo_wave):
    from council.export import notes, profile_rows
    from models import ProfileSnapshot
    from results.opendata import MODEL_NOTE

    buurt = "BU90010000"
    for statistic, value, n, flags in (
        ("mean", None, None, "suppressed suppressed_small"),
        ("mean_model", 6.8, None, "model synthetic"),
    ):
        db.session.add(
            ProfileSnapshot(
                run_id=public.run.id,
                area_code=buurt,
                area_level="buurt",
                instrument="adult",
                measure="cohesion",
                statistic=statistic,
                value=value,
                lower=None if value is None else 6.1,
                upper=None if value is None else 7.5,
                n=n,
                flags=flags,
            )
        )
    db.session.commit()
    document = get_json(client, f"{API}/openapi.json")
    schema = document["paths"]["/waves/{wave_id}/figures"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    reply = get_json(client, f"{API}/waves/{demo_wave.id}/figures?area={buurt}&measure=cohesion")
    assert conforms(document, schema, reply) == []
    by_statistic = {item["statistic"]: item for item in reply["items"]}
    model = by_statistic["mean_model"]
    assert (model["value"], model["lower"], model["upper"], model["n"]) == (6.8, 6.1, 7.5, None)
    assert model["note"] == MODEL_NOTE == "model estimate: based on the survey and neighbourhood figures"
    assert model["flags"] == ["model", "synthetic"]
    # the direct figure stays beside it, suppressed, and is not marked as a model estimate
    assert by_statistic["mean"]["suppressed"] and by_statistic["mean"]["note"] is None
    assert by_statistic["mean"]["value"] is None
    # the CSV's flags column says it, and its CSVW and the XLSX notes say what the flags mean, in words
    csv_text = client.get(f"{API}/waves/{demo_wave.id}/profile.csv").get_data(as_text=True)
    assert f"{buurt},Binnenstad,buurt,adult,cohesion,mean_model,6.8,6.1,7.5,,model synthetic\r\n" in csv_text
    described = str(client.get(f"{API}/waves/{demo_wave.id}/profile.csv-metadata.json").get_json())
    assert MODEL_NOTE in described and "modelschatting" in described
    assert any(MODEL_NOTE in line for line in notes(public.run))
    assert [row.statistic for row in profile_rows(public.run, areas=[buurt])] == ["mean", "mean_model"]
