"""Client-side pacing for HubSpot's rate limits, so a run slows down instead of collecting
429s.

HubSpot limits a private app to a number of calls per rolling 10 seconds (100 on
Free/Starter, 190 on Professional/Enterprise, 250 with the limit increase pack) and the
search API to 5 calls per second per account. `Pacer` keeps a log of leadpact's own calls
in each window and, before a call that would overfill one, waits until the oldest call in
it has left. The window's size comes from HubSpot's `X-HubSpot-RateLimit-Max` and
`-Interval-Milliseconds` headers once an answer has carried them, else from the lowest
documented tier. The same answers carry the day's `-Daily` / `-Daily-Remaining`, kept for
the run's quota plan (leadpact/quota.py).

`-Remaining` is not used to pace: it counts the portal's other integrations too, and
their share shows up as a 429 that the retry policy waits out (Retry-After first). The
clock and the sleep are injected, so tests move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    calls: int
    seconds: float


DEFAULT_BURST = Limit(100, 10.0)  # the lowest private-app tier; the headers say the real one
DEFAULT_SEARCH = Limit(5, 1.0)  # search API: 5 calls per second per account

MAX = "X-HubSpot-RateLimit-Max"
INTERVAL = "X-HubSpot-RateLimit-Interval-Milliseconds"
DAILY = "X-HubSpot-RateLimit-Daily"
DAILY_REMAINING = "X-HubSpot-RateLimit-Daily-Remaining"


class Window:
    """At most `limit.calls` of our calls in any `limit.seconds`: a log of call times."""

    def __init__(self, limit: Limit):
        self.limit = limit
        self._calls: deque[float] = deque()

    def wait_before_next(self, now: float) -> float:
        """Seconds until one more call fits (0: it fits now)."""
        while self._calls and now - self._calls[0] >= self.limit.seconds:
            self._calls.popleft()
        if len(self._calls) < self.limit.calls:
            return 0.0
        # the call that must leave for one more to fit
        leaving = self._calls[len(self._calls) - self.limit.calls]
        return max(0.0, leaving + self.limit.seconds - now)

    def record(self, now: float) -> None:
        self._calls.append(now)


@dataclass(frozen=True, slots=True)
class DailyAllowance:
    limit: int
    remaining: int


def _number(headers: Mapping[str, str], name: str) -> int | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            try:
                return int(str(value).strip())
            except ValueError:
                return None
    return None


class Pacer:
    """Waits before a call that would overfill HubSpot's 10-second window (any call) or the
    search API's second (searches); counts the waits."""

    def __init__(self, burst: Limit = DEFAULT_BURST, search: Limit = DEFAULT_SEARCH,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.burst = Window(burst)
        self.search = Window(search)
        self._clock, self._sleep = clock, sleep
        self.waits = 0  # calls that had to wait
        self.waited = 0.0  # seconds waited in all
        self.daily: DailyAllowance | None = None  # from the last answer that told

    def before_call(self, search: bool = False) -> None:
        windows = (self.burst, self.search) if search else (self.burst,)
        now = self._clock()
        wait = max(window.wait_before_next(now) for window in windows)
        if wait > 0:
            self.waits += 1
            self.waited += wait
            self._sleep(wait)
            now = self._clock()
        for window in windows:
            window.record(now)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the portal's real window and the day's allowance from an answer."""
        calls, interval = _number(headers, MAX), _number(headers, INTERVAL)
        if calls and calls > 0 and interval and interval > 0:
            self.burst.limit = Limit(calls, interval / 1000)
        daily, remaining = _number(headers, DAILY), _number(headers, DAILY_REMAINING)
        if daily is not None and remaining is not None:
            self.daily = DailyAllowance(daily, remaining)
