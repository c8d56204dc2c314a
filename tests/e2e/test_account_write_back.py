"""The buying group's verdict on the Account and the HubSpot company, end to end on the
seeded demo org over HTTP: written once with one task per account, a rerun writes nothing,
undo puts the fields back, and a person's edit of an account field survives the next
stage move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import leadpact
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.demo import sandbox_config

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
SF_STAGE, HS_STAGE = "Leadpact_Group_Stage__c", "leadpact_group_stage"
SF_ROLES, HS_ROLES = "Leadpact_Engaged_Roles__c", "leadpact_engaged_roles"


def stages(sandbox: Sandbox) -> dict[tuple[str, str], str | None]:
    found = {("salesforce", r.id): r.fields.get(SF_STAGE)
             for r in sandbox.store.scan("salesforce", "Account")}
    found |= {("hubspot", r.id): r.fields.get(HS_STAGE) or None
              for r in sandbox.store.scan("hubspot", "companies")}
    return found


def account_tasks(sandbox: Sandbox) -> dict[str, list[str]]:
    """Open account tasks per account/company id."""
    found: dict[str, list[str]] = {}
    for row in sandbox.store.scan("salesforce", "Task"):
        key = row.fields.get("Leadpact_Task_Key__c") or ""
        if key.startswith("account:") and not row.fields.get("IsClosed"):
            found.setdefault(row.fields["WhatId"], []).append(key)
    for row in sandbox.store.scan("hubspot", "tasks"):
        key = row.fields.get("leadpact_task_key") or ""
        if key.startswith("account:") and row.fields.get("hs_task_status") != "COMPLETED":
            found.setdefault(key.split(":")[4], []).append(key)
    return found


def test_the_buying_group_stage_is_written_once_undone_and_never_over_an_edit(
        sandbox: Sandbox, tmp_path: Path) -> None:
    seed_demo_org(sandbox.store, seed=5, people=400, now=NOW)
    org = leadpact.open(sandbox_config(sandbox.url, tmp_path / "state.sqlite3"),
                        clock=lambda: NOW)
    first = org.sync()
    assert first.ok
    written = stages(sandbox)
    ready = sorted(key for key, stage in written.items() if stage == "sales_ready")
    assert {system for system, _ in ready} == {"salesforce", "hubspot"}
    assert sum(stage is not None for stage in written.values()) > len(ready)  # other stages
    for system in ("salesforce", "hubspot"):
        assert first.summary.systems[system].account_fields_written > 0
    # one task per sales-ready account, on that account, in its own CRM
    tasks = account_tasks(sandbox)
    assert sorted(tasks) == sorted(id_ for _, id_ in ready)
    assert all(len(keys) == 1 for keys in tasks.values())
    system, id_ = ready[0]
    row = sandbox.store.get(system, "Account" if system == "salesforce" else "companies", id_)
    assert row is not None
    roles = str(row.fields.get(SF_ROLES if system == "salesforce" else HS_ROLES)).split(", ")
    assert {"economic_buyer", "decision_maker", "executive_sponsor"} & set(roles)
    assert roles == sorted(roles) and len(roles) >= 2

    again = org.sync()
    assert again.ok
    assert all(s.account_fields_written == 0 and s.tasks_created == 0
               for s in again.summary.systems.values())
    assert stages(sandbox) == written

    undone = org.undo(first.summary.run_id)
    assert undone.restored > 0
    assert all(stage is None for stage in stages(sandbox).values())
    assert account_tasks(sandbox) == {}

    assert org.sync().ok  # written again (the undo emptied them)
    assert stages(sandbox) == written
    sf_ready = next(id_ for system, id_ in ready if system == "salesforce")
    assert sandbox.store.update("salesforce", "Account", sf_ready, {SF_STAGE: "Working it"})
    later = leadpact.open(sandbox_config(sandbox.url, tmp_path / "state.sqlite3"),
                          clock=lambda: NOW + timedelta(days=60))
    cooled = later.sync()
    assert cooled.ok
    now_stages = stages(sandbox)
    assert now_stages[("salesforce", sf_ready)] == "Working it"  # the person's edit stays
    moved = [key for key in ready if key[0] == "hubspot" and now_stages[key] != "sales_ready"]
    assert moved  # while the groups went cold around it
    assert cooled.summary.systems["salesforce"].manual_values_kept >= 1


def test_an_account_whose_people_are_all_deleted_goes_cold_and_its_task_closes(
        sandbox: Sandbox, tmp_path: Path) -> None:
    seed_demo_org(sandbox.store, seed=5, people=400, now=NOW)
    org = leadpact.open(sandbox_config(sandbox.url, tmp_path / "state.sqlite3"),
                        clock=lambda: NOW)
    assert org.sync().ok
    ready = sorted(id_ for (system, id_), stage in stages(sandbox).items()
                   if system == "salesforce" and stage == "sales_ready")
    account = ready[0]
    [key] = account_tasks(sandbox)[account]
    gone = [row.id for row in sandbox.store.scan("salesforce", "Contact")
            if row.fields.get("AccountId") == account]
    gone += [row.id for row in sandbox.store.scan("salesforce", "Lead")
             if row.fields.get("ConvertedAccountId") == account]
    assert gone
    for id_ in gone:
        sandbox.store.delete("salesforce", "Contact" if id_.startswith("003") else "Lead", id_)

    after = org.sync()
    assert after.ok
    assert stages(sandbox)[("salesforce", account)] == "cold"
    assert account not in account_tasks(sandbox)
    [task] = [row for row in sandbox.store.scan("salesforce", "Task")
              if row.fields.get("Leadpact_Task_Key__c") == key]
    assert task.fields.get("IsClosed")
    assert str(task.fields.get("Description")).endswith(
        "no one at the account is known any more.")
    assert after.summary.systems["salesforce"].tasks_closed >= 1

    again = org.sync()
    assert again.ok
    assert all(s.account_fields_written == 0 and s.tasks_closed == 0
               for s in again.summary.systems.values())
