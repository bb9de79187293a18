"""Open data of published waves: the aggregated profile as JSON pages, its CSV with a CSVW metadata file, and the
OpenAPI description of the API.

Rows come from council.export.profile_rows, the same rows as the council's CSV and XLSX downloads: stored figures
after disclosure control, named themes only as an analyst named and released them, never a response. A suppressed
row is served with its flags and no numbers at all, as the CSV writes "." for it.

The column titles and descriptions of the CSVW file are data in two languages (Dutch and English) for any reader,
not text of the page's language, like the notes of the XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from council.export import HEADER, HIDDEN, ProfileRow, profile_rows
from models import AnalysisRun, Wave
from results.publication import published_run, published_waves

API_VERSION = "1.0.0"
PER_PAGE, MAX_PER_PAGE = 100, 1000
FILTERS = ("area", "level", "instrument", "measure", "statistic")


# --- the figures, paged -------------------------------------------------------------------------------------------


def figure_json(row: ProfileRow) -> dict[str, Any]:
    """One row as the API serves it: numbers rounded as in the CSV; no number at all for a suppressed row."""
    cells = row.cells()
    value, lower, upper, n = (None if cell in ("", HIDDEN) else cell for cell in cells[6:10])
    return {
        "area_code": row.area_code,
        "area_name": row.area_name,
        "area_level": row.area_level,
        "instrument": row.instrument,
        "measure": row.measure,
        "statistic": row.statistic,
        "value": value,
        "lower": lower,
        "upper": upper,
        "n": n,
        "flags": list(row.flags),
        "suppressed": row.suppressed,
        "note": MODEL_NOTE if "model" in row.flags else None,
    }


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def figures_page(run: AnalysisRun, filters: dict[str, str], page: int, per_page: int) -> Page:
    """One page of the run's figures, narrowed by area code, level, instrument, measure and statistic."""
    rows = profile_rows(
        run,
        areas=[filters["area"]] if filters.get("area") else None,
        levels=[filters["level"]] if filters.get("level") else None,
    )
    for name in ("instrument", "measure", "statistic"):
        if filters.get(name):
            rows = [row for row in rows if getattr(row, name) == filters[name]]
    start = (page - 1) * per_page
    return Page([figure_json(row) for row in rows[start : start + per_page]], page, per_page, len(rows))


def wave_json(wave: Wave, run: AnalysisRun) -> dict[str, Any]:
    municipality = wave.municipality
    return {
        "id": wave.id,
        "name": wave.name,
        "municipality_code": municipality.code,
        "municipality_name": municipality.name,
        "opens_on": wave.opens_on.isoformat(),
        "closes_on": None if wave.closes_on is None else wave.closes_on.isoformat(),
        "analysis_run": run.id,
        "published_at": None if run.published_at is None else run.published_at.isoformat(),
    }


def published() -> list[tuple[Wave, AnalysisRun]]:
    """Every published wave with the run the public reads, newest first."""
    result = []
    for wave in published_waves():
        run = published_run(wave)
        if run is not None:
            result.append((wave, run))
    return result


# --- CSVW -----------------------------------------------------------------------------------------------------------


def _both(nl: str, en: str) -> list[dict[str, str]]:
    return [{"@value": nl, "@language": "nl"}, {"@value": en, "@language": "en"}]


