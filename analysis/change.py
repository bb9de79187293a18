"""Change for wijkteam clients: intake against the latest follow-up, per domain and overall, per area."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.inference import t_interval, wilson_interval
from analysis.profiles import area_groups
from analysis.records import ProfileRecord, clean

OVERALL = "overall"
IMPROVED, SAME, WORSE = "improved", "same", "worse"
WORKER_DIFFERS = "worker_differs"


def client_changes(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per client with a follow-up: client_key, buurt_code, wijk_code, intake_at, follow_up_at and, per
    domain, the rating at intake (`<domain>_intake`) and follow-up (`<domain>_follow_up`).

    The intake is the client's earliest record; the follow-up is the latest record taken after it. Clients with one
    record, or all records at the same moment, have no follow-up and are left out. Area codes are the intake's.
    """
    rows = [
        {
            "client_key": record["client_key"],
            "buurt_code": record.get("buurt_code"),
            "wijk_code": record.get("wijk_code"),
            "taken_at": pd.Timestamp(record["taken_at"]),
            **{f"r:{domain}": value for domain, value in (record.get("ratings") or {}).items()},
        }
        for record in records
    ]
    if not rows:
        return pd.DataFrame(columns=["client_key", "buurt_code", "wijk_code", "intake_at", "follow_up_at"])
    frame = pd.DataFrame(rows).sort_values(["client_key", "taken_at"], kind="stable")
    intake = frame.groupby("client_key", sort=True).head(1).set_index("client_key")
    follow = frame.groupby("client_key", sort=True).tail(1).set_index("client_key")
    follow = follow[follow["taken_at"] > intake.loc[follow.index, "taken_at"]]
    intake = intake.loc[follow.index]
    domains = sorted(column[2:] for column in frame.columns if column.startswith("r:"))
    result = pd.DataFrame(
        {
            "client_key": follow.index,
            "buurt_code": intake["buurt_code"].to_numpy(),
            "wijk_code": intake["wijk_code"].to_numpy(),
            "intake_at": intake["taken_at"].to_numpy(),
            "follow_up_at": follow["taken_at"].to_numpy(),
        }
    )
    for domain in domains:
        result[f"{domain}_intake"] = pd.to_numeric(intake[f"r:{domain}"], errors="coerce").to_numpy()
        result[f"{domain}_follow_up"] = pd.to_numeric(follow[f"r:{domain}"], errors="coerce").to_numpy()
    return result


def _scale_range(values: np.ndarray) -> tuple[float, float]:
    """1..5 when every rating lies in it, else 0..10 (the two rating forms of the interview)."""
    present = values[~np.isnan(values)]
    return (1.0, 5.0) if present.size and present.min() >= 1 and present.max() <= 5 else (0.0, 10.0)


