"""The records a change read has yielded so far, each with a Salesforce time before which
every change to its child rows (contact roles, activities) was read with it: a changed
child row stamped earlier needs no second read of its parent. And the contact roles
leadpact itself filled during the read, so they are not taken for someone's change when
they come back in the contact-role stream.

Kept in a private temporary SQLite file (deleted when closed), not a dict, so a read of a
million records does not grow the process by their ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from leadpact.connectors.salesforce.queries import chunks

_LOOKUP_IDS = 500  # ids per lookup statement


class ReadSoFar:
    def __init__(self) -> None:
        # "": SQLite's private temporary on-disk database, removed on close.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, before REAL NOT NULL) "
                         "WITHOUT ROWID")
        self._db.execute("CREATE TABLE roles (id TEXT PRIMARY KEY, contact TEXT, role TEXT) "
                         "WITHOUT ROWID")

    def add(self, ids: Iterable[str], before: datetime) -> None:
        stamp = before.timestamp()
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO seen (id, before) VALUES (?, ?)",
                                 ((record_id, stamp) for record_id in ids))

    def before(self, ids: Sequence[str]) -> dict[str, datetime]:
        """{id: the time} for those of `ids` read so far."""
        found: dict[str, datetime] = {}
        for chunk in chunks(list(dict.fromkeys(i for i in ids if i)), _LOOKUP_IDS):
            marks = ", ".join("?" * len(chunk))
            for record_id, stamp in self._db.execute(
                    f"SELECT id, before FROM seen WHERE id IN ({marks})", chunk):
                found[record_id] = datetime.fromtimestamp(stamp, UTC)
        return found

    def wrote_roles(self, roles: Iterable[tuple[str, str, str | None]]) -> None:
        """(OpportunityContactRole id, ContactId, Role) leadpact wrote."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO roles (id, contact, role) "
                                 "VALUES (?, ?, ?)", roles)

    def own_roles(self, rows: Sequence[Mapping[str, Any]]) -> set[str]:
        """Ids of contact-role rows that hold what leadpact wrote in them during this read
        (same contact, same role): its own writes come back, nobody else's change."""
        written: dict[str, tuple[str, str | None]] = {}
        for chunk in chunks([str(row["Id"]) for row in rows], _LOOKUP_IDS):
            marks = ", ".join("?" * len(chunk))
            for role_id, contact, role in self._db.execute(
                    f"SELECT id, contact, role FROM roles WHERE id IN ({marks})", chunk):
                written[role_id] = (contact, role)
        return {str(row["Id"]) for row in rows
                if written.get(str(row["Id"])) == (row.get("ContactId"), row.get("Role"))}

    def close(self) -> None:
        self._db.close()
