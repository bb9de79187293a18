"""Downloads of the aggregated profile (CSV, XLSX): the stored figures of a wave's newest analysis, as open data."""

from __future__ import annotations

from flask import Response, abort, jsonify, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from accounts import audit
from accounts.auth import requires, staff_user
from council.blueprint import COUNCIL_ROLES, bp
from council.export import FORMATS, MEDIA_TYPES, filename, profile_file
from exchange.waves import wave_for, waves_for
from models import AnalysisRun, User, Wave
from runs.releases import released_run


def wave_and_run(user: User, wave_id: str | None) -> tuple[Wave | None, AnalysisRun | None]:
    """The wave asked for (None when it is not one of the member's) and its newest released run; without a wave
    asked for, the newest wave that has one."""
    if wave_id is not None:
        wave = wave_for(user, int(wave_id)) if wave_id.isdigit() else None
        return wave, None if wave is None else released_run(wave)
    for wave in waves_for(user):  # newest first
        run = released_run(wave)
        if run is not None:
            return wave, run
    return None, None


@bp.get("/download.csv-metadata.json")
@requires(*COUNCIL_ROLES)
def download_metadata() -> Response:
    """The CSVW metadata of the CSV download (results.opendata), for publishing pipelines."""
    from results.opendata import csvw_metadata

    wave_id = request.args.get("wave")
    wave, run = wave_and_run(staff_user(), wave_id)
    if wave is None or run is None:  # a run comes with its wave
        abort(404)
    query = {"wave": wave_id} if wave_id is not None else {}
    response = jsonify(csvw_metadata(wave, run, url_for("council.download", fmt="csv", _external=True, **query)))
    response.mimetype = "application/csvm+json"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/download.<fmt>")
@requires(*COUNCIL_ROLES)
def download(fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        abort(404)
    user = staff_user()
    wave_id = request.args.get("wave")
    wave, run = wave_and_run(user, wave_id)
    if wave_id is not None and wave is None:
        abort(404)
    if wave is None or run is None:  # a run comes with its wave
        return render_template("council/no_profile.html", wave=wave), 404
    body = profile_file(run, fmt)
    audit.record("profile_downloaded", user, "wave", wave.id, run=run.id, format=fmt)
    response = send_file(body, mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=filename(wave, fmt))
    response.headers["Cache-Control"] = "private, no-cache"
    return response
