"""Loading a whole outcome framework from a YAML file: checked as a whole, then applied as the staff pages would
apply each change, so the history reads the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from extensions import db
from framework.errors import FrameworkError
from framework.measurables import find_measurable, to_stored
from framework.service import (
    NAME_LENGTH,
    POPULATION_LENGTH,
    IndicatorSpec,
    clean_action,
    clean_text,
    create_indicator,
    create_outcome,
    create_target,
    outcomes_of,
    outputs_named,
    target_problems,
    update_indicator,
    update_outcome,
    update_target,
)
from models import (
    Direction,
    IndicatorKind,
    Municipality,
    User,
)

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
        lambda: clean_text(spec.name, "name", NAME_LENGTH),
        lambda: clean_text(spec.population, "population", POPULATION_LENGTH, required=False),
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
            found = target_problems(measurable, municipality, entry.get("year"), entry.get("area"), value, [])
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
            name = clean_text(raw.get("name"), "name", NAME_LENGTH)
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
            action = clean_action(raw.get("action"))
        except FrameworkError as error:
            problems.append(f"{where}: {error}")
            continue
        outputs = raw.get("outputs")
        if outputs is not None:
            if not isinstance(outputs, list) or not all(isinstance(code, str) for code in outputs):
                problems.append(f"{where}: outputs must be a list of codes of output measures")
                continue
            try:
                outputs_named(municipality, outputs)
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
                    **via,
                )
            )
        for wanted in entry.indicators:
            indicator = next((each for each in outcome.indicators if each.name == wanted.spec.name), None)
            if indicator is None:
                indicator = create_indicator(outcome, wanted.spec, actor=actor, **via)
                report.created += 1
            else:
                counted(update_indicator(indicator, wanted.spec, actor=actor, **via))
            for goal in wanted.targets:
                target = next(
                    (each for each in indicator.targets if (each.year, each.area_code) == (goal.year, goal.area)), None
                )
                if target is None:
                    create_target(indicator, goal.year, goal.area, goal.value, actor=actor, **via)
                    report.created += 1
                else:
                    counted(update_target(target, goal.year, goal.area, goal.value, actor=actor, **via))


def load_framework(municipality: Municipality, path: Path | str, *, actor: User | None = None) -> LoadReport:
    """Load a framework from a YAML file (format: demo/framework.yaml) into the municipality (the caller commits).

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
    # a change the file asks for that the framework as it stands refuses (say, a new measure that targets already
    # stored do not fit) raises FrameworkError: the caller's unit of work is rolled back, and nothing of the file kept
    _apply(municipality, entries, actor, path.name, report)
    db.session.flush()
    return report
