"""The resident types of a run named and described in the reader's language, with their shares in an area."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from council.areas import Area
from council.names import measure_name
from council.snapshots import Figure, WaveProfile

# a type's description, per direction: "Higher than average: Well-being (WHO-5), Life satisfaction."
LEVEL_SENTENCES = {"high": _l("Higher than average: %(scales)s."), "low": _l("Lower than average: %(scales)s.")}
# A type's name, from the one or two parts of life on which its residents score clearly better ("better") or worse
# ("worse") than on the rest (analysis.types.type_name): short words in plain language, as in "strong network,
# little resilience".
TYPE_NAME_PARTS = {
    "who5": (_l("feels good"), _l("feels less good")),
    "djg": (_l("rarely lonely"), _l("often lonely")),
    "brs": (_l("much resilience"), _l("little resilience")),
    "mastery": (_l("in control of own life"), _l("little control over own life")),
    "life_satisfaction": (_l("satisfied with life"), _l("less satisfied with life")),
    "cohesion": (_l("close-knit neighbourhood"), _l("little contact in the neighbourhood")),
    "belonging": (_l("feels at home"), _l("feels little at home")),
    "ph_body": (_l("body in good shape"), _l("troubled by the body")),
    "ph_mind": (_l("strong in mind and feelings"), _l("struggles with mind and feelings")),
    "ph_meaning": (_l("finds meaning in life"), _l("finds little meaning in life")),
    "ph_quality": (_l("enjoys life"), _l("enjoys life less")),
    "ph_participation": (_l("takes part a lot"), _l("takes little part")),
    "ph_daily": (_l("copes well day to day"), _l("struggles day to day")),
    "parenting_confidence": (_l("confident as a parent"), _l("unsure as a parent")),
    "support_network": (_l("strong network"), _l("weak network")),
    "safety": (_l("feels safe"), _l("feels less safe")),
}
# a type that no part of life sets apart is named by its level (analysis.types.ResidentType.level, z units)
TYPE_LEVEL_NAMES = {
    "better": _l("better than average on everything"),
    "worse": _l("worse than average on everything"),
    "average": _l("about average, nothing stands out"),
}


@dataclass(frozen=True)
class TypeShare:
    instrument: str
    type_id: str
    description: str
    figure: Figure | None
    reference: Figure | None


def describe_type(slug: str, profile: Iterable[Sequence[str]], locale: str) -> str:
    """A type in words from its profile: on which scales it lies clearly above or below average."""
    profile = list(profile)
    parts = []
    for level in ("high", "low"):
        names = [
            measure_name(slug, feature.removesuffix("_score"), locale)
            for feature, described in profile
            if described == level
        ]
        if names:
            parts.append(str(LEVEL_SENTENCES[level]) % {"scales": ", ".join(names)})
    return " ".join(parts) if parts else _("About average on every scale.")


def type_name(slug: str, entry: dict, locale: str) -> str:
    """A stored type (see runs.snapshots) named by what sets it apart, e.g. "strong network, little resilience"; a
    type stored before types were named by their shape is described by its profile instead."""
    if "name" not in entry:
        return describe_type(slug, entry.get("profile", []), locale)
    parts = []
    for feature, direction in entry["name"]:
        scale = feature.removesuffix("_score")
        better, worse = TYPE_NAME_PARTS.get(scale, (None, None))
        phrase = better if direction == "better" else worse
        if phrase is None:
            template = (
                _("%(scale)s: higher than their other scores")
                if direction == "better"
                else _("%(scale)s: lower than their other scores")
            )
            phrase = template % {"scale": measure_name(slug, scale, locale)}
        parts.append(str(phrase))
    if len(parts) == 2:
        return _("%(first)s, %(second)s", first=parts[0], second=parts[1])
    if parts:
        return parts[0]
    level = entry.get("level", 0.0)
    return str(TYPE_LEVEL_NAMES["better" if level > 0.5 else "worse" if level < -0.5 else "average"])


def resident_types(profile: WaveProfile, area: Area, locale: str) -> dict[str, list[TypeShare]]:
    gm = profile.wave.municipality.code
    result = {}
    for slug, model in (profile.run.types or {}).items():
        shares = [
            TypeShare(
                slug,
                entry["id"],
                type_name(slug, entry, locale),
                profile.get(area.code, slug, f"type:{entry['id']}", "share"),
                None if area.is_municipality else profile.get(gm, slug, f"type:{entry['id']}", "share"),
            )
            for entry in model.get("types", [])
        ]
        if shares:
            result[slug] = shares
    return result
