"""The outcome framework's rules: what an indicator can measure, which targets it may have, changes with their
history in the audit log, and loading a whole framework from a YAML file.

Plain functions without request objects; the staff pages in framework_views.py are a thin layer over them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import yaml
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts import audit
from analysis.change import OVERALL
from council.areas import areas_of
from extensions import db
from models import (
    AuditEvent,
    Direction,
    Indicator,
    IndicatorKind,
    Municipality,
    Outcome,
    OutputMeasure,
    Target,
    User,
)
from surveys.instruments import Instrument, Item, Scale, Text, localise
from surveys.registry import current_instruments

# the `instrument` of the change records of wijkteam clients (analysis.change.change_profiles)
WIJKTEAM = "wijkteam"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the database's check on target.year
NAME_LENGTH, POPULATION_LENGTH, DESCRIPTION_LENGTH = 200, 200, 5000
ACTION_LENGTH = 1000  # what the municipality will do: a few sentences residents read on a phone
SUBJECT_TYPES = ("outcome", "indicator", "target")
# what a subject belongs to, kept with its state so the history reads well after a deletion; no change of its own
CONTEXT_FIELDS = {"outcome": (), "indicator": ("outcome",), "target": ("outcome", "indicator")}
RATED_TYPES = ("likert", "scale_0_10")  # interview items whose change since intake the analysis reports


class FrameworkError(ValueError):
    """Input the framework refuses: translated messages per field ("" for the input as a whole)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))


def _refuse(field_name: str, message: str) -> FrameworkError:
    return FrameworkError({field_name: [message]})


# --- what an indicator can measure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurable:
    """A figure the analysis stores that an indicator can read, with the range a target for it may take (in the
    snapshot's unit: the scale's own range for a mean, a fraction 0..1 for a share)."""

    kind: IndicatorKind
    instrument: str
    measure: str
    low: float
    high: float
    name: Text | None  # the scale's name or the interview domain's question (None: all domains)
    part: Text | None = None  # the band's label
    subscale: str | None = None  # the subscale's name (these have no translated names)

    @property
    def key(self) -> str:
        """One string for a choice in a form: kind, instrument and measure."""
        return f"{self.kind.name}/{self.instrument}/{self.measure}"

    @property
    def is_share(self) -> bool:
        return self.kind.is_share

    def label(self, locale: str) -> str:
        name = localise(self.name, locale) if self.name else _("All domains together")
        if self.kind is IndicatorKind.band_share:
            band = localise(self.part, locale) if self.part else self.measure.split(":", 1)[1]
            return _("%(scale)s: share %(band)s", scale=name, band=band)
        if self.kind is IndicatorKind.improved_share:
            return _("%(domain)s: share improved since intake", domain=name)
        if self.subscale:
            name = _("%(scale)s, part %(part)s", scale=name, part=self.subscale)
        return _(
            "%(scale)s: mean (%(low)s to %(high)s)",
            scale=name,
            low=format_decimal(self.low),
            high=format_decimal(self.high),
        )


def _item_range(scale: Scale, item: Item) -> tuple[float, float]:
    """The values an item adds to its scale, as the scoring gives them (value maps, else the item's own numbers)."""
    mapping = scale.item_value_map.get(item.id) or scale.value_map
    values = [mapping[code] for code in item.codes if code in mapping] if mapping else list(item.bounds)
    return float(min(values)), float(max(values))


def _subscale_range(scale: Scale, items: Iterable[Item]) -> tuple[float, float]:
    # a subscale combines its items as the scale does, without the scale's rescaling (see surveys.scoring)
    ranges = [_item_range(scale, item) for item in items]
    low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    if scale.method == "mean":
        low, high = low / len(ranges), high / len(ranges)
    return low, high


