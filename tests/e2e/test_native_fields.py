"""The opt-in [native] mapping end to end on the sandbox over HTTP: a person's lead stage
reaches HubSpot lifecyclestage / hs_lead_status and Salesforce Lead Status, a lifecycle
stage never moves back, a person's value is kept, plan equals sync, a rerun writes
nothing, undo puts the old values back, and a value that is not an option of its field
stops the sync at preflight with one line naming the config key."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from tests import hs_builders as hs
from tests.sandbox_fields import field_of

ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}
NATIVE = '''
[native.hubspot_lifecyclestage]
marketing_qualified = "marketingqualifiedlead"
[native.hubspot_lead_status]
disqualified = "UNQUALIFIED"
[native.salesforce_lead_status]
marketing_qualified = "Working - Contacted"
disqualified = "Closed - Not Converted"
'''


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=ENV)
    return result.exit_code, result.output


def summary(output: str) -> dict[str, object]:
    return dict(json.loads(output.strip().splitlines()[0]))


def planned(output: str) -> int:
    systems = summary(output)["systems"]
    assert isinstance(systems, dict)
    return sum(int(s["changes_planned"]) for s in systems.values())


def write_config(tmp_path: Path, sandbox: Sandbox, native: str) -> Path:
    """An org with leadpact's fields installed, and a config naming it."""
    hubspot_schema.ensure_schema(sandbox.store)
    salesforce_schema.ensure_schema(sandbox.store)
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
                      f'[salesforce]\ninstance_url = "{sandbox.url}"\n'
                      f'[hubspot]\nhost = "{sandbox.url}"\n{native}', "utf-8")
    return config


def lead(store: Store, last: str, **fields: object) -> str:
    id_ = new_salesforce_id(store, "Lead")
    store.insert("salesforce", "Lead", id_, {"FirstName": "Ada", "LastName": last,
                                            "Company": "Acme", "IsConverted": False,
                                            "Email": f"{last.lower()}@acme.example", **fields})
    return id_


