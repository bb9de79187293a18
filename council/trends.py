"""The key indicators of an area over the municipality's analysed waves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from council.areas import Area
from council.indicators import Evaluation, evaluate
from council.snapshots import WaveProfile, analysed_waves
from models import Indicator, Wave


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    current: Evaluation
    history: list[tuple[Wave, Evaluation]]  # oldest first, up to and including the page's wave

    @property
    def share(self) -> bool:
        return self.indicator.kind.is_share


def waves_until(wave: Wave) -> list[Wave]:
    """The municipality's analysed waves up to and including `wave`, oldest first."""
    waves = analysed_waves(wave.municipality)
    return [other for other in waves if (other.opens_on, other.id) <= (wave.opens_on, wave.id)] or [wave]


def trends(profile: WaveProfile, area: Area, indicators: Sequence[Indicator]) -> list[Trend]:
    gm = profile.wave.municipality.code
    profiles = []
    for wave in waves_until(profile.wave):
        loaded = profile if wave.id == profile.wave.id else WaveProfile.load(wave, areas={area.code, gm})
        if loaded is not None:
            profiles.append(loaded)
    return [
        Trend(
            indicator,
            evaluate(indicator, profile, area.code),
            [(one.wave, evaluate(indicator, one, area.code)) for one in profiles],
        )
        for indicator in indicators
    ]
