"""Org overrides: RevOps maps title patterns to roles for their org."""

from __future__ import annotations

import pytest

from leadpact.enrichment.titles import (
    Override,
    TitleClassifier,
    classify_title,
    parse_overrides,
)

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
