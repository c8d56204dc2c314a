"""The buying group's verdict written onto the account in both CRMs through a sync over
in-memory CRMs: once, never over a person's edit, undone by `undo`, and one task per
account that closes when the group cools down."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from datetime import timedelta

import pytest

from leadpact.account_summary import account_groups, all_persons, persons_by_groups
from leadpact.account_verdicts import account_verdicts
from leadpact.model import Account, Ref
from leadpact.pipeline import run_sync
from leadpact.state import State
from leadpact.undo import run_undo
from tests.builders import NOW
from tests.memory_connector import MemoryConnector
from tests.unit.test_lead_definition_sync import RULES, org
from tests.unit.test_pipeline import classify

SF_ACME, HS_ACME = Ref("salesforce", "account", "001A"), Ref("hubspot", "account", "co1")


def with_accounts() -> tuple[MemoryConnector, MemoryConnector]:
    sf, hs = org("9")
    sf.accounts["001A"] = Account(SF_ACME, NOW, "Acme", "005A",
                                  {"industry": "Manufacturing", "employees": "500"})
    hs.accounts["co1"] = Account(HS_ACME, NOW, "Acme GmbH", "77")
    return sf, hs


def test_the_group_stage_lands_on_both_accounts_once_with_one_task_each() -> None:
    state = State(":memory:")
    sf, hs = with_accounts()
    summary, _ = run_sync([sf, hs], state, RULES, classify, NOW)
    for crm, ref in ((sf, SF_ACME), (hs, HS_ACME)):
        values = crm.accounts[ref.id].leadpact
        assert values["group_stage"] == "sales_ready"
        assert values["engaged_roles"] == "economic_buyer, technical_evaluator"
        assert values["rules_version"] == RULES.version
        assert summary.systems[ref.system].account_fields_written == 4
    [sf_key] = sf.open_tasks("account:sales_ready")
    [hs_key] = hs.open_tasks("account:sales_ready")
    assert sf.tasks[sf_key]["owner"] == "005A" and hs.tasks[hs_key]["owner"] == "77"
    assert sf.tasks[sf_key]["subject"] == "Sales-ready account: Acme"
    assert str(sf.tasks[sf_key]["body"]).startswith(
        "Buying group at Acme (500 people, Manufacturing): CFO (economic buyer) replied "
        "twice this week; Software Engineer (technical evaluator) engaged.")

    asked: list[list[str]] = []
    for crm in (sf, hs):
        def read(ids: Sequence[str], crm: MemoryConnector = crm) -> list[Account]:
            asked.append(list(ids))
            return MemoryConnector.read_accounts(crm, ids)
        crm.read_accounts = read  # type: ignore[method-assign]
    again, changes = run_sync([sf, hs], state, RULES, classify, NOW)
    assert changes == [] and asked == []  # nothing can move: no account is even read
    assert all(s.account_fields_written == 0 and s.tasks_created == 0
               for s in again.systems.values())


def test_a_persons_edit_on_the_account_survives_and_the_task_closes_when_it_cools() -> None:
    state = State(":memory:")
    sf, hs = with_accounts()
    run_sync([sf, hs], state, RULES, classify, NOW)
    company = hs.accounts["co1"]
    hs.accounts["co1"] = dataclasses.replace(
        company, leadpact={**company.leadpact, "group_stage": "Working it"})
    later = NOW + timedelta(days=45)  # every reply left the engagement window
    summary, _ = run_sync([sf, hs], state, RULES, classify, later)
    assert hs.accounts["co1"].leadpact["group_stage"] == "Working it"
    assert hs.accounts["co1"].leadpact.get("engaged_roles") is None  # still ours: cleared
    assert sf.accounts["001A"].leadpact["group_stage"] not in (None, "sales_ready")
    assert summary.systems["hubspot"].manual_values_kept >= 1
    assert sf.open_tasks("account:") == [] and hs.open_tasks("account:") == []
    assert summary.systems["salesforce"].tasks_closed >= 1


def test_undo_puts_the_account_fields_back() -> None:
    state = State(":memory:")
    sf, hs = with_accounts()
    first, _ = run_sync([sf, hs], state, RULES, classify, NOW)
    result = run_undo([sf, hs], state, first.run_id, NOW)
    assert result.restored > 0
    for crm, ref in ((sf, SF_ACME), (hs, HS_ACME)):
        assert crm.accounts[ref.id].leadpact.get("group_stage") is None
    assert sf.open_tasks("account:") == [] and hs.open_tasks("account:") == []


def test_a_plan_counts_the_account_writes_the_sync_makes() -> None:
    state = State(":memory:")
    sf, hs = with_accounts()
    planned, plan_changes = run_sync([sf, hs], state, RULES, classify, NOW, dry_run=True)
    assert sf.accounts["001A"].leadpact == {}  # a plan writes nothing
    done, changes = run_sync([sf, hs], state, RULES, classify, NOW)
    assert plan_changes == changes
    for system in ("salesforce", "hubspot"):
        assert planned.systems[system].account_fields_written == \
            done.systems[system].account_fields_written == 4


@pytest.mark.parametrize("leaves", ["deleted", "moved"])
def test_an_account_whose_only_person_leaves_gets_the_empty_groups_stage(leaves: str) -> None:
    state = State(":memory:")
    sf, hs = with_accounts()
    sf.accounts["001B"] = Account(Ref("salesforce", "account", "001B"), NOW, "Acme Holding",
                                  "005A")
    run_sync([sf, hs], state, RULES, classify, NOW)
    [task_key] = sf.open_tasks("account:sales_ready")
    lead = Ref("salesforce", "lead", "00QA")  # the only person at Acme in Salesforce
    sf.put(dataclasses.replace(sf.records[lead], deleted=True) if leaves == "deleted"
           else dataclasses.replace(sf.records[lead], account_id="001B"))
    summary, _ = run_sync([sf, hs], state, RULES, classify, NOW)
    values = sf.accounts["001A"].leadpact
    assert values["group_stage"] == "cold"  # the shipped file's stage for an empty group
    assert values.get("engaged_roles") is None
    assert task_key not in sf.open_tasks()
    assert str(sf.tasks[task_key]["body"]).endswith(
        "no one at the account is known any more.")
    assert summary.systems["salesforce"].tasks_closed == 1
    assert summary.systems["salesforce"].account_fields_written >= 1
    # The HubSpot company still has Vera's twin and Ian: its group and task stand.
    assert hs.accounts["co1"].leadpact["group_stage"] == "sales_ready"
    assert len(hs.open_tasks("account:sales_ready")) == 1
    if leaves == "moved":  # Vera took the buying group to her new account
        assert sf.accounts["001B"].leadpact["group_stage"] == "sales_ready"

    again, changes = run_sync([sf, hs], state, RULES, classify, NOW)
    assert changes == []
    assert all(s.account_fields_written == 0 and s.tasks_closed == 0
               for s in again.systems.values())


def test_given_random_people_when_groups_are_read_a_few_at_a_time_then_verdicts_are_equal(
        ) -> None:
    """The account pass reads the buying groups' accounts first and their persons a few
    groups at a time (a whole org's persons would not fit in memory): the verdicts must be
    those judged over every person at once, in the same order."""
    rng = random.Random(5)
    chunked = False
    for _ in range(20):
        state = State(":memory:")
        for n in range(rng.randrange(1, 60)):
            system = rng.choice(["salesforce", "hubspot"])
            account = rng.choice([None, "", *(f"{system[0]}{a}" for a in range(8))])
            state.save_person(Ref(system, "contact", f"{n:03d}"), f"id-{rng.randrange(25)}",
                              None, rng.choice([None, "CFO", "Engineer"]),
                              NOW - timedelta(days=rng.randrange(30)), None, account)
        for systems in (["salesforce", "hubspot"], ["hubspot"], ["hubspot", "salesforce"]):
            whole = account_verdicts(all_persons(state, systems), RULES.lead, NOW)
            groups = account_groups(state, systems)
            assert [v.accounts for v in whole] == groups
            chunks = list(persons_by_groups(state, groups, systems, identities=4))
            read = [v for persons in chunks
                    for v in account_verdicts(persons, RULES.lead, NOW)]
            assert read == whole
            chunked |= len(chunks) > 1
        state.close()
    assert any(len(group) > 1 for group in groups)  # twins at two accounts join them
    assert chunked
