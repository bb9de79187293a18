"""Public pages without login: what each wijk said in a published wave (/results), and the open-data API of
published waves (/open-data/v1). Rate-limited per address; the logic lives in results.residents and
results.opendata."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, g, jsonify, render_template, request, url_for
from flask_babel import format_decimal

from council.export import MEDIA_TYPES, profile_rows, write_csv
from extensions import db, limiter
from models import Wave
from results import opendata
from results.publication import published_run, published_waves
from results.residents import find_wijk, newest_wave_of_wijk, wijk_results, wijken

bp = Blueprint("results", __name__, url_prefix="/results", template_folder="templates")
api = Blueprint("opendata", __name__, url_prefix="/open-data/v1")
# one count per address over every public page and API call
READ_LIMIT = limiter.shared_limit("120 per minute", scope="public-read")


@bp.after_request
def _fresh(response: Response) -> Response:
    # quotes are residents' words: a copy kept by a shared cache would outlive a quote's withdrawal or erasure
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.context_processor
def _formatting() -> dict:
    return {"mark": lambda value: format_decimal(value, "#,##0.0")}


def _published_wave_or_404(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None or published_run(wave) is None:
        abort(404)
    return wave


@bp.get("/")
@READ_LIMIT
def index():
    return render_template("results/index.html", waves=[(wave, wijken(wave)) for wave in published_waves()])


@bp.get("/wijk/<code>")
@READ_LIMIT
def newest(code: str):
    """The address residents are given: the newest published results of their wijk, or when to expect them."""
    wave = newest_wave_of_wijk(code)
    if wave is None:
        return render_template("results/not_yet.html"), 404
    return _wijk_page(wave, code)


@bp.get("/<int:wave_id>/<code>")
@READ_LIMIT
def wijk(wave_id: int, code: str):
    return _wijk_page(_published_wave_or_404(wave_id), code)


def _wijk_page(wave: Wave, code: str):
    area = find_wijk(wave, code)
    if area is None:
        abort(404)
    results = wijk_results(wave, area, g.lang)
    if results is None:
        abort(404)
    return render_template("results/wijk.html", results=results, wave=wave, area=area)


# --- open data --------------------------------------------------------------------------------------------------


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


@api.errorhandler(404)
def _api_not_found(error):
    return _error("not found", 404)


@api.errorhandler(429)
def _api_too_many(error):
    return _error("too many requests; wait a minute", 429)


@api.get("/openapi.json")
@READ_LIMIT
def openapi_document():
    return jsonify(opendata.openapi(url_for("opendata.openapi_document", _external=True).rsplit("/", 1)[0]))


@api.get("/waves")
@READ_LIMIT
def waves():
    return jsonify(waves=[opendata.wave_json(wave, run) for wave, run in opendata.published()])


def _wave_and_run(wave_id: int):
    wave = db.session.get(Wave, wave_id)
    run = None if wave is None else published_run(wave)
    if run is None:
        abort(404)
    return wave, run


class BadParameter(ValueError):
    """A query parameter of the API that is not valid: 400 with the reason."""


@api.errorhandler(BadParameter)
def _api_bad_parameter(error):
    return _error(str(error), 400)


def _positive(name: str, default: int, largest: int | None = None) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isdigit() or len(text) > 9 or int(text) < 1 or (largest is not None and int(text) > largest):
        raise BadParameter(f"{name} must be a whole number from 1" + (f" to {largest}" if largest else ""))
    return int(text)


@api.get("/waves/<int:wave_id>/figures")
@READ_LIMIT
def figures(wave_id: int):
    wave, run = _wave_and_run(wave_id)
    page = _positive("page", 1)
    per_page = _positive("per_page", opendata.PER_PAGE, opendata.MAX_PER_PAGE)
    filters = {name: request.args[name] for name in opendata.FILTERS if request.args.get(name)}
    found = opendata.figures_page(run, filters, page, per_page)
    return jsonify(
        wave=opendata.wave_json(wave, run),
        items=found.items,
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        pages=found.pages,
        links=_page_links(wave, filters, page, per_page, found.pages),
    )


def _page_links(wave: Wave, filters: dict[str, str], page: int, per_page: int, pages: int) -> dict[str, str | None]:
    """This page, the next and the one before, as the same query asked for them."""

    def link(number: int) -> str:
        return url_for("opendata.figures", wave_id=wave.id, **filters, page=number, per_page=per_page, _external=True)

    return {
        "self": link(page),
        "next": link(page + 1) if page < pages else None,
        "prev": link(page - 1) if 1 < page <= pages + 1 else None,
    }


@api.get("/waves/<int:wave_id>/profile.csv")
@READ_LIMIT
def profile_csv(wave_id: int):
    _wave, run = _wave_and_run(wave_id)
    text = io.StringIO(newline="")
    write_csv(profile_rows(run), text)
    return Response(text.getvalue().encode("utf-8"), mimetype=MEDIA_TYPES["csv"])


@api.get("/waves/<int:wave_id>/profile.csv-metadata.json")
@READ_LIMIT
def profile_csv_metadata(wave_id: int):
    wave, run = _wave_and_run(wave_id)
    body = opendata.csvw_metadata(wave, run, url_for("opendata.profile_csv", wave_id=wave.id, _external=True))
    response = jsonify(body)
    response.mimetype = "application/csvm+json"
    return response
