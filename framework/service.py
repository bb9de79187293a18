"""The outcome framework's rules: outcomes, their indicators and their targets per year and area, checked and
changed with their history in the audit log. Plain functions without request objects; framework/views.py is a thin
layer over them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from council.areas import areas_of
from extensions import db
from framework.errors import FrameworkError, refuse
from framework.history import indicator_state, outcome_state, record_change, target_state, unit_of
from framework.measurables import Measurable, find_measurable, measurable_of, shown_range
from models import (
    Direction,
    Indicator,
    IndicatorKind,
    Municipality,
    Outcome,
    OutputMeasure,
    Target,
    User,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the database's check on target.year
NAME_LENGTH, POPULATION_LENGTH, DESCRIPTION_LENGTH = 200, 200, 5000
ACTION_LENGTH = 1000  # what the municipality will do: a few sentences residents read on a phone


# --- targets --------------------------------------------------------------------------------------------------------


def area_names(municipality: Municipality) -> dict[str, str]:
    """The areas a target may be set for: the whole municipality and each of its wijken, code -> name."""
    return {area.code: area.name for area in areas_of(municipality)}


def target_problems(
    measurable: Measurable | None,
    municipality: Municipality,
    year: Any,
    area_code: Any,
    value: Any,
    others: Iterable[Target],
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        problems["year"] = [_("Give a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)]
    if not isinstance(area_code, str) or area_code not in area_names(municipality):
        problems["area"] = [_("Choose the municipality or one of its wijken.")]
    if measurable is None:
        problems["value"] = [
            _("The questionnaires no longer offer what this indicator measures, so it cannot get targets.")
        ]
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        problems["value"] = [_("Give a number, for example 6.5.")]
    elif not measurable.low <= value <= measurable.high:
        low, high = shown_range(measurable)
        problems["value"] = [
            _("Give a percentage from %(low)s to %(high)s.", low=format_decimal(low), high=format_decimal(high))
            if measurable.is_share
            else _("Give a value from %(low)s to %(high)s.", low=format_decimal(low), high=format_decimal(high))
        ]
    if not problems and any(other.year == year and other.area_code == area_code for other in others):
        problems["year"] = [
            _(
                "There is already a target for %(area)s in %(year)s. Change that one instead.",
                area=area_names(municipality)[area_code],
                year=year,
            )
        ]
    return problems


# --- outcomes -----------------------------------------------------------------------------------------------------


def outcomes_of(municipality: Municipality) -> list[Outcome]:
    return list(
        db.session.scalars(
            select(Outcome).where(Outcome.municipality_id == municipality.id).order_by(Outcome.position, Outcome.id)
        )
    )


def clean_text(value: Any, field_name: str, length: int, required: bool = True, one_line: bool = True) -> str:
    text = " ".join(str(value or "").split()) if one_line else str(value or "").strip()
    if required and not text:
        raise refuse(field_name, _("Fill this in."))
    if len(text) > length:
        raise refuse(field_name, _("Use at most %(max)s characters.", max=length))
    return text


def _outcome_fields(
    municipality: Municipality, name: Any, description: Any, outcome: Outcome | None
) -> tuple[str, str | None]:
    name = clean_text(name, "name", NAME_LENGTH)
    description = clean_text(description, "description", DESCRIPTION_LENGTH, required=False, one_line=False) or None
    clash = db.session.scalar(
        select(Outcome.id).where(Outcome.municipality_id == municipality.id, Outcome.name == name)
    )
    if clash is not None and (outcome is None or clash != outcome.id):
        raise refuse("name", _("There is already an outcome with this name."))
    return name, description


def clean_action(action: Any) -> str | None:
    return clean_text(action, "action", ACTION_LENGTH, required=False, one_line=False) or None


def output_measures(municipality: Municipality) -> dict[str, OutputMeasure]:
    """The output measures an outcome of the municipality may name, code -> measure."""
    return {
        measure.code: measure
        for measure in db.session.scalars(
            select(OutputMeasure).where(OutputMeasure.municipality_id == municipality.id).order_by(OutputMeasure.code)
        )
    }


def outputs_named(municipality: Municipality, codes: Iterable[str] | None) -> list[OutputMeasure] | None:
    """The output measures named by their codes; None keeps what the outcome has. FrameworkError on field "outputs"
    for a code the municipality has no figures of."""
    if codes is None:
        return None
    known = output_measures(municipality)
    wanted = list(dict.fromkeys(str(code) for code in codes))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise refuse(
            "outputs",
            _(
                "There are no output figures for %(codes)s. Load them first under Output figures.",
                codes=", ".join(unknown),
            ),
        )
    return sorted((known[code] for code in wanted), key=lambda measure: measure.code)


def create_outcome(
    municipality: Municipality,
    name: str,
    description: str | None = None,
    *,
    action: str | None = None,
    outputs: Iterable[str] | None = None,
    actor: User | None = None,
    **extra: Any,
) -> Outcome:
    name, description = _outcome_fields(municipality, name, description, None)
    action = clean_action(action)
    measures = outputs_named(municipality, outputs)
    position = db.session.scalar(
        select(func.coalesce(func.max(Outcome.position) + 1, 0)).where(Outcome.municipality_id == municipality.id)
    )
    outcome = Outcome(municipality=municipality, name=name, description=description, action=action, position=position)
    if measures is not None:
        outcome.outputs = measures
    db.session.add(outcome)
    db.session.flush()
    record_change("created", "outcome", outcome.id, municipality, actor, None, outcome_state(outcome), **extra)
    return outcome


def update_outcome(
    outcome: Outcome,
    name: str,
    description: str | None = None,
    *,
    action: str | None = None,
    outputs: Iterable[str] | None = None,
    actor: User | None = None,
    **extra: Any,
) -> bool:
    """Change an outcome; False when nothing changed (and nothing is recorded). `outputs`: the codes of the output
    measures meant to serve it (None keeps them)."""
    name, description = _outcome_fields(outcome.municipality, name, description, outcome)
    action = clean_action(action)
    measures = outputs_named(outcome.municipality, outputs)
    before = outcome_state(outcome)
    outcome.name, outcome.description, outcome.action = name, description, action
    if measures is not None and measures != list(outcome.outputs):
        outcome.outputs = measures
    after = outcome_state(outcome)
    if after == before:
        return False
    record_change("changed", "outcome", outcome.id, outcome.municipality, actor, before, after, **extra)
    return True


def delete_outcome(outcome: Outcome, *, actor: User | None = None) -> None:
    """Delete an outcome with its indicators and their targets (recorded as one change)."""
    before = {**outcome_state(outcome), "indicators": ", ".join(indicator.name for indicator in outcome.indicators)}
    record_change(
        "deleted",
        "outcome",
        outcome.id,
        outcome.municipality,
        actor,
        before,
        None,
        targets=sum(len(indicator.targets) for indicator in outcome.indicators),
    )
    db.session.delete(outcome)


# --- indicators ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator as entered: what it measures, which way is better, and for whom."""

    name: str
    kind: IndicatorKind
    instrument: str
    measure: str
    direction: Direction
    population: str | None = None


