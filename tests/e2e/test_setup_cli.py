"""`leadpact setup` and the sync's preflight, end to end: a bare sandbox org (no leadpact
fields or properties), the real connectors over HTTP, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from leadpact import crm_schema
from leadpact.cli import main
from leadpact.connectors.sandbox import salesforce_schema
from leadpact.connectors.sandbox.fixture import load_fixture, without_leadpact_schema
from leadpact.connectors.sandbox.server import Sandbox
from tests.e2e.test_cli import ENV, FIXTURE, last_json, write_config

WRITTEN_TYPES = ("Lead", "Contact", "Opportunity", "Task")


@pytest.fixture
def bare(sandbox: Sandbox) -> Sandbox:
    load_fixture(sandbox.store, FIXTURE)
    without_leadpact_schema(sandbox.store)
    return sandbox


def salesforce_rows(box: Sandbox) -> dict[tuple[str, str], Any]:
    """Every written-to Salesforce record, as stored: equal before and after means no write."""
    return {(t, r.id): (r.fields, r.modified_at) for t in WRITTEN_TYPES
            for r in box.store.scan("salesforce", t)}


def own_permission_sets(box: Sandbox) -> list[Any]:
    """Permission sets other than the API user's profile's own one."""
    return [r for r in box.store.scan("salesforce", "PermissionSet")
            if not r.fields.get("IsOwnedByProfile")]


def run(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--config", str(config)], env=ENV)


def test_given_a_bare_org_when_checked_then_every_missing_field_is_named_with_setup_as_fix(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    result = run(config, "check", "--json")
    assert result.exit_code == 2
    systems = last_json(result.output)["systems"]
    text = str(systems)
    for field in crm_schema.salesforce_fields():  # the rejection reason: setup's, not sync's
        assert (field.name in text) is (field.name != "Leadpact_Rejection_Reason__c")
    for bodies in crm_schema.hubspot_properties().values():
        assert all(b["name"] in text for b in bodies)
    assert all("leadpact setup" in p["fix"] for s in systems.values() for p in s["problems"])


def test_given_a_bare_org_when_setup_dry_runs_then_it_lists_everything_and_writes_nothing(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    before = {k: bare.store.get_meta(k) for k in
              ("salesforce:custom_fields", "hubspot:properties", "hubspot:property_groups")}
    result = run(config, "setup", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    steps = last_json(result.output)["systems"]
    salesforce = steps["salesforce"]["steps"]
    assert sum(s.startswith("would create field ") for s in salesforce) == len(
        crm_schema.salesforce_fields())
    assert "would create field Lead.Leadpact_Role_Confidence__c Number(18, 4)" in salesforce
    assert "would create permission set Leadpact_Integration" in salesforce
    assert any(s.startswith("would assign permission set Leadpact_Integration to this user")
               for s in salesforce)
    assert "would create contacts.leadpact_role" in steps["hubspot"]["steps"]
    assert "would create contacts.leadpact_sales_feedback" in steps["hubspot"]["steps"]
    assert ("would create field Lead.Leadpact_Sales_Feedback__c Picklist(Accepted; Rejected)"
            in salesforce)
    assert before == {k: bare.store.get_meta(k) for k in before}
    assert own_permission_sets(bare) == []


def test_given_a_bare_org_when_set_up_then_check_passes_a_sync_works_and_setup_again_is_a_no_op(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    first = run(config, "setup", "--json")
    assert first.exit_code == 0, first.output
    done = last_json(first.output)
    assert done["ok"] and len(done["systems"]["salesforce"]["steps"]) == len(
        crm_schema.salesforce_fields()) + 3  # + the permission set, the grant, assigning it
    [permission_set] = own_permission_sets(bare)
    assigned = [a.fields["PermissionSetId"]
                for a in bare.store.scan("salesforce", "PermissionSetAssignment")]
    assert assigned.count(permission_set.id) == 1
    grants = list(bare.store.scan("salesforce", "FieldPermissions"))
    assert len(grants) == len(crm_schema.salesforce_fields())
    assert all(g.fields["PermissionsEdit"] for g in grants)
    again = run(config, "setup", "--json")
    assert again.exit_code == 0, again.output
    assert all(s["steps"] == [] for s in last_json(again.output)["systems"].values())
    assert run(config, "check").exit_code == 0
    sync = run(config, "sync", "--json")
    assert sync.exit_code == 0, sync.output
    stats = last_json(sync.output)["systems"]
    assert all(s["changes_applied"] > 0 and s["changes_failed"] == 0 for s in stats.values())


def test_given_fields_without_field_access_then_the_sync_stops_before_writing_and_says_so(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    for grant in bare.store.scan("salesforce", "FieldPermissions"):
        bare.store.update("salesforce", "FieldPermissions", grant.id, {"PermissionsEdit": False})
    before = salesforce_rows(bare)
    result = run(config, "sync")
    assert result.exit_code == 2
    assert "read-only" in result.output and "leadpact setup" in result.output
    assert salesforce_rows(bare) == before


def test_given_a_bad_hubspot_token_then_the_sync_exits_2_before_any_salesforce_write(
        sandbox: Sandbox, tmp_path: Path) -> None:
    load_fixture(sandbox.store, FIXTURE)
    config = write_config(tmp_path, sandbox.url)
    before = salesforce_rows(sandbox)
    env = {**ENV, "LEADPACT_HUBSPOT_TOKEN": "wrong-hubspot-token-42"}
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=env)
    assert result.exit_code == 2, result.output
    assert "hubspot:" in result.output and "LEADPACT_HUBSPOT_TOKEN" in result.output
    assert "nothing was written" in result.output
    assert "wrong-hubspot-token-42" not in result.output
    assert salesforce_rows(sandbox) == before
    assert sandbox.store.count("salesforce", "Task") == len(
        [k for k in before if k[0] == "Task"])


def test_the_readme_lists_every_field_leadpact_writes_with_its_type() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    assert crm_schema.with_readme_table(readme) == readme, (
        "README's field table is out of date: run `python -m leadpact.crm_schema`")


@pytest.mark.parametrize("scope", ["crm.objects.deals.write", "crm.objects.contacts.write"])
def test_given_a_hubspot_app_without_write_scopes_then_the_sync_stops_before_any_write(
        sandbox: Sandbox, tmp_path: Path, scope: str) -> None:
    load_fixture(sandbox.store, FIXTURE)
    sandbox.hubspot_scopes = [s for s in sandbox.hubspot_scopes  # type: ignore[attr-defined]
                              if s != scope]
    config = write_config(tmp_path, sandbox.url)
    before = salesforce_rows(sandbox)
    result = run(config, "sync")
    assert result.exit_code == 2, result.output
    assert f"hubspot: the HubSpot private app lacks the scopes {scope}" in result.output
    assert salesforce_rows(sandbox) == before
    checked = run(config, "check", "--json")
    assert checked.exit_code == 2
    [problem] = last_json(checked.output)["systems"]["hubspot"]["problems"]
    assert "Private Apps > Scopes" in problem["fix"]


def test_given_fields_hidden_by_lost_field_access_then_setup_grants_again_and_creates_none(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    for grant in bare.store.scan("salesforce", "FieldPermissions"):
        bare.store.delete("salesforce", "FieldPermissions", grant.id)
    assert run(config, "check").exit_code == 2  # hidden fields read as missing
    again = run(config, "setup", "--json")
    assert again.exit_code == 0, again.output
    [step] = last_json(again.output)["systems"]["salesforce"]["steps"]
    assert step.startswith(f"did grant read/edit on {len(crm_schema.salesforce_fields())} ")
    assert run(config, "check").exit_code == 0


def test_given_a_hubspot_property_of_another_type_under_our_name_then_setup_reports_it(
        bare: Sandbox, tmp_path: Path) -> None:
    import requests

    answer = requests.post(f"{bare.url}/crm/v3/properties/contacts", timeout=5, json={
        "name": "leadpact_role", "label": "Role", "type": "number", "fieldType": "number",
        "groupName": "contactinformation"},
        headers={"Authorization": f"Bearer {ENV['LEADPACT_HUBSPOT_TOKEN']}"})
    assert answer.status_code == 201, answer.text
    config = write_config(tmp_path, bare.url)
    result = run(config, "setup", "--json")
    assert result.exit_code == 2
    [problem] = last_json(result.output)["systems"]["hubspot"]["problems"]
    assert problem["what"] == ("HubSpot contacts.leadpact_role is number/number, leadpact "
                               "needs string/text")
    steps = last_json(result.output)["systems"]["hubspot"]["steps"]
    assert "created contacts.leadpact_role_reason" in steps  # the others were still made
    assert "created contacts.leadpact_role" not in steps


class Steps:
    """A SetupObserver that keeps what it heard."""

    def __init__(self) -> None:
        self.planned: dict[str, int] = {}
        self.done: dict[str, list[tuple[str, int]]] = {}

    def setup_planned(self, system: str, total: int) -> None:
        self.planned[system] = total

    def setup_done(self, system: str, what: str, count: int = 1) -> None:
        self.done.setdefault(system, []).append((what, count))


def test_given_a_bare_org_then_setup_announces_its_steps_first_and_counts_each_one(
        bare: Sandbox, tmp_path: Path) -> None:
    from leadpact.config import load_config
    from leadpact.connect import connectors_for

    config = load_config(write_config(tmp_path, bare.url), ENV)
    fields = len(crm_schema.salesforce_fields())
    properties = sum(len(b) for b in crm_schema.hubspot_setup_properties().values())
    groups = len(crm_schema.hubspot_setup_properties())
    for connector in connectors_for(config):
        steps = Steps()
        dry = connector.setup("Leadpact_Integration", dry_run=True,  # type: ignore[attr-defined]
                              observer=steps)
        assert dry.steps and steps.planned == {} and steps.done == {}  # a dry run does nothing
        connector.setup("Leadpact_Integration", observer=steps)  # type: ignore[attr-defined]
        total = steps.planned[connector.system]
        assert sum(n for _, n in steps.done[connector.system]) == total
        # fields + the set + a grant per field + the assignment; HubSpot: groups + properties
        assert total == {"salesforce": fields + 1 + fields + 1,
                         "hubspot": groups + properties}[connector.system]
        again = Steps()
        connector.setup("Leadpact_Integration", observer=again)  # type: ignore[attr-defined]
        assert again.planned == {connector.system: 0} and again.done == {}


def test_given_setup_off_a_terminal_then_verbose_logs_n_of_m_per_crm(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    result = CliRunner().invoke(main, ["-v", "setup", "--config", str(config)], env=ENV)
    assert result.exit_code == 0, result.output
    fields = len(crm_schema.salesforce_fields())
    total = 2 * fields + 2
    assert f"salesforce setup: {total} step(s) to do" in result.stderr
    assert f"salesforce setup: {total} of {total} step(s) done" in result.stderr
    assert "hubspot setup: " in result.stderr and " step(s) to do" in result.stderr
    assert "salesforce: created field" in result.stdout  # the result itself stays on stdout


def schema_snapshot(box: Sandbox) -> dict[str, Any]:
    return {"meta": {k: box.store.get_meta(k) for k in (
        "salesforce:custom_fields", "hubspot:properties", "hubspot:property_groups")},
        "sets": len(own_permission_sets(box)),
        "grants": box.store.count("salesforce", "FieldPermissions")}


def test_given_a_salesforce_user_without_customize_application_then_setup_says_so_first(
        bare: Sandbox, tmp_path: Path) -> None:
    from leadpact.connectors.sandbox.salesforce_schema import revoke_api_user_permissions

    revoke_api_user_permissions(bare.store, "PermissionsCustomizeApplication",
                                "PermissionsAssignPermissionSets")
    config = write_config(tmp_path, bare.url, hubspot=False)
    before = schema_snapshot(bare)
    result = run(config, "setup", "--json")
    assert result.exit_code == 2, result.output
    salesforce = last_json(result.output)["systems"]["salesforce"]
    [problem] = salesforce["problems"]  # no check after: nothing was changed to check
    fields = len(crm_schema.salesforce_fields())
    assert problem["what"].endswith(
        f"lacks the permission(s) Customize Application (to create {fields} field(s)); "
        "Assign Permission Sets (to assign the permission set to this user), so setup "
        "changed nothing")
    assert "Manage Profiles" not in problem["what"]  # that one it has
    assert "Setup > Permission Sets" in problem["fix"]
    assert all(step.startswith("would ") for step in salesforce["steps"])
    assert schema_snapshot(bare) == before


def test_given_a_hubspot_app_without_schema_write_scope_then_setup_creates_nothing_there(
        bare: Sandbox, tmp_path: Path) -> None:
    bare.hubspot_scopes = [s for s in bare.hubspot_scopes  # type: ignore[attr-defined]
                           if s != "crm.schemas.deals.write"]
    config = write_config(tmp_path, bare.url)
    before = schema_snapshot(bare)
    result = run(config, "setup", "--json")
    assert result.exit_code == 2, result.output
    hubspot = last_json(result.output)["systems"]["hubspot"]
    [problem] = hubspot["problems"]
    assert problem["what"].startswith("the HubSpot private app lacks the scopes "
                                      "crm.schemas.deals.write that creating")
    assert all(step.startswith("would create ") for step in hubspot["steps"])
    after = schema_snapshot(bare)
    assert (after["meta"]["hubspot:properties"], after["meta"]["hubspot:property_groups"]) == (
        before["meta"]["hubspot:properties"], before["meta"]["hubspot:property_groups"])
    assert after["meta"]["salesforce:custom_fields"] != before["meta"]["salesforce:custom_fields"]


def test_given_everything_set_up_then_setup_needs_no_permission_to_find_nothing_to_do(
        bare: Sandbox, tmp_path: Path) -> None:
    from leadpact.connectors.sandbox.salesforce_schema import (
        SYSTEM_PERMISSIONS,
        revoke_api_user_permissions,
    )

    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    revoke_api_user_permissions(bare.store, *SYSTEM_PERMISSIONS)
    bare.hubspot_scopes = []  # type: ignore[attr-defined]
    again = run(config, "setup", "--json")
    assert again.exit_code == 2  # the check after it finds the write scopes gone …
    systems = last_json(again.output)["systems"]
    assert systems["salesforce"] == {"steps": [], "problems": []}  # … but setup needed none
    assert all("schemas" not in p["what"] for p in systems["hubspot"]["problems"])


def test_given_fields_without_history_tracking_then_check_names_them_and_a_sync_still_writes(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    created = salesforce_schema.custom_field_defs(bare.store)
    assert created["Contact.Leadpact_Role__c"]["trackHistory"] is True  # setup turned it on
    assert "trackHistory" not in created["Contact.Leadpact_Role_Reason__c"]  # no values kept
    created["Contact.Leadpact_Role__c"]["trackHistory"] = False  # as if made by hand
    bare.store.set_meta(salesforce_schema.CUSTOM_FIELD_DEFS_META, json.dumps(created))
    checked = run(config, "check", "--json")
    assert checked.exit_code == 2
    [problem] = last_json(checked.output)["systems"]["salesforce"]["problems"]
    assert "Contact.Leadpact_Role__c" in problem["what"] and "history" in problem["what"]
    assert "Set History Tracking" in problem["fix"]
    sync = run(config, "sync", "--json")
    assert sync.exit_code == 0, sync.output
    assert last_json(sync.output)["systems"]["salesforce"]["changes_applied"] > 0


def test_given_fields_made_without_history_tracking_when_setup_runs_then_it_turns_it_on(
        bare: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    created = salesforce_schema.custom_field_defs(bare.store)
    for name in ("Contact.Leadpact_Role__c", "Lead.Leadpact_Lead_Score__c"):
        created[name]["trackHistory"] = False  # as made before setup asked for it
    bare.store.set_meta(salesforce_schema.CUSTOM_FIELD_DEFS_META, json.dumps(created))
    assert run(config, "check").exit_code == 2

    dry = run(config, "setup", "--dry-run", "--json")
    assert last_json(dry.output)["systems"]["salesforce"]["steps"] == [
        "would turn on history tracking for field Contact.Leadpact_Role__c",
        "would turn on history tracking for field Lead.Leadpact_Lead_Score__c"]
    assert salesforce_schema.custom_field_defs(bare.store) == created  # nothing changed

    done = run(config, "setup", "--json")
    assert done.exit_code == 0, done.output
    assert last_json(done.output)["systems"]["salesforce"]["steps"] == [
        "turned on history tracking for field Contact.Leadpact_Role__c",
        "turned on history tracking for field Lead.Leadpact_Lead_Score__c"]
    after = salesforce_schema.custom_field_defs(bare.store)
    assert after["Contact.Leadpact_Role__c"] == {**created["Contact.Leadpact_Role__c"],
                                                 "trackHistory": True}  # the rest kept
    assert after["Lead.Leadpact_Lead_Score__c"]["trackHistory"] is True
    checked = run(config, "check", "--json")
    assert checked.exit_code == 0, checked.output  # the advisory is gone
    again = run(config, "setup", "--json")
    assert last_json(again.output)["systems"]["salesforce"]["steps"] == []  # idempotent