def _survey_measurables(instrument: Instrument) -> list[Measurable]:
    found = []
    for scale in instrument.scales:
        found.append(
            Measurable(
                IndicatorKind.scale_mean,
                instrument.slug,
                scale.id,
                float(scale.value_range[0]),
                float(scale.value_range[1]),
                scale.name,
            )
        )
        # the analysis stores a subscale's mean as its score column "<scale>_<subscale>"
        for name, item_ids in scale.subscales.items():
            low, high = _subscale_range(scale, [instrument.item(item_id) for item_id in item_ids])
            found.append(
                Measurable(
                    IndicatorKind.scale_mean,
                    instrument.slug,
                    f"{scale.id}_{name}",
                    low,
                    high,
                    scale.name,
                    subscale=name,
                )
            )
        for band in scale.bands:
            found.append(
                Measurable(
                    IndicatorKind.band_share,
                    instrument.slug,
                    f"{scale.id}:{band.code}",
                    0.0,
                    1.0,
                    scale.name,
                    part=band.label,
                )
            )
    return found


def _change_measurables(instruments: Iterable[Instrument]) -> list[Measurable]:
    """Overall change and each rated interview domain (as runs.inputs hands them to analysis.change)."""
    found = [Measurable(IndicatorKind.improved_share, WIJKTEAM, OVERALL, 0.0, 1.0, None)]
    seen = set()
    for instrument in instruments:
        scored = {item_id for scale in instrument.scales for item_id in scale.items}
        for item in instrument.items:
            if item.id in scored and item.type in RATED_TYPES and item.id not in seen:
                seen.add(item.id)
                found.append(Measurable(IndicatorKind.improved_share, WIJKTEAM, item.id, 0.0, 1.0, item.text))
    return found


def measurables() -> dict[str, Measurable]:
    """Everything an indicator can read, keyed by Measurable.key, in the instruments' own order.

    Means and band shares come from the self-completed questionnaires (interviews are no sample of a neighbourhood,
    so the analysis leaves them out of the profiles); shares improved from the wijkteam interviews.
    """
    instruments = list(current_instruments().values())
    found = [
        measurable
        for instrument in instruments
        if not instrument.interview_only
        for measurable in _survey_measurables(instrument)
    ]
    found += _change_measurables(instrument for instrument in instruments if instrument.interview_only)
    return {measurable.key: measurable for measurable in found}


def find_measurable(kind: IndicatorKind, instrument: str, measure: str) -> Measurable:
    """The measurable an indicator definition names; FrameworkError (on field "measure") when there is none."""
    instruments = current_instruments()
    if kind is IndicatorKind.improved_share:
        if instrument != WIJKTEAM:
            raise _refuse(
                "measure",
                _(
                    "A share improved since intake comes from wijkteam interviews: use the instrument %(instrument)s.",
                    instrument=WIJKTEAM,
                ),
            )
        found = measurables().get(f"{kind.name}/{instrument}/{measure}")
        if found is None:
            raise _refuse(
                "measure",
                _(
                    "Wijkteam interviews have no domain %(measure)s. Use %(overall)s or a domain of the interview.",
                    measure=measure,
                    overall=OVERALL,
                ),
            )
        return found
    questionnaire = instruments.get(instrument)
    if questionnaire is None or questionnaire.interview_only:
        raise _refuse("measure", _("There is no questionnaire %(instrument)s.", instrument=instrument))
    scale_id, band = measure, None
    if kind is IndicatorKind.band_share:
        if measure.count(":") != 1:
            raise _refuse("measure", _("A share names a scale and one of its bands, such as djg:not_lonely."))
        scale_id, band = measure.split(":")
    found = measurables().get(f"{kind.name}/{instrument}/{measure}")
    if found is not None:
        return found
    if not any(scale.id == scale_id for scale in questionnaire.scales) or band is None:
        raise _refuse(
            "measure",
            _("The questionnaire %(instrument)s has no scale %(scale)s.", instrument=instrument, scale=scale_id),
        )
    raise _refuse("measure", _("The scale %(scale)s has no band %(band)s.", scale=scale_id, band=band))


def parse_key(key: str) -> tuple[IndicatorKind, str, str]:
    """Kind, instrument and measure from Measurable.key; FrameworkError when malformed."""
    parts = (key or "").split("/", 2)
    if len(parts) != 3 or parts[0] not in IndicatorKind.__members__:
        raise _refuse("measure", _("Choose one of the measures shown."))
    return IndicatorKind[parts[0]], parts[1], parts[2]