def _indicator_fields(outcome: Outcome, spec: IndicatorSpec, indicator: Indicator | None) -> IndicatorSpec:
    problems: dict[str, list[str]] = {}
    name = population = ""
    try:
        name = clean_text(spec.name, "name", NAME_LENGTH)
    except FrameworkError as error:
        problems.update(error.errors)
    try:
        population = clean_text(spec.population, "population", POPULATION_LENGTH, required=False)
    except FrameworkError as error:
        problems.update(error.errors)
    try:
        measurable = find_measurable(spec.kind, spec.instrument, spec.measure)
    except FrameworkError as error:
        problems.update(error.errors)
        measurable = None
    if not isinstance(spec.direction, Direction):
        problems["direction"] = [_("Choose whether a higher or a lower value is better.")]
    if name and any(other.name == name and other is not indicator for other in outcome.indicators):
        problems["name"] = [_("This outcome already has an indicator with this name.")]
    if indicator is not None and measurable is not None and indicator.targets:
        if indicator.kind.is_share != measurable.is_share:
            problems["measure"] = [
                _("This indicator has targets in another unit. Delete its targets first, or make a new indicator.")
            ]
        elif any(not measurable.low <= target.value <= measurable.high for target in indicator.targets):
            problems["measure"] = [
                _(
                    "Some targets of this indicator lie outside the range of what you chose. "
                    "Change or delete them first."
                )
            ]
    if problems:
        raise FrameworkError(problems)
    return IndicatorSpec(
        name=name,
        kind=spec.kind,
        instrument=spec.instrument,
        measure=spec.measure,
        direction=spec.direction,
        population=population or None,
    )


