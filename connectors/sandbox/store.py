"""The sandbox's state: one SQLite file holding the records of both fake CRMs.

Records are kept in each CRM's own field names (see SCHEMA.md). The store owns the
bookkeeping every API needs (id counters, created/modified stamps, soft deletes,
associations, API call counts); the API modules only translate to and from the wire.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_TABLES = """
CREATE TABLE IF NOT EXISTS records (
    system TEXT NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL,
    fields TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, merged_into TEXT,
    PRIMARY KEY (system, type, id)
);
CREATE TABLE IF NOT EXISTS associations (
    system TEXT NOT NULL, from_type TEXT NOT NULL, from_id TEXT NOT NULL,
    to_type TEXT NOT NULL, to_id TEXT NOT NULL, type_id INTEGER NOT NULL,
    label TEXT, category TEXT NOT NULL DEFAULT 'HUBSPOT_DEFINED',
    PRIMARY KEY (system, from_type, from_id, to_type, to_id, type_id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# The secondary indexes, by name. A bulk load into an empty store drops them and builds
# them once at the end: one sorted build each instead of a B-tree insert per row.
_INDEXES = {
    "records_by_time": "records (system, type, modified_at, id)",
    # Task keys are unique in both CRMs: every task write looks its key up (scan's one_of).
    "records_by_sf_task_key":
        "records (system, type, lower(json_extract(fields, '$.Leadpact_Task_Key__c')))",
    "records_by_hs_task_key":
        "records (system, type, lower(json_extract(fields, '$.leadpact_task_key')))",
    # Salesforce child rows are read by parent id lists (`WhoId IN (...)`, scan's one_of):
    # without these, every such query parses the whole table.
    "records_by_lower_id": "records (system, type, lower(id))",
    "records_by_who": "records (system, type, lower(json_extract(fields, '$.WhoId')))",
    "records_by_what": "records (system, type, lower(json_extract(fields, '$.WhatId')))",
    "records_by_opportunity":
        "records (system, type, lower(json_extract(fields, '$.OpportunityId')))",
}
_SCHEMA = _TABLES + "".join(f"CREATE INDEX IF NOT EXISTS {name} ON {on};\n"
                            for name, on in _INDEXES.items())


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Row:
    system: str
    type: str
    id: str
    fields: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    deleted: bool
    merged_into: str | None


def _row(r: sqlite3.Row) -> Row:
    return Row(
        r["system"], r["type"], r["id"], json.loads(r["fields"]),
        datetime.fromisoformat(r["created_at"]), datetime.fromisoformat(r["modified_at"]),
        bool(r["deleted"]), r["merged_into"],
    )


class Store:
    """Thread-safe: the HTTP server answers on several threads."""

    def __init__(self, path: Path | str = ":memory:", clock: Callable[[], datetime] = utcnow):
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._clock = clock
        self._last_stamp: datetime | None = None
        self._meta: dict[str, str | None] = {}
        # While a bulk load is open: rows and counters wait here and go to SQLite in a few
        # executemany calls (per-row execute was most of a 30k seed's time).
        self._pending: _Pending | None = None

    # -- time ---------------------------------------------------------------------------
    def now(self) -> datetime:
        """The sandbox clock; never goes backwards, so modified stamps are monotonic."""
        with self._lock:
            now = self._clock()
            if self._last_stamp and now < self._last_stamp:
                now = self._last_stamp
            self._last_stamp = now
            return now

    def _query(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        """Every statement outside a bulk load's buffers: pending rows go first, so reads
        inside a bulk load see what it wrote."""
        if self._pending is not None:
            with self._lock:
                self._pending.flush(self._db)
        return self._db.execute(sql, args)

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        with self._lock:
            self._clock = clock
            self._last_stamp = None

    # -- meta and counters --------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """Cached: schema definitions are asked for on every rendered record, and the same
        string object each time keeps their parsed forms' cache keys cheap to hash."""
        if key not in self._meta:
            row = self._query("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            self._meta[key] = row[0] if row else None
        return self._meta[key]

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._query("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            self._meta[key] = value

    def next_number(self, name: str, start: int = 1) -> int:
        with self._lock:
            if self._pending is not None:
                return self._pending.next_number(self._db, name, start)
            row = self._query("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
            value = (row[0] + 1) if row else start
            self._query("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))
            return value

    def count_call(self, system: str) -> int:
        return self.next_number(f"calls:{system}")

    def calls(self, system: str) -> int:
        with self._lock:  # a cursor read while another thread writes can crash sqlite3
            row = self._query("SELECT value FROM counters WHERE name=?",
                                   (f"calls:{system}",))
            found = row.fetchone()
        return found[0] if found else 0

    # -- records ------------------------------------------------------------------------
    def insert(
        self, system: str, type_: str, id_: str, fields: Mapping[str, Any],
        created_at: datetime | None = None, modified_at: datetime | None = None,
        deleted: bool = False,
    ) -> Row:
        with self._lock:
            created = created_at or self.now()
            modified = modified_at or created
            row = (system, type_, id_, json.dumps(dict(fields)), iso(created), iso(modified),
                   int(deleted))
            if self._pending is not None:
                self._pending.add_record(self._db, row)
            else:
                self._query("INSERT INTO records VALUES (?,?,?,?,?,?,?,NULL)", row)
            return Row(system, type_, id_, dict(fields), created, modified, deleted, None)

    def get(self, system: str, type_: str, id_: str) -> Row | None:
        row = self._query(
            "SELECT * FROM records WHERE system=? AND type=? AND id=?", (system, type_, id_)
        ).fetchone()
        return _row(row) if row else None

    def update(self, system: str, type_: str, id_: str, changes: Mapping[str, Any]) -> Row | None:
        """Merge `changes` into a live record and stamp it modified now. None if missing."""
        with self._lock:
            current = self.get(system, type_, id_)
            if current is None or current.deleted:
                return None
            fields = {**current.fields, **changes}
            now = self.now()
            self._query(
                "UPDATE records SET fields=?, modified_at=? WHERE system=? AND type=? AND id=?",
                (json.dumps(fields), iso(now), system, type_, id_),
            )
            return Row(system, type_, id_, fields, current.created_at, now, False, None)

    def delete(self, system: str, type_: str, id_: str, merged_into: str | None = None) -> bool:
        """Soft delete (the APIs still show deleted records to queryAll/archived reads)."""
        with self._lock:
            cur = self._query(
                "UPDATE records SET deleted=1, merged_into=?, modified_at=? "
                "WHERE system=? AND type=? AND id=? AND deleted=0",
                (merged_into, iso(self.now()), system, type_, id_),
            )
            return cur.rowcount == 1

    def scan(
        self, system: str, type_: str, include_deleted: bool = False,
        since: datetime | None = None, one_of: Mapping[str, Collection[str]] | None = None,
    ) -> Iterator[Row]:
        """Records of one type ordered by (modified_at, id). `one_of` keeps only rows whose
        field (or "Id") holds one of the given ASCII texts, compared case-insensitively;
        it lets SQLite drop rows before Python parses them."""
        sql = "SELECT * FROM records WHERE system=? AND type=?"
        args: list[Any] = [system, type_]
        # With id lists, SQLite must look the ids up in their index rather than walk the
        # time index for its order: `+modified_at` keeps it off the time index.
        stamp = "+modified_at" if one_of else "modified_at"
        if not include_deleted:
            sql += " AND deleted=0"
        if since is not None:
            sql += f" AND {stamp} >= ?"
            args.append(iso(since))
        for name, values in (one_of or {}).items():
            if not _FIELD_NAME.fullmatch(name) or not all(v.isascii() for v in values):
                raise ValueError(f"cannot filter on {name!r} in SQL")
            column = "id" if name == "Id" else f"json_extract(fields, '$.{name}')"
            sql += f" AND lower({column}) IN ({','.join('?' * len(values))})"
            args.extend(v.lower() for v in values)
        sql += f" ORDER BY {stamp}, id"
        for row in self._query(sql, args).fetchall():
            yield _row(row)

    def in_time_range(self, system: str, type_: str, since: datetime | None,
                      until: datetime | None, descending: bool, limit: int) -> list[Row]:
        """The first `limit` live rows modified in [since, until] by (modified_at, id), newest
        first when `descending`, plus every row sharing the last one's stamp (so a caller
        can order ties its own way). Served by the records_by_time index."""
        where, args = self._time_bounds(system, type_, since, until)
        order = "DESC" if descending else "ASC"
        rows = [_row(r) for r in self._query(
            f"SELECT * FROM records WHERE {where} ORDER BY modified_at {order}, id {order} "
            "LIMIT ?", (*args, limit)).fetchall()]
        if len(rows) == limit and rows:
            edge = iso(rows[-1].modified_at)
            seen = {row.id for row in rows}
            rows.extend(_row(r) for r in self._query(
                "SELECT * FROM records WHERE system=? AND type=? AND deleted=0 "
                "AND modified_at=?", (system, type_, edge)).fetchall() if r["id"] not in seen)
        return rows

    def count_in_time_range(self, system: str, type_: str, since: datetime | None,
                            until: datetime | None) -> int:
        where, args = self._time_bounds(system, type_, since, until)
        return int(self._query(f"SELECT count(*) FROM records WHERE {where}",
                                    args).fetchone()[0])

    @staticmethod
    def _time_bounds(system: str, type_: str, since: datetime | None,
                     until: datetime | None) -> tuple[str, list[Any]]:
        where, args = "system=? AND type=? AND deleted=0", [system, type_]
        if since is not None:
            where += " AND modified_at >= ?"
            args.append(iso(since))
        if until is not None:
            where += " AND modified_at <= ?"
            args.append(iso(until))
        return where, args

    def holding(self, system: str, type_: str, name: str, value: str) -> list[Row]:
        """Live records whose field `name` holds `value` (ASCII, case-insensitive): the
        unique task-key look-ups, served by the task-key indexes above."""
        if not _FIELD_NAME.fullmatch(name) or not value.isascii():
            raise ValueError(f"cannot look up {name!r} = {value!r} in SQL")
        rows = self._query(
            f"SELECT * FROM records WHERE system=? AND type=? "
            f"AND lower(json_extract(fields, '$.{name}')) = ? AND deleted=0",
            (system, type_, value.lower())).fetchall()
        return [_row(row) for row in rows]

    def count(self, system: str, type_: str) -> int:
        return int(self._query(
            "SELECT count(*) FROM records WHERE system=? AND type=? AND deleted=0",
            (system, type_),
        ).fetchone()[0])

    # -- associations (HubSpot) ---------------------------------------------------------
    def associate(
        self, system: str, from_type: str, from_id: str, to_type: str, to_id: str,
        type_id: int, label: str | None = None, category: str = "HUBSPOT_DEFINED",
    ) -> None:
        row = (system, from_type, from_id, to_type, to_id, type_id, label, category)
        with self._lock:
            if self._pending is not None:
                self._pending.add_association(self._db, row)
            else:
                self._query("INSERT OR REPLACE INTO associations VALUES (?,?,?,?,?,?,?,?)",
                                 row)

    def associations(
        self, system: str, from_type: str, from_id: str, to_type: str
    ) -> list[tuple[str, int, str | None, str]]:
        """(to_id, type_id, label, category) for one record, in a stable order."""
        rows = self._query(
            "SELECT to_id, type_id, label, category FROM associations WHERE system=? AND "
            "from_type=? AND from_id=? AND to_type=? ORDER BY to_id, type_id",
            (system, from_type, from_id, to_type),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def bulk(self) -> _Bulk:
        """A transaction for loading many records at once (seeding, fixtures)."""
        return _Bulk(self)

    def close(self) -> None:
        self._db.close()


# Rows a bulk load holds before one executemany: big enough to amortise the call, small
# enough that a million-person seed does not hold its rows' JSON twice (~1 KB each).
_BATCH = 5_000
_BULK_CACHE_KIB = 256 * 1024


class _Pending:
    """A bulk load's rows and id counters not yet in SQLite."""

    def __init__(self) -> None:
        self.records: list[tuple[Any, ...]] = []
        self.associations: list[tuple[Any, ...]] = []
        self.counters: dict[str, int] = {}

    def add_record(self, db: sqlite3.Connection, row: tuple[Any, ...]) -> None:
        self.records.append(row)
        if len(self.records) >= _BATCH:
            self.flush(db)

    def add_association(self, db: sqlite3.Connection, row: tuple[Any, ...]) -> None:
        self.associations.append(row)
        if len(self.associations) >= _BATCH:
            self.flush(db)

    def next_number(self, db: sqlite3.Connection, name: str, start: int) -> int:
        if name not in self.counters:
            row = db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
            self.counters[name] = row[0] if row else start - 1
        self.counters[name] += 1
        return self.counters[name]

    def flush(self, db: sqlite3.Connection) -> None:
        if self.records:
            db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,NULL)", self.records)
            self.records.clear()
        if self.associations:
            db.executemany("INSERT OR REPLACE INTO associations VALUES (?,?,?,?,?,?,?,?)",
                           self.associations)
            self.associations.clear()
        db.executemany("INSERT OR REPLACE INTO counters VALUES (?, ?)",
                       list(self.counters.items()))


class _Bulk:
    def __init__(self, store: Store):
        self._store = store
        self._dropped: list[str] = []

    def __enter__(self) -> Store:
        store = self._store
        store._lock.acquire()
        db = store._db
        # One transaction; nothing to keep safe on disk until it commits.
        db.execute("PRAGMA synchronous=OFF")
        # The default 2 MB page cache is also the index builds' sort memory: at 300,000
        # people they spilled to temp files many times over. Back to the default after.
        db.execute(f"PRAGMA cache_size=-{_BULK_CACHE_KIB}")
        db.execute("BEGIN")
        if db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None:
            self._dropped = list(_INDEXES)
            for name in self._dropped:
                db.execute(f"DROP INDEX IF EXISTS {name}")
        store._pending = _Pending()
        return store

    def __exit__(self, exc_type: object, *_: object) -> None:
        store, db = self._store, self._store._db
        pending, store._pending = store._pending, None
        try:
            if exc_type is None and pending is not None:
                pending.flush(db)
                for name in self._dropped:
                    db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {_INDEXES[name]}")
            db.execute("ROLLBACK" if exc_type else "COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # no transaction left to end
                db.execute("ROLLBACK")
            store._meta.clear()
            raise
        finally:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-2000")
            if exc_type:
                store._meta.clear()  # values set in the rolled-back transaction
            store._lock.release()


def days(n: float) -> timedelta:
    return timedelta(days=n)
