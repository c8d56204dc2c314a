"""The fake Bulk API 2.0 query jobs' wire format, over loopback HTTP: plain requests for the
exact shapes, and the unmodified simple-salesforce `bulk2` client end to end."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceOperationError

from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.sf_builders import ManualClock, SalesforceOrg

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

    def call(method: str, path: str, version: str = V, **kw: Any) -> requests.Response:
        return session.request(method, sandbox.url + version + path,
                               headers={**AUTH, **kw.pop("headers", {})}, timeout=5, **kw)

    yield call
    session.close()


@pytest.fixture
def sf(sandbox: Sandbox) -> Iterator[Salesforce]:
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    yield Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, version="62.0",
                     session=session)
    session.close()


def create_job(http: Any, soql: str, operation: str = "query") -> dict[str, Any]:
    answer = http("POST", "/jobs/query", json={"operation": operation, "query": soql})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_given_a_query_when_a_job_is_created_then_it_answers_job_info_and_completes_on_poll(
        http: Any, org: SalesforceOrg) -> None:
    org.contact("Lee")

    job = create_job(http, "SELECT Id, LastName FROM Contact")
    polled = http("GET", f"/jobs/query/{job['id']}").json()

    assert job["state"] == "UploadComplete"
    assert (job["operation"], job["object"], job["jobType"], job["contentType"]) == \
        ("query", "Contact", "V2Query", "CSV")
    assert job["id"].startswith("750") and len(job["id"]) == 18
    assert polled["state"] == "JobComplete" and polled["numberRecordsProcessed"] == 1


def test_given_a_completed_job_when_reading_results_then_csv_pages_follow_the_locator(
        http: Any, org: SalesforceOrg) -> None:
    ids = [org.contact(f"P{n:02d}") for n in range(5)]
    job = create_job(http, "SELECT Id, LastName FROM Contact ORDER BY LastName")
    http("GET", f"/jobs/query/{job['id']}")

    first = http("GET", f"/jobs/query/{job['id']}/results", params={"maxRecords": 3})
    second = http("GET", f"/jobs/query/{job['id']}/results",
                  params={"maxRecords": 3, "locator": first.headers["Sforce-Locator"]})

    assert first.headers["Content-Type"].startswith("text/csv")
    assert first.headers["Sforce-NumberOfRecords"] == "3"
    assert second.headers["Sforce-NumberOfRecords"] == "2"
    assert second.headers["Sforce-Locator"] == "null"
    assert first.text.splitlines()[0] == '"Id","LastName"'  # every value quoted, SELECT order
    got = rows_of(first.text)[1:] + rows_of(second.text)[1:]
    assert got == [[i, f"P{n:02d}"] for n, i in enumerate(ids)]


def test_given_typed_fields_when_reading_results_then_cells_are_written_as_salesforce_does(
        http: Any, org: SalesforceOrg) -> None:
    org.opportunity("Typed", Amount=1250.5, CloseDate="2026-12-15", IsClosed=False,
                    NextStep=None)
    job = create_job(http, "SELECT Amount, CloseDate, IsClosed, NextStep, SystemModstamp "
                           "FROM Opportunity")
    http("GET", f"/jobs/query/{job['id']}")

    answer = http("GET", f"/jobs/query/{job['id']}/results")

    [header, row] = rows_of(answer.text)
    assert dict(zip(header, row, strict=True)) == {
        "Amount": "1250.5", "CloseDate": "2026-12-15", "IsClosed": "false", "NextStep": "",
        "SystemModstamp": "2026-11-02T09:00:00.000Z"}


def test_given_a_deleted_row_when_query_or_query_all_then_only_query_all_returns_it(
        http: Any, org: SalesforceOrg) -> None:
    gone = org.contact("Gone")
    org.delete("Contact", gone)
    jobs = {op: create_job(http, "SELECT Id, IsDeleted FROM Contact", op)
            for op in ("query", "queryAll")}
    for job in jobs.values():
        http("GET", f"/jobs/query/{job['id']}")

    found = {op: rows_of(http("GET", f"/jobs/query/{job['id']}/results").text)[1:]
             for op, job in jobs.items()}

    assert found == {"query": [], "queryAll": [[gone, "true"]]}


def test_given_a_job_in_progress_when_reading_results_then_412_job_not_complete(
        http: Any, org: SalesforceOrg, sandbox: Sandbox) -> None:
    sandbox.salesforce_query_jobs.polls_before_complete = 1
    job = create_job(http, "SELECT Id FROM Contact")

    early = http("GET", f"/jobs/query/{job['id']}/results")
    states = [http("GET", f"/jobs/query/{job['id']}").json()["state"] for _ in range(2)]

    assert early.status_code == 412 and early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"
    assert states == ["InProgress", "JobComplete"]


def test_given_another_api_version_when_reading_results_then_409(
        http: Any, org: SalesforceOrg) -> None:
    job = create_job(http, "SELECT Id FROM Contact")
    http("GET", f"/jobs/query/{job['id']}")

    answer = http("GET", f"/jobs/query/{job['id']}/results", version="/services/data/v59.0")

    assert answer.status_code == 409


def test_given_bad_soql_when_creating_a_job_then_400_in_salesforce_error_format(
        http: Any, org: SalesforceOrg) -> None:
    answer = http("POST", "/jobs/query", json={"operation": "query",
                                               "query": "SELECT Nope FROM Contact"})

    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "INVALID_FIELD"


def test_given_the_real_client_when_bulk2_query_all_then_pages_and_counts_every_call(
        sf: Salesforce, org: SalesforceOrg, sandbox: Sandbox) -> None:
    for n in range(7):
        org.contact(f"C{n}")
    before = sandbox.store.calls("salesforce")

    pages = list(sf.bulk2.Contact.query_all("SELECT Id, LastName FROM Contact ORDER BY Id",
                                            max_records=3, wait=0))

    assert [len(rows_of(page)) - 1 for page in pages] == [3, 3, 1]
    assert sandbox.store.calls("salesforce") - before == 2 + len(pages)  # create, poll, pages


def test_given_a_failing_job_when_the_real_client_waits_then_it_raises_the_error_message(
        sf: Salesforce, org: SalesforceOrg, sandbox: Sandbox) -> None:
    sandbox.salesforce_query_jobs.fail_next = "InternalServerError : retry later"

    with pytest.raises(SalesforceOperationError, match="retry later"):
        list(sf.bulk2.Contact.query("SELECT Id FROM Contact", wait=0))
