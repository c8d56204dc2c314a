"""A rep's sales feedback end to end on the sandbox over HTTP: `Rejected` set on a
Salesforce lead, a HubSpot contact, or one twin of a person in both CRMs makes the next
sync disqualify the person everywhere (`rep_rejected`, named in the reasons); clearing it
restores the stage; a rerun writes nothing."""

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
SF_FEEDBACK, HS_FEEDBACK = "Leadpact_Sales_Feedback__c", "leadpact_sales_feedback"


def sync(config: Path) -> int:
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    systems = json.loads(result.output.strip().splitlines()[0])["systems"]
    return sum(int(s["changes_planned"]) for s in systems.values())


def add(store: Store, sobject: str, **fields: object) -> str:
    id_ = new_salesforce_id(store, sobject)
    store.insert("salesforce", sobject, id_, {"FirstName": "Ada", **fields})
    return id_


def test_a_reps_rejection_disqualifies_the_person_in_both_crms_until_cleared(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    salesforce_schema.ensure_schema(store)
    lead = add(store, "Lead", LastName="Dee", Title="CFO", Company="Acme",
               Email="dee@acme.example", IsConverted=False)
    ann = hs.contact(store, email="ann@acme.example", jobtitle="CFO")
    fay_sf = add(store, "Contact", LastName="Fay", Title="CFO", Email="fay@acme.example")
    fay_hs = hs.contact(store, email="fay@acme.example", jobtitle="CFO",
                        salesforcecontactid=fay_sf)
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
                      f'[salesforce]\ninstance_url = "{sandbox.url}"\n'
                      f'[hubspot]\nhost = "{sandbox.url}"\n', "utf-8")
    sync(config)
    assert sync(config) == 0

    def stages() -> dict[str, object]:
        found = {}
        for name, (system, type_, id_, field) in {
                "lead": ("salesforce", "Lead", lead, "Leadpact_Lead_Stage__c"),
                "ann": ("hubspot", "contacts", ann, "leadpact_lead_stage"),
                "fay_sf": ("salesforce", "Contact", fay_sf, "Leadpact_Lead_Stage__c"),
                "fay_hs": ("hubspot", "contacts", fay_hs, "leadpact_lead_stage")}.items():
            found[name] = field_of(store, system, type_, id_, field)
        return found

    before = stages()
    assert set(before.values()) == {"marketing_qualified"}

    store.update("salesforce", "Lead", lead, {SF_FEEDBACK: "Rejected"})
    store.update("hubspot", "contacts", ann, {HS_FEEDBACK: "Rejected"})
    store.update("salesforce", "Contact", fay_sf, {SF_FEEDBACK: "Rejected"})  # one twin only
    assert sync(config) > 0
    assert set(stages().values()) == {"disqualified"}
    row = store.get("hubspot", "contacts", fay_hs)
    assert row is not None and "disqualified: rep rejected" in row.fields["leadpact_lead_reasons"]
    assert sync(config) == 0

    store.update("salesforce", "Lead", lead, {SF_FEEDBACK: None})
    store.update("hubspot", "contacts", ann, {HS_FEEDBACK: ""})
    store.update("salesforce", "Contact", fay_sf, {SF_FEEDBACK: None})
    assert sync(config) > 0
    assert stages() == before
    assert sync(config) == 0
