"""When, during one run, each record was handled and when it was last asked to be judged
again (a record is refreshed at the end of the run if something it depends on moved after
it was handled: pipeline.refresh_pass).

Kept in a private temporary SQLite file (deleted when closed), not in dicts: a first sync
marks every record of the org, twice for most, and a million Refs with their counters
would be a few hundred MB of the process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from leadpact.model import Ref


class RunMarks:
    def __init__(self) -> None:
        # "": SQLite's private temporary on-disk database, removed on close.
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE marks (ref TEXT PRIMARY KEY, handled INTEGER, "
                         "asked INTEGER) WITHOUT ROWID")

    def mark(self, handled: Iterable[tuple[Ref, int]], asked: Iterable[tuple[Ref, int]]
             ) -> None:
        """(record, tick) pairs: handled at that tick / asked to be judged again at it
        (the latest tick of a record wins)."""
        with self._db:
            for column, pairs in (("handled", handled), ("asked", asked)):
                self._db.executemany(
                    f"INSERT INTO marks (ref, {column}) VALUES (?, ?) ON CONFLICT (ref) "
                    f"DO UPDATE SET {column} = excluded.{column}",
                    [(str(ref), tick) for ref, tick in pairs])

    def __contains__(self, ref: object) -> bool:
        """Whether `ref` was handled in this run."""
        return self._db.execute("SELECT 1 FROM marks WHERE ref = ? AND handled IS NOT NULL",
                                (str(ref),)).fetchone() is not None

    def due(self) -> set[Ref]:
        """Records asked to be judged again after they were last handled (or never)."""
        return {Ref.parse(ref) for (ref,) in self._db.execute(
            "SELECT ref FROM marks WHERE asked > coalesce(handled, -1)")}

    def close(self) -> None:
        self._db.close()
