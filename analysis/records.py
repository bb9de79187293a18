"""The one flat shape in which every aggregated figure leaves an analysis run: ProfileRecord."""

from __future__ import annotations

from dataclasses import dataclass, replace

LEVELS = ("municipality", "wijk", "buurt")

# Flags a record can carry.
SUPPRESSED = "suppressed"  # hidden by disclosure control: value, interval and n are None
# Every suppressed record also says why (flags column room: "suppressed suppressed_complementary" is 35 characters):
SUPPRESSED_SMALL = "suppressed_small"  # fewer respondents (or people in a band) than the threshold
SUPPRESSED_COMPLEMENTARY = "suppressed_complementary"  # hidden so that a small group elsewhere cannot be worked out
INDICATIVE = "indicative"  # fewer respondents than the indicative threshold (default 30)
LOWER_THAN_REST = "lower_than_rest"
HIGHER_THAN_REST = "higher_than_rest"
WEIGHTED = "weighted"  # weighted to the population (raked per buurt: analysis.weighting.raked_weights)
# A model estimate (analysis.smallarea): "model estimate: based on the survey and neighbourhood figures", shown
# beside the direct figure and never in its place; SYNTHETIC_ONLY: from the regression part alone, because the
# buurt's own direct figure is suppressed or absent.
MODEL = "model"
SYNTHETIC_ONLY = "synthetic"


@dataclass(frozen=True)
class ProfileRecord:
    """One figure for one area.

    Conventions for `measure`:
    - "respondents": statistics "n" and "response_rate", with weights also "design_effect" and "effective_n";
    - a score column without "_score" ("cohesion", "djg_emotional"): "mean", "sd", "diff_vs_rest", "p_vs_rest",
      "mean_weighted", "effective_n", "alpha", and with weights "diff_vs_rest_weighted", "p_vs_rest_weighted" (the
      difference from the rest tested on the weighted figures, with their effective n);
    - "family:member" is member `member` of a partition of the area's respondents (a scale's bands such as
      "djg:severe", resident types "type:T2", change categories "overall:improved"): statistic "share" (with n the
      size of the partition), "diff_vs_rest", "p_vs_rest", "share_weighted", "diff_vs_rest_weighted",
      "p_vs_rest_weighted";
    - "question@theme" is an open-answer theme ("open_better@nl-3"): statistic "share"; answers can carry several
      themes, so these are no partition.
    - statistics "mean_model" and "share_model" (buurten only, flag MODEL) are model estimates beside the direct
      "mean" and "share" (analysis.smallarea); n is the direct figure's, None where that is suppressed.
    `n` is the number of respondents (or answers, or clients) the statistic is computed on.
    """

    area_code: str
    area_level: str
    instrument: str
    measure: str
    statistic: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    n: int | None = None
    flags: tuple[str, ...] = ()

    def with_flags(self, *flags: str) -> ProfileRecord:
        return replace(self, flags=tuple(dict.fromkeys(self.flags + flags)))

    @property
    def family(self) -> str | None:
        """The partition this record's measure belongs to ("djg" for "djg:severe"), or None."""
        return self.measure.split(":", 1)[0] if ":" in self.measure else None


def clean(value: float | None) -> float | None:
    """A numpy or float value as a plain float, NaN as None, so records compare and serialise simply."""
    if value is None:
        return None
    value = float(value)
    return None if value != value else value
