"""The quota plan's arithmetic: expected changes from what state knows, the call estimate
from a connector's costs, and the decision against the day's allowance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadpact import quota
from leadpact.connectors import cursor as cursors
from leadpact.quota import Allowance, CallCosts, QuotaPlan
from leadpact.quota_run import cursor_since
from leadpact.report import quota_lines

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
COSTS = CallCosts(fixed=7, page=200, calls_per_page=2.0, batch=200, calls_per_batch=2.0)


@pytest.mark.parametrize(("known", "since", "full", "expected"), [
    (0, None, False, None),  # a first sync: nothing known to estimate from
    (3000, None, False, 3000),  # no cursor: everything is read
    (3000, NOW - timedelta(hours=1), True, 3000),  # --full reads everything again
    (3000, NOW - timedelta(days=1), False, 150),  # 5 % a day
    (3000, NOW - timedelta(hours=12), False, 75),
    (3000, NOW - timedelta(days=40), False, 3000),  # never more than all of them
    (3000, NOW, False, 0),
])
def test_given_what_state_knows_then_the_expected_changes(
        known: int, since: datetime | None, full: bool, expected: int | None) -> None:
    assert quota.expected_changes(known, since, NOW, full) == expected


@pytest.mark.parametrize(("changed", "calls"), [
    (0, 7),  # only the fixed calls
    (1, 7 + 2 + 2),  # one page, one batch
    (200, 7 + 2 + 2),
    (201, 7 + 4 + 4),
    (3000, 7 + 30 + 30),
])
def test_given_changes_then_calls_are_fixed_plus_pages_plus_batches(changed: int,
                                                                    calls: int) -> None:
    assert quota.estimate_calls(changed, COSTS) == calls


@pytest.mark.parametrize(("estimated", "allowance", "decision", "budget", "read_budget"), [
    # read budget: 80 % of the budget less 20 calls kept for the end-of-run passes, but
    # never less than half the budget (a small allowance still reads every run)
    (100, Allowance(10_000, 5_000), "fits", 4_000, 3_180),
    (4_000, Allowance(10_000, 5_000), "fits", 4_000, 3_180),
    (4_001, Allowance(10_000, 5_000), "defer", 4_000, 3_180),
    (100, Allowance(10_000, 900), "defer", 0, 0),  # the reserve is all that is left
    (100, Allowance(10_000, 1_100), "fits", 100, 60),  # 80 less 20: under half kept
    (100, Allowance(10_000, 1_036), "defer", 36, 18),  # 28 less 20 would be 8: half read
    (100, Allowance(10_000, 1_020), "defer", 20, 10),
    (100, Allowance(10_000, 1_001), "defer", 1, 1),  # one call: a read may still start
    (None, Allowance(10_000, 5_000), "guard", 4_000, 3_180),
    (100, None, "unmetered", None, None),
])
def test_given_an_allowance_then_the_decision_and_the_budgets(
        estimated: int | None, allowance: Allowance | None, decision: str,
        budget: int | None, read_budget: int | None) -> None:
    found = quota.plan("salesforce", estimated, allowance, max_api_share=0.9)
    assert (found.decision, found.budget, found.read_budget) == (decision, budget, read_budget)
    if allowance is not None:
        assert (found.remaining, found.reserve) == (allowance.remaining, 1_000)


def test_given_a_cursor_then_its_least_read_stream_dates_it() -> None:
    streams = {"Contact": cursors.StreamCursor(NOW - timedelta(hours=2)),
               "Lead": cursors.StreamCursor(NOW - timedelta(hours=5))}
    assert cursor_since(cursors.dump(streams)) == NOW - timedelta(hours=5)
    assert cursor_since(None) is None
    assert cursor_since(cursors.dump({**streams, "Task": cursors.StreamCursor()})) is None


def test_given_a_plan_when_summarised_then_the_json_keys_and_the_words() -> None:
    plan = QuotaPlan("hubspot", 120, 800, 100, "defer")
    shown = quota.as_dict(plan, deferred=True, pacing_waits=3)
    assert shown == {"estimated_calls": 120, "remaining": 800, "reserve": 100,
                     "decision": "defer", "deferred": True, "pacing_waits": 3}
    assert quota_lines({"hubspot": shown}) == [
        "hubspot quota: estimated 120 calls, 800 left today, 100 kept in reserve, paced 3 "
        "time(s) for the rate limit → defer",
        "  hubspot: reading stopped at the run's budget; the rest of the changes is deferred "
        "to the next run (the cursor is kept)"]
