"""The quota plan at the edge of a run: asks each metered connector what is left of its
CRM's daily allowance, estimates from the state (leadpact/quota.py), and stops reading a
CRM's changes once the run has spent the plan's read budget there. The pages read so far
have committed their cursor, so the next run goes on from there without a gap."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from leadpact import quota
from leadpact.connectors import cursor as cursors
from leadpact.connectors.base import Connector
from leadpact.connectors.call_budget import CallBudget
from leadpact.errors import LeadpactError, QuotaExhausted, ReadBudgetSpent, TransientError
from leadpact.model import Page
from leadpact.state import State

log = logging.getLogger(__name__)


def _allowance(connector: quota.Metered) -> quota.Allowance | None:
    """What is left of the CRM's day; None when it could not be read for a reason the run's
    own calls report as usual (a rejected token, a missing permission). A spent quota or a
    CRM that does not answer stops the run here (exit 75)."""
    try:
        return connector.daily_allowance()
    except TransientError:
        raise
    except LeadpactError as exc:
        log.info("%s: the daily allowance could not be read (%s); no quota plan",
                 getattr(connector, "system", "?"), exc)
        return None


def cursor_since(cursor: str | None) -> datetime | None:
    """How far the least advanced stream of a cursor has been read (None: from the start).
    ValueError: not a cursor of connectors/cursor.py (a connector may keep its own)."""
    try:
        streams = cursors.load(cursor)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ValueError(f"not a stream cursor: {type(exc).__name__}") from None
    stamps = [state.since for state in streams.values()]
    if not stamps or any(stamp is None for stamp in stamps):
        return None
    return min(stamp for stamp in stamps if stamp is not None)


DEFERRED = "quota:deferred:"  # state meta, per CRM: its last run left changes unread


def _expected_changes(system: str, state: State, now: datetime, full: bool) -> int | None:
    if state.get_meta(DEFERRED + system) and not full:
        return None  # the last run left a backlog of unknown size
    try:
        since = cursor_since(state.cursor(system))
    except ValueError:
        return None  # a cursor that does not say how old it is
    return quota.expected_changes(state.count_known(system), since, now, full)


class RunQuota:
    """Each CRM's quota plan for one run, and which CRMs' reads it stopped."""

    def __init__(self, plans: dict[str, quota.QuotaPlan], spent_from: dict[str, int]):
        self.plans = plans
        self._spent_from = spent_from  # each connector's call count once the plan was made
        self.deferred: set[str] = set()

    @classmethod
    def before_run(cls, connectors: Sequence[Connector], state: State, now: datetime,
                   full: bool) -> RunQuota:
        plans: dict[str, quota.QuotaPlan] = {}
        spent_from: dict[str, int] = {}
        for connector in connectors:
            if not isinstance(connector, quota.Metered):
                continue
            allowance = _allowance(connector)
            changed = _expected_changes(connector.system, state, now, full)
            estimated = None if changed is None else \
                quota.estimate_calls(changed, connector.call_costs)
            found = quota.plan(connector.system, estimated, allowance, connector.max_api_share)
            # Fewer calls than a run makes whatever changed: it could read nothing.
            if found.read_budget is not None and \
                    found.read_budget < max(1, connector.call_costs.fixed):
                raise QuotaExhausted(
                    f"{connector.system} has {found.remaining} API calls left today and keeps "
                    f"{found.reserve} in reserve for other integrations: too few to read "
                    "anything; run again after the daily limit resets",
                    system=connector.system, operation="planning the run's calls")
            plans[connector.system] = found
            spent_from[connector.system] = connector.api_calls
            log.info("%s quota: %s", connector.system, plans[connector.system])
        return cls(plans, spent_from)

    def pages(self, connector: Connector, pages: Iterable[Page]) -> Iterator[Page]:
        """`pages`, until the run has spent the read budget on this CRM; what is left stays
        for the next run (each page handled committed its cursor)."""
        found = self.plans.get(connector.system)
        limit = found.read_budget if found is not None else None
        if found is None or limit is None:
            yield from pages
            return
        source = iter(pages)
        # Checked before every request the read makes, not only between pages, so a
        # page's enriching reads cannot overshoot the budget (connectors/call_budget.py).
        budget: CallBudget | None = getattr(connector, "call_budget", None)
        try:
            while True:
                spent = connector.api_calls - self._spent_from.get(connector.system, 0)
                if spent >= limit:
                    self._defer(connector.system, spent, limit, found)
                    return
                if budget is not None:
                    budget.left = limit - spent
                try:
                    page = next(source, None)
                except ReadBudgetSpent:  # mid-page: that page is read again next run
                    self._defer(connector.system, limit, limit, found)
                    return
                finally:
                    if budget is not None:
                        budget.left = None  # writes and end-of-run passes are not capped
                if page is None:
                    return
                yield page
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # an abandoned read lets go of what it holds now

    def _defer(self, system: str, spent: int, limit: int, found: quota.QuotaPlan) -> None:
        self.deferred.add(system)
        log.warning("%s: %d calls spent, the run's read budget (%d of %s left today, %s "
                    "kept in reserve): the rest of the changes is deferred to the next run",
                    system, spent, limit, found.remaining, found.reserve)

    def remember(self, state: State) -> None:
        """Note in state which CRMs' reads were deferred (the next plan cannot size them)."""
        for system in self.plans:
            state.set_meta(DEFERRED + system, "1" if system in self.deferred else "")

    def as_dict(self, connectors: Iterable[Connector]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for connector in connectors:
            found = self.plans.get(connector.system)
            if found is not None:
                pacer = getattr(connector, "pacer", None)
                out[connector.system] = quota.as_dict(
                    found, connector.system in self.deferred,
                    pacer.waits if pacer is not None else None)
        return out
