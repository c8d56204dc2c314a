"""Child rows read once per run: on a first (or full) read every person is read, so their
activity rows (Tasks, Events, campaign responses in the activity window) are cheaper to
read whole, in full 2,000-row pages (or one Bulk API 2.0 job), than per page of people in
450-id `IN` lists that come back a few hundred rows at a time.

The rows wait in a private temporary SQLite file (deleted when closed), not in memory, so
a million people's activities do not grow the process; each page of people looks its
rows up by id, in the order they were read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from leadpact.connectors.salesforce.queries import chunks

Row = dict[str, Any]
_LOOKUP_IDS = 500  # ids per lookup statement (SQLite's variable limit is far above)


class ChildRows:
    """Rows of one run's child reads, by kind (the query they came from) and parent id."""

    def __init__(self) -> None:
        # "": SQLite's private temporary on-disk database, removed on close.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE child (kind TEXT NOT NULL, parent TEXT NOT NULL, "
                         "row TEXT NOT NULL)")
        self._db.execute("CREATE INDEX child_by_parent ON child (kind, parent)")
        self.rows = 0

    def add(self, kind: str, parents_and_rows: Iterable[tuple[str, Row]]) -> None:
        """Keep rows under their parent ids (rows without one are dropped)."""
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT INTO child (kind, parent, row) VALUES (?, ?, ?)",
                ((kind, parent, json.dumps(row, default=str))
                 for parent, row in parents_and_rows if parent))
            self.rows += self._db.total_changes - before

    def of(self, kind: str, parents: Sequence[str]) -> list[Row]:
        """The rows kept under these parents, in the order they were read."""
        found: list[tuple[int, str]] = []
        for ids in chunks(list(dict.fromkeys(parents)), _LOOKUP_IDS):
            marks = ", ".join("?" * len(ids))
            found += self._db.execute(
                f"SELECT rowid, row FROM child WHERE kind = ? AND parent IN ({marks})",
                (kind, *ids)).fetchall()
        return [json.loads(text) for _, text in sorted(found)]

    def close(self) -> None:
        self._db.close()
