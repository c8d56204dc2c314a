"""The HubSpot connector paced against a sandbox that enforces HubSpot's rate windows: one
clock moves both (the pacer's sleep moves the sandbox's time), so a paced read never
meets a 429, and an unpaced one does."""

from __future__ import annotations

from datetime import timedelta

from leadpact.connectors.hubspot.pacing import DailyAllowance, Limit, Pacer
from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.server import Sandbox
from tests.hs_builders import T0, FakeClock, Monotonic, Sleeps, connector, contact


class SharedTime(Monotonic):
    """The pacer's clock and the sandbox's: sleeping moves both."""

    def __init__(self, store_clock: FakeClock):
        super().__init__()
        self.store_clock = store_clock

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.store_clock.advance(seconds)


def strict_sandbox(sandbox: Sandbox, people: int) -> FakeClock:
    ensure_schema(sandbox.store)
    clock = FakeClock(T0 + timedelta(hours=1))
    sandbox.store.set_clock(clock)
    for i in range(people):
        contact(sandbox.store, at=T0 + timedelta(seconds=i))
    sandbox.hubspot_burst = (4, 10.0)  # type: ignore[attr-defined]
    sandbox.hubspot_search_per_second = 2  # type: ignore[attr-defined]
    sandbox.hubspot_daily_limit = 1000  # type: ignore[attr-defined]
    return clock


def test_given_enforced_windows_when_paced_then_no_429_and_the_waits_are_counted(
        sandbox: Sandbox) -> None:
    time = SharedTime(strict_sandbox(sandbox, people=6))
    retries = Sleeps()
    pacer = Pacer(search=Limit(2, 1.0), clock=time, sleep=time.sleep)  # the portal's rate
    hs = connector(sandbox, sleeps=retries, page_size=2, pacer=pacer)
    read = [r.ref.id for page in hs.read_changes(None) for r in page.records]
    assert len(read) == 6
    assert retries.seen == []  # never refused: the pacer waited first
    assert pacer.burst.limit == Limit(4, 10.0)  # learned from the headers
    assert pacer.waits > 0 and pacer.waited == sum(time.slept)
    assert pacer.daily == DailyAllowance(1000, 1000 - hs.api_calls)


def test_given_enforced_windows_when_not_paced_then_the_sandbox_refuses_with_429(
        sandbox: Sandbox) -> None:
    clock = strict_sandbox(sandbox, people=6)
    retries = Sleeps(then=clock.advance)
    unpaced = Pacer(Limit(10**6, 10.0), Limit(10**6, 1.0))
    unpaced.observe = lambda headers: None  # type: ignore[method-assign]
    hs = connector(sandbox, sleeps=retries, page_size=2, pacer=unpaced)
    assert len([r for page in hs.read_changes(None) for r in page.records]) == 6
    assert retries.seen  # the same read, unpaced, was told to wait by 429s
