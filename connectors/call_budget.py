"""A cap on the HTTP requests a connector may make while its change read runs.

The quota plan (leadpact/quota_run.py) gives each run a read budget per CRM. Checked only
between pages, a read could overshoot it by a whole page of calls (the rows, then the
activity, association and history reads that enrich them). Each connector checks this
cap before every request instead, so a read stops at the budget to the call; the page
it was building is dropped unyielded, its cursor uncommitted, and is read again next run.
"""

from __future__ import annotations

from leadpact.errors import ReadBudgetSpent


class CallBudget:
    """Requests left while a read is under the plan's budget; None: no cap (writes, the
    end-of-run passes, or no plan)."""

    def __init__(self, system: str) -> None:
        self.system = system
        self.left: int | None = None

    def spend(self) -> None:
        """Count one request about to go out; raise when none is left."""
        if self.left is None:
            return
        if self.left <= 0:
            raise ReadBudgetSpent(
                f"{self.system}: the run's read budget is spent; the rest of the changes is "
                "left for the next run", system=self.system, operation="reading changes")
        self.left -= 1
