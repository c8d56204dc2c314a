"""Seed a demo org and print a digest of every sandbox table, so two commits can be
compared: the same seed, size and `now` must give the same org. Prints figures, asserts
nothing; compare its output across commits.

    .venv/bin/python bench/seed_digest.py                  # 3,000 and 30,000 people
    .venv/bin/python bench/seed_digest.py --sizes 3000 --seed 7

`now` is fixed (2026-06-01T12:00Z) so the digests do not move with the clock. Each table's
rows are read in primary-key order and hashed (SHA-256) with their columns' values; the
HubSpot property definitions' wall-clock stamps are masked (see WALL_CLOCK_META).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.store import Store

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# Primary-key order per table, so the digest does not depend on insertion order.
TABLES = {
    "records": "system, type, id",
    "associations": "system, from_type, from_id, to_type, to_id, type_id",
    "counters": "name",
    "meta": "key",
}
# HubSpot property definitions are stamped with the wall clock when the schema is made,
# not with the seed's `now`: masked, or no two runs would ever match.
WALL_CLOCK_META = "hubspot:properties"
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def table_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Rows and SHA-256 per table of the sandbox file at `path`."""
    found: dict[str, tuple[int, str]] = {}
    with sqlite3.connect(path) as db:
        for table, order in TABLES.items():
            digest, rows = hashlib.sha256(), 0
            for row in db.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                if table == "meta" and row[0] == WALL_CLOCK_META:
                    row = (row[0], _STAMP.sub("<stamp>", row[1]))
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
                rows += 1
            found[table] = (rows, digest.hexdigest())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for people in args.sizes:
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "sandbox.sqlite3"
            store = Store(path)
            started = time.monotonic()
            seed_demo_org(store, seed=args.seed, people=people, now=NOW)
            took = time.monotonic() - started
            store.close()
            print(f"== {people:,} people, seed {args.seed}, now {NOW.isoformat()}: seeded in "
                  f"{took:.1f} s (load average {os.getloadavg()[0]:.2f})")
            for table, (rows, digest) in table_digests(path).items():
                print(f"{table:<13} {rows:>9,} rows  {digest}")


if __name__ == "__main__":
    main()