def test_stages_reach_the_native_fields_and_never_a_persons_value(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    # CFOs at a company domain: marketing_qualified (fit, no engagement); a student:
    # disqualified. Emails in the lead's domain, so nobody is a free-mail address.
    fresh = hs.contact(store, email="ann@acme.example", jobtitle="CFO")
    ahead = hs.contact(store, email="bea@acme.example", jobtitle="CFO",
                       lifecyclestage="customer")
    student = hs.contact(store, email="cy@acme.example", jobtitle="Working Student",
                         lifecyclestage="lead")
    sf_new = lead(store, "Dee", Title="CFO")
    sf_person = lead(store, "Eve", Title="Marketing Intern", Status="Open - Not Contacted")
    config = write_config(tmp_path, sandbox, NATIVE)

    code, out = run("plan", "--config", str(config), "--json")
    assert code == 0, out
    code, synced = run("sync", "--config", str(config), "--json")
    assert code == 0, synced
    assert planned(out) == planned(synced)  # plan shows exactly what sync writes

    assert field_of(store, "hubspot", "contacts", fresh, "lifecyclestage") == \
        "marketingqualifiedlead"
    assert field_of(store, "hubspot", "contacts", ahead, "lifecyclestage") == "customer"  # not back
    assert field_of(store, "hubspot", "contacts", student, "lifecyclestage") == "lead"  # unmapped
    assert field_of(store, "hubspot", "contacts", student, "hs_lead_status") == "UNQUALIFIED"
    assert field_of(store, "salesforce", "Lead", sf_new, "Status") == "Working - Contacted"
    # a value leadpact did not write is a person's, even where the stage maps elsewhere
    assert field_of(store, "salesforce", "Lead", sf_person, "Status") == "Open - Not Contacted"

    code, out = run("sync", "--config", str(config), "--json")  # own writes read back
    assert code == 0 and planned(out) == 0, out
    systems = summary(out)["systems"]  # …recognised as echoes: not even judged again
    assert isinstance(systems, dict) and sum(int(s["records_read"])
                                             for s in systems.values()) == 0, out

    # A rep moves the lead on by hand: the next syncs leave it so.
    store.update("salesforce", "Lead", sf_new, {"Status": "Closed - Not Converted"})
    code, out = run("sync", "--config", str(config), "--json")
    assert code == 0 and planned(out) == 0, out
    assert field_of(store, "salesforce", "Lead", sf_new, "Status") == "Closed - Not Converted"

    # Undo of the first run: what it wrote and nobody changed goes back.
    first = str(summary(synced)["run_id"])
    code, out = run("undo", first, "--config", str(config))
    assert code == 0, out
    assert field_of(store, "hubspot", "contacts", fresh, "lifecyclestage") in (None, "")
    assert field_of(store, "hubspot", "contacts", student, "hs_lead_status") in (None, "")
    assert field_of(store, "salesforce", "Lead", sf_new, "Status") == "Closed - Not Converted"


def test_a_value_that_is_no_option_stops_the_sync_before_any_write(
        sandbox: Sandbox, tmp_path: Path) -> None:
    ann = hs.contact(sandbox.store, email="ann@acme.example", jobtitle="CFO")
    config = write_config(tmp_path, sandbox, '[native.hubspot_lifecyclestage]\n'
                                             'marketing_qualified = "mql"\n')
    code, out = run("sync", "--config", str(config))
    assert code == 2
    assert out.count("\n") == 1 and "[native.hubspot_lifecyclestage] marketing_qualified = " \
        "'mql' is not an option of lifecyclestage" in out
    assert field_of(sandbox.store, "hubspot", "contacts", ann, "leadpact_lead_stage") is None


def test_a_mapped_stage_the_rules_lack_stops_every_command(
        sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, sandbox, '[native.hubspot_lead_status]\nhot = "OPEN"\n')
    code, out = run("plan", "--config", str(config))
    assert code == 2 and "[native.hubspot_lead_status] `hot` is not a person stage" in out


def test_a_native_table_added_at_rest_reaches_the_records_nobody_touched(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    fresh = hs.contact(store, email="ann@acme.example", jobtitle="CFO")
    student = hs.contact(store, email="cy@acme.example", jobtitle="Working Student")
    sf_new = lead(store, "Dee", Title="CFO")
    config = write_config(tmp_path, sandbox, "")
    for _ in range(2):  # the second run reads back the first one's own writes
        code, out = run("sync", "--config", str(config), "--json")
        assert code == 0, out
    assert planned(out) == 0 and summary(out)["mappings_changed"] is False

    # RevOps adds the mapping; nobody touches a record.
    text = config.read_text("utf-8")
    config.write_text(text + NATIVE, "utf-8")
    code, out = run("plan", "--config", str(config), "--json")
    assert code == 0 and summary(out)["mappings_changed"] is True and planned(out) == 3, out
    code, out = run("sync", "--config", str(config), "--json")
    assert code == 0 and summary(out)["mappings_changed"] is True, out
    assert planned(out) == 3  # the three native values, nothing else moved
    assert field_of(store, "hubspot", "contacts", fresh, "lifecyclestage") == \
        "marketingqualifiedlead"
    assert field_of(store, "hubspot", "contacts", student, "hs_lead_status") == "UNQUALIFIED"
    assert field_of(store, "salesforce", "Lead", sf_new, "Status") == "Working - Contacted"
    code, out = run("sync", "--config", str(config), "--json")
    assert code == 0 and planned(out) == 0 and summary(out)["mappings_changed"] is False, out

    # The mapping removed: leadpact stops managing those fields and clears nothing.
    config.write_text(text, "utf-8")
    code, out = run("sync", "--config", str(config), "--json")
    assert code == 0 and planned(out) == 0 and summary(out)["mappings_changed"] is False, out
    assert field_of(store, "hubspot", "contacts", fresh, "lifecyclestage") == \
        "marketingqualifiedlead"
    assert field_of(store, "salesforce", "Lead", sf_new, "Status") == "Working - Contacted"
