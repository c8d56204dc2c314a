"""A big Salesforce first read, REST pages versus Bulk API 2.0 (issue #12 item 3): the
connector's change read of an org with ROWS people (half leads, half contacts), against
the sandbox over loopback HTTP. Prints API calls and wall seconds per path, and checks both
paths return the same records.

Only the record streams are measured (activity reads are off, `activity_cap=0`, and the org
has no deals): their child-row reads are issue #12 item 2. The sandbox finishes a query job
at once, so each job is polled once; a real org's job runs for a while and is polled every
`poll_seconds` (5 s) until done.

    python bench/bulk_read_bench.py [--rows 100000] [--max-records 50000]
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime, timedelta

from leadpact.connectors.salesforce.bulk_reads import BulkSettings
from leadpact.connectors.salesforce.connector import SalesforceConnector
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema, new_salesforce_id
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store

SF = "salesforce"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TITLES = ("VP Sales", "Chief Financial Officer", "IT Manager", None, "Procurement Lead")


def seed(store: Store, rows: int) -> None:
    """`rows` people, one second apart, half leads and half contacts."""
    ticks = iter(range(10 * rows))
    store.set_clock(lambda: T0 + timedelta(seconds=next(ticks)))
    ensure_schema(store, with_leadpact_fields=True)
    with store.bulk():
        for n in range(rows):
            sobject = "Lead" if n % 2 else "Contact"
            fields = {"FirstName": "Ada", "LastName": f"P{n:07d}",
                      "Email": f"p{n}@acme{n % 97}.example", "Title": TITLES[n % len(TITLES)]}
            if sobject == "Lead":
                fields.update(Company=f"Acme {n % 97}", IsConverted=False)
            store.insert(SF, sobject, new_salesforce_id(store, sobject), fields)


def first_read(url: str, bulk: BulkSettings) -> tuple[list[object], int, float]:
    started = time.perf_counter()
    with SalesforceConnector(url, SANDBOX_TOKEN, bulk=bulk, activity_cap=0,
                             clock=lambda: T0) as conn:
        records = [record for page in conn.read_changes(None) for record in page.records]
        return records, conn.api_calls, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--max-records", type=int, default=50_000)
    args = parser.parse_args()
    store = Store(":memory:")
    started = time.perf_counter()
    seed(store, args.rows)
    print(f"seeded {args.rows:,} people in {time.perf_counter() - started:.1f} s")
    box = Sandbox(store)
    box.serve(0)
    try:
        by_rest, rest_calls, rest_s = first_read(box.url, BulkSettings(threshold=0))
        by_bulk, bulk_calls, bulk_s = first_read(
            box.url, BulkSettings(max_records=args.max_records, poll_seconds=0))
    finally:
        box.stop()
    half = math.ceil(args.rows / 2)
    minimum = 2 * math.ceil(half / 2000) + 4  # Lead + Contact pages, 4 empty streams
    print(f"{'path':<10}{'calls':>8}{'seconds':>10}")
    print(f"{'REST':<10}{rest_calls:>8}{rest_s:>10.1f}   (REST minimum {minimum})")
    print(f"{'Bulk 2.0':<10}{bulk_calls:>8}{bulk_s:>10.1f}   "
          f"({box.salesforce_query_jobs.created} query jobs, "
          f"{args.max_records:,} rows per result set)")
    print(f"same records: {by_rest == by_bulk} ({len(by_bulk):,})")


if __name__ == "__main__":
    main()
