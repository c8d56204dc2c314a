"""What each CRM's firmographics look like once read: a Salesforce lead's own fields, an
org's mapped custom fields, and a mapping to a field the org lacks."""

from __future__ import annotations

import pytest

from leadpact.connectors.sandbox import salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.errors import ConnectorError
from leadpact.field_map import DEFAULT_FIELDS, FieldMap
from leadpact.model import Person, Ref
from tests import hs_builders as hs
from tests.sf_builders import ManualClock, SalesforceOrg, connect

ICP = FieldMap({**DEFAULT_FIELDS.salesforce_account, "icp_tier": "ICP_Tier__c"},
               {**DEFAULT_FIELDS.salesforce_lead, "icp_tier": "ICP_Tier__c"},
               {**DEFAULT_FIELDS.hubspot_company, "icp_tier": "icp_tier"})


def _org(sandbox: Sandbox, *custom: str) -> SalesforceOrg:
    salesforce_schema.ensure_schema(sandbox.store)
    if custom:
        fields = salesforce_schema.custom_fields(sandbox.store)
        salesforce_schema.set_custom_fields(sandbox.store, {
            **fields, **{s: [*fields.get(s, []), "ICP_Tier__c"] for s in custom}})
    return SalesforceOrg(sandbox.store, ManualClock())


def test_given_a_lead_when_read_then_its_own_firmographics_ride_along(sandbox: Sandbox) -> None:
    org = _org(sandbox)
    lead = org.lead("Ng", Industry="Manufacturing", NumberOfEmployees=500, Country="Germany")
    contact = org.contact("Lee")
    with connect(sandbox) as connector:
        pages = list(connector.read_changes(None))
        calls_with_fields = connector.api_calls
        read = {r.ref.id: r for page in pages for r in page.records}
        again = connector.read_records([Ref("salesforce", "lead", lead)])
    assert isinstance(read[lead], Person)
    assert dict(read[lead].fields) == {"industry": "Manufacturing", "employees": "500",
                                       "country": "Germany"}
    assert again[0].fields == read[lead].fields  # by id, the same select list
    assert dict(read[contact].fields) == {}  # a contact's firmographics are its account's
    with connect(sandbox, fields=FieldMap({}, {}, {})) as bare:
        list(bare.read_changes(None))
        assert bare.api_calls == calls_with_fields  # the select list grew, the calls did not


def test_given_an_org_field_mapped_then_it_is_read_on_account_and_lead(sandbox: Sandbox) -> None:
    org = _org(sandbox, "Account", "Lead")
    account = org.add("Account", Name="Acme", ICP_Tier__c="A", Industry="Banking")
    lead = org.lead("Ng", ICP_Tier__c="B")
    with connect(sandbox, fields=ICP) as connector:
        [found] = connector.read_accounts([account])
        [person] = connector.read_records([Ref("salesforce", "lead", lead)])
    assert found.fields == {"icp_tier": "A", "industry": "Banking"}
    assert isinstance(person, Person) and person.fields == {"icp_tier": "B"}


def test_given_a_mapping_to_a_field_the_org_lacks_then_the_error_names_it(
        sandbox: Sandbox) -> None:
    org = _org(sandbox)
    account = org.add("Account", Name="Acme")
    with connect(sandbox, fields=ICP) as connector, \
            pytest.raises(ConnectorError, match="ICP_Tier__c"):
        connector.read_accounts([account])


def test_given_a_hubspot_company_property_mapped_then_it_is_read(sandbox: Sandbox) -> None:
    company = hs.company(sandbox.store, name="Acme", industry="BANKING", icp_tier="A",
                         numberofemployees="80")
    connector = hs.connector(sandbox, fields=ICP)
    [found] = connector.read_accounts([company])
    assert found.ref == Ref("hubspot", "account", company)
    assert found.fields == {"industry": "BANKING", "employees": "80", "icp_tier": "A"}


def test_given_many_accounts_then_one_call_per_batch(sandbox: Sandbox) -> None:
    ids = [hs.company(sandbox.store, name=f"Co {n}") for n in range(150)]
    connector = hs.connector(sandbox)
    before = connector.api_calls
    assert len(connector.read_accounts(ids)) == 150
    assert connector.api_calls - before == 2  # 100 per batch read
    org = _org(sandbox)
    sf_ids = [org.add("Account", Name=f"Co {n}") for n in range(500)]
    with connect(sandbox) as sf:
        assert len(sf.read_accounts(sf_ids)) == 500
        assert sf.api_calls == 2  # 450 ids per IN list
