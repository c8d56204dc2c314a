"""A stale deal's task through its whole life, on each CRM over HTTP (the sandbox):
created once → a rerun makes no second → new reasons update it → the buyer replies and it
is completed with a note → silence again opens a new episode with a new task. A task the
rep deleted is not made again while the same episode lasts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from leadpact.connectors.base import Connector
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.pipeline import RunSummary, run_sync
from leadpact.rules.engine import default_rules_text, parse_rules
from leadpact.state import State
from tests import hs_builders as hs
from tests.sf_builders import T0, ManualClock, SalesforceOrg, connect
from tests.unit.test_pipeline import classify

# Only the stale rule sends tasks here, so each count below is the stale task's.
RULES = parse_rules(default_rules_text().replace(
    '      task:\n        subject: "Sales-ready: {name} ({title})"\n        due_in_days: 2\n', "")
    .replace('    task:\n      subject: "Buying committee gap on {deal}: no {missing}"\n'
             '      due_in_days: 2\n', "    task: null\n"), "stale-tasks-only.yaml")
BUYER = "ann@acme.example"
REP = "rep@vendor.example"


@dataclass
class StaleTask:
    key: str
    open: bool
    body: str


class SalesforceDeal:
    """One open opportunity with one buyer (a CFO), on the Salesforce sandbox."""

    system = "salesforce"

    def __init__(self, sandbox: Sandbox, clock: ManualClock):
        self.sandbox, self.clock = sandbox, clock
        self.org = SalesforceOrg(sandbox.store, clock)
        salesforce_schema.ensure_schema(sandbox.store, with_leadpact_fields=True)
        owner = self.org.user()
        self.buyer = self.org.contact("Ames", FirstName="Ann", Title="CFO", Email=BUYER,
                                      OwnerId=owner)
        self.deal = self.org.opportunity("Acme renewal", OwnerId=owner, StageName="Negotiation",
                                         CloseDate=(T0 + timedelta(days=200)).date().isoformat())
        self.org.contact_role(self.deal, self.buyer)

    def connector(self, day: datetime) -> Connector:
        return connect(self.sandbox, clock=lambda: day)

    def email(self, day: datetime, *, from_buyer: bool, subject: str) -> None:
        self.clock.now = max(self.clock.now, day)  # logged when it happened
        sender, to = (BUYER, REP) if from_buyer else (REP, BUYER)
        self.org.email_task(self.buyer, self.deal, day=day.date().isoformat(),
                            subject=subject, sender=sender, to=to)

    def tasks(self) -> list[StaleTask]:
        return sorted((StaleTask(r.fields["Leadpact_Task_Key__c"], not r.fields.get("IsClosed"),
                                 r.fields.get("Description") or "")
                       for r in self.org.rows("Task") if r.fields.get("Leadpact_Task_Key__c")),
                      key=lambda t: t.key)

    def delete_task(self, key: str) -> None:
        [row] = [r for r in self.org.rows("Task") if r.fields.get("Leadpact_Task_Key__c") == key]
        self.org.delete("Task", row.id)


class HubSpotDeal:
    """The same deal on the HubSpot sandbox."""

    system = "hubspot"

    def __init__(self, sandbox: Sandbox, clock: ManualClock):
        self.sandbox, self.store, self.clock = sandbox, sandbox.store, clock
        self.store.set_clock(clock)
        hubspot_schema.ensure_schema(self.store, with_leadpact_properties=True)
        owner = hs.owner(self.store)
        self.buyer = hs.contact(self.store, email=BUYER, firstname="Ann", lastname="Ames",
                                jobtitle="CFO", hubspot_owner_id=owner)
        self.deal = hs.deal(self.store, dealname="Acme renewal", dealstage="contractsent",
                            hubspot_owner_id=owner,
                            closedate=hs.hs_time(T0 + timedelta(days=200)))
        hs.link_deal_contact(self.store, self.deal, self.buyer)

    def connector(self, day: datetime) -> Connector:
        return hs.connector(self.sandbox, clock=lambda: day)

    def email(self, day: datetime, *, from_buyer: bool, subject: str) -> None:
        self.clock.now = max(self.clock.now, day)  # logged when it happened
        hs.email(self.store, self.buyer, when=day, subject=subject, incoming=from_buyer,
                 deal_id=self.deal)

    def tasks(self) -> list[StaleTask]:
        return sorted((StaleTask(r.fields["leadpact_task_key"],
                                 r.fields.get("hs_task_status") != "COMPLETED",
                                 r.fields.get("hs_task_body") or "")
                       for r in self.store.scan("hubspot", "tasks")
                       if r.fields.get("leadpact_task_key", "").startswith("deal:stale")),
                      key=lambda t: t.key)

    def delete_task(self, key: str) -> None:
        [row] = [r for r in self.store.scan("hubspot", "tasks")
                 if r.fields.get("leadpact_task_key") == key]
        assert self.store.delete("hubspot", "tasks", row.id)


Crm = SalesforceDeal | HubSpotDeal


@pytest.fixture(params=["salesforce", "hubspot"])
def crm(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Crm]:
    clock = ManualClock(T0)
    yield (SalesforceDeal if request.param == "salesforce" else HubSpotDeal)(sandbox, clock)


def sync(crm: Crm, state: State, day: datetime) -> RunSummary:
    summary, _ = run_sync([crm.connector(day)], state, RULES, classify, day)
    assert summary.status == "ok", summary.failures
    return summary


def stats(summary: RunSummary, crm: Crm) -> dict[str, Any]:
    s = summary.systems[crm.system]
    return {"created": s.tasks_created, "updated": s.tasks_updated, "closed": s.tasks_closed,
            "stale": s.stale_deals}


def stale_tasks(crm: Crm) -> list[StaleTask]:
    return [t for t in crm.tasks() if t.key.startswith("deal:stale")]


def chased_for_weeks(crm: Crm) -> datetime:
    """The buyer spoke once, then three follow-ups went unanswered; returns the day after."""
    crm.email(T0 + timedelta(days=1), from_buyer=True, subject="RE: pricing")
    for week in (3, 5, 7):
        crm.email(T0 + timedelta(weeks=week), from_buyer=False, subject=f"Checking in #{week}")
    return T0 + timedelta(days=60)


def test_a_stale_deals_task_lives_one_episode_at_a_time(crm: Crm) -> None:
    state = State(":memory:")
    day = chased_for_weeks(crm)

    first = sync(crm, state, day)
    assert stats(first, crm) == {"created": 1, "updated": 0, "closed": 0, "stale": 1}
    [task] = stale_tasks(crm)
    episode_1 = f"deal:stale:{crm.system}:deal:{crm.deal}:1"
    assert task.key == episode_1 and task.open
    assert "3 follow-up(s) unanswered" in task.body

    # A rerun, nothing new: no second task, nothing touched.
    assert stats(sync(crm, state, day), crm) == {"created": 0, "updated": 0, "closed": 0,
                                                "stale": 1}
    assert len(stale_tasks(crm)) == 1

    # The rep chases once more: same episode, the task's reasons are rewritten in place.
    day += timedelta(days=7)
    crm.email(day - timedelta(days=1), from_buyer=False, subject="Any news?")
    assert stats(sync(crm, state, day), crm)["updated"] == 1
    [task] = stale_tasks(crm)
    assert task.key == episode_1 and task.open and "4 follow-up(s) unanswered" in task.body

    # The buyer answers: the deal recovers and its task is completed with a note.
    day += timedelta(days=2)
    crm.email(day - timedelta(hours=3), from_buyer=True, subject="RE: Any news?")
    recovered = sync(crm, state, day)
    assert stats(recovered, crm) == {"created": 0, "updated": 0, "closed": 1, "stale": 0}
    [task] = stale_tasks(crm)
    assert not task.open
    assert f"Completed by leadpact on {day.date().isoformat()}: the deal no longer looks " \
           "dropped" in task.body
    assert "4 follow-up(s) unanswered" in task.body  # what it said before stays above

    # Silence again, weeks of chasing: a new episode, a new task.
    for week in (2, 4, 6):
        crm.email(day + timedelta(weeks=week), from_buyer=False, subject=f"Ping {week}")
    day += timedelta(days=60)
    relapse = sync(crm, state, day)
    assert stats(relapse, crm) == {"created": 1, "updated": 0, "closed": 0, "stale": 1}
    assert [(t.key, t.open) for t in stale_tasks(crm)] == [
        (episode_1, False), (f"deal:stale:{crm.system}:deal:{crm.deal}:2", True)]


def test_a_task_the_rep_deleted_is_not_made_again_in_the_same_episode(crm: Crm) -> None:
    state = State(":memory:")
    day = chased_for_weeks(crm)
    sync(crm, state, day)
    [task] = stale_tasks(crm)
    crm.delete_task(task.key)

    # New reasons: the update finds the task gone (refused once, like any write the CRM
    # refuses), and the episode goes on without one.
    day += timedelta(days=7)
    crm.email(day - timedelta(days=1), from_buyer=False, subject="Still there?")
    summary, _ = run_sync([crm.connector(day)], state, RULES, classify, day)
    assert summary.systems[crm.system].changes_failed == 1
    assert stats(summary, crm)["created"] == 0 and stale_tasks(crm) == []
    for _ in range(2):  # more reasons, then nothing new: still no task while it lasts
        day += timedelta(days=7)
        crm.email(day - timedelta(days=1), from_buyer=False, subject="Still there?")
        summary = sync(crm, state, day)
        assert stats(summary, crm)["created"] == 0 and stats(summary, crm)["stale"] == 1
        assert stale_tasks(crm) == []

    # The buyer comes back (the episode ends), then goes quiet again: a new task.
    crm.email(day + timedelta(days=1), from_buyer=True, subject="RE: Still there?")
    day += timedelta(days=2)
    assert stats(sync(crm, state, day), crm)["closed"] == 0  # nothing left to complete
    for week in (2, 4, 6):
        crm.email(day + timedelta(weeks=week), from_buyer=False, subject=f"Ping {week}")
    day += timedelta(days=60)
    sync(crm, state, day)
    assert [t.key for t in stale_tasks(crm) if t.open] == \
        [f"deal:stale:{crm.system}:deal:{crm.deal}:2"]


def test_a_deal_that_closes_has_its_task_completed_with_why(crm: Crm) -> None:
    state = State(":memory:")
    day = chased_for_weeks(crm)
    sync(crm, state, day)
    if isinstance(crm, SalesforceDeal):
        crm.org.edit("Opportunity", crm.deal, StageName="Closed Lost", IsClosed=True)
    else:
        assert crm.store.update("hubspot", "deals", crm.deal,
                                {"dealstage": "closedlost", "hs_is_closed": "true"})
    summary = sync(crm, state, day + timedelta(days=1))
    assert stats(summary, crm) == {"created": 0, "updated": 0, "closed": 1, "stale": 0}
    [task] = stale_tasks(crm)
    assert not task.open and "the deal closed" in task.body


def test_only_the_stale_rule_sends_tasks_in_these_tests() -> None:
    assert RULES.committee_task is None and RULES.stale_task is not None
    assert all(stage.task is None for stage in RULES.stages)
