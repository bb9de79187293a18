"""Themes in open answers: planted topics come back per language, with weights, prevalence, quotes and a CLI."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from analysis import scrub as scrub_module
from analysis import themes as themes_module
from analysis.frames import area_table
from analysis.scrub import scrub
from analysis.textnorm import analyse
from analysis.themes import ThemeResult, discover_themes, representative_quotes, theme_prevalence

SEED = 7
# (subjects, complaints, wishes) per topic; an answer combines one of each, so a topic is a wide vocabulary rather
# than a handful of fixed sentences, as in real answers
DUTCH = {
    "traffic": (
        ["auto's", "scooters", "brommers", "vrachtwagens", "bestelbusjes", "motoren"],
        [
            "rijden veel te hard",
            "scheuren door de straat",
            "racen langs de school",
            "halen gevaarlijk in",
            "negeren de snelheid",
            "rijden door rood",
        ],
        [
            "verkeersdrempels",
            "een zebrapad bij de school",
            "flitspalen",
            "een veilig fietspad",
            "controle op de snelheid",
            "een veilige oversteek",
        ],
    ),
    "green": (
        ["het park", "het plantsoen", "het grasveld", "de speelweide", "het plein", "de binnentuin"],
        [
            "heeft te weinig bomen",
            "is kaal en versteend",
            "mist bloemen en struiken",
            "wordt slecht gemaaid",
            "heeft geen schaduw",
            "is grijs en saai",
        ],
        [
            "meer bomen",
            "bloemperken",
            "een buurtmoestuin",
            "geveltuintjes",
            "meer struiken en gras",
            "een bloemenweide voor bijen",
        ],
    ),
    "litter": (
        ["zwerfvuil", "vuilniszakken", "hondenpoep", "grofvuil", "blikjes en peuken", "afval"],
        [
            "ligt overal op de stoep",
            "stapelt zich op bij de containers",
            "waait door de straat",
            "blijft dagen liggen",
            "wordt gedumpt naast de flat",
            "stinkt in de zomer",
        ],
        [
            "vaker afval ophalen",
            "meer prullenbakken",
            "grotere containers",
            "boetes voor dumpen",
            "een opruimactie",
            "schonere stoepen",
        ],
    ),
    "contact": (
        ["ouderen", "nieuwe bewoners", "alleenstaanden", "buren", "mensen op leeftijd", "weduwen"],
        [
            "zijn vaak eenzaam",
            "kennen elkaar niet",
            "zitten alleen thuis",
            "hebben weinig contact",
            "groeten elkaar niet",
            "missen gezelschap",
        ],
        [
            "een buurthuis om elkaar te ontmoeten",
            "samen koffie drinken",
            "een buurtfeest",
            "een ontmoetingsplek",
            "bezoek aan eenzame mensen",
            "activiteiten om elkaar te leren kennen",
        ],
    ),
}
DUTCH_FRAMES = (
    "{S} {c}.",
    "{S} {c}, dus {w} graag.",
    "Ik wil {w}, want {s} {c}.",
    "{W} alstublieft, {s} {c}.",
    "Volgens mij {s} {c}.",
    "{S} {c} en {w} zou helpen.",
)
ENGLISH = {
    "traffic": (
        ["cars", "scooters", "lorries", "delivery vans", "motorbikes", "mopeds"],
        [
            "drive far too fast",
            "speed through the street",
            "race past the school",
            "overtake dangerously",
            "ignore the speed limit",
            "run red lights",
        ],
        [
            "speed bumps",
            "a zebra crossing by the school",
            "speed cameras",
            "a safe cycle lane",
            "police checks on speeding",
            "a safe place to cross",
        ],
    ),
    "green": (
        ["the park", "the green", "the lawn", "the playing field", "the square", "the courtyard"],
        [
            "has too few trees",
            "is bare and paved over",
            "lacks flowers and shrubs",
            "is badly mown",
            "has no shade",
            "is grey and dull",
        ],
        [
            "more trees",
            "flower beds",
            "a community vegetable garden",
            "front gardens",
            "more shrubs and grass",
            "a wildflower meadow for bees",
        ],
    ),
    "litter": (
        ["litter", "rubbish bags", "dog mess", "fly tipping", "cans and cigarette butts", "waste"],
        [
            "lies all over the pavement",
            "piles up by the bins",
            "blows down the street",
            "stays there for days",
            "is dumped next to the flats",
            "stinks in summer",
        ],
        [
            "more frequent rubbish collection",
            "more litter bins",
            "bigger bins",
            "fines for dumping",
            "a clean up day",
            "cleaner pavements",
        ],
    ),
    "contact": (
        ["older people", "newcomers", "people living alone", "neighbours", "the elderly", "widows"],
        [
            "are often lonely",
            "do not know each other",
            "sit at home alone",
            "have little contact",
            "never say hello",
            "miss company",
        ],
        [
            "a community centre to meet",
            "coffee mornings together",
            "a street party",
            "a meeting place",
            "visits to lonely people",
            "activities to get to know each other",
        ],
    ),
}
ENGLISH_FRAMES = (
    "{S} {c}.",
    "{S} {c}, so {w} please.",
    "I want {w}, because {s} {c}.",
    "{W} please, {s} {c}.",
    "{S} {c} and {w} would help.",
)
POLISH = [
    "Samochody jeżdżą za szybko obok szkoły.",
    "Więcej drzew i kwiatów w parku.",
    "Śmieci leżą na chodniku.",
    "Sąsiedzi się nie znają.",
    "Potrzebny jest próg zwalniający.",
    "Park jest szary i nudny.",
    "Kosze na śmieci są zawsze pełne.",
    "Starsi ludzie są samotni.",
    "Więcej ławek w parku.",
    "Za dużo psich kup na trawniku.",
]
# no content word in common with the topics above (checked in a test): they share character n-grams at most
OFF_TOPIC = [
    "Geen idee eigenlijk.",
    "Alles is prima zo.",
    "Ik woon hier pas sinds kort.",
    "Mijn kat is ziek geworden.",
    "Niks, ik ben tevreden.",
    "Weet ik niet.",
    "De huur is te hoog.",
    "Goede wifi en sneller internet.",
    "Betere huisartsenpraktijk dichtbij.",
    "Ik werk veel en reis graag.",
]
WIJKEN = [f"WK0599{wijk:02d}" for wijk in range(1, 5)]
BUURTEN = [f"BU0599{wijk:02d}{buurt:02d}" for wijk in range(1, 5) for buurt in range(1, 4)]
AREAS = area_table(BUURTEN)
PHONE_NUMBER = "06-12345678"


def capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def planted(topics: dict, frames: tuple[str, ...], size: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """`size` answers cycling through the topics, each from one topic's subjects, complaints and wishes."""
    texts, labels = [], []
    for index in range(size):
        topic = sorted(topics)[index % len(topics)]
        subjects, complaints, wishes = topics[topic]
        subject, wish = rng.choice(subjects), rng.choice(wishes)
        text = rng.choice(frames).format(
            s=subject, S=capitalised(subject), c=rng.choice(complaints), w=wish, W=capitalised(wish)
        )
        texts.append(text)
        labels.append(topic)
    return texts, labels


