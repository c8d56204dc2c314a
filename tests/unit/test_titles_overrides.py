"""Org overrides: RevOps maps title patterns to roles for their org."""

from __future__ import annotations

import random
import re

import pytest

from leadpact.enrichment.title_normalise import fold
from leadpact.enrichment.titles import (
    Override,
    TitleClassifier,
    classify_title,
    parse_overrides,
)

_REGEX_CHARS = frozenset("\\.^$*+?{}[]|()")
SELLING_TO_SECURITY = parse_overrides([{"pattern": "CISO", "role": "executive_sponsor"}])


def test_given_no_override_then_the_ciso_is_a_blocker() -> None:
    assert classify_title("CISO").role == "blocker"


def test_given_a_ciso_override_then_it_wins_and_the_reason_says_so() -> None:
    result = classify_title("CISO", overrides=SELLING_TO_SECURITY)
    assert (result.seniority, result.function, result.role) == (
        "c_level", "security", "executive_sponsor")
    assert result.because == "org override 'CISO' → executive_sponsor"


def test_given_a_plain_text_pattern_then_it_matches_case_insensitively_as_a_substring() -> None:
    classifier = TitleClassifier(SELLING_TO_SECURITY)
    assert classifier.classify("Deputy ciso, EMEA").role == "executive_sponsor"
    assert classifier.classify("Head of Sales").role == "decision_maker"


def test_given_a_regex_pattern_with_labels_then_all_three_labels_are_overridden() -> None:
    overrides = parse_overrides([{"pattern": r"^(head|director) of (it|informatique)\b",
                                  "role": "economic_buyer", "seniority": "vp",
                                  "function": "it"}])
    result = TitleClassifier(overrides).classify("Head of IT Infrastructure")
    assert (result.seniority, result.function, result.role) == ("vp", "it", "economic_buyer")


def test_given_an_accented_title_then_an_unaccented_pattern_still_matches() -> None:
    overrides = (Override("geschaftsfuhrer", "influencer"),)
    assert classify_title("Geschäftsführer", overrides=overrides).role == "influencer"


def test_given_several_overrides_then_the_first_matching_one_wins() -> None:
    overrides = parse_overrides([
        {"pattern": "security", "role": "user"},
        {"pattern": "chief", "role": "economic_buyer"},
    ])
    assert classify_title("Chief Security Officer", overrides=overrides).role == "user"