HIDDEN_NL = (
    f'"{HIDDEN}": verborgen door geheimhouding (te weinig inwoners, of het zou een verborgen cijfer laten '
    "terugrekenen), zoals het CBS geheime cijfers aangeeft. Leeg: dit cijfer heeft geen interval."
)
HIDDEN_EN = (
    f'"{HIDDEN}": hidden by disclosure control (too few residents, or it would let a hidden figure be '
    "computed back), as CBS marks secret figures. Empty: the statistic has no interval."
)
FLAGS = {  # each status flag of the "flags" column: Dutch, English
    "suppressed": (
        "verborgen door geheimhouding; altijd met de reden erbij",
        "hidden by disclosure control; always with its reason",
    ),
    "suppressed_small": (
        "te weinig inwoners (of te weinig mensen in een groep) om te tonen",
        "fewer respondents (or people in a band, type or change category) than the threshold",
    ),
    "suppressed_complementary": (
        "verborgen zodat een kleine groep elders niet terug te rekenen is",
        "hidden so that a small group elsewhere cannot be worked out",
    ),
    "indicative": (
        "berust op minder dan 30 inwoners: lees het als een eerste aanwijzing",
        "rests on fewer than 30 respondents: read with care",
    ),
    "lower_than_rest": (
        "duidelijk lager dan in de rest van de gemeente",
        "clearly lower than the rest of the municipality",
    ),
    "higher_than_rest": (
        "duidelijk hoger dan in de rest van de gemeente",
        "clearly higher than the rest of the municipality",
    ),
    "weighted": (
        "gewogen naar de bevolking van elke buurt (leeftijd, en geslacht en alleen wonen waar bekend)",
        "weighted to the population of each buurt (age band, and sex and living alone where known)",
    ),
    "model": (
        "modelschatting: op basis van de enquête en buurtcijfers (statistiek mean_model of share_model; staat naast "
        "het cijfer uit de enquête, nooit in de plaats ervan)",
        "model estimate: based on the survey and neighbourhood figures (statistic mean_model or share_model; shown "
        "beside the survey's own figure, never in its place)",
    ),
    "synthetic": (
        "modelschatting zonder de antwoorden uit deze buurt, omdat het cijfer van de buurt zelf verborgen is of "
        "ontbreekt",
        "model estimate without the answers from this buurt, because the buurt's own figure is hidden or absent",
    ),
    "output": (
        "output: wat de gemeente leverde (zoals jeugdzorg, Wmo, trajecten), geteld door gemeente of CBS; geen "
        "schatting uit inwoners",
        "output: what the municipality delivered (such as youth care, Wmo, trajectories), as the municipality or "
        "CBS counted it; not an estimate from residents",
    ),
}
MODEL_NOTE = "model estimate: based on the survey and neighbourhood figures"
# name: (Dutch title, English title, datatype, description in Dutch, in English)
COLUMNS: dict[str, tuple[str, str, Any, str, str]] = {
    "area_code": (
        "Gebiedscode",
        "Area code",
        {"base": "string", "format": "(GM|WK|BU)[0-9]{4,8}"},
        "CBS-code van gemeente (GM), wijk (WK) of buurt (BU)",
        "CBS code of the municipality (GM), wijk (WK) or buurt (BU)",
    ),
    "area_name": ("Gebiedsnaam", "Area name", "string", "naam van het gebied", "name of the area"),
    "area_level": (
        "Niveau",
        "Level",
        {"base": "string", "format": "municipality|wijk|buurt"},
        "gemeente (municipality), wijk of buurt",
        "municipality, wijk (district) or buurt",
    ),
    "instrument": (
        "Vragenlijst",
        "Questionnaire",
        "string",
        "vragenlijst (adult, youth, parent), wijkteam, open_answers (thema's) of output (geleverde zorg en steun)",
        "questionnaire (adult, youth, parent), wijkteam, open_answers (themes) or output (care and support delivered)",
    ),
    "measure": (
        "Maat",
        "Measure",
        "string",
        "schaal, groep (schaal:groep), type, thema (vraag@naam) of output (code@jaar)",
        "scale, band (scale:band), type, theme (question@name) or output (code@year)",
    ),
    "statistic": (
        "Statistiek",
        "Statistic",
        "string",
        "n, response_rate, mean, sd, share, count, mean_model, share_model (modelschatting), ...; bij output de "
        "eenheid (count, percent, per_1000, hours, euro)",
        "n, response_rate, mean, sd, share, count, mean_model, share_model (model estimate), ...; for output its unit "
        "(count, percent, per_1000, hours, euro)",
    ),
    "value": (
        "Waarde",
        "Value",
        "double",
        "de schatting; aandelen als fractie 0..1",
        "the estimate; shares as a fraction 0..1",
    ),
    "lower": (
        "Ondergrens",
        "Lower bound",
        "double",
        "ondergrens van het 95%-betrouwbaarheidsinterval",
        "lower end of the 95% interval",
    ),
    "upper": (
        "Bovengrens",
        "Upper bound",
        "double",
        "bovengrens van het 95%-betrouwbaarheidsinterval",
        "upper end of the 95% interval",
    ),
    "n": (
        "Aantal",
        "Number",
        "nonNegativeInteger",
        "aantal inwoners (of antwoorden, of cliënten) waarop het cijfer berust",
        "number of respondents (or answers, or clients) the figure rests on",
    ),
    "flags": (
        "Kenmerken",
        "Flags",
        "string",
        "kenmerken, gescheiden door een spatie: " + "; ".join(f"{flag}: {nl}" for flag, (nl, _en) in FLAGS.items()),
        "flags, separated by a space: " + "; ".join(f"{flag}: {en}" for flag, (_nl, en) in FLAGS.items()),
    ),
}
NUMBERS = ("value", "lower", "upper", "n")


