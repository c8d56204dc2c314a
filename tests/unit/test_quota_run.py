"""The quota plan inside a run, over an in-memory CRM that reports a daily allowance: reads
stop at the budget and the next runs go on from the cursor, nobody missed;
too little left stops the run (exit 75); an unreadable allowance plans nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadpact.connectors import cursor as cursors
from leadpact.errors import AuthError, QuotaExhausted
from leadpact.model import Page
from leadpact.pipeline import run_sync
from leadpact.quota import Allowance, CallCosts
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector

# The earlier score-threshold format: a CFO is sales-ready on title alone, so every person
# gets one task (the shipped definition also wants engagement).
RULES = load_rules(Path(__file__).parent / "data" / "legacy_rules.yaml")
PEOPLE = 30
EPOCH = NOW - timedelta(hours=1)  # the in-memory CRM's stamps count seconds from here


class Tag:
    seniority, function, role, confidence, because = (
        "c_level", "finance", "economic_buyer", 0.95, "CFO")


class MeteredMemory(MemoryConnector):
    """An in-memory CRM whose day allows `limit` calls (each read, re-read and write is one)."""

    call_costs = CallCosts(fixed=2, page=1, calls_per_page=1.0, batch=1, calls_per_batch=2.0)
    max_api_share = 0.9

    def __init__(self, limit: int, unreadable: bool = False):
        super().__init__("hubspot", page_size=1)
        self.limit, self.unreadable, self.day_started = limit, unreadable, 0

    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        """The in-memory pages under a stream cursor (connectors/cursor.py), as the real
        connectors keep, so the plan can tell the cursor's age."""
        since = cursors.load(cursor).get("people", cursors.StreamCursor()).since
        inner = str(int((since - EPOCH).total_seconds())) if since else None
        for page in super().read_changes(inner):
            stamp = EPOCH + timedelta(seconds=int(page.cursor))
            yield Page(page.records, cursors.dump({"people": cursors.StreamCursor(stamp)}))

    def new_day(self) -> None:
        self.day_started = self.calls

    def daily_allowance(self) -> Allowance | None:
        self.calls += 1
        if self.unreadable:
            raise AuthError("no permission to read the limits")
        return Allowance(self.limit, self.limit - (self.calls - self.day_started))


def sync(state: State, crm: MeteredMemory) -> dict[str, Any]:
    summary, _ = run_sync([crm], state, RULES, lambda title: Tag(), NOW)
    return summary.as_dict()


def test_given_a_small_allowance_then_reads_stop_at_the_budget_and_later_days_finish() -> None:
    crm = MeteredMemory(limit=100)  # budget 100 - 1 read - 10 reserve; reads stop at 51 calls
    for i in range(PEOPLE):
        crm.put(person(str(i), title="CFO"))
    state = State(":memory:")
    runs = [sync(state, crm)]
    first = runs[0]["quota"]["hubspot"]
    assert (first["decision"], first["deferred"], first["remaining"], first["reserve"]) == (
        "guard", True, 99, 10)
    judged = sum(1 for r in crm.records.values() if r.leadpact)
    assert 0 < judged < PEOPLE and state.cursor("hubspot")
    while runs[-1]["quota"]["hubspot"]["deferred"] and len(runs) < 5:
        crm.new_day()
        runs.append(sync(state, crm))
        assert runs[-1]["quota"]["hubspot"]["decision"] == "guard"  # a backlog: no estimate
    assert not runs[-1]["quota"]["hubspot"]["deferred"] and len(runs) > 1
    assert all(r.leadpact.get("role") == "economic_buyer" for r in crm.records.values())
    assert len(crm.tasks) == PEOPLE  # one task per person, none twice
    crm.new_day()
    settled = sync(state, crm)["quota"]["hubspot"]
    # The cursor is about an hour old: 5 % a day of 30 people is 1 change expected, so the
    # fixed 2 calls, 1 page and 1 write batch of 2 calls.
    assert (settled["decision"], settled["estimated_calls"], settled["deferred"]) == (
        "fits", 5, False)


@pytest.mark.parametrize(("limit", "left"), [
    (2, 1),  # 1 left after the allowance read, 1 in reserve: no budget at all
    (3, 2),  # a budget of 1: fewer than the 2 calls a run makes whatever changed
])
def test_given_too_little_left_when_planning_then_quota_exhausted_and_the_run_recorded(
        limit: int, left: int) -> None:
    crm = MeteredMemory(limit=limit)
    crm.put(person("1", title="CFO"))
    state = State(":memory:")
    with pytest.raises(QuotaExhausted,
                       match=f"{left} API calls left today and keeps 1 in reserve"):
        sync(state, crm)
    assert state.runs(1)[0][2] is not None and "failed" in state.runs(1)[0]
    assert not any(r.leadpact for r in crm.records.values())


def test_given_an_unreadable_allowance_then_unmetered_and_everything_read() -> None:
    crm = MeteredMemory(limit=10, unreadable=True)
    for i in range(5):
        crm.put(person(str(i), title="CFO"))
    found = sync(State(":memory:"), crm)
    assert found["quota"]["hubspot"]["decision"] == "unmetered"
    assert found["systems"]["hubspot"]["records_read"] == 5