def two_topics(topics: dict, size: int, rng: random.Random) -> tuple[list[str], list[frozenset[str]]]:
    texts, pairs = [], []
    for _ in range(size):
        first, second = rng.sample(sorted(topics), 2)
        parts = [f"{rng.choice(topics[topic][0])} {rng.choice(topics[topic][1])}" for topic in (first, second)]
        texts.append(capitalised(f"{parts[0]} en {parts[1]}."))
        pairs.append(frozenset((first, second)))
    return texts, pairs


@dataclass
class Wave:
    texts: list[str]
    languages: list[str]
    topics: list[str | None]  # planted topic of single-topic answers
    pairs: list[frozenset[str] | None]  # planted topics of two-topic answers
    respondents: pd.DataFrame  # buurt_code, wijk_code per answer

    def rows(self, language: str) -> np.ndarray:
        return np.flatnonzero(
            [lang == language and topic is not None for lang, topic in zip(self.languages, self.topics, strict=True)]
        )


def make_wave(seed: int = SEED) -> Wave:
    """240 Dutch and 160 English single-topic answers, 20 Dutch answers about two topics, 10 Dutch answers on
    nothing in particular, 10 Polish answers and two empty ones. Traffic answers cluster in the first wijk."""
    rng = random.Random(seed)
    dutch, dutch_topics = planted(DUTCH, DUTCH_FRAMES, 240, rng)
    english, english_topics = planted(ENGLISH, ENGLISH_FRAMES, 160, rng)
    mixed, pairs = two_topics(DUTCH, 20, rng)
    texts = [*dutch, *english, *mixed, *OFF_TOPIC, *POLISH, "", "   "]
    languages = ["nl"] * 240 + ["en"] * 160 + ["nl"] * (20 + len(OFF_TOPIC)) + ["pl"] * len(POLISH) + ["und"] * 2
    topics = [*dutch_topics, *english_topics] + [None] * (len(texts) - 400)
    all_pairs = [None] * 400 + pairs + [None] * (len(texts) - 420)
    buurten = []
    for topic in topics:
        wijk = 0 if topic == "traffic" and rng.random() < 0.6 else rng.randrange(4)
        buurten.append(BUURTEN[3 * wijk + rng.randrange(3)])
    respondents = pd.DataFrame({"buurt_code": buurten, "wijk_code": ["WK" + code[2:8] for code in buurten]})
    return Wave(texts, languages, topics, all_pairs, respondents)