def csvw_metadata(wave: Wave, run: AnalysisRun, csv_url: str) -> dict[str, Any]:
    """The CSVW metadata (JSON-LD, W3C "Metadata Vocabulary for Tabular Data") of the profile CSV at `csv_url`."""
    municipality = wave.municipality
    columns = []
    for name, (title_nl, title_en, datatype, about_nl, about_en) in COLUMNS.items():
        column: dict[str, Any] = {
            "name": name,
            "titles": {"nl": title_nl, "en": title_en},
            "datatype": datatype,
            "dc:description": _both(about_nl, about_en),
        }
        if name in NUMBERS:
            column["null"] = ["", HIDDEN]
        elif name == "flags":
            column["separator"] = " "
            column["null"] = ""
        else:
            column["required"] = True
        columns.append(column)
    metadata = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": csv_url,
        "dc:title": _both(
            f"Uitkomstprofiel van {municipality.name} ({municipality.code}), peiling {wave.name}",
            f"Outcome profile of {municipality.name} ({municipality.code}), wave {wave.name}",
        ),
        "dc:publisher": municipality.name,
        "dc:description": _both(
            "Eén rij per gebied en cijfer, na geheimhouding. " + HIDDEN_NL,
            "One row per area and figure, after disclosure control. " + HIDDEN_EN,
        ),
        "rdfs:comment": _both(
            "Kenmerken (kolom flags): " + "; ".join(f"{flag}: {nl}" for flag, (nl, _en) in FLAGS.items()),
            "Flags (column flags): " + "; ".join(f"{flag}: {en}" for flag, (_nl, en) in FLAGS.items()),
        ),
        "dialect": {"header": True, "delimiter": ",", "encoding": "utf-8", "doubleQuote": True},
        "tableSchema": {
            "columns": [columns[HEADER.index(name)] for name in HEADER],
            "primaryKey": ["area_code", "instrument", "measure", "statistic"],
        },
    }
    if run.published_at is not None:
        metadata["dc:issued"] = {"@value": run.published_at.date().isoformat(), "@type": "xsd:date"}
    return metadata


