"""The sandbox's Tooling API custom-field create and field-level security, driven by the
unmodified simple-salesforce client over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox

TEXT = {"FullName": "Lead.Fit_Note__c",
        "Metadata": {"type": "Text", "label": "Fit note", "length": 80}}


@pytest.fixture
def sf(sandbox: Sandbox) -> Iterator[Salesforce]:
    ensure_schema(sandbox.store, with_leadpact_fields=False)
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    yield Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, session=session)
    session.close()


def lead_field(sf: Salesforce, name: str) -> dict[str, Any] | None:
    described = sf.restful("sobjects/Lead/describe") or {}
    return next((f for f in described["fields"] if f["name"] == name), None)


def refusal(sf: Salesforce, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.toolingexecute("sobjects/CustomField", method="POST", data=body)
    content: Any = raised.value.content
    [error] = content
    return dict(error)


def test_given_a_text_field_when_created_then_describe_and_soql_show_it(
        sf: Salesforce) -> None:
    created = sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    assert created["success"] is True and created["id"].startswith("00N")
    assert created["errors"] == [] and len(created["id"]) == 18
    field = lead_field(sf, "Fit_Note__c")
    assert field is not None
    assert (field["type"], field["length"], field["label"], field["custom"]) == (
        "string", 80, "Fit note", True)
    assert sf.query("SELECT Id, Fit_Note__c FROM Lead")["totalSize"] == 0


def test_given_a_new_field_then_it_is_read_only_until_a_permission_set_grants_edit(
        sf: Salesforce) -> None:
    sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    assert lead_field(sf, "Fit_Note__c")["updateable"] is False  # type: ignore[index]
    lead: Any = sf.restful("sobjects/Lead", method="POST",
                           json={"LastName": "Ng", "Company": "Acme"})
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful(f"sobjects/Lead/{lead['id']}", method="PATCH", json={"Fit_Note__c": "x"})
    permission_set: Any = sf.restful("sobjects/PermissionSet", method="POST",
                                     json={"Name": "Leadpact_Integration", "Label": "leadpact"})
    sf.restful("sobjects/FieldPermissions", method="POST", json={
        "ParentId": permission_set["id"], "SobjectType": "Lead", "Field": "Lead.Fit_Note__c",
        "PermissionsRead": True, "PermissionsEdit": True})
    assert lead_field(sf, "Fit_Note__c")["updateable"] is True  # type: ignore[index]
    sf.restful(f"sobjects/Lead/{lead['id']}", method="PATCH", json={"Fit_Note__c": "good"})
    rows = sf.query("SELECT Fit_Note__c FROM Lead")["records"]
    assert [r["Fit_Note__c"] for r in rows] == ["good"]
    grants = sf.query("SELECT Field, PermissionsEdit FROM FieldPermissions WHERE "
                      f"ParentId = '{permission_set['id']}'")["records"]
    assert [(g["Field"], g["PermissionsEdit"]) for g in grants] == [("Lead.Fit_Note__c", True)]


@pytest.mark.parametrize(("metadata", "code"), [
    ({"type": "Text", "label": "x", "length": 256}, "FIELD_INTEGRITY_EXCEPTION"),
    ({"type": "LongTextArea", "label": "x", "length": 32768}, "FIELD_INTEGRITY_EXCEPTION"),
    ({"type": "Number", "label": "x", "precision": 19, "scale": 2}, "FIELD_INTEGRITY_EXCEPTION"),
    ({"type": "Number", "label": "x", "precision": 4, "scale": 5}, "FIELD_INTEGRITY_EXCEPTION"),
    ({"type": "Currency", "label": "x"}, "FIELD_INTEGRITY_EXCEPTION"),
    ({"type": "Text", "length": 10}, "REQUIRED_FIELD_MISSING"),
    ({"type": "Picklist", "label": "x"}, "FIELD_INTEGRITY_EXCEPTION"),
])
def test_given_metadata_the_metadata_api_refuses_then_400_with_its_error_code(
        sf: Salesforce, metadata: dict[str, Any], code: str) -> None:
    assert refusal(sf, {"FullName": "Lead.Bad__c", "Metadata": metadata})["errorCode"] == code
    assert lead_field(sf, "Bad__c") is None


@pytest.mark.parametrize("full_name", ["Lead.NoSuffix", "Nope.Field__c", "Lead.Two__Bars__c",
                                       "Lead.1st__c"])
def test_given_a_bad_full_name_then_invalid_field(sf: Salesforce, full_name: str) -> None:
    body = {"FullName": full_name, "Metadata": TEXT["Metadata"]}
    assert refusal(sf, body)["errorCode"] == "INVALID_FIELD"


def test_given_an_existing_field_when_created_again_then_duplicate_developer_name(
        sf: Salesforce) -> None:
    sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    again = refusal(sf, {**TEXT, "FullName": "lead.fit_note__c"})
    assert again["errorCode"] == "DUPLICATE_DEVELOPER_NAME"
    assert lead_field(sf, "Fit_Note__c")["length"] == 80  # type: ignore[index]
