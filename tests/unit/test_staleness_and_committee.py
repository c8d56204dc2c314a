from __future__ import annotations

import pytest

from leadpact.enrichment.committee import committee_coverage
from leadpact.enrichment.staleness import StaleThresholds, judge_staleness
from tests.builders import NOW, date_in, days_ago, deal

T = StaleThresholds(silent_days=30, close_date_grace_days=7, min_signals=2)


def test_given_recent_activity_and_future_close_when_judged_then_not_stale() -> None:
    verdict = judge_staleness(deal(), NOW, T)
    assert not verdict.stale and verdict.reasons == ""


def test_given_buyer_silent_for_longer_than_threshold_then_stale_naming_the_date() -> None:
    verdict = judge_staleness(deal(last_activity_at=days_ago(45)), NOW, T)
    assert verdict.stale
    assert "no activity since 2026-10-09" in verdict.reasons


def test_given_silence_just_under_threshold_then_not_stale() -> None:
    assert not judge_staleness(deal(last_activity_at=days_ago(29)), NOW, T).stale


@pytest.mark.parametrize("closed", [True, False])
def test_given_closed_or_open_silent_deal_then_only_open_one_is_stale(closed: bool) -> None:
    verdict = judge_staleness(deal(last_activity_at=days_ago(90), is_closed=closed), NOW, T)
    assert verdict.stale is not closed


def test_given_two_weak_signals_then_stale() -> None:
    verdict = judge_staleness(deal(close_date=date_in(-20), contacts=1), NOW, T)
    assert verdict.stale
    assert [s.name for s in verdict.signals] == ["close_date_passed", "single_threaded"]


def test_given_one_weak_signal_then_not_stale() -> None:
    assert not judge_staleness(deal(close_date=date_in(-20)), NOW, T).stale


def test_given_unknown_next_activity_then_it_is_no_signal() -> None:
    verdict = judge_staleness(deal(next_activity_at=None, contacts=1), NOW, T)
    assert not verdict.stale


def test_given_past_next_activity_and_single_thread_then_stale() -> None:
    verdict = judge_staleness(deal(next_activity_at=days_ago(3), contacts=1), NOW, T)
    assert verdict.stale


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


def test_given_close_date_pushed_again_and_again_then_stale_on_its_own() -> None:
    verdict = judge_staleness(deal(close_date_pushes=4), NOW, T)
    assert verdict.stale and verdict.reasons == "close date pushed 4 times"
    assert not judge_staleness(deal(close_date_pushes=2), NOW, T).stale


def test_given_a_deal_stuck_far_past_the_stage_norm_then_it_is_a_signal() -> None:
    t = StaleThresholds(stage_days=60, stage_days_by_stage=(("Prospecting", 20),))
    stuck = deal(stage="Prospecting", stage_entered_at=days_ago(25), contacts=1)
    verdict = judge_staleness(stuck, NOW, t)
    assert [s.name for s in verdict.signals] == ["stuck", "single_threaded"]
    assert "norm: 20 days" in verdict.reasons
    fine = deal(stage="Negotiation", stage_entered_at=days_ago(25), contacts=1)
    assert not judge_staleness(fine, NOW, t).stale


def test_given_an_executive_sponsor_then_no_decision_maker_is_missing() -> None:
    coverage = committee_coverage(["executive_sponsor", "economic_buyer"])
    assert coverage.missing == ()
    assert committee_coverage(["executive_sponsor"]).missing == ("economic_buyer",)


def test_given_only_a_champion_and_users_engaging_then_still_user_only() -> None:
    coverage = committee_coverage(["champion", "user", "economic_buyer"],
                                  engaged_roles=["champion", "user"])
    assert coverage.user_only