# --- OpenAPI ----------------------------------------------------------------------------------------------------------


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def openapi(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the open-data API."""
    page_parameters = [
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Page number, from 1.",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
        {
            "name": "per_page",
            "in": "query",
            "required": False,
            "description": "Figures per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
        },
    ]
    filters = [
        {
            "name": "area",
            "in": "query",
            "required": False,
            "description": "Only this CBS area code.",
            "schema": {"type": "string", "pattern": "^(GM|WK|BU)[0-9]{4,8}$"},
        },
        {
            "name": "level",
            "in": "query",
            "required": False,
            "description": "Only this level.",
            "schema": {"type": "string", "enum": ["municipality", "wijk", "buurt"]},
        },
        {
            "name": "instrument",
            "in": "query",
            "required": False,
            "description": 'Only this questionnaire; "output" for the output figures (what the municipality '
            "delivered, marked with the flag output).",
            "schema": {"type": "string"},
        },
        {
            "name": "measure",
            "in": "query",
            "required": False,
            "description": "Only this measure.",
            "schema": {"type": "string"},
        },
        {
            "name": "statistic",
            "in": "query",
            "required": False,
            "description": "Only this statistic.",
            "schema": {"type": "string"},
        },
    ]
    wave_id = {
        "name": "wave_id",
        "in": "path",
        "required": True,
        "description": "The wave's id.",
        "schema": {"type": "integer", "minimum": 1},
    }
    problem = {
        "description": "Not found: no published wave with this id.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    too_many = {
        "description": "Too many requests from this address; wait a minute.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leefwereld open data",
            "version": API_VERSION,
            "description": "Aggregated outcome profiles of published waves, after disclosure control, with the "
            "municipality's output figures beside them (instrument and flag output). A suppressed figure has flags "
            "but no numbers. Read-only.",
            "license": {"name": "CC0-1.0", "identifier": "CC0-1.0"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/waves": {
                "get": {
                    "operationId": "listWaves",
                    "summary": "The published waves, newest first.",
                    "responses": {
                        "200": {
                            "description": "The published waves.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["waves"],
                                        "properties": {
                                            "waves": {"type": "array", "items": {"$ref": "#/components/schemas/Wave"}}
                                        },
                                    }
                                }
                            },
                        },
                        "429": too_many,
                    },
                }
            },
            "/waves/{wave_id}/figures": {
                "get": {
                    "operationId": "listFigures",
                    "summary": "The figures of a published wave, paged.",
                    "parameters": [wave_id, *filters, *page_parameters],
                    "responses": {
                        "200": {
                            "description": "One page of figures.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FigurePage"}}},
                        },
                        "400": {
                            "description": "A parameter is not valid.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                        "404": problem,
                        "429": too_many,
                    },
                }
            },
            "/waves/{wave_id}/profile.csv": {
                "get": {
                    "operationId": "profileCsv",
                    "summary": "All figures of a published wave as CSV (RFC 4180).",
                    "parameters": [wave_id],
                    "responses": {
                        "200": {
                            "description": 'The CSV; "." marks a suppressed figure.',
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "404": problem,
                        "429": too_many,
                    },
                }
            },
            "/waves/{wave_id}/profile.csv-metadata.json": {
                "get": {
                    "operationId": "profileCsvMetadata",
                    "summary": "CSVW metadata of the CSV (JSON-LD).",
                    "parameters": [wave_id],
                    "responses": {
                        "200": {
                            "description": "The CSVW metadata.",
                            "content": {"application/csvm+json": {"schema": {"type": "object"}}},
                        },
                        "404": problem,
                        "429": too_many,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Wave": {
                    "type": "object",
                    "required": [
                        "id",
                        "name",
                        "municipality_code",
                        "municipality_name",
                        "opens_on",
                        "closes_on",
                        "analysis_run",
                        "published_at",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "municipality_code": {"type": "string"},
                        "municipality_name": {"type": "string"},
                        "opens_on": {"type": "string", "format": "date"},
                        "closes_on": {"type": ["string", "null"], "format": "date"},
                        "analysis_run": {"type": "integer"},
                        "published_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Figure": {
                    "type": "object",
                    "required": [*HEADER, "suppressed", "note"],
                    "properties": {
                        "area_code": {"type": "string"},
                        "area_name": {"type": "string"},
                        "area_level": {"type": "string", "enum": ["municipality", "wijk", "buurt"]},
                        "instrument": {"type": "string"},
                        "measure": {"type": "string"},
                        "statistic": {"type": "string"},
                        "value": _nullable("number"),
                        "lower": _nullable("number"),
                        "upper": _nullable("number"),
                        "n": _nullable("integer"),
                        "flags": {"type": "array", "items": {"type": "string", "enum": sorted(FLAGS)}},
                        "suppressed": {"type": "boolean"},
                        "note": {
                            "type": ["string", "null"],
                            "description": f'"{MODEL_NOTE}" for a model estimate (flag "model"), else null.',
                        },
                    },
                },
                "FigurePage": {
                    "type": "object",
                    "required": ["wave", "items", "page", "per_page", "total", "pages", "links"],
                    "properties": {
                        "wave": {"$ref": "#/components/schemas/Wave"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Figure"}},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "links": {
                            "type": "object",
                            "required": ["self", "next", "prev"],
                            "properties": {
                                "self": {"type": "string"},
                                "next": _nullable("string"),
                                "prev": _nullable("string"),
                            },
                        },
                    },
                },
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            }
        },
    }
