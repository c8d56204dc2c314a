"""A sandbox on a clock that starts at a given moment stamps what it writes with that time,
as the unmodified client libraries read it back over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import hubspot
import pytest
import requests
import urllib3
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from simple_salesforce import Salesforce

from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.clock import starting_at
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store

NOW = datetime(2026, 10, 12, 9, 30, tzinfo=UTC)


@dataclass
class Elapsed:
    """Stands in for time.monotonic: seconds that pass only when the test says so."""

    seconds: float = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def elapsed() -> Elapsed:
    return Elapsed()


@pytest.fixture
def box(elapsed: Elapsed) -> Iterator[Sandbox]:
    store = Store(":memory:", clock=starting_at(NOW, elapsed=elapsed))
    salesforce_schema.ensure_schema(store)
    hubspot_schema.ensure_schema(store)
    sandbox = Sandbox(store)
    sandbox.serve(0)
    try:
        yield sandbox
    finally:
        sandbox.stop()
        store.close()


def test_starting_at_reads_the_moment_then_moves_with_elapsed_time(elapsed: Elapsed) -> None:
    clock = starting_at(datetime(2026, 10, 12, 9, 30), elapsed=elapsed)  # no zone: UTC
    assert clock() == NOW
    elapsed.seconds += 90.5
    assert clock() == NOW + timedelta(seconds=90.5)


def test_given_a_fixed_now_when_salesforce_creates_then_stamped_with_it(
        box: Sandbox, elapsed: Elapsed) -> None:
    session = requests.Session()
    transport.mount(session, transport.endpoint(box.url))
    sf = Salesforce(instance_url=box.url, session_id=SANDBOX_TOKEN, session=session)
    contacts: Any = sf.Contact
    created = contacts.create({"LastName": "Lovelace", "Title": "CFO"})
    elapsed.seconds += 60
    contacts.update(created["id"], {"Title": "CEO"})
    record = contacts.get(created["id"])
    session.close()
    assert record["CreatedDate"] == "2026-10-12T09:30:00.000+0000"
    assert record["LastModifiedDate"] == record["SystemModstamp"] == \
        "2026-10-12T09:31:00.000+0000"


def test_given_a_fixed_now_when_hubspot_creates_then_stamped_with_it(
        box: Sandbox, elapsed: Elapsed) -> None:
    client = hubspot.HubSpot(access_token=SANDBOX_TOKEN, host=box.url, retry=urllib3.Retry(0),
                             client_side_validation=True)
    created = client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"email": "ada@example.com", "jobtitle": "CFO"}))
    elapsed.seconds += 60
    client.crm.contacts.basic_api.update(created.id, {"properties": {"jobtitle": "CEO"}})
    read = client.crm.contacts.basic_api.get_by_id(created.id,
                                                    properties=["hs_lastmodifieddate"])
    assert created.created_at == NOW
    assert read.created_at == NOW and read.updated_at == NOW + timedelta(minutes=1)
    assert read.properties["hs_lastmodifieddate"].startswith("2026-10-12T09:31:00")