@pytest.fixture(scope="module")
def wave() -> Wave:
    return make_wave()


@pytest.fixture(scope="module")
def auto(wave) -> ThemeResult:
    """The number of themes chosen automatically, as an analysis run does."""
    return discover_themes(wave.texts, languages=wave.languages, seed=SEED)


@pytest.fixture(scope="module")
def four(wave) -> ThemeResult:
    return discover_themes(wave.texts, languages=wave.languages, seed=SEED, themes=4)


def purity(labels: list[str], themes: list[str]) -> float:
    """Share of themed answers whose theme's most common planted topic is their own."""
    counts = Counter(zip(themes, labels, strict=True))
    best: dict[str, int] = {}
    for (theme, _), count in counts.items():
        best[theme] = max(best.get(theme, 0), count)
    return sum(best.values()) / len(themes)


def majority_topic(result: ThemeResult, wave: Wave) -> dict[str, str]:
    """Each theme's most common planted topic among the single-topic answers that have it as main theme."""
    counts = Counter(
        (theme, topic)
        for theme, topic in zip(result.answers["theme"], wave.topics, strict=True)
        if topic is not None and isinstance(theme, str)
    )
    mapping: dict[str, str] = {}
    for (theme, topic), _ in counts.most_common():
        mapping.setdefault(theme, topic)
    return mapping


