"""The values a plan's rehearsal "wrote", kept where a big org's first plan fits: SQLite's
private temporary file (deleted on close; pages past its small cache spill to disk). A first
plan of 100,000 people "writes" some two million values; held in dicts they were most of
the plan's memory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


class WrittenValues:
    """(record, field) -> value, by kind: "fields" (leadpact's), "native" (the CRM's own
    fields), "roles" (a deal's contact roles: record = the deal, field = the person)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE written (kind TEXT NOT NULL, record TEXT NOT NULL, "
                         "field TEXT NOT NULL, value TEXT, PRIMARY KEY (kind, record, field))"
                         " WITHOUT ROWID")
        self._kinds: set[str] = set()  # kinds holding a value: the rest need no look-up

    def put(self, kind: str, rows: Iterable[tuple[str, str, str | None]]) -> None:
        rows = list(rows)
        if rows:
            self._kinds.add(kind)
            self._db.executemany("INSERT OR REPLACE INTO written VALUES (?, ?, ?, ?)",
                                 [(kind, *row) for row in rows])

    def of(self, kind: str, record: str) -> dict[str, str | None]:
        """The values of one record written so far (empty when none)."""
        if kind not in self._kinds:
            return {}
        return dict(self._db.execute(
            "SELECT field, value FROM written WHERE kind = ? AND record = ?", (kind, record)))
