"""The fake Salesforce REST API's wire format, over loopback HTTP (plain requests, plus the
unmodified simple-salesforce client where it encodes things itself)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.sf_builders import T0, ManualClock, SalesforceOrg

V = "/services/data/v62.0"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, ManualClock())


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[Any]:
    session = requests.Session()
    session.trust_env = False

    def call(method: str, path: str, **kw: Any) -> requests.Response:
        return session.request(method, sandbox.url + V + path,
                               headers={**AUTH, **kw.pop("headers", {})}, timeout=5, **kw)

    yield call
    session.close()


def query(http: Any, soql: str, endpoint: str = "query", **headers: str) -> requests.Response:
    return http("GET", f"/{endpoint}/", params={"q": soql}, headers=headers)


def composite(http: Any, method: str, records: list[dict[str, Any]],
              all_or_none: bool = False) -> requests.Response:
    return http(method, "/composite/sobjects", json={"allOrNone": all_or_none,
                                                     "records": records})


def error_of(answer: requests.Response) -> dict[str, Any]:
    [error] = answer.json()
    return dict(error)


# -- query ----------------------------------------------------------------------------------
def test_given_many_rows_when_querying_with_a_batch_size_then_pages_by_next_records_url(
        http: Any, org: SalesforceOrg) -> None:
    for n in range(450):
        org.lead(f"L{n:03d}")
    first = query(http, "SELECT Id, LastName FROM Lead ORDER BY LastName",
                  **{"Sforce-Query-Options": "batchSize=200"}).json()
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    assert re.fullmatch(r"/services/data/v62\.0/query/01g\w+-200", first["nextRecordsUrl"])
    second = http("GET", first["nextRecordsUrl"][len(V):]).json()
    third = http("GET", second["nextRecordsUrl"][len(V):]).json()
    assert (len(second["records"]), third["done"], len(third["records"])) == (200, True, 50)
    assert "nextRecordsUrl" not in third
    names = [r["LastName"] for page in (first, second, third) for r in page["records"]]
    assert names == sorted(names) and len(set(names)) == 450


@pytest.mark.parametrize(("header", "page"), [(None, 450), ("batchSize=10", 200),
                                              ("batchSize=300", 300)])
def test_given_a_batch_size_header_when_querying_then_clamped_to_200_2000(
        http: Any, org: SalesforceOrg, header: str | None, page: int) -> None:
    for n in range(450):
        org.lead(f"L{n}")
    headers = {"Sforce-Query-Options": header} if header else {}
    assert len(query(http, "SELECT Id FROM Lead", **headers).json()["records"]) == page


def test_given_an_unknown_locator_when_paging_then_invalid_query_locator(http: Any) -> None:
    answer = http("GET", "/query/01g000000000999AAA-2000")
    assert (answer.status_code, error_of(answer)["errorCode"]) == (400, "INVALID_QUERY_LOCATOR")


def test_given_a_deleted_row_when_querying_then_only_query_all_sees_it(
        http: Any, org: SalesforceOrg) -> None:
    kept, gone = org.lead("Kept"), org.lead("Gone")
    org.delete("Lead", gone)
    live = query(http, "SELECT Id, IsDeleted FROM Lead").json()["records"]
    every = query(http, "SELECT Id, IsDeleted FROM Lead ORDER BY Id", "queryAll").json()
    assert [r["Id"] for r in live] == [kept]
    assert [(r["Id"], r["IsDeleted"]) for r in every["records"]] == [(kept, False),
                                                                      (gone, True)]


def test_given_a_row_when_querying_then_system_fields_rendered_from_metadata(
        http: Any, org: SalesforceOrg) -> None:
    lead = org.lead("Ng", FirstName="Ada")
    [row] = query(http, "SELECT Id, Name, CreatedDate, SystemModstamp, IsDeleted, "
                        "MasterRecordId, Leadpact_Lead_Score__c FROM Lead").json()["records"]
    assert row == {"attributes": {"type": "Lead", "url": f"{V}/sobjects/Lead/{lead}"},
                   "Id": lead, "Name": "Ada Ng", "CreatedDate": "2026-11-02T09:00:00.000+0000",
                   "SystemModstamp": "2026-11-02T09:00:00.000+0000", "IsDeleted": False,
                   "MasterRecordId": None, "Leadpact_Lead_Score__c": None}
    assert re.fullmatch(r"00Q\d{12}AAA", lead)


def test_given_a_modstamp_filter_when_querying_then_closed_lower_bound(
        http: Any, org: SalesforceOrg) -> None:
    org.lead("Old")
    org.clock.advance(minutes=10)
    new = org.lead("New")
    soql = "SELECT Id FROM Lead WHERE SystemModstamp >= 2026-11-02T09:10:00.000+0000"
    assert [r["Id"] for r in query(http, soql).json()["records"]] == [new]


@pytest.mark.parametrize(("soql", "code", "words"), [
    ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected end"),
    ("SELECT Id, Nope__c FROM Lead", "INVALID_FIELD", "No such column 'Nope__c'"),
    ("SELECT Id FROM Lead ORDER BY Nope", "INVALID_FIELD", "'Nope'"),
    ("SELECT Id FROM Widget__c", "INVALID_TYPE", "'Widget__c'"),
    ("SELECT Id FROM Lead WHERE SystemModstamp > '2026-01-01'", "INVALID_QUERY_FILTER_OPERATOR",
     "dateTime"),
])
def test_given_a_bad_query_when_querying_then_400_naming_the_problem(
        http: Any, soql: str, code: str, words: str) -> None:
    answer = query(http, soql)
    assert answer.status_code == 400
    assert error_of(answer)["errorCode"] == code and words in error_of(answer)["message"]


# -- one record -----------------------------------------------------------------------------
def test_given_a_record_when_creating_reading_updating_deleting_then_rest_semantics(
        http: Any, org: SalesforceOrg) -> None:
    created = http("POST", "/sobjects/Contact/", json={"LastName": "Lee", "Title": "CTO"})
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True and body["errors"] == []
    contact = body["id"]
    updated = http("PATCH", f"/sobjects/Contact/{contact}", json={"Title": "CEO"})
    assert (updated.status_code, updated.content) == (204, b"")
    fetched = http("GET", f"/sobjects/Contact/{contact}", params={"fields": "Id,Title"}).json()
    assert (fetched["Title"], set(fetched) - {"attributes"}) == ("CEO", {"Id", "Title"})
    assert http("DELETE", f"/sobjects/Contact/{contact}").status_code == 204
    gone = http("GET", f"/sobjects/Contact/{contact}")
    assert (gone.status_code, error_of(gone)["errorCode"]) == (404, "ENTITY_IS_DELETED")
    missing = http("PATCH", "/sobjects/Contact/003000000000999AAA", json={"Title": "x"})
    assert (missing.status_code, error_of(missing)["errorCode"]) == (404, "NOT_FOUND")


@pytest.mark.parametrize(("sobject", "body", "code", "field"), [
    ("Lead", {"Company": "Acme"}, "REQUIRED_FIELD_MISSING", "LastName"),
    ("Lead", {"LastName": "x", "Company": "y", "Name": "z"}, "INVALID_FIELD_FOR_INSERT_UPDATE",
     "Name"),
    ("Contact", {"LastName": "x", "Title": "t" * 256}, "STRING_TOO_LONG", "Title"),
    ("Contact", {"LastName": "x", "AccountId": "001000000000999AAA"},
     "INVALID_CROSS_REFERENCE_KEY", "AccountId"),
    ("Contact", {"LastName": "x", "Leadpact_Lead_Score__c": "high"},
     "INVALID_TYPE_ON_FIELD_IN_RECORD", "Leadpact_Lead_Score__c"),
])
def test_given_an_invalid_record_when_creating_then_400_with_the_field(
        http: Any, sobject: str, body: dict[str, Any], code: str, field: str) -> None:
    answer = http("POST", f"/sobjects/{sobject}/", json=body)
    assert answer.status_code == 400
    assert (error_of(answer)["errorCode"], error_of(answer)["fields"]) == (code, [field])


def test_given_a_stage_or_status_when_writing_then_derived_fields_follow(
        http: Any, org: SalesforceOrg) -> None:
    opp = org.opportunity()
    http("PATCH", f"/sobjects/Opportunity/{opp}", json={"StageName": "Closed Won"})
    assert {k: org.get("Opportunity", opp).fields[k] for k in ("IsClosed", "IsWon")} == {
        "IsClosed": True, "IsWon": True}
    task = http("POST", "/sobjects/Task/", json={"Subject": "Call"}).json()["id"]
    assert org.get("Task", task).fields["Status"] == "Not Started"
    http("PATCH", f"/sobjects/Task/{task}", json={"Status": "Completed"})
    assert org.get("Task", task).fields["IsClosed"] is True


# -- sObject Collections --------------------------------------------------------------------
def test_given_a_collection_with_bad_items_when_saving_then_each_fails_alone_in_order(
        http: Any, org: SalesforceOrg) -> None:
    good, contact = org.lead("Good"), org.contact()
    converted, deleted = org.converted_lead(contact), org.lead("Deleted")
    org.delete("Lead", deleted)

    def rec(record_id: str, **fields: Any) -> dict[str, Any]:
        return {"attributes": {"type": "Lead"}, "Id": record_id, **fields}

    answer = composite(http, "PATCH", [
        rec(good, Title="CEO"), rec("00Q000000000999AAA", Title="x"), rec(deleted, Title="x"),
        rec(good, Bogus__c="x"), rec(converted, Title="x"), rec("003000000000001AAA")])
    assert answer.status_code == 200
    results = answer.json()
    assert results[0] == {"id": good, "success": True, "errors": []}
    codes = [r["errors"][0]["statusCode"] for r in results[1:]]
    assert codes == ["INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED", "INVALID_FIELD",
                     "CANNOT_UPDATE_CONVERTED_LEAD", "MALFORMED_ID"]
    assert "Bogus__c" in results[3]["errors"][0]["message"]
    assert org.get("Lead", good).fields["Title"] == "CEO"


def test_given_all_or_none_when_one_item_fails_then_nothing_is_saved(
        http: Any, org: SalesforceOrg) -> None:
    records = [{"attributes": {"type": "Contact"}, "LastName": "A"},
               {"attributes": {"type": "Contact"}, "Title": "no last name"}]
    results = composite(http, "POST", records, all_or_none=True).json()
    assert [r["success"] for r in results] == [False, False]
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK", "REQUIRED_FIELD_MISSING"]
    assert org.rows("Contact") == []
    created = composite(http, "POST", records[:1], all_or_none=True).json()
    assert created[0]["success"] and org.rows("Contact")[0].id == created[0]["id"]


@pytest.mark.parametrize(("records", "code"), [
    ([{"attributes": {"type": "Contact"}, "LastName": "x"}] * 201, "EXCEEDED_ID_LIMIT"),
    ([{"LastName": "x"}], "INVALID_TYPE"),
    ([{"attributes": {"type": "Widget__c"}}], "INVALID_TYPE"),
])
def test_given_a_collection_the_api_refuses_when_saving_then_400(
        http: Any, org: SalesforceOrg, records: list[dict[str, Any]], code: str) -> None:
    answer = composite(http, "POST", records)
    assert (answer.status_code, error_of(answer)["errorCode"]) == (400, code)
    assert org.rows("Contact") == []


# -- describe, limits, metering -------------------------------------------------------------
def test_given_an_org_when_describing_then_custom_fields_and_picklists(http: Any,
                                                                       org: SalesforceOrg) -> None:
    fields = {f["name"]: f for f in http("GET", "/sobjects/Lead/describe").json()["fields"]}
    score = fields["Leadpact_Lead_Score__c"]
    assert (score["type"], score["custom"], score["updateable"]) == ("double", True, True)
    assert fields["IsConverted"]["updateable"] is False
    roles = http("GET", "/sobjects/OpportunityContactRole/describe").json()["fields"]
    role = next(f for f in roles if f["name"] == "Role")
    assert "Economic Buyer" in [v["value"] for v in role["picklistValues"]]
    names = [s["name"] for s in http("GET", "/sobjects").json()["sobjects"]]
    assert {"Lead", "Contact", "Opportunity", "Task", "OpportunityContactRole"} <= set(names)
    assert http("GET", "/sobjects/Widget__c/describe").status_code == 404


def test_given_calls_when_answering_then_usage_header_limits_and_403_past_the_limit(
        sandbox: Sandbox, http: Any) -> None:
    sandbox.salesforce_daily_limit = 3
    first = http("GET", "/limits/")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/3"
    assert first.json()["DailyApiRequests"] == {"Max": 3, "Remaining": 2}
    http("GET", "/limits/")
    http("GET", "/limits/")
    over = http("GET", "/limits/")
    assert over.status_code == 403
    assert over.json() == [{"message": "TotalRequests Limit exceeded.",
                            "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert over.headers["Sforce-Limit-Info"] == "api-usage=4/3"


def test_given_a_wrong_token_when_calling_then_401_invalid_session(sandbox: Sandbox) -> None:
    answer = requests.get(sandbox.url + V + "/limits/", timeout=5,
                          headers={"Authorization": "Bearer nope"})
    assert (answer.status_code, error_of(answer)["errorCode"]) == (401, "INVALID_SESSION_ID")


def test_given_the_library_when_asking_updated_and_deleted_then_encoded_window_understood(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    kept, gone = org.contact("Kept"), org.contact("Gone")
    org.clock.advance(minutes=5)
    org.delete("Contact", gone)
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    sf = Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, session=session)
    window = (T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    contacts: Any = sf.Contact
    assert contacts.updated(*window)["ids"] == [kept]
    deleted = contacts.deleted(*window)["deletedRecords"]
    assert deleted == [{"id": gone, "deletedDate": "2026-11-02T09:05:00.000+0000"}]
    session.close()
