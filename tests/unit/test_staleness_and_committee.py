from __future__ import annotations

from leadpact.enrichment.committee import committee_coverage


def test_given_no_economic_buyer_when_covering_then_missing_and_flagged() -> None:
    coverage = committee_coverage(["decision_maker", "user", "unknown"])
    assert coverage.present == ("decision_maker", "user")
    assert coverage.missing == ("economic_buyer",)
    assert coverage.flags == ("no_economic_buyer",)
    assert coverage.has_gaps


def test_given_one_contact_when_covering_then_single_threaded() -> None:
    coverage = committee_coverage(["economic_buyer"])
    assert coverage.single_threaded and "single_threaded" in coverage.flags


def test_given_only_users_engaging_when_covering_then_user_only_flag() -> None:
    coverage = committee_coverage(["economic_buyer", "decision_maker", "user"],
                                  engaged_roles=["user", "technical_evaluator"])
    assert coverage.user_only and "user_only_engagement" in coverage.flags


def test_given_decision_maker_engaging_when_covering_then_not_user_only() -> None:
    coverage = committee_coverage(["economic_buyer", "decision_maker"],
                                  engaged_roles=["user", "decision_maker"])
    assert coverage.user_only is False and not coverage.has_gaps
