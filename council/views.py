"""Council pages: overview with map, wijk profile, compare and the printable report (HTML and PDF).

Every page reads stored snapshots through council.snapshots, the run's themes and approved quotes only. Pages are
sent with Cache-Control: no-store: the wijk pages and reports carry residents' (approved, scrubbed) words, and a
copy kept by a shared cache would outlive a quote's withdrawal or a response's erasure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from functools import wraps

from flask import Response, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from accounts import audit
from accounts.auth import current_user, requires, staff_user
from accounts.forms import ConfirmForm
from council import charts
from council.areas import MUNICIPALITY, WIJK, Area, areas_of, buurten_of, find_area
from council.beside import beside
from council.blueprint import COUNCIL_ROLES, bp
from council.comparison import Column, Comparison, ComparisonAsked, compare, over_waves
from council.indicators import Evaluation, Status, evaluate
from council.maps import Map, buurt_areas, choropleth, map_areas, status_label
from council.names import indicator_range, instrument_label
from council.profile import AreaProfile, area_profile, council_waves, framework
from council.respondents import overview_rows, weighting_note
from council.snapshots import Figure, WaveProfile
from council.summary import report_summary
from council.trends import Trend
from models import Indicator, Job, Wave
from models.jobs import ACTIVE
from runs.releases import released_run

LEVELS = ("municipality", "wijk")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- numbers as the page's language writes them -------------------------------------------------------------------


def number(value: float | None, share: bool = False) -> str:
    if value is None:
        return "–"
    return format_percent(value, "#,##0%") if share else format_decimal(value, "#,##0.0")


def number_markup(text: str) -> Markup:
    """A number for inside a translated sentence, kept left to right in Arabic text."""
    return Markup('<span class="lw-number" dir="ltr">{}</span>').format(text)


def rate(value: float) -> str:
    """A response rate: often below one per cent, so with one decimal."""
    return format_percent(value, "#,##0.0%")


def points(value: float) -> str:
    """A difference of two shares in percentage points, without its sign: whole points, and one decimal below one
    point (a difference that is clearly there never reads as 0)."""
    value = abs(value) * 100
    if value >= 1:
        return format_decimal(value, "#,##0")
    return format_decimal(max(value, 0.1), "0.#")


def tick(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def percent_tick(value: float) -> str:
    return format_percent(value, "#,##0%")


def figure_words(figure: Figure | None, share: bool = False) -> str:
    """A figure as plain text, for chart descriptions: value and interval, or why there is none."""
    if figure is None or (figure.value is None and not figure.suppressed):
        return _("no figure")
    if figure.suppressed:
        return suppressed_words(figure)
    if figure.lower is None or figure.upper is None:
        return number(figure.value, share)
    return _(
        "%(value)s (95%% interval %(lower)s to %(upper)s)",
        value=number(figure.value, share),
        lower=number(figure.lower, share),
        upper=number(figure.upper, share),
    )


def suppressed_words(figure: Figure) -> str:
    """Why a suppressed figure is hidden, in a few words."""
    if figure.complementary:
        return _("suppressed: protects a small group")
    return _("suppressed: too few residents")


def _note(figure: Figure | None) -> str:
    if figure is not None and figure.suppressed:
        return suppressed_words(figure)
    return _("no figure")


@bp.context_processor
def _formatting():
    return {
        "number": number,
        "number_markup": number_markup,
        "rate": rate,
        "tick": tick,
        "points": points,
        "status_label": status_label,
        "status_icon": charts.status_icon,
        "instrument_label": lambda slug: instrument_label(slug, g.lang),
        "Status": Status,
    }


# --- choosing the wave and the area ---------------------------------------------------------------------------------


def _chosen_wave() -> tuple[list[Wave], Wave | None]:
    """The waves the member may read that have an analysis, and the one asked for (?wave=), else the newest."""
    waves = council_waves(current_user())
    wanted = request.args.get("wave")
    if wanted is None:
        return waves, waves[0] if waves else None
    wave = next((wave for wave in waves if str(wave.id) == wanted), None)
    if wave is None:
        abort(404)
    return waves, wave


def with_wave(view: Callable) -> Callable:
    """Hand the view the waves the member may read and the one chosen (_chosen_wave); without any, the overview says
    that there is nothing to read yet."""

    @wraps(view)
    def chosen(*args, **kwargs):
        waves, wave = _chosen_wave()
        if wave is None:
            return render_template("council/overview.html", wave=None, waves=waves)
        return view(waves, wave, *args, **kwargs)

    return chosen


def _wave_and_area(code: str) -> tuple[list[Wave], Wave, Area]:
    """The chosen wave and the area of the URL in it, for the pages of one area: without a wave they answer 404."""
    waves, wave = _chosen_wave()
    if wave is None:
        abort(make_response(render_template("council/overview.html", wave=None, waves=waves), 404))
    return waves, wave, _area_or_404(wave, code)


def _chosen_indicator(indicators: Sequence[Indicator]) -> Indicator | None:
    """The indicator asked for (?indicator=), else the first."""
    wanted = request.args.get("indicator")
    return next((one for one in indicators if str(one.id) == wanted), indicators[0] if indicators else None)


def _area_or_404(wave: Wave, code: str) -> Area:
    area = find_area(wave.municipality, code)
    if area is None:
        abort(404)
    return area


def wave_profile_or_404(wave: Wave, codes: Collection[str] | None = None) -> WaveProfile:
    """The stored profile of the wave's released run (of `codes` only, or of every area at LEVELS); 404 when the run
    vanished between choosing the wave and reading it."""
    profile = WaveProfile.load(wave, areas=codes, levels=None if codes else LEVELS)
    if profile is None:
        abort(404)
    return profile


# --- charts ---------------------------------------------------------------------------------------------------------


def spider_chart(data: AreaProfile) -> Markup | None:
    web = data.spider
    if web is None:
        return None
    municipality = data.profile.wave.municipality
    series = [charts.Series(data.area.name, [None if f is None else f.value for f in web.area])]
    if not data.area.is_municipality:
        series.append(charts.Series(municipality.name, [None if f is None else f.value for f in web.reference]))
    described = "; ".join(
        f"{one.label}: "
        + ", ".join(f"{axis} {figure_words(figure)}" for axis, figure in zip(web.axes, figures, strict=True))
        for one, figures in zip(series, (web.area, web.reference), strict=False)
    )
    description = _(
        "The six dimensions of Positive Health, each from %(low)s to %(high)s. %(figures)s.",
        low=tick(web.low),
        high=tick(web.high),
        figures=described,
    )
    return charts.radar(
        web.axes,
        series,
        low=web.low,
        high=web.high,
        chart_id="chart-spider",
        title=_("Positive Health in %(area)s", area=data.area.name),
        description=description,
        fmt=tick,
    )


def scales_chart(data: AreaProfile, slug: str) -> Markup:
    rows = data.scales[slug]
    intervals = [
        charts.Interval(
            row.name,
            None if row.figure is None or row.figure.suppressed else row.figure.value,
            None if row.figure is None else row.figure.lower,
            None if row.figure is None else row.figure.upper,
            row.low,
            row.high,
            None if row.reference is None else row.reference.value,
            _note(row.figure),
        )
        for row in rows
    ]
    described = "; ".join(f"{row.name}: {figure_words(row.figure)}" for row in rows)
    description = _(
        "Mean per scale with its 95%% interval as a bar, each on its own range; the diamond is the "
        "municipality. %(figures)s.",
        figures=described,
    )
    return charts.interval_chart(
        intervals,
        chart_id=f"chart-scales-{slug}",
        fmt=tick,
        description=description,
        title=_(
            "Scales of %(questionnaire)s in %(area)s", questionnaire=instrument_label(slug, g.lang), area=data.area.name
        ),
    )


def wave_labels(waves: Sequence[Wave]) -> dict[int, str]:
    """How a trend names its waves: by the year they opened where no two share a year (a name like "Leefwereld demo
    2025" says little more and is long), else by their names."""
    years = [wave.opens_on.year for wave in waves]
    if len(set(years)) == len(years):
        return {wave.id: str(wave.opens_on.year) for wave in waves}
    return {wave.id: wave.name for wave in waves}


def trend_chart(trend: Trend, index: int) -> Markup:
    share = trend.share
    low, high = indicator_range(trend.indicator)
    labels = wave_labels([wave for wave, _e in trend.history])
    points = [
        charts.TrendPoint(
            labels[wave.id],
            None if e.figure is None or e.figure.suppressed else e.figure.value,
            None if e.figure is None else e.figure.lower,
            None if e.figure is None else e.figure.upper,
            _note(e.figure),
        )
        for wave, e in trend.history
    ]
    target = trend.current.target
    described = "; ".join(f"{wave.name}: {figure_words(e.figure, share)}" for wave, e in trend.history)
    if target is not None:
        described += ". " + _("Target for %(year)s: %(value)s", year=target.year, value=number(target.value, share))
    return charts.trend_chart(
        points,
        low=low,
        high=high,
        chart_id=f"chart-trend-{index}",
        fmt=percent_tick if share else tick,
        title=_("%(indicator)s over the waves", indicator=trend.indicator.name),
        description=described + ".",
        target=None if target is None else target.value,
        target_label="" if target is None else _("target %(year)s", year=target.year),
    )


def _page_charts(data: AreaProfile) -> dict:
    return {
        "spider": spider_chart(data),
        "spider_legend": charts.legend(
            [data.area.name] if data.area.is_municipality else [data.area.name, data.profile.wave.municipality.name]
        ),
        "scales": {slug: scales_chart(data, slug) for slug in data.scales},
        "scales_legend": charts.legend(
            [data.area.name, data.profile.wave.municipality.name], shapes=charts.INTERVAL_SHAPES
        ),
        "trends": [trend_chart(trend, index) for index, trend in enumerate(data.trends)],
    }


def overview_map(wave: Wave, rows, indicators: Sequence[Indicator], chosen: Indicator | None) -> Map | None:
    if chosen is None:
        return None
    position = list(indicators).index(chosen)
    statuses, labels = {}, {}
    for row in rows:
        if row.area.level == MUNICIPALITY:
            continue
        evaluation: Evaluation = row.evaluations[position]
        statuses[row.area.code] = evaluation.status
        if evaluation.figure is not None and evaluation.figure.value is not None and not evaluation.figure.suppressed:
            labels[row.area.code] = number(evaluation.figure.value, chosen.kind.is_share)
    return choropleth(
        map_areas(wave.municipality),
        statuses,
        labels,
        title=_("Map of the wijken: %(indicator)s", indicator=chosen.name),
        description=_(
            "Each wijk is filled by the status of %(indicator)s against its target, with "
            "its number and its value written in it. The list beside the map names the "
            "wijken by number; the table below has the same figures.",
            indicator=chosen.name,
        ),
    )


def buurt_map(wave: Wave, chosen: Indicator | None) -> Map | None:
    """The same map for the buurten, when their boundaries are loaded: most buurten's figures are suppressed."""
    if chosen is None:
        return None
    areas = buurt_areas(wave.municipality)
    if not areas:
        return None
    profile = wave_profile_or_404(wave, [area.code for area in areas])
    statuses, labels, modelled, details = {}, {}, set(), {}
    for area in areas:
        evaluation = evaluate(chosen, profile, area.code)
        statuses[area.code] = evaluation.status
        figure = evaluation.figure
        if figure is not None and figure.value is not None and not figure.suppressed:
            labels[area.code] = number(figure.value, chosen.kind.is_share)
        elif evaluation.model is not None and evaluation.model_status is not None:
            # no direct figure to show: the buurt's model estimate, drawn and listed as one
            statuses[area.code] = evaluation.model_status
            labels[area.code] = number(evaluation.model.value, chosen.kind.is_share)
            modelled.add(area.code)
            details[area.code] = figure_words(evaluation.model, chosen.kind.is_share)
    description = _(
        "Each buurt is filled by the status of %(indicator)s against its target, with "
        "its number written in it. The list beside the map names the buurten by number.",
        indicator=chosen.name,
    )
    if modelled:
        description += " " + _(
            "A buurt with a dashed outline shows a model estimate instead of a figure from the survey."
        )
    return choropleth(
        areas,
        statuses,
        labels,
        title=_("Map of the buurten: %(indicator)s", indicator=chosen.name),
        description=description,
        modelled=modelled,
        details=details,
    )


def report_maps(wave: Wave, rows, indicators: Sequence[Indicator]) -> list[tuple[Indicator, Map]]:
    """The map of every indicator, for the municipality's report on paper."""
    maps = [(indicator, overview_map(wave, rows, indicators, indicator)) for indicator in indicators]
    return [(indicator, one) for indicator, one in maps if one]


# --- pages ----------------------------------------------------------------------------------------------------------


@bp.get("/")
@requires(*COUNCIL_ROLES, menu=_l("Neighbourhood profiles"))
@with_wave
def overview(waves: list[Wave], wave: Wave):
    profile = wave_profile_or_404(wave)
    indicators = framework(wave.municipality)
    rows = overview_rows(profile, areas_of(wave.municipality), indicators, g.lang)
    chosen = _chosen_indicator(indicators)
    return render_template(
        "council/overview.html",
        wave=wave,
        waves=waves,
        profile=profile,
        rows=rows,
        indicators=indicators,
        chosen=chosen,
        map=overview_map(wave, rows, indicators, chosen),
        buurt_map=buurt_map(wave, chosen),
        params=profile.run.params or {},
        weighting=weighting_note(profile, g.lang),
    )


def _area_page(code: str, chosen: Wave | None = None) -> tuple[AreaProfile, dict, list[Wave]]:
    """The profile of an area in the wave asked for, or in `chosen` (a report built by the job worker, for a reader
    who may read that wave)."""
    if chosen is None:
        waves, wave, area = _wave_and_area(code)
    else:
        waves, wave, area = [chosen], chosen, _area_or_404(chosen, code)
    profile = wave_profile_or_404(wave, {area.code, wave.municipality.code})
    data = area_profile(profile, area, framework(wave.municipality), g.lang)
    return data, _page_charts(data), waves


@bp.get("/wijk/<code>")
@requires(*COUNCIL_ROLES)
def wijk(code: str):
    """The page of the municipality, a wijk or a buurt (a buurt's page is reached from its wijk's)."""
    data, page_charts, waves = _area_page(code)
    municipality, area = data.profile.wave.municipality, data.area
    return render_template(
        "council/wijk.html",
        data=data,
        beside=beside(data.trends, data.area.code),
        charts=page_charts,
        waves=waves,
        wave=data.profile.wave,
        areas=areas_of(municipality),
        buurten=buurten_of(municipality, area.code) if area.level == WIJK else [],
        wijk=find_area(municipality, area.wijk_code) if area.wijk_code is not None else None,
    )


def _report_html(code: str, for_pdf: bool, chosen: Wave | None = None) -> tuple[str, AreaProfile]:
    data, page_charts, _waves = _area_page(code, chosen)
    wave = data.profile.wave
    rows = indicators = None
    if data.area.is_municipality:
        indicators = framework(wave.municipality)
        wijk_profile = wave_profile_or_404(wave)
        rows = overview_rows(wijk_profile, areas_of(wave.municipality), indicators, g.lang)
    html = render_template(
        "council/report.html",
        data=data,
        beside=beside(data.trends, data.area.code),
        charts=page_charts,
        wave=wave,
        rows=rows,
        indicators=indicators,
        for_pdf=for_pdf,
        summary=report_summary(data, rows, indicators),
        maps=report_maps(wave, rows, indicators) if rows and indicators is not None else [],
    )
    return html, data


@bp.get("/report/<code>")
@requires(*COUNCIL_ROLES)
def report(code: str):
    html, _data = _report_html(code, for_pdf=False)
    return html


def pdf_filename(area: Area, wave: Wave) -> str:
    """leefwereld-WK900100-Leefdam-2026.pdf: the area code and the wave, in characters every system accepts."""
    wave_part = re.sub(r"[^A-Za-z0-9]+", "-", wave.name).strip("-") or str(wave.id)
    return f"leefwereld-{area.code}-{wave_part}.pdf"


def report_pdf_html(wave: Wave, code: str) -> str:
    """The report page's HTML for the PDF (council.report_jobs builds it in the worker, in a request context like
    the reader's)."""
    html, _data = _report_html(code, for_pdf=True, chosen=wave)
    return html


@bp.get("/report/<code>.pdf")
@requires(*COUNCIL_ROLES)
def report_pdf(code: str):
    """The report as a PDF, built by a job once per state of what it shows (council.report_jobs.stored_or_asked);
    until it is stored a page says that it is being prepared (templates/macros/jobs.html)."""
    from council.report_jobs import stored_or_asked

    _waves, wave, area = _wave_and_area(code)
    run = released_run(wave)
    if run is None:
        abort(404)
    body, job = stored_or_asked(
        wave, area, run, lang=g.lang, base_url=request.url_root, reader=staff_user(), again="again" in request.args
    )
    if body is None or "waiting" in request.args:  # the waiting page's script asks if it is ready: not a download
        return _report_waiting(wave, area, job if body is None else None)
    return _pdf_download(body, wave, area)


def _report_waiting(wave: Wave, area: Area, job: Job | None):
    working = job is not None and job.status in ACTIVE
    cancel = ConfirmForm() if working and job is not None and job.cancel_requested_at is None else None
    page = render_template("council/report_waiting.html", wave=wave, area=area, job=job, working=working, cancel=cancel)
    return page, 202 if working else 200


@bp.post("/report/<code>.pdf/cancel")
@requires(*COUNCIL_ROLES)
def cancel_report_pdf(code: str):
    """Stop making the report's PDF (a reader who no longer wants it, or who asked in the wrong language)."""
    from council.report_jobs import active_build, cancel_build

    _waves, wave, area = _wave_and_area(code)
    run = released_run(wave)
    job = active_build(wave, area, run, g.lang) if run is not None else None
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
    elif job is None or not cancel_build(job, staff_user()):
        flash(_("This PDF is no longer being made: there is nothing to stop."), "error")
    return redirect(url_for("council.report_pdf", code=area.code, wave=wave.id, waiting=1))


def _pdf_download(body: bytes, wave: Wave, area: Area) -> Response:
    audit.record("report_downloaded", current_user(), "wave", wave.id, area=area.code, format="pdf")
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(area, wave)}"'
    return response


@bp.get("/compare")
@requires(*COUNCIL_ROLES)
@with_wave
def compare_view(waves: list[Wave], wave: Wave):
    areas = areas_of(wave.municipality)
    asked = ComparisonAsked.from_args(request.args)
    errors = asked.problems({area.code for area in areas})
    comparison = _comparison(wave, areas, asked) if asked.asked and not errors else None
    return render_template(
        "council/compare.html",
        wave=wave,
        waves=waves,
        areas=areas,
        chosen=asked.codes,
        over_waves=asked.over_waves,
        errors=errors,
        comparison=comparison,
        weighting=weighting_note(comparison.columns[0].profile, g.lang) if comparison and comparison.columns else None,
    ), (422 if errors else 200)


def _comparison(wave: Wave, areas: Sequence[Area], asked: ComparisonAsked) -> Comparison:
    by_code = {area.code: area for area in areas}
    if asked.over_waves:
        columns = over_waves(wave, by_code[asked.codes[0]])
    else:
        profile = wave_profile_or_404(wave, asked.codes)
        columns = [Column(by_code[code].name, profile, code) for code in asked.codes]
    return compare(columns, framework(wave.municipality), g.lang)
