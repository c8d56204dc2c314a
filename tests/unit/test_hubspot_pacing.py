"""HubSpot pacing on a fake clock: waits only when a rate window is full, learns the
window from the headers, and counts how often it waited."""

from __future__ import annotations

import pytest

from leadpact.connectors.hubspot.pacing import DailyAllowance, Limit, Pacer, Window
from tests.hs_builders import Monotonic, paced_on


def calls(pacer: Pacer, n: int, search: bool = False) -> None:
    for _ in range(n):
        pacer.before_call(search)


def test_given_a_window_not_full_when_calling_then_no_wait() -> None:
    clock = Monotonic()
    pacer = Pacer(Limit(3, 10.0), clock=clock, sleep=clock.sleep)
    calls(pacer, 3)
    assert (pacer.waits, clock.slept) == (0, [])


def test_given_a_full_window_when_calling_then_waits_until_the_oldest_call_leaves() -> None:
    clock = Monotonic()
    pacer = Pacer(Limit(3, 10.0), clock=clock, sleep=clock.sleep)
    calls(pacer, 2)
    clock.now = 4.0
    calls(pacer, 1)  # calls at 0, 0, 4: full
    clock.now = 6.0
    calls(pacer, 1)  # waits until 10, when both calls made at 0 have left
    calls(pacer, 1)  # fits: the window holds 4 and 10
    calls(pacer, 1)  # full again (4, 10, 10): waits until 14
    assert clock.slept == [4.0, 4.0]
    assert (pacer.waits, pacer.waited, clock.now) == (2, 8.0, 14.0)


def test_given_searches_when_calling_fast_then_held_to_the_search_rate_only() -> None:
    clock = Monotonic()
    pacer = paced_on(clock)  # 5 searches a second, 100 calls per 10 s
    calls(pacer, 5, search=True)
    calls(pacer, 20)  # other calls are not held to the search rate
    assert pacer.waits == 0
    calls(pacer, 1, search=True)
    assert clock.slept == [1.0] and pacer.waits == 1


def test_given_rate_limit_headers_when_observed_then_the_window_and_the_day_are_learned() -> None:
    clock = Monotonic()
    pacer = Pacer(Limit(100, 10.0), clock=clock, sleep=clock.sleep)
    pacer.observe({"x-hubspot-ratelimit-max": "2", "X-HubSpot-RateLimit-Interval-Milliseconds":
                   "1000", "X-HubSpot-RateLimit-Daily": "500",
                   "X-HubSpot-RateLimit-Daily-Remaining": "120"})
    assert pacer.burst.limit == Limit(2, 1.0)
    assert pacer.daily == DailyAllowance(500, 120)
    calls(pacer, 3)
    assert clock.slept == [1.0]


@pytest.mark.parametrize("headers", [
    {}, {"X-HubSpot-RateLimit-Max": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
    {"X-HubSpot-RateLimit-Max": "many", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
])
def test_given_missing_or_odd_headers_when_observed_then_the_defaults_stay(
        headers: dict[str, str]) -> None:
    pacer = Pacer(Limit(100, 10.0))
    pacer.observe(headers)
    assert pacer.burst.limit == Limit(100, 10.0) and pacer.daily is None


def test_given_a_smaller_window_learned_when_full_then_waits_for_enough_calls_to_leave() -> None:
    window = Window(Limit(4, 10.0))
    for at in (0.0, 1.0, 2.0, 3.0):
        window.record(at)
    window.limit = Limit(2, 10.0)
    assert window.wait_before_next(5.0) == 7.0  # the calls at 0, 1 and 2 must leave
