"""A contact's fit counts their account's firmographics, end to end on the sandbox: a CFO
at a 500-person manufacturer gets the account's points in both CRMs (Salesforce Contact →
Account, HubSpot contact → primary company); the same CFO without an account does not."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests import hs_builders as hs
from tests.sandbox_fields import field_of
from tests.sf_builders import ManualClock, SalesforceOrg

ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}
ACCOUNT_POINTS = ("ideal industry +10", "200+ employees +10")


def test_a_contacts_fit_counts_the_accounts_firmographics(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    salesforce_schema.ensure_schema(store)
    org = SalesforceOrg(store, ManualClock())
    account = org.add("Account", Name="Acme", Industry="Manufacturing",
                      NumberOfEmployees=500, BillingCountry="Germany")
    sf_placed = org.contact("Lee", Title="CFO", AccountId=account)
    sf_alone = org.contact("Ng", Title="CFO")
    company = hs.company(store, name="Acme", industry="Manufacturing", numberofemployees="500")
    hs_placed = hs.contact(store, email="ann@acme.example", jobtitle="CFO")
    hs.link_contact_company(store, hs_placed, company)
    hs_alone = hs.contact(store, email="bo@other.example", jobtitle="CFO")
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
                      f'[salesforce]\ninstance_url = "{sandbox.url}"\n'
                      f'[hubspot]\nhost = "{sandbox.url}"\n', "utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=ENV)
    assert result.exit_code == 0, result.output

    def reasons(system: str, type_: str, id_: str, field: str) -> str:
        return str(field_of(store, system, type_, id_, field))

    for placed in (reasons("salesforce", "Contact", sf_placed, "Leadpact_Lead_Reasons__c"),
                   reasons("hubspot", "contacts", hs_placed, "leadpact_lead_reasons")):
        assert all(points in placed for points in ACCOUNT_POINTS), placed
        assert placed.startswith("fit A (80: ")  # 40 role + 20 c level + 10 + 10
    for alone in (reasons("salesforce", "Contact", sf_alone, "Leadpact_Lead_Reasons__c"),
                  reasons("hubspot", "contacts", hs_alone, "leadpact_lead_reasons")):
        assert not any(points in alone for points in ACCOUNT_POINTS), alone
