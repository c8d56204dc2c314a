"""The connectors report their reads' totals as the CRM states them (Salesforce
`totalSize`, HubSpot search `total`), before counting anything, and then every row once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from leadpact.connectors.hubspot.connector import HubSpotConnector
from leadpact.connectors.salesforce.connector import SalesforceConnector
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.progress import LogLines

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


class Recorder:
    """A ReadObserver that keeps what it was told."""

    def __init__(self) -> None:
        self.totals: dict[str, int | None] = {}
        self.counted_before_total: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.calls = 0

    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        self.totals[stream] = total
        self.counted_before_total[stream] = self.done.get(stream, 0)

    def items_done(self, system: str, stream: str, count: int) -> None:
        self.done[stream] = self.done.get(stream, 0) + count
        self.calls += 1


@pytest.fixture(scope="module")
def seeded() -> Iterator[Sandbox]:
    store = Store(":memory:", clock=lambda: NOW)
    seed_demo_org(store, seed=7, people=300, now=NOW)
    box = Sandbox(store)
    box.serve(0)
    try:
        yield box
    finally:
        box.stop()
        store.close()


def test_given_a_first_salesforce_read_then_totals_are_the_orgs_row_counts(
        seeded: Sandbox) -> None:
    recorder = Recorder()
    connector = SalesforceConnector(seeded.url, SANDBOX_TOKEN, page_size=200, clock=lambda: NOW)
    connector.observer = recorder
    for _ in connector.read_changes(None):
        pass
    for sobject in ("Lead", "Contact", "Opportunity", "OpportunityContactRole"):
        rows = seeded.store.count("salesforce", sobject)
        assert rows > 0
        assert recorder.totals[sobject] == rows, sobject
        assert recorder.counted_before_total[sobject] == 0  # reported, not counted
        assert recorder.done[sobject] == rows


def test_given_a_first_hubspot_read_in_small_pages_then_totals_come_first_and_rows_once(
        seeded: Sandbox) -> None:
    recorder = Recorder()
    connector = HubSpotConnector(seeded.url, SANDBOX_TOKEN, page_size=20, enrich_batch=20,
                                 clock=lambda: NOW)
    connector.observer = recorder
    counted_when_yielded = []
    for page in connector.read_changes(None):
        if any(r.ref.kind == "contact" for r in page.records):
            counted_when_yielded.append(recorder.done.get("contacts", 0))
    contacts = seeded.store.count("hubspot", "contacts")
    # a page counts once handled (the consumer asked for the next): the first counts none
    assert counted_when_yielded[:2] == [0, 20]
    assert contacts > 20  # several pages
    assert recorder.totals["contacts"] == contacts
    assert recorder.counted_before_total["contacts"] == 0
    assert recorder.done["contacts"] == contacts  # overlapping windows count a row once
    assert recorder.totals["deals"] == seeded.store.count("hubspot", "deals")
    assert recorder.totals["contacts:archived"] is None  # the list API reports no total


def test_given_no_terminal_when_reading_then_log_lines_name_the_crm_totals(
        seeded: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    ticks = iter(range(0, 10_000, 3))  # each look at the clock: 3 s later
    lines = LogLines(every=10, clock=lambda: float(next(ticks)))
    connector = HubSpotConnector(seeded.url, SANDBOX_TOKEN, page_size=20, enrich_batch=20,
                                 clock=lambda: NOW)
    connector.observer = lines
    with caplog.at_level(logging.INFO, logger="leadpact.progress"):
        for _ in connector.read_changes(None):
            pass
        lines.finish()
    messages = [r.getMessage() for r in caplog.records]
    contacts = seeded.store.count("hubspot", "contacts")
    assert f"hubspot contacts: reading {contacts} changed row(s)" in messages
    periodic = [m for m in messages if m.startswith("progress: ")]
    pages = sum(1 for _ in range(0, contacts, 20))
    # one line per 10 s of (fake) time, not one per page
    assert 0 < len(periodic) < pages
    assert any(f"hubspot contacts {n}/{contacts}" in m for m in periodic for n in range(contacts))
    rows = contacts + seeded.store.count("hubspot", "deals")  # no activities, none archived
    assert messages[-1] == f"done: read hubspot {rows} row(s); records handled: none yet"
