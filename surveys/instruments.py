"""Load and validate instrument definitions (YAML files in surveys/instruments/) into immutable value objects."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import yaml

from config import LANGUAGES

INSTRUMENT_DIR = Path(__file__).parent / "instruments"
ITEM_TYPES = ("scale_0_10", "likert", "single", "multiple", "yesno", "number", "short_text", "long_text")
CHOICE_TYPES = ("likert", "single", "multiple")
TEXT_TYPES = ("short_text", "long_text")
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 2000}
TRANSLATION_STATUSES = ("source", "validated", "not_validated")
BAND_BOUNDS = ("lt", "le", "gt", "ge")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_]*$")

Text = dict[str, str]


class InstrumentError(ValueError):
    """An instrument file is invalid; `problems` lists every problem as 'file: item: problem'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def localise(text: Text | None, locale: str) -> str:
    if not text:
        return ""
    return text.get(locale) or text["nl"]


@dataclass(frozen=True)
class Option:
    code: int | str
    label: Text


@dataclass(frozen=True)
class ShowIf:
    item: str
    values: tuple[Any, ...]

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.item)
        if isinstance(value, list):
            return any(v in self.values for v in value)
        return value in self.values


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: Text
    page_id: str
    help: Text | None = None
    options: tuple[Option, ...] = ()
    anchors: dict[str, Text] | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    show_if: ShowIf | None = None
    open_question: bool = False

    @property
    def codes(self) -> tuple[Any, ...]:
        if self.type == "scale_0_10":
            return tuple(range(11))
        if self.type == "yesno":
            return ("yes", "no")
        return tuple(option.code for option in self.options)

    def numeric_range(self) -> tuple[int, int] | None:
        """Lowest and highest numeric value of this item, or None when its values are not numbers."""
        if self.type == "number" and self.min is not None and self.max is not None:  # the loader requires both
            return (self.min, self.max)
        codes = self.codes
        if codes and all(isinstance(code, int) and not isinstance(code, bool) for code in codes):
            return (min(codes), max(codes))
        return None

    @property
    def bounds(self) -> tuple[int, int]:
        """numeric_range() of an item whose values are numbers (a number item, a scale)."""
        found = self.numeric_range()
        if found is None:
            raise InstrumentError([f"item {self.id}: its values are not numbers"])
        return found

    @property
    def text_limit(self) -> int:
        """The most characters an answer to a text item may have (the loader gives every text item one)."""
        if self.max_length is None:
            raise InstrumentError([f"item {self.id}: not a text item"])
        return self.max_length

    def is_visible(self, answers: dict[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    items: tuple[Item, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class Band:
    code: str
    label: Text | None
    bounds: dict[str, Fraction]

    def contains(self, value: Fraction) -> bool:
        checks = {
            "lt": lambda bound: value < bound,
            "le": lambda bound: value <= bound,
            "gt": lambda bound: value > bound,
            "ge": lambda bound: value >= bound,
        }
        return all(checks[name](bound) for name, bound in self.bounds.items())


@dataclass(frozen=True)
class Scale:
    id: str
    name: Text
    citation: str
    items: tuple[str, ...]
    method: str
    min_answered: int
    value_range: tuple[Fraction, Fraction]
    value_map: dict[Any, Fraction] = field(default_factory=dict)
    item_value_map: dict[str, dict[Any, Fraction]] = field(default_factory=dict)
    reverse: frozenset[str] = frozenset()
    rescale: tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]] | None = None
    subscales: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: int
    title: Text
    description: Text
    audience: dict[str, int]
    minutes: int
    translations: dict[str, dict[str, str]]
    pages: tuple[Page, ...]
    scales: tuple[Scale, ...]
    content_hash: str
    definition: dict[str, Any]
    interview_only: bool = False  # taken by wijkteam workers with the resident, never offered for self-completion

    @property
    def for_young_people(self) -> bool:
        """Whether the questionnaire is for young people (its audience ends under 18): the pages then address them
        informally (translations/README.md, surveys/register.py)."""
        max_age = self.audience.get("max_age")
        return max_age is not None and int(max_age) < 18

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for page in self.pages for item in page.items)

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def counting_items(self) -> frozenset[str]:
        """The questions that make a response count once one of them is answered: a scored question (part of a
        scale), a rating, or an open question. Background questions (age band, gender, household) alone do not:
        a response with only those says nothing about anyone's life and would inflate the response rate."""
        scored = {item_id for scale in self.scales for item_id in scale.items}
        return frozenset(
            item.id
            for item in self.items
            if item.id in scored or item.open_question or item.type in ("likert", "scale_0_10", "long_text")
        )

    def counts(self, answers: dict[str, Any]) -> bool:
        """Whether a response with these answers counts (see counting_items)."""
        return any(answers.get(item_id) not in (None, "", []) for item_id in self.counting_items)

    @property
    def item_ids(self) -> frozenset[str]:
        return frozenset(self.items_by_id)

    def item(self, item_id: str) -> Item:
        return self.items_by_id[item_id]

    def rated_items(self) -> list[Item]:
        """Ratings of an area of life: items of a scale answered on 1..5 or 0..10 (the wijkteam's life domains and
        the six dimensions), which an interview compares over time and client and worker may both rate."""
        scored = {item_id for scale in self.scales for item_id in scale.items}
        return [item for item in self.items if item.id in scored and item.type in ("likert", "scale_0_10")]

    def scale(self, scale_id: str) -> Scale:
        return next(scale for scale in self.scales if scale.id == scale_id)

    def visible_items(self, page: Page, answers: dict[str, Any]) -> tuple[Item, ...]:
        return tuple(item for item in page.items if item.is_visible(answers))


