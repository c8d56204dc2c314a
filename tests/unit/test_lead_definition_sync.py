"""The lead definition through a sync over in-memory CRMs: fit and engagement written on
both twins alike, the buying group judged once across CRMs, and the sales-ready task that
says why in plain words, decided from end-of-run state only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadpact.account_summary import all_persons, lead_definition_summary
from leadpact.account_verdicts import account_verdicts
from leadpact.model import Activity, Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import classify

RULES = load_rules(None)  # the shipped definition: sales-ready takes fit and engagement


def replied(days: float) -> Activity:
    return Activity(NOW - timedelta(days=days), "email", True, f"Re: pricing {days}")


def org(engineer_id: str) -> tuple[MemoryConnector, MemoryConnector]:
    """A CFO in both CRMs (the Salesforce lead holds the firmographics and one reply, the
    HubSpot contact another), and an engineer at the same HubSpot company."""
    sf, hs = MemoryConnector("salesforce"), MemoryConnector("hubspot")
    lead = sf.put(person("00QA", system="salesforce", kind="lead", title="CFO",
                         email="vera@acme.example", name="Vera", owner_id="005A",
                         account_id="001A", activities=(replied(2),),
                         fields={"industry": "Manufacturing", "employees": "500"}))
    hs.put(person("5", title="CFO", email="Vera@acme.example", name="Vera",
                  account_id="co1", linked=(lead.ref,), activities=(replied(1),)))
    hs.put(person(engineer_id, title="Software Engineer", email="ian@acme.example",
                  name="Ian", account_id="co1", activities=(replied(3),)))
    return sf, hs


@pytest.mark.parametrize("engineer_id", ["1", "9"])  # the colleague read before or after
def test_twins_get_one_verdict_and_the_task_says_why_from_end_of_run_state(
        engineer_id: str) -> None:
    state = State(":memory:")
    sf, hs = org(engineer_id)
    run_sync([sf, hs], state, RULES, classify, NOW)
    lead, contact = Ref("salesforce", "lead", "00QA"), Ref("hubspot", "contact", "5")
    compared = ("fit", "engagement", "lead_stage", "lead_score", "lead_reasons")
    mine = {k: sf.records[lead].leadpact.get(k) for k in compared}
    assert mine == {k: hs.records[contact].leadpact.get(k) for k in compared}
    assert mine["lead_stage"] == "sales_ready" and mine["fit"] == "A"
    # both replies counted once each, on both records
    assert "2 replies" in str(mine["lead_reasons"])
    [key] = sf.open_tasks("lead:sales_ready")
    assert hs.open_tasks() == []  # the task goes to the sales side only
    assert str(sf.tasks[key]["body"]).startswith(
        "CFO (economic buyer) at a 500-person Manufacturing company replied twice this "
        "week; Software Engineer (technical evaluator) engaged too. Why (leadpact): fit A")

    again, changes = run_sync([sf, hs], state, RULES, classify, NOW)
    assert changes == [] and again.systems["salesforce"].tasks_updated == 0


def test_the_buying_group_is_one_across_crms_and_counts_twins_once() -> None:
    state = State(":memory:")
    sf, hs = org("9")
    run_sync([sf, hs], state, RULES, classify, NOW)
    [group] = account_verdicts(all_persons(state, ("salesforce", "hubspot")), RULES.lead, NOW)
    assert group.accounts == (Ref("hubspot", "account", "co1"),
                              Ref("salesforce", "account", "001A"))
    assert len(group.people) == 2  # Vera's two records are one person
    assert group.result.stage == "sales_ready"
    assert group.result.engaged_roles == ("economic_buyer", "technical_evaluator")
    summary = lead_definition_summary(state, RULES.lead, NOW, ("salesforce", "hubspot"))
    assert summary == {
        "salesforce": {"leads_by_stage": {"sales_ready": 1}, "accounts_sales_ready": 1},
        "hubspot": {"leads_by_stage": {"marketing_qualified": 1, "sales_ready": 1},
                    "accounts_sales_ready": 1}}


def test_a_user_only_account_is_not_sales_ready() -> None:
    state = State(":memory:")
    hs = MemoryConnector("hubspot")
    content = tuple(Activity(NOW - timedelta(days=n), "content", True, f"Guide {n}")
                    for n in range(1, 15))
    for i in range(3):
        hs.put(person(str(i), title="Finance Manager", email=f"u{i}@acme.example",
                      account_id="co1", activities=content))
    hs.put(person("9", title="CFO", email="cfo@acme.example", account_id="co1"))
    run_sync([hs], state, RULES, classify, NOW)
    [group] = account_verdicts(all_persons(state, ("hubspot",)), RULES.lead, NOW)
    assert (group.result.stage, group.result.user_only) == ("user_only", True)
    assert not group.result.power_engaged


def test_a_person_nobody_touched_moves_when_their_reply_leaves_the_window() -> None:
    state = State(":memory:")
    hs = MemoryConnector("hubspot")
    cfo = hs.put(person("1", title="CFO", email="cfo@acme.example", owner_id="o1",
                        activities=(replied(25),)))
    hs.put(person("2", title="CFO", email="quiet@acme.example"))  # no activity: timeless
    for _ in range(2):  # the second run reads back the first one's own writes
        run_sync([hs], state, RULES, classify, NOW)
    assert hs.records[cfo.ref].leadpact["lead_stage"] == "sales_ready"
    assert len(hs.open_tasks("lead:sales_ready")) == 1

    later = NOW + timedelta(days=10)  # the reply is 35 days old now; nobody touched anyone
    summary, _ = run_sync([hs], state, RULES, classify, later)
    assert summary.systems["hubspot"].records_read == 1  # only the one time moved
    assert hs.records[cfo.ref].leadpact["lead_stage"] == "marketing_qualified"
    assert hs.open_tasks("lead:sales_ready") == []
    again, changes = run_sync([hs], state, RULES, classify, later)  # reads back its writes
    assert changes == []
    calm, changes = run_sync([hs], state, RULES, classify, later)
    assert changes == [] and calm.systems["hubspot"].records_read == 0
