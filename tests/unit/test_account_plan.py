"""The account write-back planned from values: what to write, what to leave to a person,
when an account must be read at all, and the account task's words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadpact.account_plan import desired_values, needs_read, plan_account, wanted
from leadpact.account_task import GroupMember, account_task_body
from leadpact.changes import SetField
from leadpact.model import Activity, Ref
from leadpact.rules.lead_model import AccountResult
from tests.builders import NOW

ACME = Ref("salesforce", "account", "001A")
READY = AccountResult(70.0, "A", "sales_ready", ("technical_evaluator", "economic_buyer"),
                      True, False, "engaged in 30 days: economic buyer", None)
WANT = {"group_stage": "sales_ready", "engaged_roles": "economic_buyer, technical_evaluator",
        "group_reasons": "engaged in 30 days: economic buyer", "rules_version": "v2"}


def test_given_a_verdict_then_roles_are_sorted_and_nothing_engaged_is_empty() -> None:
    assert desired_values(READY, "v2") == WANT
    cold = AccountResult(0.0, "D", "cold", (), False, False, "nobody", None)
    assert desired_values(cold, "v2")["engaged_roles"] is None


@pytest.mark.parametrize(("current", "written", "changes", "kept"), [
    # never written, empty: ours to fill
    ({}, {}, ["group_stage", "engaged_roles", "group_reasons", "rules_version"], []),
    # already as wanted: nothing
    (WANT, WANT, [], []),
    # a person typed a stage: kept, the rest still ours
    ({**WANT, "group_stage": "Working it"}, {**WANT, "group_stage": "engaged"}, [],
     ["group_stage"]),
    # a person typed into an empty field we never wrote: kept
    ({"group_stage": "Mine"}, {}, ["engaged_roles", "group_reasons", "rules_version"],
     ["group_stage"]),
    # our old value still there: moved
    ({**WANT, "group_stage": "engaged"}, {**WANT, "group_stage": "engaged"},
     ["group_stage"], []),
])
def test_given_current_and_ledger_then_only_our_fields_move(
        current: dict[str, str | None], written: dict[str, str | None], changes: list[str],
        kept: list[str]) -> None:
    plan = plan_account(ACME, current, WANT, written, {})
    assert [c.field for c in plan.changes] == changes
    assert list(plan.kept_manual) == kept
    assert all(c.previous == current.get(c.field) for c in plan.changes)


def test_given_only_a_new_version_then_it_is_not_stamped() -> None:
    old = {**WANT, "rules_version": "v1"}
    assert plan_account(ACME, old, WANT, old, {}).changes == ()
    assert not needs_read(WANT, old, {})  # and the account is not even read
    moved = {**old, "group_stage": "engaged"}
    plan = plan_account(ACME, moved, WANT, moved, {})
    assert [c.field for c in plan.changes] == ["group_stage", "rules_version"]


@pytest.mark.parametrize(("written", "pending", "read"), [
    ({}, {}, True),  # never written
    (WANT, {}, False),  # as we left it: a second sync reads nothing
    ({**WANT, "group_stage": "engaged"}, {}, True),  # the verdict moved
    (WANT, {"group_stage": {"sales_ready"}}, True),  # a run cut short: settle it
])
def test_given_the_ledger_then_read_only_when_a_write_may_be_due(
        written: dict[str, str | None], pending: dict[str, set[str | None]],
        read: bool) -> None:
    assert needs_read(WANT, written, pending) is read


def test_given_a_write_in_doubt_that_landed_then_it_is_settled_not_rewritten() -> None:
    plan = plan_account(ACME, WANT, WANT, {}, {"group_stage": {"sales_ready"}})
    assert plan.changes == () and plan.kept_manual == ()
    assert plan.settled == (("group_stage", True),)


def test_given_a_write_in_doubt_that_never_landed_then_written_again() -> None:
    plan = plan_account(ACME, {}, WANT, {}, {"group_stage": {"sales_ready"}})
    assert SetField(ACME, "group_stage", "sales_ready", None) in plan.changes
    assert plan.settled == ()


def test_given_frozen_fields_then_they_are_not_wanted() -> None:
    assert set(wanted(WANT, {"group_reasons"})) == {"group_stage", "engaged_roles",
                                                   "rules_version"}


# -- the task's words ------------------------------------------------------------------------
def reply(days: float) -> Activity:
    return Activity(NOW - timedelta(days=days), "email", True, f"Re: pricing {days}")


POWER = {"economic_buyer", "decision_maker", "executive_sponsor"}
SINCE = NOW - timedelta(days=30)


def test_given_a_power_role_and_colleagues_then_the_body_says_who_and_how_recently() -> None:
    people = [
        GroupMember("Data Analyst", "user", NOW - timedelta(days=3)),
        GroupMember("VP Finance", "economic_buyer", NOW - timedelta(days=1),
                    (reply(1), reply(2))),
        GroupMember("IT Director", "technical_evaluator", NOW - timedelta(days=5)),
        GroupMember("Analyst", "user", NOW - timedelta(days=6)),
        GroupMember("Intern", "user", NOW - timedelta(days=90)),  # engaged too long ago
    ]
    body = account_task_body("Acme", {"employees": "500", "industry": "Manufacturing"},
                             people, POWER, SINCE, NOW, "a power role engaged")
    assert body == ("Buying group at Acme (500 people, Manufacturing): VP Finance (economic "
                    "buyer) replied twice this week; IT Director (technical evaluator) and "
                    "2 users engaged. Why (leadpact): a power role engaged.")


def test_given_one_person_and_no_firmographics_then_plain_and_short() -> None:
    body = account_task_body("Globex", {}, [GroupMember("CFO", "economic_buyer",
                                                         NOW - timedelta(days=20),
                                                         (reply(20),))],
                             POWER, SINCE, NOW, "why")
    assert body.startswith("Buying group at Globex: CFO (economic buyer) replied on ")
