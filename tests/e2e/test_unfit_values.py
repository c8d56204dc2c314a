"""Values an org's fields cannot hold are refused before the write, one line per field in
the run summary, and the org still settles: the sync after plans nothing. End to end: a
sandbox org set up by `leadpact setup`, then narrowed by an admin, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from tests.e2e.test_cli import last_json, write_config
from tests.e2e.test_setup_cli import bare, run  # noqa: F401 - the bare org fixture

pytestmark = pytest.mark.usefixtures("bare")


def narrow_salesforce_field(box: Sandbox, full_name: str, length: int) -> None:
    created = salesforce_schema.custom_field_defs(box.store)
    created[full_name]["length"] = length  # as an admin may have made it
    box.store.set_meta(salesforce_schema.CUSTOM_FIELD_DEFS_META, json.dumps(created))


def drop_hubspot_option(box: Sandbox, type_: str, name: str, value: str) -> None:
    properties = hubspot_schema.load_properties(box.store)
    for prop in properties[type_]:
        if prop["name"] == name:
            prop["options"] = [o for o in prop["options"] if o["value"] != value]
    hubspot_schema.save_properties(box.store, properties)


def synced(config: Path) -> dict[str, Any]:
    result = run(config, "sync", "--json")
    assert result.exit_code == 0, result.output
    return dict(last_json(result.output))


def test_given_fields_that_cannot_hold_leadpacts_values_then_refused_before_writing_and_settled(
        bare: Sandbox, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    narrow_salesforce_field(bare, "Contact.Leadpact_Lead_Stage__c", 5)
    drop_hubspot_option(bare, "contacts", "hs_buying_role", "BUDGET_HOLDER")
    first = synced(config)
    stats = first["systems"]
    assert stats["salesforce"]["values_refused"] > 0 and stats["hubspot"]["values_refused"] > 0
    assert all(s["changes_failed"] == 0 for s in stats.values())  # no 400 at write time
    lines = first["unfit"]
    stage = next(line for line in lines if "Leadpact_Lead_Stage__c" in line)
    assert stage.startswith("salesforce:contact:") and "at most 5 characters" in stage
    assert "Setup > Object Manager > Contact" in stage
    role = next(line for line in lines if "hs_buying_role" in line)
    assert role.startswith("hubspot:contact:") and "'BUDGET_HOLDER'" in role
    assert "\n" not in "".join(lines)
    contacts = [r.fields for r in bare.store.scan("salesforce", "Contact")]
    assert all(len(c.get("Leadpact_Lead_Stage__c") or "") <= 5 for c in contacts)
    assert any(c.get("Leadpact_Role__c") for c in contacts)  # the rest was written
    again = synced(config)
    assert {name: s["changes_planned"] for name, s in again["systems"].items()} == \
        {"salesforce": 0, "hubspot": 0}


def test_given_fields_that_cannot_hold_leadpacts_values_then_check_names_them(
        bare: Sandbox, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    config = write_config(tmp_path, bare.url)
    assert run(config, "setup").exit_code == 0
    assert run(config, "check").exit_code == 0
    narrow_salesforce_field(bare, "Contact.Leadpact_Lead_Stage__c", 5)
    drop_hubspot_option(bare, "contacts", "hs_buying_role", "BUDGET_HOLDER")
    checked = run(config, "check", "--json")
    assert checked.exit_code == 2
    systems = last_json(checked.output)["systems"]
    [narrow] = systems["salesforce"]["problems"]
    assert "Contact.Leadpact_Lead_Stage__c (5 < 255)" in narrow["what"]
    [lacking] = systems["hubspot"]["problems"]
    assert "hs_buying_role" in lacking["what"] and "BUDGET_HOLDER" in lacking["what"]
    assert "Settings > Properties" in lacking["fix"]