def recovery(result: ThemeResult, wave: Wave, language: str) -> tuple[float, float, float]:
    """(adjusted Rand index against the planted topics with no theme as a class of its own, purity of the themed
    answers, share of answers themed) over the single-topic answers of a language."""
    rows = wave.rows(language)
    labels = [wave.topics[row] for row in rows]
    themes = result.answers["theme"].iloc[rows].fillna("none").tolist()
    themed = [index for index, theme in enumerate(themes) if theme != "none"]
    return (
        adjusted_rand_score(labels, themes),
        purity([labels[i] for i in themed], [themes[i] for i in themed]),
        len(themed) / len(rows),
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_planted_topic_comes_back_as_a_theme_with_the_number_of_themes_chosen_by_the_eigengap(
    auto, wave, language
):
    model = auto.models[language]
    assert model.criterion == "eigengap" and 4 <= model.k <= 8
    ari, pure, themed = recovery(auto, wave, language)
    # the eigengap may split a topic (k above 4: a lower ARI), but a theme hardly ever mixes two topics (purity);
    # on six waves the figures ranged over ARI 0.59-1.0, purity 0.95-1.0, themed 0.97-1.0
    assert pure >= 0.93 and themed >= 0.95 and ari >= 0.55
    found = majority_topic(auto, wave)
    assert {found[theme.id] for theme in model.themes} == set(DUTCH)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_with_as_many_themes_as_planted_topics_the_planted_partition_comes_back(four, wave, language):
    ari, pure, themed = recovery(four, wave, language)
    assert four.models[language].criterion == "fixed" and four.models[language].k == 4
    assert ari >= 0.9 and pure >= 0.97 and themed >= 0.95  # six waves: ARI 0.95-1.0, themed 0.96-1.0


def test_on_topic_answers_in_varied_words_get_a_theme_and_answers_on_nothing_in_particular_none(four, wave):
    topic_words = {
        stem for topic in DUTCH.values() for phrases in topic for stems in analyse(phrases, "nl")[1] for stem in stems
    }
    off_topic = [wave.texts.index(text) for text in OFF_TOPIC]
    assert not topic_words & {stem for stems in analyse(OFF_TOPIC, "nl")[1] for stem in stems}
    assert four.answers["theme"].iloc[off_topic].isna().all()
    assert four.answers["theme"].iloc[wave.rows("nl")].notna().mean() >= 0.97


def test_languages_are_modelled_separately_with_their_own_theme_ids(auto, wave):
    assert set(auto.models) == {"nl", "en"}
    answers = auto.answers
    for language in ("nl", "en"):
        rows = wave.rows(language)
        assert (answers["model"].iloc[rows] == language).all()
        assert answers["theme"].iloc[rows].dropna().str.startswith(f"{language}-").all()
        vocabulary = " ".join(wave.texts[row] for row in rows).lower()
        assert all(term.split()[0] in vocabulary for theme in auto.models[language].themes for term in theme.top_terms)
        model = auto.models[language]
        assert model.answers == len(wave.rows(language)) + (30 if language == "nl" else 0)
        assert [theme.id for theme in model.themes] == [f"{language}-{i}" for i in range(1, model.k + 1)]
        assert [theme.answers for theme in model.themes] == sorted((t.answers for t in model.themes), reverse=True)


def test_a_model_of_its_own_language_recovers_the_topics_at_least_as_well_as_a_pooled_model(four, wave):
    pooled = discover_themes(wave.texts, languages=wave.languages, seed=SEED, themes=4, pool_languages=True)
    assert set(pooled.models) == {"pooled"}
    rows = wave.rows("en")
    labels = [wave.topics[row] for row in rows]
    pooled_themes = pooled.answers["theme"].iloc[rows]
    pooled_ari = adjusted_rand_score(labels, pooled_themes.fillna("none"))
    own_ari = adjusted_rand_score(labels, four.answers["theme"].iloc[rows].fillna("none"))
    # the neighbour graph links answers of one language far more than across languages, so a pooled model spends
    # themes on languages rather than topics: pooled 0.71, own model 1.0 on this wave
    assert pooled_ari < own_ari and own_ari > 0.9


def test_a_language_with_too_few_answers_is_left_unmodelled_for_analysts(auto, wave):
    polish = [row for row, language in enumerate(wave.languages) if language == "pl"]
    left = auto.unmodelled
    assert left["language"].tolist() == ["pl"] * len(POLISH)
    assert left["id"].tolist() == polish and left["text"].tolist() == POLISH
    assert auto.answers["theme"].iloc[polish].isna().all() and auto.answers["model"].iloc[polish].isna().all()
    assert all(themes == () for themes in auto.answers["themes"].iloc[polish])
    # empty answers are no answers: neither themed nor left for analysts
    empty = [len(wave.texts) - 2, len(wave.texts) - 1]
    assert auto.answers["theme"].iloc[empty].isna().all() and not set(empty) & set(left["id"])
    lowered = discover_themes(wave.texts, languages=wave.languages, seed=SEED, themes=2, min_answers=len(POLISH))
    assert "pl" in lowered.models and lowered.unmodelled.empty


def test_the_same_seed_gives_identical_output(auto, wave):
    again = discover_themes(wave.texts, languages=wave.languages, seed=SEED)
    assert again.models == auto.models
    pd.testing.assert_frame_equal(again.answers, auto.answers)
    pd.testing.assert_frame_equal(again.memberships, auto.memberships)
    pd.testing.assert_frame_equal(again.unmodelled, auto.unmodelled)


def test_an_answer_about_two_topics_carries_both_themes_with_weights(four, wave):
    topic_of = majority_topic(four, wave)
    answers = four.answers
    mixed = [row for row, pair in enumerate(wave.pairs) if pair is not None]
    both = 0
    for row in mixed:
        carried = answers["themes"].iloc[row]
        assert {topic_of[theme] for theme, _ in carried} <= wave.pairs[row]
        both += len({topic_of[theme] for theme, _ in carried}) == 2
    assert both >= 0.6 * len(mixed)
    for row, carried in enumerate(answers["themes"]):
        if not carried:
            assert pd.isna(answers["theme"].iloc[row]) and np.isnan(answers["weight"].iloc[row])
            continue
        shares = [share for _, share in carried]
        assert all(0.25 <= share <= 1 for share in shares) and sum(shares) <= 1 + 1e-9
        main, weight = max(carried, key=lambda item: item[1])
        assert answers["theme"].iloc[row] == main and answers["weight"].iloc[row] == pytest.approx(weight)
    long_form = {(row, theme): share for row, theme, share in four.memberships.itertuples(index=False)}
    assert long_form == {
        (row, theme): share for row, carried in enumerate(answers["themes"]) for theme, share in carried
    }


def test_theme_prevalence_has_wilson_intervals_and_shows_where_traffic_was_planted(four, wave):
    records = theme_prevalence(four, wave.respondents, AREAS, question="open_better", instrument="open_answers")
    assert records and all(r.statistic == "share" and r.instrument == "open_answers" for r in records)
    carriers = four.memberships.groupby("theme")["row"].apply(set)
    for record in records:
        assert 0 <= record.lower <= record.value + 1e-12 and record.value - 1e-12 <= record.upper <= 1
        theme = record.measure.removeprefix("open_better@")
        language = theme.split("-")[0]
        level = {"municipality": None, "wijk": "wijk_code", "buurt": "buurt_code"}[record.area_level]
        in_area = (
            np.ones(len(wave.texts), dtype=bool)
            if level is None
            else (wave.respondents[level] == record.area_code).to_numpy()
        )
        answered = in_area & (four.answers["model"] == language).fillna(False).to_numpy(dtype=bool)
        assert record.n == answered.sum()
        assert record.value == pytest.approx(len(carriers[theme] & set(np.flatnonzero(answered))) / record.n)
    traffic = next(
        theme for theme, topic in majority_topic(four, wave).items() if topic == "traffic" and theme.startswith("nl")
    )
    shares = {r.area_code: r for r in records if r.measure == f"open_better@{traffic}" and r.area_level == "wijk"}
    assert set(shares) == set(WIJKEN)
    assert all(shares["WK059901"].lower > shares[wijk].upper for wijk in WIJKEN[1:])


def test_representative_quotes_are_scrubbed_by_the_scrubber_passed_in_and_only_they(wave):
    texts = list(wave.texts)
    traffic_rows = [row for row, topic in enumerate(wave.topics) if topic == "traffic" and wave.languages[row] == "nl"]
    for row in traffic_rows[:12]:
        texts[row] = f"{texts[row]} Bel mij: {PHONE_NUMBER}, of mail piet@example.nl"
    result = discover_themes(texts, languages=wave.languages, seed=SEED, themes=4)
    calls = []

    def scrubber(text: str, language: str) -> str:
        calls.append((text, language))
        return scrub(text, language, use_deduce=False)

    everything = representative_quotes(
        result, texts, wave.respondents, AREAS, question="open_better", per_theme=10_000, scrubber=scrubber
    )
    assert len(calls) == len(everything) > 0
    assert any(PHONE_NUMBER in text for text, _ in calls)
    assert all(PHONE_NUMBER not in quote.text and "piet@example.nl" not in quote.text for quote in everything)
    assert all(quote.status == "proposed" and quote.question == "open_better" for quote in everything)
    assert all(
        quote.text == scrub(texts[quote.answer_id], quote.theme_id[:2], use_deduce=False) for quote in everything
    )

    calls.clear()
    best = representative_quotes(
        result,
        texts,
        wave.respondents,
        AREAS,
        question="open_better",
        per_theme=2,
        scrubber=scrubber,
        exclude_areas=frozenset({"WK059902"}),
    )
    assert len(calls) == len(best)
    groups = Counter((quote.theme_id, quote.area_code) for quote in best)
    assert max(groups.values()) <= 2 and "WK059902" not in {quote.area_code for quote in best}
    centrality = result.answers["centrality"]
    for quote in best:
        assert result.answers["theme"].iloc[quote.answer_id] == quote.theme_id
        assert quote.centrality == centrality.iloc[quote.answer_id]


def area_ranks(result: ThemeResult, texts: list[str], respondents: pd.DataFrame) -> dict[int, dict[str, float]]:
    """Per answer row and area code, its typicality there: (rank by centrality among the area's distinct answers
    with its theme, from 1) / their number."""
    answers = result.answers
    ranks: dict[int, dict[str, float]] = {}
    for level in ("municipality", "wijk_code", "buurt_code"):
        codes = ["GM0599"] * len(texts) if level == "municipality" else respondents[level].tolist()
        frame = pd.DataFrame(
            {
                "row": range(len(texts)),
                "code": codes,
                "theme": answers["theme"],
                "centrality": answers["centrality"],
                "text": texts,
            }
        ).dropna(subset=["theme"])
        frame = frame.sort_values(["theme", "code", "centrality"], ascending=[True, True, False], kind="stable")
        frame = frame.drop_duplicates(["theme", "code", "text"])
        for (_theme, code), group in frame.groupby(["theme", "code"]):
            for rank, row in enumerate(group["row"], start=1):
                ranks.setdefault(row, {})[str(code)] = rank / len(group)
    return ranks


def test_a_unique_answer_is_proposed_once_at_the_level_where_it_is_most_typical(wave):
    texts = list(wave.texts)
    result = discover_themes(texts, languages=wave.languages, seed=SEED, themes=4)
    everything = representative_quotes(
        result,
        texts,
        wave.respondents,
        AREAS,
        question="open_better",
        per_theme=10_000,
        scrubber=lambda text, language: text,
    )
    proposed = Counter(quote.answer_id for quote in everything)
    assert proposed and max(proposed.values()) == 1
    # with room for every answer, each goes to the area where it ranks highest for its share of the area's answers
    ranks = area_ranks(result, texts, wave.respondents)
    levels = {quote.area_code[:2] for quote in everything}
    assert levels == {"GM", "WK", "BU"}, "some answers are most typical of each level"
    for quote in everything:
        assert ranks[quote.answer_id][quote.area_code] == min(ranks[quote.answer_id].values())

    best = representative_quotes(
        result,
        texts,
        wave.respondents,
        AREAS,
        question="open_better",
        per_theme=3,
        scrubber=lambda text, language: text,
    )
    assert max(Counter(quote.answer_id for quote in best).values()) == 1
    per_group = Counter((quote.theme_id, quote.area_code) for quote in best)
    # an area whose best answers are proposed for a wider area still gets its three, from its next best
    for (theme, code), count in Counter((quote.theme_id, quote.area_code) for quote in everything).items():
        if count >= 9:
            assert per_group[(theme, code)] == 3
    assert {quote.area_code[:2] for quote in best} == {"GM", "WK", "BU"}


def test_suppressed_groups_get_no_quote_and_take_no_answer_from_other_areas(wave):
    texts = list(wave.texts)
    result = discover_themes(texts, languages=wave.languages, seed=SEED, themes=4)
    kwargs = {"question": "open_better", "per_theme": 3, "scrubber": lambda text, language: text}
    best = representative_quotes(result, texts, wave.respondents, AREAS, **kwargs)
    municipal = frozenset((quote.theme_id, quote.area_code) for quote in best if quote.area_code == "GM0599")
    without = representative_quotes(result, texts, wave.respondents, AREAS, exclude_groups=municipal, **kwargs)
    assert not any(quote.area_code == "GM0599" for quote in without)
    freed = {quote.answer_id for quote in best if quote.area_code == "GM0599"}
    assert freed & {quote.answer_id for quote in without}, "answers the municipality no longer takes go elsewhere"


def test_no_candidate_left_gives_no_quote_and_no_error(wave):
    texts = list(wave.texts)
    result = discover_themes(texts, languages=wave.languages, seed=SEED, themes=4)
    none = representative_quotes(
        result,
        texts,
        wave.respondents,
        AREAS,
        question="open_better",
        per_theme=3,
        scrubber=lambda text, language: text,
        exclude_areas=frozenset(AREAS.index),
        exclude_groups=frozenset({("0", "GM0599")}),
    )
    assert none == []


def test_the_command_line_writes_one_row_per_input_row_and_a_summary_of_themes(tmp_path, monkeypatch, capsys):
    wave = make_wave(seed=SEED + 1)
    keep = [row for row, language in enumerate(wave.languages) if row % 2 == 0 or language in ("pl", "und")]
    frame = pd.DataFrame({"respondent": [f"R{row:04d}" for row in keep], "answer": [wave.texts[r] for r in keep]})
    source = tmp_path / "answers.csv"
    frame.to_csv(source, index=False)
    scrubbed = []

    def recording_scrub(text: str, language: str = "nl", **options) -> str:
        scrubbed.append(text)
        return "SCRUBBED " + scrub(text, language, use_deduce=False)

    monkeypatch.setattr(scrub_module, "scrub", recording_scrub)
    out = tmp_path / "themes.csv"
    assert (
        themes_module.main(
            [str(source), "--text-column", "answer", "--id-column", "respondent", "--themes", "auto", "--out", str(out)]
        )
        == 0
    )

    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["id", "language", "theme_id", "theme_label", "weight", "themes"]
    assert written["id"].tolist() == frame["respondent"].tolist()
    themed = written[written["theme_id"] != ""]
    assert len(themed) >= 0.9 * 200
    assert themed["theme_id"].str.match(r"^(nl|en)-\d+$").all()
    assert (themed["weight"].astype(float).between(0.25, 1)).all() and (themed["theme_label"] != "").all()
    assert (written.loc[written["theme_id"] == "", "theme_label"] == "").all()
    assert written["theme_id"].iloc[-2:].tolist() == ["", ""]  # the empty answers

    summary = pd.read_csv(tmp_path / "themes.themes.csv", dtype=str, keep_default_na=False)
    assert list(summary.columns) == ["theme_id", "language", "label", "top_terms", "answers", "k_criterion", "examples"]
    assert set(summary["theme_id"]) == set(themed["theme_id"])
    assert summary["answers"].astype(int).tolist() == [
        int((themed["theme_id"] == theme).sum()) for theme in summary["theme_id"]
    ]
    assert (summary["k_criterion"] == "eigengap").all()
    for examples in summary["examples"]:
        parts = examples.split(" | ")
        assert 1 <= len(parts) <= 3 and all(part.startswith("SCRUBBED ") for part in parts)
    assert len(scrubbed) == sum(len(examples.split(" | ")) for examples in summary["examples"])
    assert "language model(s)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [
        ["--text-column", "missing"],
        ["--text-column", "answer", "--themes", "many"],
        ["--text-column", "answer", "--themes", "0"],
    ],
)
def test_the_command_line_rejects_an_unknown_column_or_number_of_themes(tmp_path, arguments):
    source = tmp_path / "answers.csv"
    pd.DataFrame({"answer": ["Meer bomen."]}).to_csv(source, index=False)
    with pytest.raises(SystemExit) as stopped:
        themes_module.main([str(source), *arguments, "--out", str(tmp_path / "out.csv")])
    assert stopped.value.code == 2