def measurable_of(indicator: Indicator) -> Measurable | None:
    """What an indicator reads, or None when the instruments no longer offer it."""
    return measurables().get(f"{indicator.kind.name}/{indicator.instrument}/{indicator.measure}")


# --- targets --------------------------------------------------------------------------------------------------------


def to_stored(kind: IndicatorKind, shown: float) -> float:
    """A target as people type it into the stored unit: pages show shares as percentages (20 means 0.2)."""
    # rounded so 33.3 % is stored as 0.333 rather than 0.33299999999999996
    return round(shown / 100, 10) if kind.is_share else float(shown)


def to_shown(kind: IndicatorKind, stored: float) -> float:
    return round(stored * 100, 8) if kind.is_share else stored


def shown_range(measurable: Measurable) -> tuple[float, float]:
    """The range a target may take in the unit people type: 0 to 100 for a share, the scale's range for a mean."""
    return (to_shown(measurable.kind, measurable.low), to_shown(measurable.kind, measurable.high))


def area_names(municipality: Municipality) -> dict[str, str]:
    """The areas a target may be set for: the whole municipality and each of its wijken, code -> name."""
    return {area.code: area.name for area in areas_of(municipality)}


def _target_problems(
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


# --- the history (audit log) ----------------------------------------------------------------------------------------


def _outcome_state(outcome: Outcome) -> dict[str, Any]:
    state = {"name": outcome.name, "description": outcome.description or "", "action": outcome.action or ""}
    if outcome.outputs:  # only when named, so the history of outcomes from before output measures reads the same
        state["outputs"] = ", ".join(measure.code for measure in outcome.outputs)
    return state


def _indicator_state(indicator: Indicator) -> dict[str, Any]:
    return {
        "outcome": indicator.outcome.name,
        "name": indicator.name,
        "kind": indicator.kind.name,
        "instrument": indicator.instrument,
        "measure": indicator.measure,
        "direction": indicator.direction.name,
        "population": indicator.population or "",
    }


def _target_state(target: Target) -> dict[str, Any]:
    return {
        "outcome": target.indicator.outcome.name,
        "indicator": target.indicator.name,
        "year": target.year,
        "area": target.area_code,
        "value": target.value,
    }


def _record(
    verb: str,
    subject_type: str,
    subject_id: int,
    municipality: Municipality,
    actor: User | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    **extra: Any,
) -> None:
    audit.record(
        f"{subject_type}_{verb}",
        actor,
        subject_type,
        subject_id,
        commit=False,
        municipality=municipality.code,
        before=before,
        after=after,
        **extra,
    )


def _unit(indicator: Indicator) -> str:
    return "share" if indicator.kind.is_share else "mean"


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One change to the framework: who, when, what, and each field before and after."""

    at: datetime
    who: str | None
    verb: str  # created, changed or deleted
    subject_type: str  # outcome, indicator or target
    subject: dict[str, Any]  # the state after the change (before it, for a deletion)
    changes: tuple[Change, ...]
    unit: str | None = None  # for targets: "share" (values are fractions) or "mean"
    file: str | None = None  # the file's name, for a change made by loading a framework file


def _history_query(municipality: Municipality):
    return select(AuditEvent).where(
        AuditEvent.target_type.in_(SUBJECT_TYPES), AuditEvent.details["municipality"].as_string() == municipality.code
    )


def history_count(municipality: Municipality) -> int:
    return db.session.execute(select(func.count()).select_from(_history_query(municipality).subquery())).scalar_one()


def framework_history(municipality: Municipality, limit: int = 100, offset: int = 0) -> list[HistoryEntry]:
    """The municipality's framework changes, newest first, from the audit log."""
    events = db.session.scalars(_history_query(municipality).order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    entries = []
    for event in events:
        details = event.details or {}
        before, after = details.get("before") or {}, details.get("after") or {}
        context = CONTEXT_FIELDS.get(event.target_type, ())
        names = [name for name in dict.fromkeys([*before, *after]) if name not in context]
        changes = tuple(
            Change(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)
        )
        entries.append(
            HistoryEntry(
                at=event.at,
                who=event.actor_email,
                verb=event.action.removeprefix(f"{event.target_type}_"),
                subject_type=event.target_type,
                subject=after or before,
                changes=changes,
                unit=details.get("unit"),
                file=details.get("file") if details.get("via") == "file" else None,
            )
        )
    return entries


# --- outcomes -----------------------------------------------------------------------------------------------------


def outcomes_of(municipality: Municipality) -> list[Outcome]:
    return list(
        db.session.scalars(
            select(Outcome).where(Outcome.municipality_id == municipality.id).order_by(Outcome.position, Outcome.id)
        )
    )


def _text(value: Any, field_name: str, length: int, required: bool = True, one_line: bool = True) -> str:
    text = " ".join(str(value or "").split()) if one_line else str(value or "").strip()
    if required and not text:
        raise _refuse(field_name, _("Fill this in."))
    if len(text) > length:
        raise _refuse(field_name, _("Use at most %(max)s characters.", max=length))
    return text


def _outcome_fields(
    municipality: Municipality, name: Any, description: Any, outcome: Outcome | None
) -> tuple[str, str | None]:
    name = _text(name, "name", NAME_LENGTH)
    description = _text(description, "description", DESCRIPTION_LENGTH, required=False, one_line=False) or None
    clash = db.session.scalar(
        select(Outcome.id).where(Outcome.municipality_id == municipality.id, Outcome.name == name)
    )
    if clash is not None and (outcome is None or clash != outcome.id):
        raise _refuse("name", _("There is already an outcome with this name."))
    return name, description


def _action(action: Any) -> str | None:
    return _text(action, "action", ACTION_LENGTH, required=False, one_line=False) or None


def output_measures(municipality: Municipality) -> dict[str, OutputMeasure]:
    """The output measures an outcome of the municipality may name, code -> measure."""
    return {
        measure.code: measure
        for measure in db.session.scalars(
            select(OutputMeasure).where(OutputMeasure.municipality_id == municipality.id).order_by(OutputMeasure.code)
        )
    }


def _outputs(municipality: Municipality, codes: Iterable[str] | None) -> list[OutputMeasure] | None:
    """The output measures named by their codes; None keeps what the outcome has. FrameworkError on field "outputs"
    for a code the municipality has no figures of."""
    if codes is None:
        return None
    known = output_measures(municipality)
    wanted = list(dict.fromkeys(str(code) for code in codes))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise _refuse(
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
    commit: bool = True,
    **extra: Any,
) -> Outcome:
    name, description = _outcome_fields(municipality, name, description, None)
    action = _action(action)
    measures = _outputs(municipality, outputs)
    position = db.session.scalar(
        select(func.coalesce(func.max(Outcome.position) + 1, 0)).where(Outcome.municipality_id == municipality.id)
    )
    outcome = Outcome(municipality=municipality, name=name, description=description, action=action, position=position)
    if measures is not None:
        outcome.outputs = measures
    db.session.add(outcome)
    db.session.flush()
    _record("created", "outcome", outcome.id, municipality, actor, None, _outcome_state(outcome), **extra)
    if commit:
        db.session.commit()
    return outcome


def update_outcome(
    outcome: Outcome,
    name: str,
    description: str | None = None,
    *,
    action: str | None = None,
    outputs: Iterable[str] | None = None,
    actor: User | None = None,
    commit: bool = True,
    **extra: Any,
) -> bool:
    """Change an outcome; False when nothing changed (and nothing is recorded). `outputs`: the codes of the output
    measures meant to serve it (None keeps them)."""
    name, description = _outcome_fields(outcome.municipality, name, description, outcome)
    action = _action(action)
    measures = _outputs(outcome.municipality, outputs)
    before = _outcome_state(outcome)
    outcome.name, outcome.description, outcome.action = name, description, action
    if measures is not None and measures != list(outcome.outputs):
        outcome.outputs = measures
    after = _outcome_state(outcome)
    if after == before:
        return False
    _record("changed", "outcome", outcome.id, outcome.municipality, actor, before, after, **extra)
    if commit:
        db.session.commit()
    return True


def delete_outcome(outcome: Outcome, *, actor: User | None = None) -> None:
    """Delete an outcome with its indicators and their targets (recorded as one change)."""
    before = {**_outcome_state(outcome), "indicators": ", ".join(indicator.name for indicator in outcome.indicators)}
    _record(
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
    db.session.commit()


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
        name = _text(spec.name, "name", NAME_LENGTH)
    except FrameworkError as error:
        problems.update(error.errors)
    try:
        population = _text(spec.population, "population", POPULATION_LENGTH, required=False)
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


def create_indicator(
    outcome: Outcome, spec: IndicatorSpec, *, actor: User | None = None, commit: bool = True, **extra: Any
) -> Indicator:
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
    _record(
        "created", "indicator", indicator.id, outcome.municipality, actor, None, _indicator_state(indicator), **extra
    )
    if commit:
        db.session.commit()
    return indicator


def update_indicator(
    indicator: Indicator, spec: IndicatorSpec, *, actor: User | None = None, commit: bool = True, **extra: Any
) -> bool:
    """Change an indicator; False when nothing changed. Refused when its targets would no longer fit."""
    spec = _indicator_fields(indicator.outcome, spec, indicator)
    before = _indicator_state(indicator)
    indicator.name, indicator.kind, indicator.instrument = spec.name, spec.kind, spec.instrument
    indicator.measure, indicator.direction, indicator.population = spec.measure, spec.direction, spec.population
    after = _indicator_state(indicator)
    if after == before:
        return False
    _record("changed", "indicator", indicator.id, indicator.outcome.municipality, actor, before, after, **extra)
    if commit:
        db.session.commit()
    return True


def delete_indicator(indicator: Indicator, *, actor: User | None = None) -> None:
    """Delete an indicator with its targets."""
    _record(
        "deleted",
        "indicator",
        indicator.id,
        indicator.outcome.municipality,
        actor,
        _indicator_state(indicator),
        None,
        targets=len(indicator.targets),
    )
    indicator.outcome.indicators.remove(indicator)  # delete-orphan: the indicator and its targets go
    db.session.commit()


# --- targets ------------------------------------------------------------------------------------------------------


def check_target(indicator: Indicator, year: Any, area_code: Any, value: Any, target: Target | None = None) -> None:
    """FrameworkError (fields "year", "area", "value") unless this is a valid target for the indicator: a year from
    2000 to 2100, the municipality or one of its wijken, a value (stored unit) in the measure's range, and no other
    target for the same year and area. `target`: the target being changed, which does not clash with itself."""
    problems = _target_problems(
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
    commit: bool = True,
    **extra: Any,
) -> Target:
    """Add a target; `value` in the stored unit (a fraction for a share: see to_stored)."""
    check_target(indicator, year, area_code, value)
    target = Target(indicator=indicator, year=year, area_code=area_code, value=float(value))
    db.session.add(target)
    db.session.flush()
    _record(
        "created",
        "target",
        target.id,
        indicator.outcome.municipality,
        actor,
        None,
        _target_state(target),
        unit=_unit(indicator),
        **extra,
    )
    if commit:
        db.session.commit()
    return target


def update_target(
    target: Target,
    year: int,
    area_code: str,
    value: float,
    *,
    actor: User | None = None,
    commit: bool = True,
    **extra: Any,
) -> bool:
    check_target(target.indicator, year, area_code, value, target)
    before = _target_state(target)
    target.year, target.area_code, target.value = year, area_code, float(value)
    after = _target_state(target)
    if after == before:
        return False
    _record(
        "changed",
        "target",
        target.id,
        target.indicator.outcome.municipality,
        actor,
        before,
        after,
        unit=_unit(target.indicator),
        **extra,
    )
    if commit:
        db.session.commit()
    return True


def delete_target(target: Target, *, actor: User | None = None) -> None:
    indicator = target.indicator
    _record(
        "deleted",
        "target",
        target.id,
        indicator.outcome.municipality,
        actor,
        _target_state(target),
        None,
        unit=_unit(indicator),
    )
    indicator.targets.remove(target)
    db.session.commit()


# --- loading a framework from a file ------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What loading a framework file did, counted per kind of change."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


_OUTCOME_KEYS = {"name", "description", "action", "indicators", "outputs"}
_INDICATOR_KEYS = {"name", "kind", "instrument", "measure", "direction", "population", "targets"}
_TARGET_KEYS = {"year", "area", "value"}


@dataclass(frozen=True)
class _TargetEntry:
    year: int
    area: str
    value: float  # stored unit


@dataclass(frozen=True)
class _IndicatorEntry:
    spec: IndicatorSpec
    targets: tuple[_TargetEntry, ...]


@dataclass(frozen=True)
class _OutcomeEntry:
    name: str
    description: str | None
    indicators: tuple[_IndicatorEntry, ...]
    action: str | None = None  # None: the file does not say, and what the editor wrote stays
    outputs: tuple[str, ...] | None = None  # codes of output measures; None: the file does not say


def _unknown_keys(raw: dict, known: set[str], where: str, problems: list[str]) -> None:
    for key in sorted(set(map(str, raw)) - known):
        problems.append(f"{where}: unknown key {key!r}")


def _parse_indicator(raw: Any, where: str, municipality: Municipality, problems: list[str]) -> _IndicatorEntry | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    _unknown_keys(raw, _INDICATOR_KEYS, where, problems)
    kind = IndicatorKind.__members__.get(str(raw.get("kind")))
    direction = Direction.__members__.get(str(raw.get("direction")))
    if kind is None:
        problems.append(f"{where}: kind {raw.get('kind')!r} is not one of {', '.join(IndicatorKind.__members__)}")
    if direction is None:
        problems.append(f"{where}: direction {raw.get('direction')!r} is not one of {', '.join(Direction.__members__)}")
    if kind is None or direction is None:
        return None
    spec = IndicatorSpec(
        name=str(raw.get("name") or ""),
        kind=kind,
        instrument=str(raw.get("instrument") or ""),
        measure=str(raw.get("measure") or ""),
        direction=direction,
        population=raw.get("population"),
    )
    measurable = None
    for check in (
        lambda: _text(spec.name, "name", NAME_LENGTH),
        lambda: _text(spec.population, "population", POPULATION_LENGTH, required=False),
    ):
        try:
            check()
        except FrameworkError as error:
            problems.append(f"{where}: {error}")
    try:
        measurable = find_measurable(kind, spec.instrument, spec.measure)
    except FrameworkError as error:
        problems.append(f"{where}: {error}")
    targets, seen = [], set()
    for number, entry in enumerate(raw.get("targets") or [], start=1):
        spot = f"{where} target {number}"
        if not isinstance(entry, dict):
            problems.append(f"{spot}: must be a mapping")
            continue
        _unknown_keys(entry, _TARGET_KEYS, spot, problems)
        shown = entry.get("value")
        value = to_stored(kind, shown) if isinstance(shown, (int, float)) and not isinstance(shown, bool) else shown
        if measurable is not None:
            found = _target_problems(measurable, municipality, entry.get("year"), entry.get("area"), value, [])
            problems.extend(f"{spot}: {message}" for messages in found.values() for message in messages)
            if found:
                continue
        key = (str(entry.get("year")), str(entry.get("area")))
        if key in seen:
            problems.append(f"{spot}: a second target for {entry.get('area')} in {entry.get('year')}")
            continue
        seen.add(key)
        if measurable is not None:
            targets.append(_TargetEntry(entry["year"], entry["area"], cast(float, value)))  # checked: a number
    return _IndicatorEntry(spec, tuple(targets))


def parse_framework(data: Any, municipality: Municipality) -> list[_OutcomeEntry]:
    """The outcomes of a framework file's contents, checked as the staff pages check them; FrameworkError listing
    every problem (on field "") otherwise."""
    problems: list[str] = []
    outcomes: list[_OutcomeEntry] = []
    raw_outcomes = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(raw_outcomes, list) or not raw_outcomes:
        raise FrameworkError({"": ["the file needs a list of outcomes"]})
    names = set()
    for number, raw in enumerate(raw_outcomes, start=1):
        where = f"outcome {number}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        _unknown_keys(raw, _OUTCOME_KEYS, where, problems)
        try:
            name = _text(raw.get("name"), "name", NAME_LENGTH)
        except FrameworkError as error:
            problems.append(f"{where}: {error}")
            continue
        if name in names:
            problems.append(f"{where}: a second outcome named {name!r}")
        names.add(name)
        indicators, indicator_names = [], set()
        for index, entry in enumerate(raw.get("indicators") or [], start=1):
            indicator = _parse_indicator(entry, f"{where} indicator {index}", municipality, problems)
            if indicator is None:
                continue
            if indicator.spec.name in indicator_names:
                problems.append(f"{where} indicator {index}: a second indicator named {indicator.spec.name!r}")
            indicator_names.add(indicator.spec.name)
            indicators.append(indicator)
        try:
            action = _action(raw.get("action"))
        except FrameworkError as error:
            problems.append(f"{where}: {error}")
            continue
        outputs = raw.get("outputs")
        if outputs is not None:
            if not isinstance(outputs, list) or not all(isinstance(code, str) for code in outputs):
                problems.append(f"{where}: outputs must be a list of codes of output measures")
                continue
            try:
                _outputs(municipality, outputs)
            except FrameworkError as error:
                problems.append(f"{where}: {error}")
                continue
            outputs = tuple(outputs)
        outcomes.append(
            _OutcomeEntry(name, str(raw.get("description") or "").strip() or None, tuple(indicators), action, outputs)
        )
    if problems:
        raise FrameworkError({"": problems})
    return outcomes


def _apply(
    municipality: Municipality, entries: list[_OutcomeEntry], actor: User | None, source: str, report: LoadReport
) -> None:
    via = {"via": "file", "file": source}

    def counted(changed: bool) -> None:
        if changed:
            report.changed += 1
        else:
            report.unchanged += 1

    existing = {outcome.name: outcome for outcome in outcomes_of(municipality)}
    for entry in entries:
        outcome = existing.get(entry.name)
        if outcome is None:
            outcome = create_outcome(
                municipality,
                entry.name,
                entry.description,
                action=entry.action,
                outputs=entry.outputs,
                actor=actor,
                commit=False,
                **via,
            )
            report.created += 1
        else:
            action = outcome.action if entry.action is None else entry.action
            counted(
                update_outcome(
                    outcome,
                    entry.name,
                    entry.description,
                    action=action,
                    outputs=entry.outputs,
                    actor=actor,
                    commit=False,
                    **via,
                )
            )
        for wanted in entry.indicators:
            indicator = next((each for each in outcome.indicators if each.name == wanted.spec.name), None)
            if indicator is None:
                indicator = create_indicator(outcome, wanted.spec, actor=actor, commit=False, **via)
                report.created += 1
            else:
                counted(update_indicator(indicator, wanted.spec, actor=actor, commit=False, **via))
            for goal in wanted.targets:
                target = next(
                    (each for each in indicator.targets if (each.year, each.area_code) == (goal.year, goal.area)), None
                )
                if target is None:
                    create_target(indicator, goal.year, goal.area, goal.value, actor=actor, commit=False, **via)
                    report.created += 1
                else:
                    counted(update_target(target, goal.year, goal.area, goal.value, actor=actor, commit=False, **via))


def load_framework(municipality: Municipality, path: Path | str, *, actor: User | None = None) -> LoadReport:
    """Load a framework from a YAML file (format: demo/framework.yaml) into the municipality, and commit.

    Outcomes are found by name, indicators by name within their outcome, targets by year and area; what exists is
    brought in line with the file, what is missing is added, and what the file does not mention is left alone. So
    loading the same file twice changes nothing the second time. Every change is recorded in the framework's
    history. Nothing is changed when the file has a problem: FrameworkError lists them all.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FrameworkError({"": [f"{path.name}: {error}"]}) from error
    entries = parse_framework(data, municipality)
    report = LoadReport()
    try:
        _apply(municipality, entries, actor, path.name, report)
    except FrameworkError:
        # a change the file asks for that the framework as it stands refuses (say, a new measure that targets
        # already stored do not fit): nothing of the file is kept
        db.session.rollback()
        raise
    db.session.commit()
    return report
