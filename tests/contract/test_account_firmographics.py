"""A contact's fit reads its account's firmographics, as each CRM serves them: a Salesforce
Contact's Account fields ride along in the Contact query (REST and Bulk API 2.0 alike, no
extra call); a HubSpot contact's primary company is read once per page, 100 a call."""

from __future__ import annotations

import logging

import pytest

from leadpact.connectors.salesforce.bulk_reads import BulkSettings
from leadpact.connectors.sandbox import salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.field_map import FieldMap
from leadpact.model import Person
from tests import hs_builders as hs
from tests.sf_builders import ManualClock, SalesforceOrg, connect

FIRMOGRAPHICS = {"industry": "Manufacturing", "employees": "500", "country": "Germany"}
BARE = FieldMap({}, {}, {})


def people(pages: list[object]) -> dict[str, Person]:
    return {r.ref.id: r for page in pages for r in page.records  # type: ignore[attr-defined]
            if isinstance(r, Person)}


def salesforce_org(sandbox: Sandbox) -> tuple[str, str]:
    salesforce_schema.ensure_schema(sandbox.store)
    org = SalesforceOrg(sandbox.store, ManualClock())
    account = org.add("Account", Name="Acme", Industry="Manufacturing",
                      NumberOfEmployees=500, BillingCountry="Germany")
    return org.contact("Lee", AccountId=account), org.contact("Orphan")


def test_a_salesforce_contact_carries_its_accounts_firmographics_at_no_extra_call(
        sandbox: Sandbox) -> None:
    placed, orphan = salesforce_org(sandbox)
    with connect(sandbox) as connector:
        read = people(list(connector.read_changes(None)))
        calls = connector.api_calls
    assert dict(read[placed].fields) == FIRMOGRAPHICS
    assert dict(read[orphan].fields) == {}  # no account: nothing to read
    with connect(sandbox, fields=BARE) as bare:
        list(bare.read_changes(None))
        assert bare.api_calls == calls


def test_bulk_reads_give_a_contact_the_same_account_fields(
        sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    placed, _ = salesforce_org(sandbox)
    org = SalesforceOrg(sandbox.store, ManualClock())
    for n in range(120):  # enough rows for the Bulk API 2.0 path
        org.contact(f"Bulk{n}")
    bulk = BulkSettings(threshold=100, max_records=500, poll_seconds=0)
    with caplog.at_level(logging.INFO), connect(sandbox, bulk=bulk) as connector:
        read = people(list(connector.read_changes(None)))
    assert "Bulk API 2.0 read failed" not in caplog.text  # no fallback to REST
    assert dict(read[placed].fields) == FIRMOGRAPHICS


def test_a_hubspot_contact_carries_its_companys_firmographics_one_read_per_page(
        sandbox: Sandbox) -> None:
    store = sandbox.store
    company = hs.company(store, name="Acme", industry="MANUFACTURING", numberofemployees="500",
                         country="Germany")
    placed = hs.contact(store, email="ann@acme.example")
    colleague = hs.contact(store, email="bo@acme.example")
    for contact in (placed, colleague):
        hs.link_contact_company(store, contact, company)
    orphan = hs.contact(store, email="cy@acme.example")
    connector = hs.connector(sandbox)
    read = people(list(connector.read_changes(None)))
    expected = {"industry": "MANUFACTURING", "employees": "500", "country": "Germany"}
    assert dict(read[placed].fields) == dict(read[colleague].fields) == expected
    assert dict(read[orphan].fields) == {}
    bare = hs.connector(sandbox, fields=BARE)
    list(bare.read_changes(None))
    assert connector.api_calls - bare.api_calls == 1  # one company read for the page