def test_nearest_neighbours_are_the_most_similar_with_ties_to_the_first_column():
    """The neighbour graph's selection (analysis.themes._nearest, a private helper tested directly: its bound from
    column groups' maxima is easy to get subtly wrong and the themes would only drift) against sorting whole rows,
    with many equal similarities, as answers with the same features give, and blocks narrower than a group."""
    rng = np.random.default_rng(SEED)
    for case in range(60):
        rows, columns = int(rng.integers(1, 40)), int(rng.integers(3, 300))
        neighbours = int(rng.integers(1, columns))
        block = (
            rng.integers(0, 4, size=(rows, columns)).astype(np.float32)  # mostly ties
            if case % 2
            else rng.random((rows, columns), dtype=np.float32)
        )
        block[np.arange(rows), rng.integers(0, columns, size=rows)] = -np.inf  # an answer itself
        found, similarity = themes_module._nearest(block, neighbours)
        for row in range(rows):
            expected = sorted(range(columns), key=lambda column: (-block[row, column], column))[:neighbours]
            assert found[row].tolist() == expected, (case, row)
            assert similarity[row].tolist() == block[row, expected].tolist()


def test_answers_the_fit_already_transformed_are_taken_over_in_their_own_places():
    """The theme weights of a language with more distinct answers than the fit's sample reuse the sample's rows
    (analysis.themes._transform_rows, a private helper tested directly: a row put in another answer's place would
    only shift weights); every other answer is transformed, and each batch comes out in the answers' order."""
    from analysis.textfeatures import fit_transform

    texts = [
        f"{a} {b} in de {c}"
        for a in ("Meer", "Minder", "Veilig")
        for b in ("bomen", "auto's", "bankjes", "buren")
        for c in ("straat", "wijk", "speeltuin")
    ]
    tokens, stems = analyse(texts, "nl")
    space, _ = fit_transform(tokens, stems)
    every = space.transform(tokens, stems).toarray()
    for start, stop, known in (
        (0, len(texts), [0, 5, 6, 30]),
        (3, 15, [1, 4, 5, 11, 20]),
        (2, 9, [2, 3, 4, 5, 6, 7, 8]),
        (10, 20, []),
    ):
        positions = np.array(known, dtype=np.int64)
        rows = themes_module._transform_rows(
            space, tokens, stems, start, stop, (positions, sparse.csr_matrix(every[positions]))
        )
        # the same values up to rounding: a row's sum of squares may add its entries in another order
        assert np.allclose(rows.toarray(), every[start:stop], rtol=0, atol=1e-12), (start, stop, known)
