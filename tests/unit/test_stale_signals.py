"""Table tests of the stale verdict's signals: boundaries, missing dates, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from leadpact.enrichment.buyer_activity import deal_timeline, declines, is_buyer_side
from leadpact.enrichment.stage_norms import learn_stage_norms, percentile
from leadpact.enrichment.staleness import StaleThresholds, judge_staleness
from leadpact.model import (
    CANCELLED,
    CONNECTED,
    HELD,
    NO_SHOW,
    NOT_REACHED,
    SCHEDULED,
    Activity,
    Ref,
)
from tests.builders import NOW, date_in, days_ago, deal

T = StaleThresholds()
DEAL = Ref("salesforce", "deal", "9")


def reply(days: int, **kw: object) -> Activity:
    return Activity(days_ago(days), "email", True, "RE: Next steps", **kw)  # type: ignore[arg-type]


def chase(days: int) -> Activity:
    return Activity(days_ago(days), "email", False, "Following up")


def signals(verdict_deal=None, timeline=(), now=NOW, t=T, norms=None) -> dict[str, float]:
    verdict = judge_staleness(verdict_deal or deal(), timeline, now, t, norms)
    from leadpact.enrichment.staleness import stale_signals
    found, *_ = stale_signals(verdict_deal or deal(), timeline, now, t, norms)
    assert verdict.score == round(sum(s.points for s in found), 2)
    return {s.name: s.points for s in found}


@pytest.mark.parametrize("activity, buyer_side", [
    (Activity(NOW, "email", True), True),
    (Activity(NOW, "email", False), False),  # the rep's own email
    (Activity(NOW, "meeting", True, outcome=HELD), True),
    (Activity(NOW, "meeting", True), True),  # a meeting with no outcome recorded took place
    (Activity(NOW, "meeting", False, outcome=CANCELLED), False),
    (Activity(NOW, "meeting", False, outcome=NO_SHOW), False),
    (Activity(NOW, "meeting", False, outcome=SCHEDULED), False),
    (Activity(NOW, "call", False, outcome=CONNECTED), True),
    (Activity(NOW, "call", False, outcome=NOT_REACHED), False),
    (Activity(NOW, "call", False), False),  # an outbound call with no result: an attempt
    (Activity(NOW, "call", True), True),  # the buyer called
    (Activity(NOW, "form", True), False),  # marketing touches are not the buyer on the deal
    (Activity(NOW, "webinar", True), False),
    (Activity(NOW, "content", True), False),
])
def test_buyer_side_activity(activity: Activity, buyer_side: bool) -> None:
    assert is_buyer_side(activity) is buyer_side


@pytest.mark.parametrize("silent, expected", [
    (13, {}), (14, {"buyer_silent": 1.0}), (59, {"buyer_silent": 1.0}),
    (60, {"buyer_silent": 1.0, "buyer_long_silent": 1.0}),
])
def test_buyer_silence_boundaries(silent: int, expected: dict[str, float]) -> None:
    # Two replies so that "quiet after first contact" stays out of the way.
    found = signals(timeline=(reply(silent + 5), reply(silent)))
    assert {k: v for k, v in found.items() if k.startswith("buyer")} == expected


def test_silence_counts_from_the_buyer_not_from_the_rep_chasing() -> None:
    timeline = (reply(40), reply(30), chase(20), chase(10), chase(1))
    verdict = judge_staleness(deal(), timeline, NOW, T)
    assert verdict.days_buyer_silent == 30
    assert verdict.chases == 3 and verdict.stale  # silent 1 + chasing 3


def test_no_activity_at_all_counts_silence_from_creation() -> None:
    verdict = judge_staleness(deal(created_at=days_ago(20)), (), NOW, T)
    assert verdict.days_buyer_silent == 20 and verdict.last_buyer_at is None
    assert "no reply from the buyer on this deal yet" in judge_staleness(
        deal(created_at=days_ago(90)), (chase(80), chase(50), chase(30)), NOW, T).reasons


def test_missing_creation_date_and_no_activity_gives_no_silence() -> None:
    verdict = judge_staleness(deal(created_at=None), (), NOW, T)
    assert verdict.days_buyer_silent is None and not verdict.stale


@pytest.mark.parametrize("attempts, points", [(0, None), (1, 1.0), (3, 3.0), (7, 3.0)])
def test_chasing_is_capped(attempts: int, points: float | None) -> None:
    timeline = (reply(10), *(chase(9 - i) for i in range(attempts)))
    assert signals(timeline=timeline).get("chasing") == points


def test_unanswered_calls_chase_and_connected_calls_are_the_buyer() -> None:
    timeline = (reply(30), Activity(days_ago(5), "call", False, outcome=NOT_REACHED),
                Activity(days_ago(3), "call", False, outcome=CONNECTED))
    verdict = judge_staleness(deal(), timeline, NOW, T)
    assert verdict.days_buyer_silent == 3 and verdict.chases == 0


def test_too_young_to_judge() -> None:
    young = deal(created_at=days_ago(13))
    timeline = (chase(12), chase(10), chase(8), chase(2))
    verdict = judge_staleness(young, timeline, NOW, T)
    assert not verdict.stale and not verdict.judged
    assert judge_staleness(deal(created_at=days_ago(14)), timeline, NOW, T).judged


@pytest.mark.parametrize("closed", [True, False])
def test_closed_deals_are_never_stale(closed: bool) -> None:
    dead = deal(is_closed=closed, created_at=days_ago(200))
    assert judge_staleness(dead, (chase(100), chase(50), chase(3)), NOW, T).stale is not closed


@pytest.mark.parametrize("close_in, flagged", [(-30, False), (-31, True), (10, False)])
def test_close_date_passed_after_grace(close_in: int, flagged: bool) -> None:
    found = signals(deal(close_date=date_in(close_in)), timeline=(reply(2),))
    assert ("close_date_passed" in found) is flagged


def test_pushes_count_only_after_the_buyer_went_quiet() -> None:
    history = ((days_ago(100), date_in(-60)), (days_ago(50), date_in(-20)),
               (days_ago(20), date_in(10)), (days_ago(5), date_in(40)))
    found = judge_staleness(deal(close_date_history=history), (reply(30),), NOW, T)
    assert found.pushes == 2
    assert "close date pushed 2 time(s) since the buyer last replied" in signals_reasons(
        deal(close_date_history=history), (reply(30),))


def signals_reasons(d, timeline) -> str:
    from leadpact.enrichment.staleness import stale_signals
    return "; ".join(s.reason for s in stale_signals(d, timeline, NOW, T)[0])


def test_without_history_the_push_count_alone_decides() -> None:
    assert "pushed" in signals(deal(close_date_pushes=3), (reply(1),))
    assert "pushed" not in signals(deal(close_date_pushes=2), (reply(1),))


def test_stage_norm_learned_beats_the_rules_fallback() -> None:
    d = deal(stage="Proposal", stage_entered_at=days_ago(31))
    assert "stuck" not in signals(d, (reply(1),))  # fallback 60 days
    assert signals(d, (reply(1),), norms={"Proposal": 30})["stuck"] == 1.0
    assert signals(d, (reply(1),), norms={"Proposal": 15})["stuck"] == 2.0  # over 2x


def test_stage_entry_comes_from_the_history_when_read() -> None:
    d = deal(stage="B", stage_entered_at=days_ago(1),
             stage_history=((days_ago(90), "A"), (days_ago(50), "B")))
    assert "stuck" in signals(d, (reply(1),), norms={"B": 40})


def test_meeting_missed_since_the_buyer_spoke() -> None:
    timeline = (reply(20), Activity(days_ago(10), "meeting", False, outcome=NO_SHOW))
    assert signals(timeline=timeline)["meeting_missed"] == 1.0
    earlier = (Activity(days_ago(25), "meeting", False, outcome=CANCELLED), reply(20))
    assert "meeting_missed" not in signals(timeline=earlier)


def test_meeting_booked_with_the_buyer_counts_against_stale() -> None:
    ahead = Activity(NOW + timedelta(days=5), "meeting", False, outcome=SCHEDULED,
                     booked_at=days_ago(19))
    assert signals(timeline=(reply(20), ahead))["meeting_booked"] == -1.5
    # booked long after the buyer went quiet: the rep's placeholder, not the buyer's
    late = Activity(NOW + timedelta(days=5), "meeting", False, outcome=SCHEDULED,
                    booked_at=days_ago(2))
    assert "meeting_booked" not in signals(timeline=(reply(40), late))


def test_quiet_after_first_contact_and_after_proposal() -> None:
    proposal = Activity(days_ago(25), "email", False, "Our proposal for Q1")
    found = signals(timeline=(reply(30), proposal))
    assert found["quiet_after_first_contact"] == 0.5
    assert found["quiet_after_proposal"] == 0.5
    assert "quiet_after_proposal" not in signals(timeline=(reply(31), proposal, reply(20)))


@pytest.mark.parametrize("subject, text", [
    ("RE: Proposal", "Thanks, but we have decided to go with another vendor."),
    ("AW: Angebot", "Leider haben wir uns für einen anderen Anbieter entschieden."),
    ("RE: Devis", "Nous ne donnerons pas suite pour le moment."),
    ("RE: Propuesta", "No estamos interesados por ahora."),
    ("RE: Proposta", "Optamos por outra solução."),
    ("R: Offerta", "Abbiamo deciso di non procedere."),
    ("Antw: Offerte", "We hebben geen interesse meer."),
    ("Not moving forward", ""),
])
def test_declines_in_seven_languages(subject: str, text: str) -> None:
    said_no = Activity(days_ago(3), "email", True, subject, text=text)
    assert declines(said_no)
    verdict = judge_staleness(deal(), (reply(10), said_no), NOW, T)
    assert verdict.stale and "declined" in verdict.reasons


@pytest.mark.parametrize("text", ["Yes, let's move forward next week.",
                                  "Not now, but Tuesday works.", "No problem, see you then."])
def test_live_replies_are_not_declines(text: str) -> None:
    assert not declines(Activity(NOW, "email", True, "RE: Next steps", text=text))


def test_time_zones_do_not_move_the_count() -> None:
    paris = timezone(timedelta(hours=1))
    local = Activity(datetime(2026, 11, 9, 12, 30, tzinfo=paris), "email", True)
    utc = Activity(datetime(2026, 11, 9, 11, 30, tzinfo=UTC), "email", True)
    a = judge_staleness(deal(), (local,), NOW, T)
    b = judge_staleness(deal(), (utc,), NOW, T)
    assert a.days_buyer_silent == b.days_buyer_silent == 14


def test_threshold_is_inclusive() -> None:
    timeline = (reply(20), reply(15), chase(10), chase(9), chase(8))  # 1 + 3 = 4
    assert judge_staleness(deal(), timeline, NOW, T).stale
    assert not judge_staleness(deal(), timeline, NOW, StaleThresholds(threshold=4.5)).stale


def test_timeline_keeps_the_deals_own_and_untagged_activities_once() -> None:
    other = Ref("salesforce", "deal", "8")
    mine = Activity(days_ago(1), "email", True, "x", DEAL)
    acts = [mine, mine, Activity(days_ago(2), "email", True, "y"),
            Activity(days_ago(3), "email", True, "z", other)]
    assert [a.subject for a in deal_timeline(DEAL, acts)] == ["y", "x"]


def test_norms_learned_from_won_deals_as_of_the_clock() -> None:
    def won(days_in_a: int, closed_days_ago: int):
        start = days_ago(closed_days_ago + days_in_a + 10)
        return ([(start, "A"), (start + timedelta(days=days_in_a), "B"),
                 (days_ago(closed_days_ago), "Closed Won")], days_ago(closed_days_ago))
    deals = [won(d, 5) for d in (10, 20, 30, 40, 50)]
    assert learn_stage_norms(deals, NOW) == {"A": 40, "B": 10}
    # a deal won after the clock does not count; too few deals: no norm
    assert learn_stage_norms(deals[:4] + [won(90, -3)], NOW) == {}
    assert learn_stage_norms(deals, NOW, min_deals=6) == {}


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5], 0.8) == 4
    assert percentile([7], 0.8) == 7
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.8) == 8


def test_reasons_name_dates_so_an_unchanged_deal_is_not_rewritten_daily() -> None:
    timeline = (reply(30), chase(20), chase(10), chase(5))
    today = judge_staleness(deal(), timeline, NOW, T)
    tomorrow = judge_staleness(deal(), timeline, NOW + timedelta(days=1), T)
    assert today.reasons == tomorrow.reasons and today.stale
    assert date(2026, 10, 24) == (NOW - timedelta(days=30)).date()
    assert "since 24 Oct 2026" in today.reasons
