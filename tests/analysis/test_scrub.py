"""Quote scrubbing: personal data in Dutch and other languages becomes tags; area names and ordinary text stay.

deduce loads its lookup tables once per process (functools.cache); every test here that uses it shares that load.
"""

from __future__ import annotations

import io
import itertools

import pytest

from analysis import scrub as scrub_module
from analysis.scrub import (
    ADDRESS,
    BSN,
    EMAIL,
    NAME,
    PHONE,
    deduce_available,
    elfproef,
    find_personal_data,
    scrub,
)

AREAS = frozenset({"Leefdam", "De Polder", "Oud-West", "Bolwerk", "Haverland-Noord", "Noorderhaven"})
BOTH_LAYERS = pytest.mark.parametrize("use_deduce", [False, True], ids=["heuristics", "deduce"])


def check_digit(first_eight: str) -> int | None:
    """The ninth digit that makes a BSN of eight digits, computed independently of elfproef (None if none does)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first_eight, range(9, 1, -1), strict=True)) % 11
    return None if remainder == 10 else remainder


@pytest.fixture(scope="session", autouse=True)
def deduce_loaded():
    assert deduce_available(), "deduce is a dependency: Dutch names rely on it"
    yield
    # Freed here, deduce's tables go in a second; left to interpreter shutdown, the garbage collector's last passes
    # over their millions of objects add some twenty seconds to the end of the test run.
    scrub_module._deduce.cache_clear()


def test_the_garbage_collector_runs_again_once_deduces_tables_are_read():
    """They are read with it paused (analysis.scrub._deduce); the process goes on collecting its garbage after."""
    import gc

    assert deduce_available() and gc.isenabled()


# --- the eleven-test -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["111222333", "123456782", "999999990", "012345672", "100000009"])
def test_elfproef_accepts_numbers_that_pass_the_eleven_test(number):
    assert check_digit(number[:8]) == int(number[8])
    assert elfproef(number)


@pytest.mark.parametrize(
    "number",
    ["123456789", "111222334", "111222332", "000000000", "12345678", "1234567820", "12345678a", "", "123 456 782"],
)
def test_elfproef_rejects_wrong_check_digits_all_zeros_and_anything_but_nine_digits(number):
    assert not elfproef(number)


@pytest.mark.parametrize("prefix", ["11122233", "12345678", "23456789", "50000000", "98765432", "31415926"])
def test_elfproef_accepts_exactly_the_one_check_digit_of_a_prefix(prefix):
    passing = [digit for digit in range(10) if elfproef(f"{prefix}{digit}")]
    expected = check_digit(prefix)
    assert passing == ([] if expected is None else [expected])


# --- Dutch ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("mevrouw Jansen helpt mij met boodschappen.", ["Jansen"]),
        ("Mevrouw Jansen van nummer 12 helpt mij altijd.", ["Jansen"]),
        ("Dhr. Pietersen komt elke week langs.", ["Pietersen"]),
        ("De buurvrouw, mevrouw El Amrani, kookt soms voor mij.", ["El Amrani"]),
        ("Jan de Vries van de overkant is erg aardig.", ["Jan", "Vries"]),
        ("Ik sprak gisteren met Jan de Vries over de bankjes.", ["Jan", "Vries"]),
        ("Mijn naam is Fatima en ik woon hier graag.", ["Fatima"]),
        ("ik heet piet en ik wil meer bankjes", ["piet"]),
        ("Met vriendelijke groet, K. de Jong", ["Jong"]),
    ],
)
def test_dutch_names_with_and_without_a_title_become_a_name_tag(text, names):
    scrubbed = scrub(text, "nl", keep=AREAS)
    assert NAME in scrubbed
    for name in names:
        assert name not in scrubbed


@BOTH_LAYERS
@pytest.mark.parametrize(
    ("text", "secret", "tag"),
    [
        ("Mail mij op piet.bakker@example.nl voor meer info.", "piet.bakker@example.nl", EMAIL),
        ("Mijn adres is a.el-amrani+buurt@gemeente-leefdam.nl, schrijf gerust.", "el-amrani", EMAIL),
        ("Bel mij op 06-12345678 na vijf uur.", "12345678", PHONE),
        ("Bel mij op 06 1234 5678 na vijf uur.", "1234 5678", PHONE),
        ("Bel mij op 0612345678 na vijf uur.", "0612345678", PHONE),
        ("Mijn nummer is +31 6 12345678 als u vragen heeft.", "12345678", PHONE),
        ("Mijn nummer is +31 (0)6 12345678 als u vragen heeft.", "12345678", PHONE),
        ("Mijn nummer is 0031 6 12345678 als u vragen heeft.", "12345678", PHONE),
        ("Mijn nummer is 0031612345678 als u vragen heeft.", "612345678", PHONE),
        ("Overdag bereikbaar op 020-1234567 of op kantoor.", "1234567", PHONE),
        ("Overdag bereikbaar op (020) 123 45 67 of op kantoor.", "123 45 67", PHONE),
        ("Het meldpunt 0800 1234 weet van niets.", "0800 1234", PHONE),
        ("Ik woon op 1234 AB 12 sinds kort.", "1234 AB", ADDRESS),
        ("Ik woon op 1234AB 12a sinds kort.", "1234AB", ADDRESS),
        ("Mijn postcode is 1234AB, toch?", "1234AB", ADDRESS),
        ("Ik woon in de Dorpsstraat 12 en het is er fijn.", "Dorpsstraat 12", ADDRESS),
        ("Sinds de Kerkstraat 5a een hek heeft is het rustiger.", "Kerkstraat 5a", ADDRESS),
        ("Mijn BSN is 111222333, dat staat op de brief.", "111222333", BSN),
        ("BSN 123456782 staat op de brief.", "123456782", BSN),
        ("BSN 123 456 782 staat op de brief.", "123 456 782", BSN),
        ("Mijn BSN: 111.222.333 graag niet delen.", "111.222.333", BSN),
    ],
)
def test_contact_details_addresses_and_bsns_become_their_tag(text, secret, tag, use_deduce):
    scrubbed = scrub(text, "nl", use_deduce=use_deduce, keep=AREAS)
    assert secret not in scrubbed
    assert tag in scrubbed
    # the words around the personal data survive
    assert scrubbed.split()[0] == text.split()[0] and scrubbed.split()[-1] == text.split()[-1]


@BOTH_LAYERS
def test_a_postcode_with_house_number_keeps_the_space_after_it(use_deduce):
    assert scrub("Ik woon op 1234 AB 12 sinds kort.", use_deduce=use_deduce) == "Ik woon op [adres] sinds kort."
    assert scrub("in 1234AB, 56 woon ik", use_deduce=use_deduce) == "in [adres] woon ik"


@BOTH_LAYERS
@pytest.mark.parametrize(
    ("language", "text", "secret"),
    [
        ("nl", "De buurvrouw van nummer 12 maakt veel lawaai.", "12"),
        ("nl", "Bij huisnummer 7a is het altijd druk.", "7a"),
        ("nl", "Op nr. 14 woont een man die alles ziet.", "14"),
        ("en", "The neighbours at number 12 are loud.", "12"),
        ("tr", "Komşum 12 numarada oturuyor.", "12"),
        ("pl", "Sąsiad spod numeru 5 hałasuje.", "5"),
        ("uk", "Сусід з будинку 5 шумить.", "5"),
        ("ar", "الجار في المنزل رقم 12 مزعج.", "12"),
    ],
)
def test_a_house_number_without_its_street_becomes_an_address_tag(language, text, secret, use_deduce):
    scrubbed = scrub(text, language, use_deduce=use_deduce, keep=AREAS)
    assert secret not in scrubbed and ADDRESS in scrubbed


@BOTH_LAYERS
@pytest.mark.parametrize("number", ["123456789", "111222334", "987654321", "123 456 789"])
def test_nine_digit_numbers_failing_the_eleven_test_are_not_tagged_as_bsn(number, use_deduce):
    text = f"Het kenmerk {number} staat op de brief."
    assert not any(span.tag == BSN for span in find_personal_data(text, use_deduce=use_deduce))
    assert scrub(text, use_deduce=use_deduce) == text


@BOTH_LAYERS
@pytest.mark.parametrize(
    "text",
    [
        "Er wordt hier 30 km per uur gereden maar dat is te hard.",
        "Meer bankjes in het park en minder hondenpoep op de stoep.",
        "Ik woon al 25 jaar hier, sinds 1998, en ben nu 83 jaar.",
        "Meer dan 100 mensen kwamen op het buurtfeest in juni 2023.",
        "Op 12-05-2023 om 10.30 uur was er een bijeenkomst.",
        "Het nieuwe plein kostte 1.250.000 euro.",
        "Bus 12 en bus 4 rijden te weinig naar het centrum.",
        "In Leefdam is het fijn wonen.",
        "De Polder is een fijne wijk met veel groen.",
        "Ik woon graag in Oud-West want het is er rustig.",
        "Bolwerk en Haverland-Noord hebben een goed buurthuis.",
        "Meer groen in Noorderhaven graag, en een bankje bij de school.",
    ],
)
def test_ordinary_sentences_numbers_and_kept_area_names_stay_untouched(text, use_deduce):
    assert scrub(text, "nl", use_deduce=use_deduce, keep=AREAS) == text


def test_kept_area_names_are_untouched_by_deduce_which_takes_some_for_surnames():
    # deduce tags "Bolwerk", "Oud" (of Oud-West) and "De Polder" as persons; `keep` must still hold
    for area in ("Bolwerk", "Oud-West", "De Polder"):
        text = f"Ik woon graag in {area} want het is er rustig."
        assert scrub(text, "nl", keep=AREAS) == text
        assert NAME in scrub(text, "nl")  # without keep deduce does tag it, so the test above tests keep


@BOTH_LAYERS
def test_a_name_after_a_title_is_a_person_even_when_an_area_has_that_name(use_deduce):
    scrubbed = scrub("Ik ken mevrouw Bolwerk uit Bolwerk.", "nl", use_deduce=use_deduce, keep=AREAS)
    assert scrubbed.endswith("uit Bolwerk.") and "Bolwerk" not in scrubbed[: -len("uit Bolwerk.")]
    assert NAME in scrubbed


def test_on_overlap_the_more_specific_tag_wins_and_spans_come_in_order():
    text = "Mail Jan de Vries via jan.devries@example.nl of bel 06-12345678."
    spans = find_personal_data(text, "nl")
    assert [span.start for span in spans] == sorted(span.start for span in spans)
    assert all(first.end <= second.start for first, second in itertools.pairwise(spans))
    tags = {text[span.start : span.end]: span.tag for span in spans}
    assert tags["jan.devries@example.nl"] == EMAIL and tags["06-12345678"] == PHONE
    scrubbed = scrub(text, "nl")
    assert scrubbed.endswith("[naam] via [e-mail] of bel [telefoon].") and "Jan" not in scrubbed


# --- other languages: heuristics (deduce is Dutch only) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "secrets"),
    [
        ("en", "My name is John Smith and I live at 12 Baker Street.", ["John", "Smith", "12", "Baker"]),
        ("en", "my name is john and I like the park.", ["john"]),
        ("en", "Mrs. Johnson next door helps me with shopping.", ["Johnson"]),
        ("en", "I talked to Peter Williams about the bins.", ["Peter", "Williams"]),
        ("en", "Call me on 06-12345678 or mail j.smith@gmail.com", ["12345678", "j.smith@gmail.com"]),
        ("en", "I live on Main Street 14, postcode 1234 AB.", ["Main Street 14", "1234 AB"]),
        ("tr", "Benim adım Ayşe Yılmaz ve Atatürk Caddesi 5 numarada oturuyorum.", ["Ayşe", "Yılmaz", "Caddesi 5"]),
        ("tr", "Adım Mehmet, parkta daha fazla bank istiyorum.", ["Mehmet"]),
        ("tr", "Telefonum 06 1234 5678, komşum Fatma Hanım yardım ediyor.", ["1234 5678", "Fatma"]),
        ("pl", "Nazywam się Anna Kowalska i mieszkam w Noorderhaven.", ["Anna", "Kowalska"]),
        ("pl", "Pani Nowak pomaga mi z zakupami.", ["Nowak"]),
        ("uk", "Мене звати Олена, я живу тут.", ["Олена"]),
        ("ar", "اسمي أحمد وأسكن هنا", ["أحمد"]),
    ],
)
def test_names_and_contact_details_in_other_languages_become_tags(language, text, secrets):
    scrubbed = scrub(text, language, keep=AREAS)
    for secret in secrets:
        assert secret not in scrubbed
    assert "Noorderhaven" in scrubbed or "Noorderhaven" not in text


def test_adjacent_name_words_merge_into_one_tag():
    assert scrub("I talked to Peter Williams about the bins.", "en") == "I talked to [naam] about the bins."


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Cars drive 50 km per hour here, it is dangerous."),
        ("en", "The park in De Polder is lovely. I walk there every day."),
        ("en", "More benches in Oud-West please, and fewer cars on the road."),
        ("en", "Two cars parked on the street all day."),
        ("tr", "Mahallede daha fazla yeşil alan olsun."),
        ("tr", "Bolwerk mahallesinde 30 yıldır oturuyorum."),
        ("pl", "Więcej zieleni w parku i mniej samochodów."),
    ],
)
def test_ordinary_text_in_other_languages_stays_untouched(language, text):
    assert scrub(text, language, keep=AREAS) == text


def test_the_command_line_scrubs_each_line_of_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("Bel 06-12345678\nMail a@b.nl\n"))
    assert scrub_module.main([]) == 0
    assert capsys.readouterr().out.splitlines() == ["Bel [telefoon]", "Mail [e-mail]"]
    assert scrub_module.main(["--warm"]) == 0
    assert capsys.readouterr().out.strip() == "deduce loaded"
