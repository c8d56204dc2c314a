"""An account edited alone reaches its contacts, end to end on the sandbox over HTTP: a
Salesforce Account's and a HubSpot company's industry changes, nobody touches a contact,
and the next sync gives the contacts there their new fit (and only them); the rerun
writes nothing. leadpact's own writes on the accounts re-read nobody. A `[fields]` change
in leadpact.toml reaches them too."""

from __future__ import annotations

import json
from datetime import timedelta
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


def sync(config: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output.strip().splitlines()[0]))


def total(summary: dict[str, object], counter: str) -> int:
    systems = summary["systems"]
    assert isinstance(systems, dict)
    return sum(int(s[counter]) for s in systems.values())


def sf_add(store: Store, sobject: str, **fields: object) -> str:
    id_ = new_salesforce_id(store, sobject)
    store.insert("salesforce", sobject, id_, fields)
    return id_


def test_an_industry_edit_on_the_account_alone_moves_its_contacts_fit(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    salesforce_schema.ensure_schema(store)
    # Two accounts per CRM, 50 employees, outside the ideal industries; an IT director at
    # each (fit 50: grade B).
    account = sf_add(store, "Account", Name="Acme", Industry="Retail", NumberOfEmployees=50)
    other = sf_add(store, "Account", Name="Beta", Industry="Retail", NumberOfEmployees=50)
    sf_cfo = sf_add(store, "Contact", FirstName="Ann", LastName="Lee", Title="IT Director",
                    Email="ann@acme.example", AccountId=account)
    sf_calm = sf_add(store, "Contact", FirstName="Bo", LastName="Kim", Title="IT Director",
                     Email="bo@beta.example", AccountId=other)
    company = hs.company(store, name="Cemo", industry="RETAIL", numberofemployees="50",
                         domain="cemo.example")
    calm_company = hs.company(store, name="Delta", industry="RETAIL",
                              numberofemployees="50", domain="delta.example")
    hs_cfo = hs.contact(store, email="cy@cemo.example", jobtitle="IT Director")
    hs_calm = hs.contact(store, email="di@delta.example", jobtitle="IT Director")
    hs.link_contact_company(store, hs_cfo, company)
    hs.link_contact_company(store, hs_calm, calm_company)
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
                      f'[salesforce]\ninstance_url = "{sandbox.url}"\n'
                      f'[hubspot]\nhost = "{sandbox.url}"\n', "utf-8")
    for _ in range(2):  # the second run reads back the first one's own writes
        settled = sync(config)
    assert total(settled, "changes_planned") == 0, settled
    fits = {(s, id_): field_of(store, s, t, id_, f) for s, t, id_, f in (
        ("salesforce", "Contact", sf_cfo, "Leadpact_Fit__c"),
        ("salesforce", "Contact", sf_calm, "Leadpact_Fit__c"),
        ("hubspot", "contacts", hs_cfo, "leadpact_fit"),
        ("hubspot", "contacts", hs_calm, "leadpact_fit"))}

    # Marketing corrects two accounts' industry; no contact is touched.
    store.update("salesforce", "Account", account, {"Industry": "Manufacturing"})
    store.update("hubspot", "companies", company, {"industry": "MANUFACTURING"})
    moved = sync(config)
    assert total(moved, "records_read") == 2, moved  # the two contacts there, no one else
    for system, type_, id_, name in (("salesforce", "Contact", sf_cfo, "Leadpact_Fit__c"),
                                     ("hubspot", "contacts", hs_cfo, "leadpact_fit")):
        now = field_of(store, system, type_, id_, name)
        assert (fits[(system, id_)], now) == ("B", "A"), system  # +10 points: grade A
    assert field_of(store, "salesforce", "Contact", sf_calm, "Leadpact_Fit__c") == \
        fits[("salesforce", sf_calm)]
    assert field_of(store, "hubspot", "contacts", hs_calm, "leadpact_fit") == \
        fits[("hubspot", hs_calm)]

    again = sync(config)  # own writes on contacts and accounts read back: nothing to do
    assert total(again, "changes_planned") == 0 and total(again, "records_read") == 0, again


def test_the_changed_companies_are_listed_past_one_search_page(sandbox: Sandbox) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    ids = {hs.company(store, name=f"Co {n}", industry="RETAIL") for n in range(450)}
    crm = hs.connector(sandbox)
    before = crm.api_calls
    found, read_at = crm.read_changed_accounts(None)
    assert {a.ref.id for a in found} == ids and read_at is not None
    assert all(a.fields.get("industry") == "RETAIL" for a in found)
    assert crm.api_calls - before == 1 + 3  # the high-water mark, then pages of 200
    later, _ = crm.read_changed_accounts(read_at + timedelta(minutes=10))
    assert later == []  # nothing modified since: the one search


def test_a_fields_mapping_change_reaches_the_contacts_nobody_touched(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    # The company's own industry is outside the ideal ones; the org keeps the one it
    # trusts in another property.
    company = hs.company(store, name="Cemo", industry="RETAIL", sector="MANUFACTURING",
                         numberofemployees="50", domain="cemo.example")
    contact = hs.contact(store, email="cy@cemo.example", jobtitle="IT Director")
    hs.link_contact_company(store, contact, company)
    config = tmp_path / "leadpact.toml"
    text = (f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
            f'[hubspot]\nhost = "{sandbox.url}"\n')
    config.write_text(text, "utf-8")
    for _ in range(2):
        settled = sync(config)
    assert total(settled, "changes_planned") == 0, settled
    assert field_of(store, "hubspot", "contacts", contact, "leadpact_fit") == "B"

    config.write_text(text + '[fields.hubspot]\nindustry = "sector"\n', "utf-8")
    moved = sync(config)
    assert moved["mappings_changed"] is True and total(moved, "records_read") >= 1, moved
    assert field_of(store, "hubspot", "contacts", contact, "leadpact_fit") == "A"
    again = sync(config)
    assert again["mappings_changed"] is False and total(again, "changes_planned") == 0, again
