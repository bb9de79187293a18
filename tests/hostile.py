"""Hostile values for the property-based tests: what a tester, a broken client or an attacker sends instead of an
answer, and the check that whatever was stored is a valid answer to the question."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from surveys.forms import has_control_characters
from surveys.instruments import Item

# Fast and repeatable: the same examples on every run, no timing-based failures, and one resident (or tablet) for
# all examples of a test, so that each example also checks that the answers of the ones before stayed. That shared
# state makes shrinking meaningless (a replayed example meets other stored answers): a failure is reported as found.
BATTERY = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What broke something once, or breaks databases and parsers in general: drawn more often than the rest.
NASTY = ("\x00", "nul\x00teken", "\ud800", "half \ud83d emoji", "\x07bel", "\u202eomgekeerd", "a" * 2001, "9" * 5000)
HOSTILE = (
    *NASTY,
    "",
    " ",
    "\x1b[31mrood",
    "tab\tje",
    "regel\r\nregel",
    "\u200f\u200e\u2066x\u2069",
    "\ufeff",
    "\udfff",
    "\U0001f4a5" * 40,
    "e\u0301",
    "\ue000",
    "a" * 201,
    "x" * 9000,
    "-1",
    "0",
    "1",
    "10",
    "11",
    "81",
    "999999999999999999999999",
    "1e3",
    "0x10",
    "\u0661\u0662",
    " 12 ",
    "+5",
    "1_000",
    "NaN",
    "inf",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "BU90010000",
    "1234 AB",
)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY), st.sampled_from(HOSTILE), st.text(max_size=30), st.integers(-(10**12), 10**12).map(str)
    )


def values_for(item: Item | None) -> st.SearchStrategy[list[str]]:
    """What a post sends for one field: nothing, one value or several (the same one twice, too), valid codes and
    values at and past every bound mixed with hostile text."""
    valid: list[str] = []
    if item is not None:
        valid = (
            [str(code) for code in item.codes]
            if item.type != "number"
            else [str(item.bounds[0] - 1), str(item.bounds[0]), str(item.bounds[1]), str(item.bounds[1] + 1)]
        )
        if item.max_length:
            valid += ["b" * item.max_length, "b" * (item.max_length + 1)]
    if not valid:
        return st.lists(hostile_text(), max_size=3)
    return st.one_of(
        st.lists(st.sampled_from(valid), max_size=3),
        st.lists(st.sampled_from(valid), min_size=1, max_size=3).map(lambda values: values + values[:1]),
        st.lists(st.one_of(st.sampled_from(valid), hostile_text()), max_size=3),
    )


def form_body(fields: dict[str, list[str]]) -> bytes:
    """A urlencoded body as a hostile client sends it: lone surrogates as their raw (invalid UTF-8) bytes."""
    return "&".join(
        f"{quote(name)}={quote_from_bytes(value.encode('utf-8', 'surrogatepass'))}"
        for name, values in fields.items()
        for value in values
    ).encode()


def is_valid_answer(item: Item, value: Any) -> bool:
    if item.type == "multiple":
        return isinstance(value, list) and all(code in item.codes for code in value) and len(set(value)) == len(value)
    if item.type == "number":
        return isinstance(value, int) and item.bounds[0] <= value <= item.bounds[1]
    if item.type in ("short_text", "long_text"):
        return (
            isinstance(value, str)
            and 0 < len(value) <= item.text_limit
            and value == value.strip()
            and not has_control_characters(value)
        )
    return value in item.codes
