"""The sandbox's daily API allowances: calls counted since the sandbox's "day" began.

Both CRMs meter a day's calls (Salesforce: `salesforce_daily_limit`, a rolling 24 hours;
HubSpot: `hubspot_daily_limit`, reset at midnight in the portal's time zone). The store
counts every call ever made, so a day is the count at its start subtracted: `new_day`
starts one (a test or the admin endpoint `POST /_sandbox/new-day` stands in for midnight)
without touching the data.
"""

from __future__ import annotations

from typing import Any

SYSTEMS = ("salesforce", "hubspot")


def calls_today(sandbox: Any, system: str) -> int:
    """Calls `system` answered since the day began (all of them before any new_day)."""
    started: dict[str, int] = getattr(sandbox, "day_started_at_calls", {})
    calls: int = sandbox.store.calls(system)
    return calls - started.get(system, 0)


def new_day(sandbox: Any) -> None:
    """A fresh daily allowance for both CRMs: the calls made so far no longer count."""
    sandbox.day_started_at_calls = {system: sandbox.store.calls(system) for system in SYSTEMS}