def change_profiles(
    records: Iterable[Mapping[str, Any]],
    areas: pd.DataFrame,
    *,
    instrument: str = "wijkteam",
    min_change: float = 1.0,
    overall_min_change: float = 0.5,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    confidence: float = 0.95,
) -> list[ProfileRecord]:
    """Per area and domain: shares improved / same / worse (Wilson intervals; measure "<domain>:improved" etc.)
    and the mean change ("mean_change", t interval), plus the same for "overall"; clients with a follow-up per area
    as measure "respondents", statistic "n".

    A domain improved when its follow-up rating is at least `min_change` points above intake. Overall is the mean
    change over a client's rated domains after putting each on 0..10 (domain ranges from `ranges`, else 1..5 or
    0..10 from the data), improved when at least `overall_min_change` on that 0..10 scale.
    """
    changes = client_changes(records)
    ranges = dict(ranges or {})
    measures: dict[str, tuple[np.ndarray, float]] = {}
    rescaled = []
    domains = sorted(column.removesuffix("_intake") for column in changes.columns if column.endswith("_intake"))
    for domain in domains:
        before = changes[f"{domain}_intake"].to_numpy(dtype=float)
        after = changes[f"{domain}_follow_up"].to_numpy(dtype=float)
        low, high = ranges.get(domain) or _scale_range(np.concatenate([before, after]))
        delta = after - before
        measures[domain] = (delta, min_change)
        rescaled.append(delta * 10.0 / (high - low))
    if rescaled:
        stacked = np.vstack(rescaled)
        counted = (~np.isnan(stacked)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            overall = np.where(counted > 0, np.nansum(stacked, axis=0) / np.maximum(counted, 1), np.nan)
        measures[OVERALL] = (overall, overall_min_change)
    output = []
    for groups in area_groups(changes, areas):
        size = len(groups.codes)
        clients = np.bincount(groups.index[groups.index >= 0], minlength=size)
        for area in np.flatnonzero(clients > 0):
            output.append(
                ProfileRecord(
                    area_code=groups.codes[area],
                    area_level=groups.level,
                    instrument=instrument,
                    measure="respondents",
                    statistic="n",
                    value=float(clients[area]),
                    n=int(clients[area]),
                )
            )
        for measure, (delta, threshold) in measures.items():
            valid = ~np.isnan(delta) & (groups.index >= 0)
            index = groups.index[valid]
            values = delta[valid]
            n = np.bincount(index, minlength=size).astype(float)
            sums = np.bincount(index, weights=values, minlength=size)
            squares = np.bincount(index, weights=values * values, minlength=size)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = sums / n
                sd = np.sqrt(np.maximum(squares - sums * sums / n, 0) / (n - 1))
            lower, upper = t_interval(mean, sd, n, confidence)
            categories = {IMPROVED: values >= threshold, SAME: np.abs(values) < threshold, WORSE: values <= -threshold}
            counts = {name: np.bincount(index, weights=flag, minlength=size) for name, flag in categories.items()}
            intervals = {name: wilson_interval(count, n, confidence) for name, count in counts.items()}
            for area in np.flatnonzero(n > 0):
                common: dict[str, Any] = {
                    "area_code": groups.codes[area],
                    "area_level": groups.level,
                    "instrument": instrument,
                    "n": int(n[area]),
                }
                output.append(
                    ProfileRecord(
                        measure=measure,
                        statistic="mean_change",
                        value=clean(mean[area]),
                        lower=clean(lower[area]),
                        upper=clean(upper[area]),
                        **common,
                    )
                )
                for name in (IMPROVED, SAME, WORSE):
                    share_low, share_high = intervals[name]
                    output.append(
                        ProfileRecord(
                            measure=f"{measure}:{name}",
                            statistic="share",
                            value=clean(counts[name][area] / n[area]),
                            lower=clean(share_low[area]),
                            upper=clean(share_high[area]),
                            **common,
                        )
                    )
    return output


def rating_differences(
    records: Iterable[Mapping[str, Any]], areas: pd.DataFrame, *, instrument: str = "wijkteam", confidence: float = 0.95
) -> list[ProfileRecord]:
    """Per area and domain, the share of clients whose worker rated the domain otherwise than the client at their
    latest conversation (measure "<domain>:worker_differs", Wilson interval), over the clients who rated it; as
    "overall:worker_differs" the share of clients with any domain rated otherwise. n counts clients, as every
    figure under disclosure control does. A worker who agrees leaves their rating empty: no worker's rating is
    agreement."""
    latest: dict[Any, Mapping[str, Any]] = {}
    for record in sorted(records, key=lambda record: pd.Timestamp(record["taken_at"])):
        latest[record["client_key"]] = record
    rows = []
    for record in latest.values():
        worker = record.get("worker_ratings") or {}
        rated = list(record.get("ratings") or {})
        for domain in rated:
            rows.append((record.get("buurt_code"), record.get("wijk_code"), domain, float(domain in worker)))
        if rated:
            rows.append(
                (
                    record.get("buurt_code"),
                    record.get("wijk_code"),
                    OVERALL,
                    float(any(domain in worker for domain in rated)),
                )
            )
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["buurt_code", "wijk_code", "domain", "differs"])
    output = []
    for groups in area_groups(frame, areas):
        size = len(groups.codes)
        for domain, members in frame.groupby("domain", sort=True).indices.items():
            index = groups.index[members]
            valid = index >= 0
            n = np.bincount(index[valid], minlength=size).astype(float)
            count = np.bincount(index[valid], weights=frame["differs"].to_numpy()[members][valid], minlength=size)
            low, high = wilson_interval(count, n, confidence)
            for area in np.flatnonzero(n > 0):
                output.append(
                    ProfileRecord(
                        area_code=groups.codes[area],
                        area_level=groups.level,
                        instrument=instrument,
                        measure=f"{domain}:{WORKER_DIFFERS}",
                        statistic="share",
                        value=clean(count[area] / n[area]),
                        lower=clean(low[area]),
                        upper=clean(high[area]),
                        n=int(n[area]),
                    )
                )
    return output
