"""The quota plan: before a run, the API calls it is expected to need per CRM against
what is left of the day's allowance, less a reserve for the org's other integrations.
Pure: the allowance, the state's counts and the clock come in as values.

The estimate, per CRM (documented in the README, "Rate limits and quota"):

    changed  = known records                       on a first or --full read
             = known × min(1, 5 % × days since the cursor)   otherwise
    calls    = fixed + ⌈changed / page⌉ × calls per page + ⌈changed / batch⌉ × calls per batch

`fixed` is what a run spends whatever changed (a query or search per stream, the allowance
read); a page is the connector's page of changed records with the reads that enrich it
(activities, associations, history); a batch is one write call's worth of records with the
re-read before writing and the task upserts. The figures per connector are in its
`call_costs`, measured on the demo org (bench/quota_bench.py prints estimate vs actual).

Decisions: `fits` (the estimate fits the budget), `defer` (it does not: the run reads
changes until the budget's read share is spent, commits its cursor and leaves the rest to
the next run), `guard` (nothing known to estimate from, e.g. a first sync: the same stop
applies), `unmetered` (the CRM did not say what is left: no stop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

CHANGE_PER_DAY = 0.05  # share of the known records assumed to change per day
READ_SHARE = 0.8  # of the budget, for reading changes; the rest for the end-of-run passes
TAIL_CALLS = 20  # kept besides for the end-of-run passes (refresh, tasks, owner names)
# A small allowance: what is kept for the end-of-run passes never exceeds this share of the
# budget. Those passes only handle what the run read, so a run that can read little has
# little to do at its end; a fixed 20 would leave a day close to one sync too few reads
# to finish even one page, and every run would defer again.
MAX_TAIL_SHARE = 0.5

FITS, DEFER, GUARD, UNMETERED = "fits", "defer", "guard", "unmetered"


@dataclass(frozen=True, slots=True)
class Allowance:
    """A CRM's daily API allowance as it stands."""

    limit: int
    remaining: int


@dataclass(frozen=True, slots=True)
class CallCosts:
    """How a connector spends calls, for the estimate."""

    fixed: int  # calls a run makes whatever changed
    page: int  # changed records per page
    calls_per_page: float  # calls to read and enrich one page
    batch: int  # records per write call
    calls_per_batch: float  # calls to write one batch (re-read, write, tasks)


@runtime_checkable
class Metered(Protocol):
    """A connector that can say what is left of its CRM's daily allowance."""

    call_costs: CallCosts
    max_api_share: float  # of the daily allowance leadpact may use; the rest is reserve

    def daily_allowance(self) -> Allowance | None:
        """The allowance as the CRM reports it now (may cost one call); None: unknown."""
        ...


def expected_changes(known: int, cursor_since: datetime | None, now: datetime,
                     full: bool) -> int | None:
    """Records a run is expected to read: all known ones on a first or full read (None when
    none are known yet), else the assumed daily share of them since the cursor."""
    if full or cursor_since is None:
        return known or None
    days = max(0.0, (now - cursor_since).total_seconds() / 86400)
    return math.ceil(known * min(1.0, CHANGE_PER_DAY * days))


def estimate_calls(changed: int, costs: CallCosts) -> int:
    pages = math.ceil(changed / max(1, costs.page))
    batches = math.ceil(changed / max(1, costs.batch))
    return costs.fixed + math.ceil(pages * costs.calls_per_page + batches * costs.calls_per_batch)


@dataclass(frozen=True, slots=True)
class QuotaPlan:
    system: str
    estimated_calls: int | None
    remaining: int | None
    reserve: int | None
    decision: str

    @property
    def budget(self) -> int | None:
        """Calls this run may make on this CRM; None: no limit known."""
        if self.remaining is None:
            return None
        return max(0, self.remaining - (self.reserve or 0))

    @property
    def read_budget(self) -> int | None:
        """Calls after which the run stops reading changes (the rest is kept for the
        refresh and task passes)."""
        budget = self.budget
        return None if budget is None else budget - tail_reserve(budget)


def tail_reserve(budget: int) -> int:
    """Calls of `budget` kept for the end-of-run passes: the read share's rest plus
    TAIL_CALLS, at most MAX_TAIL_SHARE of the budget."""
    kept = budget - math.floor(budget * READ_SHARE) + TAIL_CALLS
    return min(kept, math.floor(budget * MAX_TAIL_SHARE))


def plan(system: str, estimated: int | None, allowance: Allowance | None,
         max_api_share: float) -> QuotaPlan:
    if allowance is None:
        return QuotaPlan(system, estimated, None, None, UNMETERED)
    reserve = math.ceil(allowance.limit * (1 - max_api_share))
    budget = max(0, allowance.remaining - reserve)
    decision = GUARD if estimated is None else FITS if estimated <= budget else DEFER
    return QuotaPlan(system, estimated, allowance.remaining, reserve, decision)


def as_dict(quota: QuotaPlan, deferred: bool, pacing_waits: int | None) -> dict[str, Any]:
    """How the summary (and `--json`) shows one CRM's plan and what came of it."""
    out: dict[str, Any] = {"estimated_calls": quota.estimated_calls,
                           "remaining": quota.remaining, "reserve": quota.reserve,
                           "decision": quota.decision, "deferred": deferred}
    if pacing_waits is not None:
        out["pacing_waits"] = pacing_waits
    return out
