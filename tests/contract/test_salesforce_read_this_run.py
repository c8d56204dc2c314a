"""After a Salesforce change read, records it built come back to read_records (the refresh
pass) without a call, with leadpact's writes laid over; records it did not read are read
from Salesforce."""

from __future__ import annotations

import pytest

from leadpact.changes import SetField
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Ref
from tests.contract.orgs import SalesforceFace
from tests.sf_builders import ManualClock


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceFace:
    return SalesforceFace(sandbox, ManualClock())


def test_given_a_change_read_then_its_records_come_back_without_a_call(
        org: SalesforceFace) -> None:
    ann = org.person("CFO", "ann@acme.example")
    crm = org.connector()
    read = [r for page in crm.read_changes(None) for r in page.records]
    assert [r.ref for r in read] == [ann]
    assert crm.apply([SetField(ann, "role", "economic_buyer")])[0].ok
    calls = crm.api_calls
    again = crm.read_records([ann])
    assert crm.api_calls == calls
    assert again[0].leadpact.get("role") == "economic_buyer"
    assert again[0].title == "CFO"


def test_given_a_record_the_read_did_not_build_then_it_is_read_from_salesforce(
        org: SalesforceFace) -> None:
    crm = org.connector()
    list(crm.read_changes(None))
    bo = org.person("CTO", "bo@acme.example")  # made after the read
    calls = crm.api_calls
    found = crm.read_records([bo, Ref("salesforce", "contact", "003000000000999AAA")])
    assert [r.ref for r in found] == [bo]
    assert crm.api_calls > calls