def test_given_garbage_and_overrides_then_no_exception() -> None:
    classifier = TitleClassifier(SELLING_TO_SECURITY)
    assert classifier.classify(None).role == "unknown"
    assert classifier.classify("x" * 10_000).role == "unknown"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"role": "blocker"}, "missing pattern"),
        ({"pattern": "CISO"}, "missing role"),
        ({"pattern": "CISO", "role": "champion"}, "unknown role 'champion'"),
        ({"pattern": "CISO", "role": "blocker", "seniority": "boss"}, "unknown seniority 'boss'"),
        ({"pattern": "CISO", "role": "blocker", "function": "magic"}, "unknown function 'magic'"),
        ({"pattern": "(CISO", "role": "user"}, "not a valid regular expression"),
        ({"pattern": "", "role": "user"}, "non-empty"),
        ({"pattern": 7, "role": "user"}, "pattern must be text"),
        ({"pattern": "CISO", "role": "user", "weight": 2}, "unknown key(s) weight"),
        ("CISO", "must be a mapping"),
    ],
)
def test_given_a_bad_override_entry_when_parsed_then_value_error_names_the_entry(
    entry: object, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        parse_overrides([{"pattern": "ok", "role": "user"}, entry])  # type: ignore[list-item]
    assert "override #2" in str(raised.value)
    assert message in str(raised.value)


def test_given_an_override_built_directly_with_a_bad_role_then_value_error() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        Override("CISO", "champion")


# -- precedence, normalisation and the compiled index -------------------------------------

def test_given_two_matching_overrides_then_the_earlier_in_the_file_wins_wherever_it_matches(
) -> None:
    # The later pattern matches earlier in the title and is longer; file order decides.
    overrides = parse_overrides([
        {"pattern": "operations", "role": "influencer"},
        {"pattern": "head of sales operations", "role": "economic_buyer"},
    ])
    assert classify_title("Head of Sales Operations", overrides=overrides).role == "influencer"
    assert classify_title("Head of Sales Operations",
                          overrides=overrides[::-1]).role == "economic_buyer"


def test_given_an_override_without_labels_then_the_classifier_fills_seniority_and_function(
) -> None:
    overrides = parse_overrides([{"pattern": "einkauf", "role": "economic_buyer"}])
    result = classify_title("Leiterin Einkauf (m/w/d)", overrides=overrides)
    assert (result.seniority, result.function, result.role) == (
        "director", "procurement", "economic_buyer")
    assert result.confidence == 0.95


@pytest.mark.parametrize(
    ("pattern", "title"),
    [
        ("vp sales", "VP SALES EMEA"),  # case
        ("Directeur Général", "directeur general adjoint"),  # accents in the pattern only
        ("directeur general", "Directeur Général"),  # accents in the title only
        ("geschäftsführer", "GESCHÄFTSFÜHRER"),  # upper-case umlauts
        (r"^chief\b.*\bofficer$", "Chief Revenue Officer"),  # regex, case
        (r"leiter(in)?\s+einkauf", "Leiterin  Einkauf"),
        (r"\bdirecteur g[eé]n[eé]ral\b", "DIRECTEUR GÉNÉRAL"),
    ],
)
def test_given_case_or_accents_differ_then_the_override_still_matches(
    pattern: str, title: str
) -> None:
    overrides = parse_overrides([{"pattern": pattern, "role": "influencer"}])
    assert classify_title(title, overrides=overrides).role == "influencer"


@pytest.mark.parametrize(
    ("pattern", "title"),
    [
        (r"\bCIO\b", "Head of Procurement"),  # 'cio' is not a word of it
        ("sales director", "Director of Sales"),  # plain text keeps its word order
        (r"^vp\b", "SVP Sales"),
        (r"(?-i:VP) Sales", "vp sales"),  # a pattern may turn case-insensitivity off
    ],
)
def test_given_a_title_the_pattern_does_not_match_then_the_classifier_decides(
    pattern: str, title: str
) -> None:
    overrides = parse_overrides([{"pattern": pattern, "role": "influencer"}])
    assert classify_title(title, overrides=overrides) == classify_title(title)


def _reference_first_match(overrides: tuple[Override, ...], title: str) -> int | None:
    """Every override tried in order, straight through `re`: what the index must equal."""
    folded = fold(title)
    for position, override in enumerate(overrides):
        if _REGEX_CHARS.isdisjoint(override.pattern):
            if fold(override.pattern) in folded:
                return position
        elif (re.search(override.pattern, title, re.IGNORECASE)
              or re.search(override.pattern, folded, re.IGNORECASE)):
            return position
    return None


# Patterns whose required text must be read carefully: factored prefixes, optional and
# repeated parts, look-arounds, verbose mode, scoped flags, no literal at all, and letters
# that re's case folding maps to non-ASCII ones (long s, dotless i, Kelvin sign).
TRICKY_PATTERNS = [
    r"\b(?:Britekmar|Briixix) (lead|head)\b", r"^(head|director) of (it|informatique)\b",
    r"chief.*officer", r"x?ray", r"mana(?=ger)ger", r"(?x) head \s+ of \s+ tax",
    r"(?-i:CFO)", r"\d{4}", r"^$", r"sal+es", r"(?>partner)", r"(vp|)finance",
    r"Dir\. ", r"[Hh]ead of people", "kelvin", r"\bsi\b", "süd", r"proc(?:urement|ure)",
    r"(?:abcd)?ray", r"(?:wxyz)*tech",
]
TRICKY_TITLES = [
    "Britekmar Lead", "briixix head of data", "Head of IT", "Director of Informatique",
    "Chief Happiness Officer", "Xray Tech", "ray tracing engineer", "Account Manager",
    "HEAD OF TAX", "cfo", "CFO", "Engineer 2024", "", "Saales", "Partner", "Finance",
    "Dir. Ops", "head of People", "\u212aELVIN", "ſi", "SI", "Leiter Süd", "Procure",
    "Head of Sales", "Senior Vice President, Operations", "ıt head",
]


def test_given_tricky_patterns_then_the_index_finds_what_trying_each_in_order_finds() -> None:
    overrides = tuple(Override(p, "influencer") for p in TRICKY_PATTERNS)
    for start in range(len(overrides)):  # each pattern gets to be the first in turn
        rotated = overrides[start:] + overrides[:start]
        classifier = TitleClassifier(rotated)
        for title in TRICKY_TITLES:
            expected = _reference_first_match(rotated, title)
            got = classifier.classify(title)
            if expected is None:
                assert got == classify_title(title), (title, start)
            else:
                assert got.because == (f"org override '{rotated[expected].pattern}' → "
                                       "influencer"), (title, start)


def test_given_thousands_of_overrides_then_the_index_agrees_with_trying_each_in_order() -> None:
    rng = random.Random(3)
    words = ["sales", "finance", "vertrieb", "einkauf", "datenschutz", "cloud", "payroll",
             "norvex", "photek", "kalabri", "emea", "dach", "head", "leiter", "director"]
    patterns = []
    for number in range(2_000):
        a, b = rng.sample(words, 2)
        patterns.append(rng.choice([f"{a} {b} {number}", rf"\b{a}\b.*\b{b}\b",
                                    rf"^{a} (?:{b}|x{number})", f"{a}{b}"]))
    overrides = tuple(Override(p, "user") for p in patterns)
    classifier = TitleClassifier(overrides)
    titles = [" ".join(rng.sample(words, rng.randint(1, 4))) + rng.choice(["", " 7", " 1999"])
              for _ in range(400)]
    matched = 0
    for title in titles:
        expected = _reference_first_match(overrides, title)
        got = classifier.classify(title)
        if expected is not None:
            matched += 1
            assert got.because == f"org override '{patterns[expected]}' → user", title
        else:
            assert got == classify_title(title), title
    assert 100 < matched < len(titles)  # both outcomes are exercised


def test_given_more_overrides_than_re_caches_then_the_last_one_still_matches() -> None:
    overrides = tuple(Override(rf"\bteam {n}\b", "user") for n in range(1_100)) + (
        Override(r"\bchief\b.*\bofficer\b", "influencer"),)
    assert classify_title("Chief Data Officer", overrides=overrides).role == "influencer"
    assert classify_title("Team 1099 Lead", overrides=overrides).role == "user"
    assert classify_title("Team 11000 Lead", overrides=overrides) == classify_title(
        "Team 11000 Lead")


def test_given_more_overrides_than_re_caches_then_classifying_compiles_nothing() -> None:
    # re keeps 512 patterns compiled from strings: overrides must never go through it,
    # or past that many every title recompiles them.
    overrides = tuple(Override(rf"\bteam {n}\b", "user") for n in range(1_100))
    classifier = TitleClassifier(overrides)
    re.purge()
    for n in range(0, 1_100, 7):
        classifier.classify(f"Team {n} Manager")
    assert not any(r"\bteam" in str(key) for key in re._cache)  # type: ignore[attr-defined]


def test_given_keys_inside_other_keys_then_the_index_finds_every_one_in_order() -> None:
    # One automaton pass reports keys that overlap, nest or repeat; plain text with
    # accents is looked for folded.
    rng = random.Random(5)
    patterns = ["head of sales", "ad of sa", "head", "of sales", "sales", "Geschäftsführer",
                "führer", r"\bhead\b.*\bsales\b", r"(?:of|für) (sales|einkauf)", "sales sales",
                "les", r"^sales", r"s$", "Leiter Süd", "ÉTÉ"]
    titles = ["Head of Sales", "Geschaftsfuhrer", "GESCHÄFTSFÜHRER Einkauf", "sales sales",
              "Vice Head of Salesforce", "Leiter Sud", "leiter süd", "Chef für Einkauf", "été",
              "Sales", "saless", "", "Head"]
    for _ in range(30):
        rng.shuffle(patterns)
        _assert_first_override_wins(patterns, titles)


def _assert_first_override_wins(patterns: list[str], titles: list[str]) -> None:
    """Each title gets the label of the first pattern (in this order) the slow reference
    finds in it, or the plain classifier's answer when none matches."""
    overrides = tuple(Override(p, "user") for p in patterns)
    classifier = TitleClassifier(overrides)
    for title in titles:
        expected = _reference_first_match(overrides, title)
        got = classifier.classify(title)
        if expected is None:
            assert got == classify_title(title), title
        else:
            assert got.because == f"org override '{patterns[expected]}' → user", title


def test_given_ascii_titles_in_any_case_then_one_regex_search_finds_what_two_find() -> None:
    # An ASCII title is searched once (folded): case-sensitive parts of a pattern,
    # classes, back-references and scoped flags must not tell the two forms apart.
    rng = random.Random(8)
    patterns = [r"(?-i:CFO)", r"[A-Z]{3}", r"\bVP\b", r"(head)\s+of\s+\1", r"[^a-z]ead",
                r"(?i:Sales) (?-i:Lead)", r"\b[Ss]enior\b", r"Dir\.", r"^[A-Z]", r"(?-i:vp)",
                r"\bK\b"]
    titles = ["CFO", "cfo", "Cfo of ACME", "VP Sales", "vp sales", "Head of head",
              "HEAD OF HEAD", "Sales Lead", "SALES LEAD", "sales lead", "Senior", "Dir. Ops",
              "x K y", "k"]
    for _ in range(20):
        cased = ["".join(c.upper() if rng.random() < 0.5 else c.lower() for c in t)
                 for t in titles]
        rng.shuffle(patterns)
        _assert_first_override_wins(patterns, titles + cased)
