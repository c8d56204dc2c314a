"""The planner's rules as tables over a hand-built read model: no SQLite, no CRM. Each
test states what state knew (tests/known_builders.py) and checks the changes and the
state updates the planner returns as data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadpact.changes import CloseTask, SetDealContactRole, UpsertTask
from leadpact.connectors.roles import VOCABULARIES, as_field_write
from leadpact.enrichment.labels import BuyingRole
from leadpact.identity import identity_members
from leadpact.judging import Fresh, Setting, Step, plan_deal, plan_person
from leadpact.known import OpenTask
from leadpact.model import Activity, ContactRole, Ref
from leadpact.planner import plan_page, plan_tasks
from leadpact.state_rows import DealRow, summary_from_data
from leadpact.task_lifecycle import TaskIntent
from leadpact.updates import (
    ForgetDeal,
    ForgetPerson,
    LedgerWrite,
    LinkRecords,
    PendingSettled,
    SaveDeal,
    SavePerson,
    SetIdentity,
    TaskEnded,
    TaskMade,
)
from tests.builders import NOW, days_ago, deal, person
from tests.known_builders import known, known_person
from tests.unit.test_pipeline import RULES, classify

AT = Setting(RULES, classify, NOW, vocabularies=VOCABULARIES)
HS = Ref("hubspot", "contact", "1")
SF = Ref("salesforce", "contact", "003A")
CFO = {"title": "CFO", "email": "ann@acme.com", "name": "Ann"}


def values(steps: tuple[Step, ...]) -> dict[str, str | None]:
    """Field writes by ledger name (the CRM's own fields as their vocabulary resolves them)."""
    return {write.field: write.value for s in steps
            if (write := as_field_write(s.change)) is not None}


# -- a person's fields and verdict ----------------------------------------------------

def test_given_a_new_person_when_planned_then_their_verdict_is_written_and_saved() -> None:
    plan = plan_person(AT, known(), person("1", **CFO))
    assert values(plan.steps) | {"role_reason": None} == values(plan.steps) | {
        "role": "economic_buyer", "lead_stage": "sales_ready", "seniority": "c_level",
        "hs_buying_role": "BUDGET_HOLDER", "rules_version": RULES.version,
        "role_reason": None}
    # every field write is recorded in the ledger once the CRM confirms it
    assert all(s.done == (LedgerWrite(w.ref, w.field, None, w.value),)
               for s in plan.steps if (w := as_field_write(s.change)) is not None)
    assert all(as_field_write(s.change) is not None for s in plan.steps)
    assert [s.counts for s in plan.steps
            if (w := as_field_write(s.change)) and w.field == "role"] == ["contacts_tagged"]
    saved = [u for u in plan.updates if isinstance(u, SavePerson)]
    assert [(u.identity, u.verdict.role) for u in saved] == [("hubspot:contact:1",
                                                                 "economic_buyer")]
    assert plan.role == "economic_buyer"
    [task] = plan.tasks
    assert (task.rule, task.holds, task.subject) == ("lead:sales_ready", True,
                                                     "Sales-ready: Ann (CFO)")


def test_given_the_record_holds_the_verdict_already_when_planned_then_nothing_is_written(
) -> None:
    first = plan_person(AT, known(), person("1", **CFO))
    now_holds = values(first.steps)
    native = now_holds.pop("hs_buying_role")
    again = plan_person(AT, known(written={HS: values(first.steps)}),
                        person("1", leadpact=now_holds, buying_role=native, **CFO))
    assert again.steps == ()


@pytest.mark.parametrize(("written", "pending", "current", "planned", "kept"), [
    # never written, empty: ours to fill
    ({}, {}, None, "economic_buyer", False),
    # never written, a person typed a value: kept
    ({}, {}, "user", None, True),
    # still holds what we wrote: ours to change
    ({"role": "user"}, {}, "user", "economic_buyer", False),
    # holds something other than what we wrote: a person's edit, kept
    ({"role": "blocker"}, {}, "user", None, True),
    # a run cut short was writing exactly this value: ours
    ({}, {"role": {"user"}}, "user", "economic_buyer", False),
    # a run cut short was writing another value: still a person's
    ({}, {"role": {"blocker"}}, "user", None, True),
])
def test_given_the_ledger_and_pending_values_when_planned_then_only_ours_are_changed(
        written: dict[str, str], pending: dict[str, set[str]], current: str | None,
        planned: str | None, kept: bool) -> None:
    plan = plan_person(AT, known(written={HS: written}, pending={HS: pending}),
                       person("1", leadpact={"role": current}, **CFO))
    assert values(plan.steps).get("role") == planned
    assert ((HS, "role") in plan.kept_manual) == kept


def test_given_a_value_a_cut_short_run_wrote_when_planned_then_it_is_settled_in_the_ledger(
) -> None:
    first = values(plan_person(AT, known(), person("1", **CFO)).steps)
    native = first.pop("hs_buying_role")
    plan = plan_person(AT, known(pending={HS: {"role": {"economic_buyer"}}}),
                       person("1", leadpact=first, buying_role=native, **CFO))
    assert "role" not in values(plan.steps)
    assert LedgerWrite(HS, "role", None, "economic_buyer") in plan.updates
    assert PendingSettled(HS, "role") in plan.updates


def test_given_a_frozen_field_when_planned_then_it_is_left_alone() -> None:
    plan = plan_person(AT, known(frozen={HS: {"role", "lead_stage"}}), person("1", **CFO))
    assert "role" not in values(plan.steps) and "lead_stage" not in values(plan.steps)
    assert "seniority" in values(plan.steps)


def test_given_a_new_rules_version_only_when_planned_then_no_version_stamp_is_written(
) -> None:
    first = values(plan_person(AT, known(), person("1", **CFO)).steps)
    native = first.pop("hs_buying_role")
    older = first | {"rules_version": "2025.1"}
    plan = plan_person(AT, known(written={HS: older}),
                       person("1", leadpact=older, buying_role=native, **CFO))
    assert plan.steps == ()


# -- twins and identities -------------------------------------------------------------

def test_given_a_twin_in_the_other_crm_when_planned_then_facts_and_identity_are_shared(
) -> None:
    twin = known_person(SF, email="ann@acme.com", title="Chief Financial Officer (CFO)",
                        modified_at=days_ago(2),
                        verdict={"role": "user", "own_fields": {"industry": "Retail"}},
                        activities=[Activity(days_ago(3), "email", True, "Re: pricing")])
    plan = plan_person(AT, known(persons=[twin], links={HS: {SF}, SF: {HS}}),
                       person("1", email="Ann@Acme.com", title="CFO", name="Ann",
                              modified_at=days_ago(40)))
    saved = next(u for u in plan.updates if isinstance(u, SavePerson))
    assert saved.identity == min(str(HS), str(SF))
    assert SetIdentity((SF,), saved.identity) in plan.updates
    # the twin's newer title and its reply count for the person
    assert plan.engaged_at == days_ago(3)
    # the twin's saved verdict differs: it is judged again
    assert SF in plan.refresh
    # tasks go to the Salesforce record: this one closes any it held
    assert [(t.rule, t.holds) for t in plan.tasks] == [("lead:sales_ready", False)]


@pytest.mark.parametrize(("stored", "email", "joined"), [
    ("ann@acme.com", "ann@acme.com", True),
    ("bob@acme.com", "ann@acme.com", False),
    ("sales@acme.com", "sales@acme.com", False),  # a shared mailbox joins nobody
])
def test_given_an_email_when_resolving_the_identity_then_it_joins_unless_shared(
        stored: str, email: str, joined: bool) -> None:
    other = known_person(SF, email=stored)
    found = identity_members(known(persons=[other]), HS, email, ())
    assert found == ([other] if joined else [])


def test_given_links_when_resolving_the_identity_then_they_are_followed() -> None:
    lead = Ref("salesforce", "lead", "00Q1")
    members = [known_person(SF), known_person(lead)]
    found = identity_members(known(persons=members, links={SF: {lead}}), HS, None, (SF,))
    assert [m.ref for m in found] == [SF, lead]


@pytest.mark.parametrize(("record", "links", "in_crm", "note"), [
    (person("00Q1", system="salesforce", kind="lead", converted_to=SF), (SF,), True,
     "the record was converted"),
    (person("2", merged_into=HS), (HS,), False, "the record was merged"),
    (person("2", deleted=True), (), False, "the record was deleted"),
])
def test_given_a_record_that_is_gone_when_planned_then_it_is_forgotten_and_its_tasks_end(
        record, links, in_crm, note) -> None:  # type: ignore[no-untyped-def]
    held = OpenTask("k", "lead:sales_ready", record.ref, None, 1)
    plan = plan_person(AT, known(open_tasks=[held]), record)
    assert plan.updates == (LinkRecords(record.ref, links), ForgetPerson(record.ref))
    assert plan.steps == ()
    assert plan.tasks == (TaskIntent(record.ref, "lead:sales_ready", False, note=note,
                                     in_crm=in_crm),)


# -- deals ------------------------------------------------------------------------------

def silent_deal(**kw):  # type: ignore[no-untyped-def]
    """An open deal whose buyer has said nothing for months."""
    kw.setdefault("contacts", (ContactRole(SF, id="00K1"),))
    return deal("006A", created_at=days_ago(120), last_activity_at=days_ago(90),
                close_date=(NOW - timedelta(days=45)).date(), name="Acme", account_id="001A",
                **kw)


def test_given_a_silent_deal_when_planned_then_its_stale_and_committee_tasks_hold() -> None:
    deal_ref = Ref("salesforce", "deal", "006A")
    heard = [Activity(days_ago(80), "email", True, "Re: proposal", deal_ref)]
    chased = [Activity(days_ago(n), "email", False, "Following up", deal_ref)
              for n in (60, 40, 20)]
    cfo = known_person(SF, verdict={"role": "economic_buyer"}, account="001A",
                       activities=heard + chased)
    colleague = known_person(Ref("salesforce", "contact", "003B"), name="Bo",
                             title="VP Operations", account="001A",
                             verdict={"role": "decision_maker"})
    d = silent_deal()
    plan = plan_page([d], known(persons=[cfo, colleague]), AT).records[0][1]
    tasks = {t.rule: t for t in plan.tasks}
    assert tasks["deal:stale"].holds
    committee = tasks["deal:committee_gap"]
    assert committee.holds and "Bo (VP Operations, decision maker)" in committee.body
    saved = next(u for u in plan.updates if isinstance(u, SaveDeal))
    assert saved.summary.stale and saved.snapshot == d
    # the contact's role goes onto the deal's contact role, our guess being empty
    assert [s.change for s in plan.steps if isinstance(s.change, SetDealContactRole)] == [
        SetDealContactRole(d.ref, SF, BuyingRole.ECONOMIC_BUYER, "00K1")]


def test_given_a_contact_role_a_person_set_when_planned_then_it_counts_and_stays() -> None:
    d = silent_deal(contacts=(ContactRole(SF, role="Technical Buyer", id="00K1"),))
    plan = plan_deal(AT, known(persons=[known_person(SF, verdict={"role": "user"})]),
                     Fresh(), d)
    assert not any(isinstance(s.change, SetDealContactRole) for s in plan.steps)
    assert (d.ref, "contact_role:00K1") in plan.kept_manual


def test_given_persons_on_the_same_page_when_planned_then_the_deal_uses_their_new_roles(
) -> None:
    d = silent_deal()
    page = plan_page([d, person("003A", system="salesforce", **CFO)], known(), AT)
    assert [r.ref for r, _ in page.records] == [SF, d.ref]  # persons first
    deal_plan = page.records[1][1]
    assert SetDealContactRole(d.ref, SF, BuyingRole.ECONOMIC_BUYER, "00K1") in [
        s.change for s in deal_plan.steps]


@pytest.mark.parametrize(("record", "in_crm"), [
    (silent_deal(is_closed=True, stage="Closed Won"), True),
    (silent_deal(deleted=True), False),
])
def test_given_a_deal_closed_or_deleted_when_planned_then_its_tasks_end(record, in_crm) -> None:  # type: ignore[no-untyped-def]
    plan = plan_deal(AT, known(), Fresh(), record)
    assert {(t.rule, t.holds, t.in_crm) for t in plan.tasks} == {
        ("deal:stale", False, in_crm), ("deal:committee_gap", False, in_crm)}
    assert plan.steps == ()
    assert isinstance(plan.updates[0], ForgetDeal if record.deleted else SaveDeal)


# -- the task pass ------------------------------------------------------------------------

def test_given_intents_when_the_task_pass_plans_then_tasks_open_close_and_are_forgotten(
) -> None:
    d = Ref("salesforce", "deal", "006A")
    gone = Ref("salesforce", "deal", "006B")
    open_ = [OpenTask("deal:committee_gap:salesforce:deal:006A:1", "deal:committee_gap", d,
                      Ref("salesforce", "task", "00T1"), 1, "Nobody on this deal is a user."),
             OpenTask("deal:stale:salesforce:deal:006B:4", "deal:stale", gone, None, 4)]
    intents = [TaskIntent(d, "deal:stale", True, "Stale deal: Acme", "Confirm Acme", "005",
                          2),
               TaskIntent(d, "deal:committee_gap", False, note="every role is on the deal"),
               TaskIntent(gone, "deal:stale", False, in_crm=False)]
    plan = plan_tasks(intents, known(open_tasks=open_, episodes={(d, "deal:stale"): 3}), AT)
    made, closed = plan.steps
    assert made.change == UpsertTask(d, "deal:stale:salesforce:deal:006A:3", "Stale deal: Acme",
                                     "Confirm Acme", "005", NOW.date() + timedelta(days=2))
    assert made.done == (TaskMade(made.change.key, "deal:stale", d, 3, "Confirm Acme"),)
    assert made.counts == "tasks_created"
    assert isinstance(closed.change, CloseTask) and closed.counts == "tasks_closed"
    assert closed.done == (TaskEnded("deal:committee_gap:salesforce:deal:006A:1"),)
    assert "every role is on the deal" in (closed.change.body or "")
    assert plan.forgets == (TaskEnded("deal:stale:salesforce:deal:006B:4"),)


def test_given_a_committee_gap_when_the_task_pass_words_it_then_colleagues_read_later_count(
) -> None:
    d = silent_deal()
    colleague = known_person(Ref("salesforce", "contact", "003B"), name="Bo",
                             title="IT Director", account="001A",
                             verdict={"role": "technical_evaluator"})
    saved = DealRow(d.ref, d, summary_from_data({"missing": ["technical_evaluator"]}))
    intent = TaskIntent(d.ref, "deal:committee_gap", True, "gap", "Nobody on this deal is a "
                        "technical evaluator.", None, 2)
    [step] = plan_tasks([intent], known(persons=[colleague], deals={d.ref: saved}), AT).steps
    assert isinstance(step.change, UpsertTask)
    assert step.change.body.endswith("Consider engaging: Bo (IT Director, technical "
                                     "evaluator).")
