"""What an indicator can measure: the scales, bands and items of the current questionnaires, and the change
since intake of the wijkteam's clients."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from analysis.change import OVERALL
from framework.errors import refuse
from models import (
    Indicator,
    IndicatorKind,
)
from surveys.instruments import Instrument, Item, Scale, Text, localise
from surveys.registry import current_instruments

# the `instrument` of the change records of wijkteam clients (analysis.change.change_profiles)
WIJKTEAM = "wijkteam"
RATED_TYPES = ("likert", "scale_0_10")  # interview items whose change since intake the analysis reports


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
            raise refuse(
                "measure",
                _(
                    "A share improved since intake comes from wijkteam interviews: use the instrument %(instrument)s.",
                    instrument=WIJKTEAM,
                ),
            )
        found = measurables().get(f"{kind.name}/{instrument}/{measure}")
        if found is None:
            raise refuse(
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
        raise refuse("measure", _("There is no questionnaire %(instrument)s.", instrument=instrument))
    scale_id, band = measure, None
    if kind is IndicatorKind.band_share:
        if measure.count(":") != 1:
            raise refuse("measure", _("A share names a scale and one of its bands, such as djg:not_lonely."))
        scale_id, band = measure.split(":")
    found = measurables().get(f"{kind.name}/{instrument}/{measure}")
    if found is not None:
        return found
    if not any(scale.id == scale_id for scale in questionnaire.scales) or band is None:
        raise refuse(
            "measure",
            _("The questionnaire %(instrument)s has no scale %(scale)s.", instrument=instrument, scale=scale_id),
        )
    raise refuse("measure", _("The scale %(scale)s has no band %(band)s.", scale=scale_id, band=band))


def parse_key(key: str) -> tuple[IndicatorKind, str, str]:
    """Kind, instrument and measure from Measurable.key; FrameworkError when malformed."""
    parts = (key or "").split("/", 2)
    if len(parts) != 3 or parts[0] not in IndicatorKind.__members__:
        raise refuse("measure", _("Choose one of the measures shown."))
    return IndicatorKind[parts[0]], parts[1], parts[2]


def measurable_of(indicator: Indicator) -> Measurable | None:
    """What an indicator reads, or None when the instruments no longer offer it."""
    return measurables().get(f"{indicator.kind.name}/{indicator.instrument}/{indicator.measure}")


def to_stored(kind: IndicatorKind, shown: float) -> float:
    """A target as people type it into the stored unit: pages show shares as percentages (20 means 0.2)."""
    # rounded so 33.3 % is stored as 0.333 rather than 0.33299999999999996
    return round(shown / 100, 10) if kind.is_share else float(shown)


def to_shown(kind: IndicatorKind, stored: float) -> float:
    return round(stored * 100, 8) if kind.is_share else stored


def shown_range(measurable: Measurable) -> tuple[float, float]:
    """The range a target may take in the unit people type: 0 to 100 for a share, the scale's range for a mean."""
    return (to_shown(measurable.kind, measurable.low), to_shown(measurable.kind, measurable.high))