def check_indicator(outcome: Outcome, spec: IndicatorSpec, indicator: Indicator | None = None) -> None:
    """FrameworkError (fields "name", "measure", "direction", "population") unless the spec is a valid indicator of
    the outcome; `indicator`: the one being changed, whose targets must still fit."""
    _indicator_fields(outcome, spec, indicator)


def create_indicator(outcome: Outcome, spec: IndicatorSpec, *, actor: User | None = None, **extra: Any) -> Indicator:
    spec = _indicator_fields(outcome, spec, None)
    position = max((indicator.position for indicator in outcome.indicators), default=-1) + 1
    indicator = Indicator(
        outcome=outcome,
        name=spec.name,
        kind=spec.kind,
        instrument=spec.instrument,
        measure=spec.measure,
        direction=spec.direction,
        population=spec.population,
        position=position,
    )
    db.session.add(indicator)
    db.session.flush()
    record_change(
        "created", "indicator", indicator.id, outcome.municipality, actor, None, indicator_state(indicator), **extra
    )
    return indicator


def update_indicator(indicator: Indicator, spec: IndicatorSpec, *, actor: User | None = None, **extra: Any) -> bool:
    """Change an indicator; False when nothing changed. Refused when its targets would no longer fit."""
    spec = _indicator_fields(indicator.outcome, spec, indicator)
    before = indicator_state(indicator)
    indicator.name, indicator.kind, indicator.instrument = spec.name, spec.kind, spec.instrument
    indicator.measure, indicator.direction, indicator.population = spec.measure, spec.direction, spec.population
    after = indicator_state(indicator)
    if after == before:
        return False
    record_change("changed", "indicator", indicator.id, indicator.outcome.municipality, actor, before, after, **extra)
    return True


def delete_indicator(indicator: Indicator, *, actor: User | None = None) -> None:
    """Delete an indicator with its targets."""
    record_change(
        "deleted",
        "indicator",
        indicator.id,
        indicator.outcome.municipality,
        actor,
        indicator_state(indicator),
        None,
        targets=len(indicator.targets),
    )
    indicator.outcome.indicators.remove(indicator)  # delete-orphan: the indicator and its targets go


# --- targets ------------------------------------------------------------------------------------------------------


def check_target(indicator: Indicator, year: Any, area_code: Any, value: Any, target: Target | None = None) -> None:
    """FrameworkError (fields "year", "area", "value") unless this is a valid target for the indicator: a year from
    2000 to 2100, the municipality or one of its wijken, a value (stored unit) in the measure's range, and no other
    target for the same year and area. `target`: the target being changed, which does not clash with itself."""
    problems = target_problems(
        measurable_of(indicator),
        indicator.outcome.municipality,
        year,
        area_code,
        value,
        [other for other in indicator.targets if other is not target],
    )
    if problems:
        raise FrameworkError(problems)


def create_target(
    indicator: Indicator,
    year: int,
    area_code: str,
    value: float,
    *,
    actor: User | None = None,
    **extra: Any,
) -> Target:
    """Add a target; `value` in the stored unit (a fraction for a share: see to_stored)."""
    check_target(indicator, year, area_code, value)
    target = Target(indicator=indicator, year=year, area_code=area_code, value=float(value))
    db.session.add(target)
    db.session.flush()
    record_change(
        "created",
        "target",
        target.id,
        indicator.outcome.municipality,
        actor,
        None,
        target_state(target),
        unit=unit_of(indicator),
        **extra,
    )
    return target


def update_target(
    target: Target,
    year: int,
    area_code: str,
    value: float,
    *,
    actor: User | None = None,
    **extra: Any,
) -> bool:
    check_target(target.indicator, year, area_code, value, target)
    before = target_state(target)
    target.year, target.area_code, target.value = year, area_code, float(value)
    after = target_state(target)
    if after == before:
        return False
    record_change(
        "changed",
        "target",
        target.id,
        target.indicator.outcome.municipality,
        actor,
        before,
        after,
        unit=unit_of(target.indicator),
        **extra,
    )
    return True


def delete_target(target: Target, *, actor: User | None = None) -> None:
    indicator = target.indicator
    record_change(
        "deleted",
        "target",
        target.id,
        indicator.outcome.municipality,
        actor,
        target_state(target),
        None,
        unit=unit_of(indicator),
    )
    indicator.targets.remove(target)
