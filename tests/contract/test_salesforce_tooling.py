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

TEXT: dict[str, Any] = {"FullName": "Lead.Fit_Note__c",
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


def grant(sf: Salesforce, full_name: str, edit: bool) -> str:
    """A permission set granting read (and edit) on one field; returns its FieldPermissions id."""
    permission_set: Any = sf.restful("sobjects/PermissionSet", method="POST",
                                     json={"Name": "Leadpact_Integration", "Label": "leadpact"})
    row: Any = sf.restful("sobjects/FieldPermissions", method="POST", json={
        "ParentId": permission_set["id"], "SobjectType": full_name.split(".")[0],
        "Field": full_name, "PermissionsRead": True, "PermissionsEdit": edit})
    me: Any = sf.oauth2("userinfo")
    sf.restful("sobjects/PermissionSetAssignment", method="POST", json={
        "AssigneeId": me["user_id"], "PermissionSetId": permission_set["id"]})
    return str(row["id"])


def test_given_a_created_field_then_hidden_until_read_is_granted_then_describe_shows_it(
        sf: Salesforce) -> None:
    created = sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    assert created["success"] is True and created["id"].startswith("00N")
    assert created["errors"] == [] and len(created["id"]) == 18
    assert lead_field(sf, "Fit_Note__c") is None  # no field-level security yet
    grant(sf, "Lead.Fit_Note__c", edit=False)
    field = lead_field(sf, "Fit_Note__c")
    assert field is not None
    assert (field["type"], field["length"], field["label"], field["custom"],
            field["updateable"]) == ("string", 80, "Fit note", True, False)
    assert sf.query("SELECT Id, Fit_Note__c FROM Lead")["totalSize"] == 0


def test_given_a_new_field_then_writable_only_once_a_permission_set_grants_edit(
        sf: Salesforce) -> None:
    sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    lead: Any = sf.restful("sobjects/Lead", method="POST",
                           json={"LastName": "Ng", "Company": "Acme"})
    grant_id = grant(sf, "Lead.Fit_Note__c", edit=False)
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful(f"sobjects/Lead/{lead['id']}", method="PATCH", json={"Fit_Note__c": "x"})
    sf.restful(f"sobjects/FieldPermissions/{grant_id}", method="PATCH",
               json={"PermissionsEdit": True})
    assert lead_field(sf, "Fit_Note__c")["updateable"] is True  # type: ignore[index]
    sf.restful(f"sobjects/Lead/{lead['id']}", method="PATCH", json={"Fit_Note__c": "good"})
    rows = sf.query("SELECT Fit_Note__c FROM Lead")["records"]
    assert [r["Fit_Note__c"] for r in rows] == ["good"]


def test_the_tooling_query_lists_custom_fields_hidden_from_describe(sf: Salesforce) -> None:
    created = sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    answer = sf.toolingexecute("query/", params={"q": (
        "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField "
        "WHERE TableEnumOrId IN ('Lead', 'Contact')")})
    assert answer["entityTypeName"] == "CustomField" and answer["done"] is True
    rows = [(r["Id"], r["DeveloperName"], r["TableEnumOrId"]) for r in answer["records"]]
    assert rows == [(created["id"], "Fit_Note", "Lead")]
    assert answer["records"][0]["attributes"]["type"] == "CustomField"


def test_a_tooling_query_of_another_entity_or_column_is_refused(sf: Salesforce) -> None:
    for soql in ("SELECT Id FROM EntityParticle", "SELECT Id, Length FROM CustomField"):
        with pytest.raises(SalesforceMalformedRequest):
            sf.toolingexecute("query/", params={"q": soql})


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
    again = refusal(sf, {**TEXT, "FullName": "lead.fit_note__c",
                         "Metadata": {**TEXT["Metadata"], "length": 20}})
    assert again["errorCode"] == "DUPLICATE_DEVELOPER_NAME"
    grant(sf, "Lead.Fit_Note__c", edit=True)
    assert lead_field(sf, "Fit_Note__c")["length"] == 80  # type: ignore[index]


def test_a_custom_field_reads_with_its_metadata_and_updates_only_whole(sf: Salesforce) -> None:
    created: Any = sf.toolingexecute("sobjects/CustomField", method="POST", data=TEXT)
    url = f"sobjects/CustomField/{created['id']}"
    field: Any = sf.toolingexecute(url)
    assert (field["FullName"], field["Metadata"]) == ("Lead.Fit_Note__c", TEXT["Metadata"])
    assert field["attributes"]["type"] == "CustomField"

    with pytest.raises(SalesforceMalformedRequest) as partial:  # Metadata replaces, no merge
        sf.toolingexecute(url, method="PATCH", data={"Metadata": {"trackHistory": True}})
    assert partial.value.status == 400

    tracked = {**field["Metadata"], "trackHistory": True}
    assert sf.toolingexecute(url, method="PATCH", data={"Metadata": tracked}) == ""  # 204
    assert sf.toolingexecute(url)["Metadata"] == tracked


def test_an_unknown_custom_field_id_is_not_found(sf: Salesforce) -> None:
    from simple_salesforce.exceptions import SalesforceResourceNotFound

    with pytest.raises(SalesforceResourceNotFound):
        sf.toolingexecute("sobjects/CustomField/00N000000000999AAA")
