"""Big change reads through Bulk API 2.0: the real connector and the unmodified
simple-salesforce `bulk2` client against the sandbox's query jobs, over loopback HTTP."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import pytest
import requests
from simple_salesforce import Salesforce

from leadpact.connectors.salesforce import queries, transport
from leadpact.connectors.salesforce.bulk_reads import BulkReader, BulkSettings, field_types
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Fault, Sandbox
from leadpact.model import Page
from tests.sf_builders import ManualClock, SalesforceOrg, connect

BULK = BulkSettings(threshold=100, max_records=120, poll_seconds=0)
REST_ONLY = BulkSettings(threshold=0)
PEOPLE = 230  # above one REST page of 200, so a first page does not say done


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    org = SalesforceOrg(sandbox.store, ManualClock())
    account = org.add("Account", Name="Acme")
    contacts = []
    for n in range(PEOPLE):
        contacts.append(org.contact(f"C{n:03d}", AccountId=account,
                                    Title=None if n % 7 == 0 else "VP Sales"))
        org.lead(f"L{n:03d}", Company="Acme, \"Quoted\"\nInc." if n % 5 == 0 else "Acme")
        org.clock.advance(seconds=1)
    for n in range(0, PEOPLE, 3):
        deal = org.opportunity(f"Deal {n}", Amount=1000.5 * n, IsClosed=n % 2 == 0,
                               CloseDate="2026-12-15", NextStep=None)
        org.contact_role(deal, contacts[n], "Decision Maker", primary=n % 6 == 0)
    org.delete("Contact", contacts[1])
    org.delete("Contact", contacts[2], merged_into=contacts[3])
    return org


@pytest.fixture
def sf(sandbox: Sandbox) -> Iterator[Salesforce]:
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    yield Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, version="59.0",
                     session=session)
    session.close()


def kind(value: object) -> str:
    """A value's JSON kind: a number is a number (REST sends 50000 for a currency that
    Bulk writes 50000.0), but a boolean, a text or a null is not."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return "number"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def read_all(sandbox: Sandbox, bulk: BulkSettings, page_size: int = 200
             ) -> tuple[list[Page], int]:
    with connect(sandbox, bulk=bulk, page_size=page_size, clock=lambda: ManualClock().now
                 ) as conn:
        pages = list(conn.read_changes(None))
        return pages, conn.api_calls


@pytest.mark.parametrize("sobject", ["Lead", "Contact", "Opportunity",
                                     "OpportunityContactRole"])
def test_given_a_stream_query_when_read_by_bulk_then_rows_equal_rest_rows_field_by_field(
        sf: Salesforce, org: SalesforceOrg, sobject: str) -> None:
    soql = queries.changes_query(sobject, None)
    reader = BulkReader(lambda: sf, lambda name: field_types(sf.restful(
        f"sobjects/{name}/describe")), BULK, "59.0")

    rest = sf.query_all(soql, include_deleted=True)["records"]
    bulk = [row for page in reader.pages(sobject, soql, True, 50) for row in page]

    assert len(bulk) == len(rest) > 0
    for got, want in zip(bulk, rest, strict=True):
        assert got == want
        assert {k: kind(v) for k, v in got.items()} == {k: kind(v) for k, v in want.items()}


def test_given_a_big_first_read_when_reading_then_bulk_gives_the_same_records_and_pages(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    jobs = sandbox.salesforce_query_jobs

    by_rest, rest_calls = read_all(sandbox, REST_ONLY)
    assert jobs.created == 0
    by_bulk, bulk_calls = read_all(sandbox, BULK)

    assert [p.records for p in by_bulk] == [p.records for p in by_rest]
    assert by_bulk[-1].cursor == by_rest[-1].cursor
    assert jobs.created == 2  # Lead and Contact: past one REST page and the threshold
    # per Bulk stream: its first REST page, a describe, create, one poll and 2 result sets
    # (230 rows, 120 a set) instead of 2 REST pages; small orgs pay, big ones save
    # (bench/bulk_read_bench.py)
    assert bulk_calls == rest_calls + 2 * (1 + 1 + 1 + 1 + 2 - 2)


def test_given_a_small_read_when_reading_then_no_bulk_job(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    read_all(sandbox, BulkSettings(threshold=10_000, poll_seconds=0))

    assert sandbox.salesforce_query_jobs.created == 0


def test_given_a_failing_bulk_job_when_reading_then_rest_reads_the_same_records_and_says_so(
        sandbox: Sandbox, org: SalesforceOrg, caplog: pytest.LogCaptureFixture) -> None:
    by_rest, _ = read_all(sandbox, REST_ONLY)
    sandbox.salesforce_query_jobs.fail_next = "InternalServerError : try again"

    with caplog.at_level(logging.INFO, "leadpact.connectors.salesforce.bulk_reads"):
        by_bulk, _ = read_all(sandbox, BULK)

    assert [p.records for p in by_bulk] == [p.records for p in by_rest]
    [said] = [r for r in caplog.records if "Bulk API 2.0 read failed" in r.getMessage()]
    assert said.levelno == logging.INFO and "try again" in said.getMessage()


def test_given_bulk_http_errors_before_or_mid_read_when_reading_then_rest_finishes_the_read(
        sandbox: Sandbox, org: SalesforceOrg, caplog: pytest.LogCaptureFixture) -> None:
    by_rest, _ = read_all(sandbox, REST_ONLY, page_size=50)
    # Leads: the job cannot be created. Contacts: the first result set comes, the second
    # is dropped, after 100 rows were given in pages of 50.
    sandbox.faults.add(Fault(system="salesforce", method="POST", path_contains="/jobs/query",
                             status=503, body=[{"errorCode": "SERVER_UNAVAILABLE",
                                                "message": "down"}]))
    sandbox.faults.add(Fault(system="salesforce", path_contains="/results", kind="delay"))
    sandbox.faults.add(Fault(system="salesforce", path_contains="/results", kind="drop"))

    with caplog.at_level(logging.INFO, "leadpact.connectors.salesforce.bulk_reads"):
        by_bulk, _ = read_all(sandbox, BULK, page_size=50)

    said = [r.getMessage() for r in caplog.records if "read failed" in r.getMessage()]
    assert [m.split(":")[0] for m in said] == ["reading changed Lead rows",
                                               "reading changed Contact rows"]
    assert [r for p in by_bulk for r in p.records] == [r for p in by_rest for r in p.records]
    assert by_bulk[-1].cursor == by_rest[-1].cursor
    assert sandbox.salesforce_query_jobs.created == 1


def test_given_a_job_still_in_progress_when_reading_then_it_polls_until_complete(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    by_rest, _ = read_all(sandbox, REST_ONLY)
    _, quick_calls = read_all(sandbox, BULK)
    sandbox.salesforce_query_jobs.polls_before_complete = 2

    by_bulk, calls = read_all(sandbox, BULK)

    assert [p.records for p in by_bulk] == [p.records for p in by_rest]
    assert calls == quick_calls + 2 * 2  # two more polls for each of the two jobs
