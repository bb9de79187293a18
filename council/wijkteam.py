"""How wijkteam clients are doing since intake, overall and per area of life."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.change import WORKER_DIFFERS
from council.areas import Area
from council.names import WIJKTEAM, measure_name
from council.snapshots import Figure, WaveProfile

CHANGES = ("improved", "same", "worse")


@dataclass(frozen=True)
class Change:
    domain: str
    name: str
    shares: dict[str, Figure | None]  # improved / same / worse
    worker_differs: Figure | None  # share of clients whose worker rated it otherwise at the latest conversation


def wijkteam_changes(profile: WaveProfile, area: Area, locale: str) -> list[Change]:
    """Share of wijkteam clients better, the same or worse since intake: overall first, then per domain."""
    domains = list(
        dict.fromkeys(
            measure.split(":", 1)[0]
            for (code, slug, measure, statistic) in profile.figures
            if slug == WIJKTEAM
            and statistic == "share"
            and measure.partition(":")[2] in CHANGES
            and code in (area.code, profile.wave.municipality.code)
        )
    )
    domains.sort(key=lambda domain: (domain != "overall", domain))
    return [
        Change(
            domain,
            measure_name(WIJKTEAM, domain, locale),
            {change: profile.get(area.code, WIJKTEAM, f"{domain}:{change}", "share") for change in CHANGES},
            profile.get(area.code, WIJKTEAM, f"{domain}:{WORKER_DIFFERS}", "share"),
        )
        for domain in domains
    ]