class _Checker:
    """Collects problems while walking a definition, so one run reports all of them."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def text(self, value: Any, where: str, required: bool = True) -> Text | None:
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.problem(where, "must be a mapping of language to text")
            return None
        missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()]
        unknown = sorted(set(value) - set(LANGUAGES))
        if missing:
            self.problem(where, f"text missing in {', '.join(missing)}")
        if unknown:
            self.problem(where, f"unknown language(s) {', '.join(map(str, unknown))}")
        return {lang: str(value.get(lang, "")).strip() for lang in LANGUAGES}

    def number(self, value: Any, where: str) -> Fraction | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"must be a number, not {value!r}")
            return None
        # via str: 4.3 means exactly 43/10, not the nearest binary float
        return Fraction(str(value))


def _options(checker: _Checker, raw: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        checker.problem(where, "options must be a non-empty list")
        return ()
    options, seen = [], set()
    for index, entry in enumerate(raw):
        spot = f"{where}: option {index + 1}"
        if not isinstance(entry, dict) or "code" not in entry:
            checker.problem(spot, "must have a code and a label")
            continue
        code = entry["code"]
        valid_code = (isinstance(code, int) and not isinstance(code, bool)) or (
            isinstance(code, str) and _CODE.match(code)
        )
        if not valid_code:
            checker.problem(spot, f"code {code!r} must be an integer or lower_snake_case")
        if code in seen:
            checker.problem(spot, f"duplicate code {code!r}")
        seen.add(code)
        label = checker.text(entry.get("label"), f"{spot} label")
        options.append(Option(code=code, label=label or {}))
    return tuple(options)


def _item(checker: _Checker, raw: Any, page_id: str, option_sets: dict, earlier: dict[str, Item]) -> Item | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        checker.problem(f"page {page_id}", "every item needs an id")
        return None
    item_id = raw["id"]
    where = f"item {item_id}"
    if not _ID.match(item_id):
        checker.problem(where, "id must be lower_snake_case")
    known = {"id", "type", "text", "help", "options", "anchors", "min", "max", "max_length", "show_if", "open_question"}
    for key in sorted(set(raw) - known):
        checker.problem(where, f"unknown key {key!r}")
    item_type = raw.get("type")
    if item_type not in ITEM_TYPES:
        checker.problem(where, f"type {item_type!r} is not one of {', '.join(ITEM_TYPES)}")
        return None
    options: tuple[Option, ...] = ()
    if item_type in CHOICE_TYPES:
        ref = raw.get("options")
        if isinstance(ref, str):
            if ref not in option_sets:
                checker.problem(where, f"unknown option set {ref!r}")
            options = option_sets.get(ref, ())
        else:
            options = _options(checker, ref, where)
        if item_type == "likert" and not all(isinstance(o.code, int) for o in options):
            checker.problem(where, "likert options need integer codes")
    elif "options" in raw:
        checker.problem(where, f"type {item_type} takes no options")
    anchors = None
    if item_type == "scale_0_10":
        raw_anchors = raw.get("anchors")
        if not isinstance(raw_anchors, dict) or set(raw_anchors) != {"low", "high"}:
            checker.problem(where, "a scale_0_10 item needs anchors with low and high")
        else:
            anchors = {key: checker.text(raw_anchors[key], f"{where} anchor {key}") or {} for key in ("low", "high")}
    minimum = maximum = None
    if item_type == "number":
        minimum, maximum = raw.get("min"), raw.get("max")
        if not (isinstance(minimum, int) and isinstance(maximum, int) and minimum < maximum):
            checker.problem(where, "a number item needs integer min and max with min < max")
    max_length = None
    if item_type in TEXT_TYPES:
        max_length = raw.get("max_length", DEFAULT_MAX_LENGTH[item_type])
        if not isinstance(max_length, int) or not 1 <= max_length <= 5000:
            checker.problem(where, "max_length must be an integer from 1 to 5000")
    show_if = None
    if "show_if" in raw:
        cond = raw["show_if"]
        if not isinstance(cond, dict) or not isinstance(cond.get("item"), str) or not isinstance(cond.get("in"), list):
            checker.problem(where, "show_if needs 'item' and a list 'in'")
        elif cond["item"] not in earlier:
            checker.problem(where, f"show_if refers to {cond['item']!r}, which is not an item on an earlier page")
        else:
            target = earlier[cond["item"]]
            bad = [value for value in cond["in"] if value not in target.codes]
            if bad:
                checker.problem(where, f"show_if values {bad!r} are not answers of {target.id}")
            show_if = ShowIf(item=cond["item"], values=tuple(cond["in"]))
    open_question = bool(raw.get("open_question", False))
    if open_question and item_type not in TEXT_TYPES:
        checker.problem(where, "only text items can be open questions")
    return Item(
        id=item_id,
        type=item_type,
        text=checker.text(raw.get("text"), where) or {},
        help=checker.text(raw.get("help"), f"{where} help", required=False),
        page_id=page_id,
        options=options,
        anchors=anchors,
        min=minimum,
        max=maximum,
        max_length=max_length,
        show_if=show_if,
        open_question=open_question,
    )


def _numeric_map(checker: _Checker, raw: Any, where: str) -> dict[Any, Fraction]:
    if not isinstance(raw, dict):
        checker.problem(where, "must map answer codes to numbers")
        return {}
    return {
        code: value for code, number in raw.items() if (value := checker.number(number, f"{where} {code}")) is not None
    }


def _item_value_range(checker: _Checker, scale: dict, item: Item, where: str) -> tuple[Fraction, Fraction] | None:
    mapping = (scale.get("item_value_map") or {}).get(item.id) or scale.get("value_map")
    if mapping:
        unmapped = [code for code in item.codes if code not in mapping]
        if unmapped:
            checker.problem(where, f"value map does not cover answers {unmapped!r} of {item.id}")
            return None
        values = [Fraction(str(mapping[code])) for code in item.codes]
        return (min(values), max(values))
    numeric = item.numeric_range()
    if numeric is None:
        checker.problem(where, f"item {item.id} has no numeric values; give a value_map")
        return None
    return (Fraction(numeric[0]), Fraction(numeric[1]))


def _scale(checker: _Checker, raw: Any, items: dict[str, Item]) -> Scale | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        checker.problem("scales", "every scale needs an id")
        return None
    where = f"scale {raw['id']}"
    known = {
        "id",
        "name",
        "citation",
        "items",
        "method",
        "min_answered",
        "value_map",
        "item_value_map",
        "reverse",
        "rescale",
        "range",
        "subscales",
        "bands",
    }
    for key in sorted(set(raw) - known):
        checker.problem(where, f"unknown key {key!r}")
    scale_items = raw.get("items")
    if not isinstance(scale_items, list) or not scale_items:
        checker.problem(where, "needs a non-empty list of items")
        return None
    missing = [item_id for item_id in scale_items if item_id not in items]
    if missing:
        checker.problem(where, f"unknown item(s) {', '.join(map(str, missing))}")
        return None
    if not isinstance(raw.get("citation"), str) or not raw["citation"].strip():
        checker.problem(where, "needs a citation")
    method = raw.get("method")
    if method not in ("sum", "mean"):
        checker.problem(where, "method must be sum or mean")
        return None
    min_answered = raw.get("min_answered", len(scale_items))
    if not isinstance(min_answered, int) or not 1 <= min_answered <= len(scale_items):
        checker.problem(where, f"min_answered must be from 1 to {len(scale_items)}")
    reverse = raw.get("reverse") or []
    for item_id in reverse:
        if item_id not in scale_items:
            checker.problem(where, f"reversed item {item_id} is not in the scale")
    ranges = {}
    for item_id in scale_items:
        item_range = _item_value_range(checker, raw, items[item_id], where)
        if item_range is None:
            return None
        ranges[item_id] = item_range
    low = sum((r[0] for r in ranges.values()), Fraction(0))
    high = sum((r[1] for r in ranges.values()), Fraction(0))
    if method == "mean":
        low, high = low / len(scale_items), high / len(scale_items)
    rescale = None
    if "rescale" in raw:
        spec = raw["rescale"]
        try:
            source = tuple(Fraction(str(v)) for v in spec["from"])
            target = tuple(Fraction(str(v)) for v in spec["to"])
            if len(source) != 2 or len(target) != 2 or source[0] == source[1]:
                raise ValueError("not two points a != b")  # an explicit check: `assert` vanishes under python -O
        except (TypeError, KeyError, ValueError):
            checker.problem(where, "rescale needs from: [a, b] and to: [c, d] with a != b")
        else:
            if source != (low, high):
                checker.problem(
                    where, f"rescale from {spec['from']} but the raw score runs {float(low):g}..{float(high):g}"
                )
            rescale = (source, target)
            low, high = target
    declared = raw.get("range")
    if not isinstance(declared, list) or len(declared) != 2:
        checker.problem(where, "needs range: [lowest, highest] of the final score")
    elif (Fraction(str(declared[0])), Fraction(str(declared[1]))) != (low, high):
        checker.problem(where, f"range {declared} does not match the computed range {float(low):g}..{float(high):g}")
    subscales = {}
    for name, sub_items in (raw.get("subscales") or {}).items():
        if not isinstance(sub_items, list) or not set(sub_items) <= set(scale_items):
            checker.problem(where, f"subscale {name} must list items of the scale")
        else:
            subscales[str(name)] = tuple(sub_items)
    bands = []
    for index, band in enumerate(raw.get("bands") or []):
        spot = f"{where} band {index + 1}"
        if not isinstance(band, dict) or not isinstance(band.get("code"), str) or not _CODE.match(band["code"]):
            checker.problem(spot, "needs a lower_snake_case code")
            continue
        bounds = {key: checker.number(band[key], f"{spot} {key}") for key in BAND_BOUNDS if key in band}
        if not bounds:
            checker.problem(spot, "needs at least one bound (lt, le, gt, ge)")
        checked = {key: value for key, value in bounds.items() if value is not None}
        if len(checked) < len(bounds):
            continue
        label = checker.text(band.get("label"), f"{spot} label", required=False)
        bands.append(Band(code=band["code"], label=label, bounds=checked))
    codes = [band.code for band in bands]
    if len(codes) != len(set(codes)):
        checker.problem(where, "band codes must be unique")
    item_value_map = {
        item_id: _numeric_map(checker, mapping, f"{where} item_value_map {item_id}")
        for item_id, mapping in (raw.get("item_value_map") or {}).items()
    }
    return Scale(
        id=raw["id"],
        name=checker.text(raw.get("name"), f"{where} name") or {},
        citation=str(raw.get("citation", "")),
        items=tuple(scale_items),
        method=method,
        min_answered=min_answered if isinstance(min_answered, int) else len(scale_items),
        value_range=(low, high),
        value_map=_numeric_map(checker, raw["value_map"], f"{where} value_map") if "value_map" in raw else {},
        item_value_map=item_value_map,
        reverse=frozenset(reverse),
        rescale=rescale,
        subscales=subscales,
        bands=tuple(bands),
    )


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_instrument(definition: Any, source: str, expected_slug: str | None = None) -> Instrument:
    """Validate a definition (parsed YAML or a stored copy) and build the Instrument; raise with every problem."""
    checker = _Checker(source)
    if not isinstance(definition, dict):
        raise InstrumentError([f"{source}: file: must be a mapping"])
    slug = definition.get("slug")
    if not isinstance(slug, str) or not _ID.match(slug):
        checker.problem("file", "slug must be lower_snake_case")
    elif expected_slug and slug != expected_slug:
        checker.problem("file", f"slug {slug!r} differs from the file name {expected_slug!r}")
    version = definition.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        checker.problem("file", "version must be a positive integer")
    translations = definition.get("translations")
    if not isinstance(translations, dict) or set(translations) != set(LANGUAGES):
        checker.problem("translations", f"must give a status for each of {', '.join(LANGUAGES)}")
        translations = {}
    for lang, info in translations.items():
        if not isinstance(info, dict) or info.get("status") not in TRANSLATION_STATUSES:
            checker.problem(f"translations {lang}", f"status must be one of {', '.join(TRANSLATION_STATUSES)}")
    option_sets = {
        name: _options(checker, raw, f"option set {name}")
        for name, raw in (definition.get("option_sets") or {}).items()
    }
    pages: list[Page] = []
    items: dict[str, Item] = {}
    raw_pages = definition.get("pages")
    if not isinstance(raw_pages, list) or not raw_pages:
        checker.problem("pages", "must be a non-empty list")
        raw_pages = []
    page_ids = set()
    for raw_page in raw_pages:
        page_id = raw_page.get("id") if isinstance(raw_page, dict) else None
        if not isinstance(page_id, str) or not _ID.match(page_id) or page_id in page_ids:
            checker.problem("pages", f"page id {page_id!r} must be unique lower_snake_case")
            continue
        page_ids.add(page_id)
        page_items = []
        earlier = dict(items)  # show_if may only look back at earlier pages
        for raw_item in raw_page.get("items") or []:
            item = _item(checker, raw_item, page_id, option_sets, earlier)
            if item is None:
                continue
            if item.id in items:
                checker.problem(f"item {item.id}", "duplicate id")
                continue
            items[item.id] = item
            page_items.append(item)
        if not page_items:
            checker.problem(f"page {page_id}", "has no items")
        pages.append(
            Page(
                id=page_id,
                title=checker.text(raw_page.get("title"), f"page {page_id} title") or {},
                intro=checker.text(raw_page.get("intro"), f"page {page_id} intro", required=False),
                items=tuple(page_items),
            )
        )
    scales = []
    for raw_scale in definition.get("scales") or []:
        scale = _scale(checker, raw_scale, items)
        if scale is not None:
            scales.append(scale)
    scale_ids = [scale.id for scale in scales]
    if len(scale_ids) != len(set(scale_ids)):
        checker.problem("scales", "scale ids must be unique")
    interview_only = definition.get("interview_only", False)
    if not isinstance(interview_only, bool):
        checker.problem("file", "interview_only must be true or false")
    title = checker.text(definition.get("title"), "title")
    description = checker.text(definition.get("description"), "description")
    if checker.problems:
        raise InstrumentError(checker.problems)
    # every check passed: the values are what they were checked to be
    return Instrument(
        slug=cast(str, slug),
        version=cast(int, version),
        title=cast(Text, title),
        description=cast(Text, description),
        audience=dict(definition.get("audience") or {}),
        minutes=int(definition.get("minutes", 10)),
        translations=translations,
        pages=tuple(pages),
        scales=tuple(scales),
        content_hash=content_hash(definition),
        definition=definition,
        interview_only=interview_only is True,
    )


def load_instrument_file(path: Path) -> Instrument:
    try:
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InstrumentError([f"{path.name}: file: not valid YAML: {error}"]) from error
    return parse_instrument(definition, path.name, expected_slug=path.stem)


def load_instruments(folder: Path | None = None) -> dict[str, Instrument]:
    """Load every instrument in the folder, reporting the problems of all files together."""
    instruments, problems = {}, []
    for path in sorted((folder or INSTRUMENT_DIR).glob("*.yaml")):
        try:
            instrument = load_instrument_file(path)
        except InstrumentError as error:
            problems.extend(error.problems)
        else:
            instruments[instrument.slug] = instrument
    if problems:
        raise InstrumentError(problems)
    return instruments
