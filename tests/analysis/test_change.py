"""Change since intake for wijkteam clients: improved / same / worse per area, from intake and latest follow-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.change import IMPROVED, OVERALL, SAME, WORSE, change_profiles, client_changes
from analysis.frames import area_table

BUURTEN = [f"BU0599{wijk:02d}{buurt:02d}" for wijk in range(1, 4) for buurt in range(1, 3)]
AREAS = area_table(BUURTEN)


def record(client: str, buurt: str, taken_at: str, **ratings: float | None) -> dict:
    return {
        "client_key": client,
        "buurt_code": buurt,
        "wijk_code": "WK" + buurt[2:8],
        "taken_at": taken_at,
        "ratings": ratings,
    }


def valid_interval(record, tolerance: float = 1e-12) -> bool:
    """The interval lies in [0, 1] and holds the share; Wilson bounds at 0 or n miss it by rounding only."""
    return (
        0 <= record.lower <= record.value + tolerance
        and record.value - tolerance <= record.upper <= 1
        and record.lower <= record.upper
    )


def find(records, area, measure, statistic="share"):
    return next(r for r in records if (r.area_code, r.measure, r.statistic) == (area, measure, statistic))


# Hand-made: "wonen" on 1..5, "geld" on 0..10. Per client the change in wonen and in overall (mean change after
# putting each domain on 0..10: wonen counts 10/4 per point).
SMALL = [
    record("a", "BU05990101", "2025-01-10", wonen=2, geld=4),  # wonen +2 (improved), geld +4; overall (5+4)/2
    record("a", "BU05990101", "2025-03-01", wonen=3, geld=6),  # an earlier follow-up: not the latest
    record("a", "BU05990101", "2025-06-01", wonen=4, geld=8),
    record("b", "BU05990101", "2025-02-01", wonen=3, geld=5),  # wonen 0 (same), geld 0; overall 0
    record("b", "BU05990101", "2025-08-01", wonen=3, geld=5),
    record("c", "BU05990102", "2025-02-01", wonen=5, geld=7),  # wonen -3 (worse), geld -2; overall (-7.5-2)/2
    record("c", "BU05990102", "2025-09-01", wonen=2, geld=5),
    record("d", "BU05990102", "2025-03-01", wonen=1, geld=2),  # intake only: no change to count
    record("e", "BU05990201", "2025-03-01", wonen=2, geld=3),  # intake and a same-moment duplicate: no follow-up
    record("e", "BU05990201", "2025-03-01", wonen=4, geld=3),
    record("f", "BU05990201", "2025-01-01", wonen=4),  # follow-up without a geld rating
    record("f", "BU05990201", "2025-05-01", wonen=4, geld=9),
]


def test_each_client_with_a_follow_up_is_compared_at_intake_and_latest_follow_up():
    changes = client_changes(reversed(SMALL)).set_index("client_key")  # input order does not matter
    assert list(changes.index) == ["a", "b", "c", "f"]
    assert changes.loc["a", ["wonen_intake", "wonen_follow_up", "geld_intake", "geld_follow_up"]].tolist() == [
        2,
        4,
        4,
        8,
    ]
    assert changes.loc["a", "intake_at"] == pd.Timestamp("2025-01-10")
    assert changes.loc["a", "follow_up_at"] == pd.Timestamp("2025-06-01")
    assert changes.loc["c", "buurt_code"] == "BU05990102" and changes.loc["c", "wijk_code"] == "WK059901"
    assert np.isnan(changes.loc["f", "geld_intake"]) and changes.loc["f", "geld_follow_up"] == 9


def test_clients_with_only_an_intake_are_not_counted_as_changed():
    records = change_profiles(SMALL, AREAS)
    assert find(records, "GM0599", "respondents", "n").value == 4
    assert find(records, "BU05990102", "respondents", "n").value == 1  # c, not d
    assert find(records, "BU05990201", "respondents", "n").value == 1  # f, not e
    assert find(records, "BU05990102", f"wonen:{IMPROVED}").n == 1
    only_intakes = [r for r in SMALL if r["client_key"] in ("d", "e")]
    assert change_profiles(only_intakes, AREAS) == []
    assert change_profiles([], AREAS) == []


def test_improved_same_and_worse_shares_per_area_in_a_small_case():
    records = change_profiles(SMALL, AREAS)
    wijk = {name: find(records, "WK059901", f"wonen:{name}") for name in (IMPROVED, SAME, WORSE)}
    assert [wijk[name].value for name in (IMPROVED, SAME, WORSE)] == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert all(item.n == 3 for item in wijk.values())
    assert find(records, "BU05990101", f"wonen:{IMPROVED}").value == 0.5
    assert find(records, "BU05990102", f"wonen:{WORSE}").value == 1.0
    assert find(records, "BU05990201", f"wonen:{SAME}").value == 1.0
    # geld: f has no intake rating, so only a, b and c count
    assert find(records, "GM0599", f"geld:{IMPROVED}").n == 3
    assert find(records, "GM0599", "geld", "mean_change").value == pytest.approx((4 + 0 - 2) / 3)
    overall = find(records, "GM0599", OVERALL, "mean_change")
    assert overall.value == pytest.approx(((5 + 4) / 2 + 0 + (-7.5 - 2) / 2 + 0) / 4)
    assert find(records, "GM0599", f"{OVERALL}:{IMPROVED}").value == 0.25
    assert find(records, "GM0599", f"{OVERALL}:{SAME}").value == 0.5  # b, and f with wonen unchanged
    assert find(records, "GM0599", f"{OVERALL}:{WORSE}").value == 0.25


def test_given_ranges_and_thresholds_decide_the_categories():
    records = change_profiles(SMALL, AREAS, min_change=3.0, ranges={"wonen": (0.0, 10.0)})
    assert find(records, "GM0599", f"wonen:{SAME}").value == 0.75  # only c moved 3 points
    overall = find(records, "GM0599", OVERALL, "mean_change")
    assert overall.value == pytest.approx(((2 + 4) / 2 + 0 + (-3 - 2) / 2 + 0) / 4)


def planted_clients(seed: int = 5, per_buurt: int = 60) -> list[dict]:
    """Clients rated on two 1..5 domains; most improve in wijk 1, stay the same in wijk 2, get worse in wijk 3.
    A quarter have only an intake, some have several follow-ups."""
    rng = np.random.default_rng(seed)
    drift = {"WK059901": 1.5, "WK059902": 0.0, "WK059903": -1.5}
    records = []
    for buurt in BUURTEN:
        for number in range(per_buurt):
            client = f"{buurt}-{number}"
            intake = {domain: int(rng.integers(2, 5)) for domain in ("wonen", "gezondheid")}
            records.append(record(client, buurt, "2025-01-01", **intake))
            if rng.random() < 0.25:
                continue
            for month in range(1, int(rng.integers(2, 4))):
                rating = {
                    domain: int(np.clip(value + np.round(rng.normal(drift["WK" + buurt[2:8]], 0.7)), 1, 5))
                    for domain, value in intake.items()
                }
                records.append(record(client, buurt, f"2025-{month * 3 + 1:02d}-01", **rating))
    return records


def test_shares_agree_with_a_plain_computation_and_intervals_are_valid():
    clients = planted_clients()
    records = change_profiles(clients, AREAS)
    frame = pd.DataFrame(
        [
            {
                "client": r["client_key"],
                "wijk": r["wijk_code"],
                "buurt": r["buurt_code"],
                "at": r["taken_at"],
                **r["ratings"],
            }
            for r in clients
        ]
    ).sort_values(["client", "at"])
    first, last = (
        frame.groupby("client").head(1).set_index("client"),
        frame.groupby("client").tail(1).set_index("client"),
    )
    changed = last["at"] > first.loc[last.index, "at"]
    delta = (last["wonen"] - first.loc[last.index, "wonen"])[changed]
    wijk = first.loc[delta.index, "wijk"]
    for code, group in delta.groupby(wijk):
        for name, share in (
            (IMPROVED, (group >= 1).mean()),
            (SAME, (group.abs() < 1).mean()),
            (WORSE, (group <= -1).mean()),
        ):
            result = find(records, code, f"wonen:{name}")
            assert result.value == pytest.approx(share) and result.n == len(group)
    assert find(records, "WK059901", f"{OVERALL}:{IMPROVED}").value > 0.7
    assert find(records, "WK059903", f"{OVERALL}:{WORSE}").value > 0.7
    assert (
        find(records, "WK059901", f"{OVERALL}:{IMPROVED}").lower
        > find(records, "WK059903", f"{OVERALL}:{IMPROVED}").upper
    )
    shares = [r for r in records if r.statistic == "share"]
    assert shares and all(valid_interval(r) for r in shares)
    for family in {r.measure.split(":")[0] for r in shares}:
        for area in AREAS.index:
            parts = [r.value for r in shares if r.area_code == area and r.measure.startswith(f"{family}:")]
            assert sum(parts) == pytest.approx(1.0)
    means = [r for r in records if r.statistic == "mean_change" and r.n >= 2]
    assert means and all(r.lower <= r.value <= r.upper for r in means)
    assert {r.area_level for r in records} == {"municipality", "wijk", "buurt"}
    assert all(r.instrument == "wijkteam" for r in records)


def test_how_often_the_worker_rated_otherwise_counts_each_client_once_at_their_latest_conversation():
    from analysis.change import WORKER_DIFFERS, rating_differences

    records = [
        {**record("a", "BU05990101", "2025-01-10", wonen=2, geld=4), "worker_ratings": {"wonen": 3}},
        {**record("a", "BU05990101", "2025-06-01", wonen=4, geld=8), "worker_ratings": {"geld": 6}},  # latest
        {**record("b", "BU05990101", "2025-02-01", wonen=3, geld=5), "worker_ratings": {}},
        record("c", "BU05990102", "2025-02-01", wonen=5),  # no worker's rating: agreement
    ]
    found = rating_differences(records, AREAS)
    wijk = "WK059901"
    assert find(found, wijk, f"wonen:{WORKER_DIFFERS}").value == 0  # a's earlier difference is not the latest
    geld = find(found, wijk, f"geld:{WORKER_DIFFERS}")
    assert (geld.value, geld.n) == (0.5, 2) and valid_interval(geld)
    overall = find(found, wijk, f"{OVERALL}:{WORKER_DIFFERS}")
    assert (overall.value, overall.n) == (pytest.approx(1 / 3), 3)  # clients, not conversations or ratings
    assert find(found, "BU05990102", f"wonen:{WORKER_DIFFERS}").n == 1
