"""leadpact's own memory, one SQLite file: cursors, the ledger of every value written,
task keys, what each person/deal last looked like, and failed records to retry.

The ledger is what tells a person's manual edit from ours: a field is ours to change only
while it still holds the value we last wrote (or is empty and we never wrote it).
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TypeVar

from leadpact.enrichment.labels import BuyingRole
from leadpact.errors import ConfigError
from leadpact.history import DIED, History
from leadpact.known import KnownPerson, OpenTask  # the rows it reads back (leadpact/known.py)
from leadpact.model import CONTACT, Activity, Deal, Ref
from leadpact.state_lock import exclusive, lock_path
from leadpact.state_rows import (
    DealRow,
    JudgedRow,
    LedgerRow,
    RunRow,
    SavedVerdict,
    WrittenValue,
    deal_from_data,
    snapshot_data,
    summary_data,
    summary_from_data,
    verdict_data,
    verdict_from_data,
)
from leadpact.verdicts import DealSummary

CHUNK = 500  # rows a query when a whole table is walked (State._by_ref)
_R = TypeVar("_R")
_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (system TEXT PRIMARY KEY, cursor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
    status TEXT NOT NULL, summary TEXT);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, record TEXT NOT NULL,
    field TEXT NOT NULL, old_value TEXT, new_value TEXT, written_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_record ON ledger (record, field, seq);
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY, rule TEXT NOT NULL, about TEXT NOT NULL, task TEXT,
    status TEXT NOT NULL, episode INTEGER NOT NULL, run_id TEXT NOT NULL, body TEXT);
CREATE TABLE IF NOT EXISTS task_intents (
    about TEXT NOT NULL, rule TEXT NOT NULL, holds INTEGER NOT NULL, intent TEXT NOT NULL,
    PRIMARY KEY (about, rule));
CREATE INDEX IF NOT EXISTS tasks_by_about ON tasks (about, rule, status);
CREATE TABLE IF NOT EXISTS persons (
    ref TEXT PRIMARY KEY, identity TEXT NOT NULL, email TEXT, title TEXT,
    title_changed_at TEXT NOT NULL, verdict TEXT, account TEXT, name TEXT, engaged_at TEXT,
    activities TEXT);
-- (account) alone is the prefix of the next index: one index less to keep on every save
DROP INDEX IF EXISTS persons_by_account;
CREATE INDEX IF NOT EXISTS persons_by_account_identity ON persons (account, identity);
CREATE INDEX IF NOT EXISTS persons_by_account_role
    ON persons (account, json_extract(verdict, '$.role'), ref);
CREATE INDEX IF NOT EXISTS persons_by_identity ON persons (identity);
CREATE INDEX IF NOT EXISTS persons_by_email ON persons (email);
CREATE TABLE IF NOT EXISTS links (ref TEXT NOT NULL, other TEXT NOT NULL, PRIMARY KEY (ref, other));
CREATE TABLE IF NOT EXISTS deals (
    ref TEXT PRIMARY KEY, is_open INTEGER NOT NULL, snapshot TEXT NOT NULL, verdict TEXT);
CREATE TABLE IF NOT EXISTS deal_contacts (deal TEXT NOT NULL, person TEXT NOT NULL,
    PRIMARY KEY (deal, person));
CREATE INDEX IF NOT EXISTS deal_contacts_by_person ON deal_contacts (person);
CREATE TABLE IF NOT EXISTS pending (
    record TEXT NOT NULL, field TEXT NOT NULL, value TEXT, run_id TEXT NOT NULL,
    read_at TEXT);
CREATE INDEX IF NOT EXISTS pending_by_record ON pending (record);
CREATE TABLE IF NOT EXISTS unchecked (
    record TEXT NOT NULL, system TEXT NOT NULL, write TEXT NOT NULL, run_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unchecked_by_record ON unchecked (record);
CREATE TABLE IF NOT EXISTS failed (
    record TEXT PRIMARY KEY, reason TEXT NOT NULL, run_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refused (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, record TEXT NOT NULL,
    change TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refused_by_run ON refused (run_id, seq);
CREATE TABLE IF NOT EXISTS judged (
    ref TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, leadpact TEXT NOT NULL,
    rules_version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frozen (
    record TEXT NOT NULL, field TEXT NOT NULL, run_id TEXT NOT NULL, changed_by TEXT,
    frozen_at TEXT NOT NULL, PRIMARY KEY (record, field));
CREATE TABLE IF NOT EXISTS owners (
    system TEXT NOT NULL, owner_id TEXT NOT NULL, name TEXT, PRIMARY KEY (system, owner_id));
"""


# SQLite's private temporary file, deleted when closed: a plan's copy of the state lives
# there, not in memory (a big org's state is hundreds of MB; its pages spill to disk past
# SQLite's small page cache).
SCRATCH = ""


class State:
    def __init__(self, path: Path | str):
        self._lock: IO[str] | None = None
        try:
            if str(path) not in (":memory:", SCRATCH):
                if Path(path).exists() and not Path(path).is_file():  # /dev/null, a fifo
                    raise OSError(0, "not a regular file")
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._lock = exclusive(lock_path(path))
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._ledger_rows: list[tuple[str, str, str, str | None, str | None, str]] = []
            self._db.execute("PRAGMA journal_mode=WAL")
            self._upgrade()
        except (OSError, sqlite3.Error, ValueError) as exc:  # a path no run can use
            if self._lock is not None:
                self._lock.close()
            raise unusable_state(path, exc) from None

    def _upgrade(self) -> None:
        """The tables and columns of this version, on a file made by an older one."""
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
        if "body" not in columns:  # a state file from before task descriptions were kept
            self._db.execute("ALTER TABLE tasks ADD COLUMN body TEXT")
        if "read_at" not in {row[1] for row in self._db.execute("PRAGMA table_info(pending)")}:
            self._db.execute("ALTER TABLE pending ADD COLUMN read_at TEXT")

    disposable = False  # a copy (a plan's rehearsal): writes to it are thrown away

    def copy(self) -> State:
        """A scratch copy to rehearse a run on (a plan), leaving this state untouched."""
        twin = State(SCRATCH)
        self._db.backup(twin._db)
        twin.disposable = True
        return twin

    @classmethod
    def snapshot(cls, path: Path | str) -> State:
        """A scratch copy of the state file at `path`, read without its lock (a sync may
        hold it): what a plan rehearses on. Empty when no sync has created the file yet."""
        twin = cls(SCRATCH)
        if Path(path).exists():
            try:
                source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
                try:
                    source.backup(twin._db)
                finally:
                    source.close()
            except sqlite3.DatabaseError as exc:
                raise ConfigError(f"{path}: not a readable leadpact state file ({exc})") \
                    from None
            twin._upgrade()
        twin.disposable = True
        return twin

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything a page records commits together with its cursor, or not at all."""
        self._db.execute("BEGIN")
        try:
            yield
            self._flush_ledger()
        except BaseException:
            self._ledger_rows.clear()
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- runs and cursors ---------------------------------------------------------------
    def start_run(self, run_id: str, now: datetime) -> None:
        """Record a run as running. Any other run still marked running died (this process
        holds the lock, so none of them is alive): they are marked `died`."""
        self._db.execute("UPDATE runs SET status='died', summary=? WHERE status='running'",
                         (json.dumps({"error": DIED}),))
        self._db.execute("INSERT INTO runs VALUES (?, ?, NULL, 'running', NULL)",
                         (run_id, now.isoformat()))

    def finish_run(self, run_id: str, now: datetime, status: str,
                   summary: Mapping[str, object]) -> None:
        self._db.execute("UPDATE runs SET finished_at=?, status=?, summary=? WHERE run_id=?",
                         (now.isoformat(), status, json.dumps(summary), run_id))

    def cursor(self, system: str) -> str | None:
        row = self._db.execute("SELECT cursor FROM cursors WHERE system=?", (system,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, system: str, cursor: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?)", (system, cursor))

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def has_records(self) -> bool:
        """Whether any person or deal is known yet (a first sync: none)."""
        row = self._db.execute("SELECT EXISTS (SELECT 1 FROM persons) OR "
                               "EXISTS (SELECT 1 FROM deals)").fetchone()
        return bool(row[0])

    def known_records(self, system: str) -> Iterator[Ref]:
        """Every person and open deal of one CRM that state knows, in id order."""
        like = system + ":%"
        persons = self._by_ref("SELECT ref FROM persons WHERE ref LIKE ?", (like,), _first)
        deals = self._by_ref("SELECT ref FROM deals WHERE is_open=1 AND ref LIKE ?", (like,),
                             _first)
        for ref in heapq.merge(persons, deals):  # each table by its index, merged
            yield Ref.parse(ref)

    def count_known(self, system: str) -> int:
        """How many persons and open deals of one CRM state knows."""
        like = system + ":%"
        row = self._db.execute(
            "SELECT (SELECT count(*) FROM persons WHERE ref LIKE ?) + "
            "(SELECT count(*) FROM deals WHERE is_open=1 AND ref LIKE ?)", (like, like)
        ).fetchone()
        return int(row[0])

    def _by_ref(self, select: str, args: tuple[object, ...],
                convert: Callable[[_R], _T]) -> Iterator[_T]:
        """The rows of `select` (its first column `ref`; its WHERE in a subquery), each
        converted, in ref order, CHUNK rows a query: a whole table is never in memory, and
        no statement stays open while the caller writes."""
        last = ""
        while True:
            rows = self._db.execute(f"SELECT * FROM ({select}) WHERE ref > ? ORDER BY ref "
                                    "LIMIT ?", (*args, last, CHUNK)).fetchall()
            for row in rows:
                yield convert(row)
            if len(rows) < CHUNK:
                return
            last = rows[-1][0]

    # -- the ledger ---------------------------------------------------------------------
    def last_written(self, ref: Ref) -> dict[str, str | None]:
        """field -> the value leadpact last wrote to it on this record."""
        self._flush_ledger()
        rows = self._db.execute(
            "SELECT field, new_value FROM ledger WHERE record=? ORDER BY seq", (str(ref),)
        ).fetchall()
        return {field: value for field, value in rows}

    def record_write(self, run_id: str, ref: Ref, field: str, old: str | None,
                     new: str | None, now: datetime) -> None:
        """Kept until the transaction commits (or the ledger is read), then inserted in
        one executemany: a first sync writes a ledger row per field, 100k+ of them."""
        self._ledger_rows.append((run_id, str(ref), field, old, new, now.isoformat()))
        if not self._db.in_transaction:
            self._flush_ledger()

    def _flush_ledger(self) -> None:
        if self._ledger_rows:
            rows, self._ledger_rows = self._ledger_rows, []
            self._db.executemany(
                "INSERT INTO ledger (run_id, record, field, old_value, new_value, written_at) "
                "VALUES (?,?,?,?,?,?)", rows)

    # -- what each record looked like when last judged (leadpact/echoes.py) ---------------
    def judged(self, ref: Ref) -> JudgedRow | None:
        """The row fingerprint, leadpact's values as read and the rules version of the
        record's last judgement."""
        row = self._db.execute("SELECT fingerprint, leadpact, rules_version FROM judged "
                               "WHERE ref=?", (str(ref),)).fetchone()
        if row is None:
            return None
        values: dict[str, str | None] = json.loads(row[1])
        return JudgedRow(str(row[0]), values, str(row[2]))

    def save_judged(self, rows: Iterable[tuple[Ref, str, Mapping[str, str | None], str]]
                    ) -> None:
        self._db.executemany("INSERT OR REPLACE INTO judged VALUES (?, ?, ?, ?)", [
            (str(ref), print_, json.dumps(dict(values), sort_keys=True), version)
            for ref, print_, values, version in rows])

    def forget_judged(self, refs: Iterable[Ref]) -> None:
        self._db.executemany("DELETE FROM judged WHERE ref=?", [(str(r),) for r in refs])

    def writes_of_run(self, run_id: str) -> list[WrittenValue]:
        """(record, field, old, new) that a run wrote, in order (values it only adopted
        are left out: it did not write them)."""
        self._flush_ledger()
        rows = self._db.execute(
            "SELECT record, field, old_value, new_value FROM ledger WHERE run_id=? AND "
            "old_value IS NOT new_value ORDER BY seq", (run_id,)).fetchall()
        return [WrittenValue(Ref.parse(r[0]), r[1], r[2], r[3]) for r in rows]

    def last_run_of(self, ref: Ref, field: str) -> str | None:
        self._flush_ledger()
        row = self._db.execute(
            "SELECT run_id FROM ledger WHERE record=? AND field=? ORDER BY seq DESC LIMIT 1",
            (str(ref), field)).fetchone()
        return row[0] if row else None

    def runs(self, limit: int = 20) -> list[RunRow]:
        """The runs, newest first."""
        return [RunRow(str(run_id), datetime.fromisoformat(started),
                       datetime.fromisoformat(finished) if finished else None, str(status))
                for run_id, started, finished, status in self._db.execute(
                    "SELECT run_id, started_at, finished_at, status FROM runs "
                    "ORDER BY started_at DESC LIMIT ?", (limit,)).fetchall()]

    def open_tasks_of_run(self, run_id: str) -> list[OpenTask]:
        rows = self._db.execute(
            "SELECT key, rule, about, task, episode, body FROM tasks WHERE run_id=? AND "
            "status='open' ORDER BY key", (run_id,)).fetchall()
        return [_task(r) for r in rows]

    # -- fields frozen after a write loop (see leadpact/alerting.py) ----------------------
    def frozen_fields(self, ref: Ref) -> set[str]:
        """Fields leadpact stopped writing on this record: something kept changing them back."""
        return {r[0] for r in self._db.execute("SELECT field FROM frozen WHERE record=?",
                                               (str(ref),))}

    def freeze(self, record: str, field: str, run_id: str, changed_by: str | None,
               now: datetime) -> bool:
        """Record a freeze; False when the field was frozen already."""
        return self._db.execute("INSERT OR IGNORE INTO frozen VALUES (?,?,?,?,?)",
                                (record, field, run_id, changed_by, now.isoformat())
                                ).rowcount == 1

    def unfreeze(self, record: str, field: str) -> bool:
        """Let leadpact write a frozen field again; False when it was not frozen."""
        return self._db.execute("DELETE FROM frozen WHERE record=? AND field=?",
                                (record, field)).rowcount == 1

    def unfreeze_all(self) -> int:
        return self._db.execute("DELETE FROM frozen").rowcount

    def ledger_of_fields_written_by_each(self, run_ids: Iterable[str]) -> list[LedgerRow]:
        """Every ledger row (run, record, field, old, new), in write order, of the fields
        that each of these runs really wrote (old != new). Filtered here, in SQL: only such
        a field can be a write loop (alert_rules.write_loops), and a first sync's ledger,
        a few dozen rows per person, would not fit in memory at a million people."""
        self._flush_ledger()
        ids = list(dict.fromkeys(run_ids))
        marks = ",".join("?" * len(ids))
        return [LedgerRow(*r) for r in self._db.execute(
            "SELECT run_id, record, field, old_value, new_value FROM ledger WHERE "
            "(record, field) IN (SELECT record, field FROM ledger WHERE run_id IN "
            f"({marks}) AND old_value IS NOT new_value GROUP BY record, field "
            "HAVING count(DISTINCT run_id) = ?) ORDER BY seq", [*ids, len(ids)]).fetchall()]

    def history(self) -> History:
        """The run history, read through this (locked) connection."""
        return History(self._db)

    # -- writes under way ---------------------------------------------------------------
    def add_pending(self, run_id: str, writes: Iterable[tuple[Ref, str, str | None]],
                    read_at: Mapping[Ref, datetime] | None = None) -> None:
        """Writes about to be sent, with each record's modification stamp as read before
        them (`read_at`): the write will move it, and a run cut short must not mistake the
        new stamp for a person's change."""
        stamps = read_at or {}
        self._db.executemany(
            "INSERT INTO pending (record, field, value, run_id, read_at) VALUES (?,?,?,?,?)",
            [(str(ref), name, value, run_id,
              stamps[ref].isoformat() if ref in stamps else None)
             for ref, name, value in writes])

    def stamp_before_pending(self, ref: Ref) -> datetime | None:
        """The record's modification stamp before an unfinished run's writes, if any."""
        row = self._db.execute("SELECT min(read_at) FROM pending WHERE record=?",
                               (str(ref),)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def pending(self, ref: Ref) -> dict[str, set[str | None]]:
        """field -> values an unfinished run may have written to this record."""
        found: dict[str, set[str | None]] = {}
        for name, value in self._db.execute(
                "SELECT field, value FROM pending WHERE record=?", (str(ref),)):
            found.setdefault(name, set()).add(value)
        return found

    def clear_pending(self, refs: Iterable[Ref]) -> None:
        self._db.executemany("DELETE FROM pending WHERE record=?", [(str(r),) for r in refs])

    def clear_pending_field(self, ref: Ref, field: str) -> None:
        self._db.execute("DELETE FROM pending WHERE record=? AND field=?", (str(ref), field))

    def add_unchecked(self, run_id: str, writes: Iterable[tuple[Ref, str]]) -> None:
        """Field writes about to be sent whose history check has not run yet: (record,
        the write as JSON, leadpact/unchecked_writes.py)."""
        self._db.executemany(
            "INSERT INTO unchecked (record, system, write, run_id) VALUES (?,?,?,?)",
            [(str(ref), ref.system, write, run_id) for ref, write in writes])

    def unchecked(self, system: str) -> list[str]:
        """The field writes a run cut short sent (or was sending) and never checked."""
        return [row[0] for row in self._db.execute(
            "SELECT write FROM unchecked WHERE system=? ORDER BY rowid", (system,))]

    def clear_unchecked(self, refs: Iterable[Ref]) -> None:
        self._db.executemany("DELETE FROM unchecked WHERE record=?", [(str(r),) for r in refs])

    def clear_unchecked_system(self, system: str) -> None:
        self._db.execute("DELETE FROM unchecked WHERE system=?", (system,))

    # -- tasks --------------------------------------------------------------------------
    def open_task(self, about: Ref, rule: str) -> OpenTask | None:
        row = self._db.execute(
            "SELECT key, rule, about, task, episode, body FROM tasks "
            "WHERE about=? AND rule=? AND status='open'", (str(about), rule)).fetchone()
        return _task(row) if row else None

    def open_tasks_about(self, about: Ref) -> list[OpenTask]:
        rows = self._db.execute(
            "SELECT key, rule, about, task, episode, body FROM tasks "
            "WHERE about=? AND status='open'", (str(about),)).fetchall()
        return [_task(r) for r in rows]

    def next_episode(self, about: Ref, rule: str) -> int:
        row = self._db.execute("SELECT max(episode) FROM tasks WHERE about=? AND rule=?",
                               (str(about), rule)).fetchone()
        return (row[0] or 0) + 1

    def record_task(self, key: str, rule: str, about: Ref, task: Ref | None, episode: int,
                    run_id: str, body: str | None = None) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tasks (key, rule, about, task, status, episode, run_id, "
            "body) VALUES (?,?,?,?,'open',?,?,?)",
            (key, rule, str(about), str(task) if task else None, episode, run_id, body))

    def close_task(self, key: str) -> None:
        self._db.execute("UPDATE tasks SET status='closed' WHERE key=?", (key,))

    def set_task_body(self, key: str, body: str) -> None:
        self._db.execute("UPDATE tasks SET body=? WHERE key=?", (body, key))

    def detach_task(self, key: str) -> None:
        """The CRM task is gone (a rep deleted it): the episode goes on without one, so it
        is not made again until the condition clears and comes back."""
        self._db.execute("UPDATE tasks SET task=NULL WHERE key=?", (key,))

    # -- task decisions waiting for the end of the run (see leadpact/task_lifecycle.py) ---
    def save_task_intents(self, intents: Iterable[tuple[Ref, str, bool, str]]) -> None:
        """(record, rule, condition holds, intent as JSON): the latest wins."""
        self._db.executemany("INSERT OR REPLACE INTO task_intents VALUES (?,?,?,?)",
                             [(str(about), rule, int(holds), text)
                              for about, rule, holds, text in intents])

    def held_task_rules(self, about: Ref) -> list[str]:
        """The task rules that hold for the record, as last judged in a run not yet
        finished (one query per record: a first sync asks it of every person)."""
        return [rule for (rule,) in self._db.execute(
            "SELECT rule FROM task_intents WHERE about=? AND holds=1", (str(about),))]

    def task_intents(self, system: str) -> Iterator[str]:
        """One CRM's task intents (JSON) in (record, rule) order, CHUNK a query: a first
        sync holds one per person and task rule, with its words."""
        last = (system + ":", "")  # every reference of the CRM sorts after its prefix
        while True:
            rows = self._db.execute(
                "SELECT about, rule, intent FROM task_intents WHERE about LIKE ? AND "
                "(about, rule) > (?, ?) ORDER BY about, rule LIMIT ?",
                (system + ":%", *last, CHUNK)).fetchall()
            for _, _, intent in rows:
                yield str(intent)
            if len(rows) < CHUNK:
                return
            last = (str(rows[-1][0]), str(rows[-1][1]))

    def drop_task_intents(self, keys: Iterable[tuple[Ref, str]]) -> None:
        self._db.executemany("DELETE FROM task_intents WHERE about=? AND rule=?",
                             [(str(about), rule) for about, rule in keys])

    # -- persons and identities ---------------------------------------------------------
    def link(self, ref: Ref, others: Iterable[Ref]) -> None:
        for other in others:
            for a, b in ((ref, other), (other, ref)):
                self._db.execute("INSERT OR IGNORE INTO links VALUES (?, ?)", (str(a), str(b)))

    def linked(self, ref: Ref) -> set[Ref]:
        """Every record known to be the same person (links followed transitively)."""
        seen, todo = {str(ref)}, [str(ref)]
        while todo:
            current = todo.pop()
            for (other,) in self._db.execute("SELECT other FROM links WHERE ref=?", (current,)):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        seen.discard(str(ref))
        return {Ref.parse(s) for s in seen}

    def person(self, ref: Ref) -> KnownPerson | None:
        row = self._db.execute("SELECT * FROM persons WHERE ref=?", (str(ref),)).fetchone()
        return _person(row) if row else None

    def persons_with_email(self, email: str) -> list[KnownPerson]:
        rows = self._db.execute("SELECT * FROM persons WHERE email=?", (email,)).fetchall()
        return [_person(r) for r in rows]

    def identities(self) -> Iterator[list[KnownPerson]]:
        """Every identity's persons (all CRMs, in persons_of_identity's order), identity
        after identity, CHUNK rows a query: one walk instead of a query per person."""
        last: tuple[str, int] = ("", 0)
        members: list[KnownPerson] = []
        while True:
            rows = self._db.execute(
                "SELECT rowid, * FROM persons WHERE (identity, rowid) > (?, ?) "
                "ORDER BY identity, rowid LIMIT ?", (*last, CHUNK)).fetchall()
            for row in rows:
                person = _person(row[1:])
                if members and members[0].identity != person.identity:
                    yield members
                    members = []
                members.append(person)
            if len(rows) < CHUNK:
                break
            last = (rows[-1][2], rows[-1][0])
        if members:
            yield members

    def persons_of_identity(self, identity: str) -> list[KnownPerson]:
        rows = self._db.execute("SELECT * FROM persons WHERE identity=?", (identity,)).fetchall()
        return [_person(r) for r in rows]

    def save_person(self, ref: Ref, identity: str, email: str | None, title: str | None,
                    modified_at: datetime, verdict: SavedVerdict | None,
                    account: str | None = None, name: str = "",
                    engaged_at: datetime | None = None,
                    activities: tuple[Activity, ...] = ()) -> None:
        stored = json.dumps([[a.at.isoformat(), a.kind, a.inbound, a.subject,
                              str(a.deal) if a.deal else None, a.outcome,
                              a.booked_at.isoformat() if a.booked_at else None, a.text]
                             for a in activities])
        self._db.execute("INSERT OR REPLACE INTO persons VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (str(ref), identity, email, title, modified_at.isoformat(),
                          json.dumps(verdict_data(verdict)) if verdict else None, account, name,
                          engaged_at.isoformat() if engaged_at else None,
                          stored if activities else None))

    def person_accounts(self) -> Iterator[tuple[str, Ref, str]]:
        """(identity, person, account) of every person at an account, by identity: three
        short strings a row, read as they are used (leadpact/account_summary.py)."""
        for identity, ref, account in self._db.execute(
                "SELECT identity, ref, account FROM persons WHERE account IS NOT NULL AND "
                "account != '' ORDER BY identity, ref"):
            yield identity, Ref.parse(ref), account

    def persons_of(self, system: str) -> Iterator[KnownPerson]:
        """Every person of one CRM, in ref order, read a chunk at a time."""
        return self._by_ref("SELECT * FROM persons WHERE ref LIKE ?", (system + ":%",),
                            _person)

    def identities_at_account(self, system: str, account: str) -> set[str]:
        """The identities of one CRM's persons at an account (their rows left unread)."""
        return {r[0] for r in self._db.execute(
            "SELECT identity FROM persons WHERE account=? AND ref LIKE ?",
            (account, system + ":%"))}

    def contacts_at_account(self, system: str, account: str) -> Iterator[KnownPerson]:
        """The contacts state knows at this account, by reference, without activities,
        read as they are used: an account may hold more people than memory should."""
        found = self._db.execute(
            f"SELECT {_COLLEAGUE} FROM persons WHERE account=? AND ref LIKE ? ORDER BY ref",
            (account, f"{system}:{CONTACT}:%"))
        try:
            yield from map(_person, found)
        finally:
            found.close()

    def role_holders_at_account(self, system: str, account: str, per_role: int,
                                roles: Iterable[BuyingRole]) -> list[KnownPerson]:
        """Per buying role asked for, the first `per_role` persons (by reference) saved
        with it at this account, without their activities: what a committee gap's
        suggestions are picked from, a few rows however many people the account has."""
        rows: list[_PersonRow] = []
        for role in roles:
            rows += self._db.execute(
                f"SELECT {_COLLEAGUE} FROM persons WHERE account=? "
                "AND json_extract(verdict, '$.role')=? AND ref LIKE ? ORDER BY ref LIMIT ?",
                (account, str(role), system + ":%", per_role)).fetchall()
        return [_person(r) for r in sorted(rows)]

    def engaged_at_account(self, system: str, account: str, since: datetime,
                           until: datetime, identities: int) -> list[KnownPerson]:
        """The persons at this account of the first `identities` identities (in identity
        order) with a record engaged between `since` and `until`, without activities."""
        chosen: list[str] = []
        found = self._db.execute(
            "SELECT identity, engaged_at FROM persons WHERE account=? AND ref LIKE ? "
            "AND engaged_at IS NOT NULL ORDER BY identity", (account, system + ":%"))
        for identity, engaged_at in found:
            if (not chosen or chosen[-1] != identity) \
                    and since <= datetime.fromisoformat(engaged_at) <= until:
                chosen.append(identity)
                if len(chosen) == identities:
                    break
        found.close()
        rows = self._db.execute(
            f"SELECT {_COLLEAGUE} FROM persons WHERE account=? AND ref LIKE ? AND identity "
            f"IN ({','.join('?' * len(chosen))}) ORDER BY ref",
            (account, system + ":%", *chosen)).fetchall() if chosen else []
        return [_person(r) for r in rows]

    def set_identity(self, refs: Iterable[Ref], identity: str) -> None:
        for ref in refs:
            self._db.execute("UPDATE persons SET identity=? WHERE ref=?", (identity, str(ref)))

    def forget_person(self, ref: Ref) -> None:
        self._db.execute("DELETE FROM persons WHERE ref=?", (str(ref),))

    # -- deals --------------------------------------------------------------------------
    def save_deal(self, ref: Ref, is_open: bool, snapshot: Deal,
                  verdict: DealSummary | None, contacts: Iterable[Ref]) -> None:
        self._db.execute("INSERT OR REPLACE INTO deals VALUES (?,?,?,?)",
                         (str(ref), int(is_open), json.dumps(snapshot_data(snapshot)),
                          json.dumps(summary_data(verdict)) if verdict else None))
        self._db.execute("DELETE FROM deal_contacts WHERE deal=?", (str(ref),))
        for person in contacts:
            self._db.execute("INSERT OR IGNORE INTO deal_contacts VALUES (?, ?)",
                             (str(ref), str(person)))

    def deal(self, ref: Ref) -> DealRow | None:
        row = self._db.execute("SELECT ref, snapshot, verdict FROM deals WHERE ref=?",
                               (str(ref),)).fetchone()
        return _deal(row) if row else None

    def open_deals(self) -> Iterator[DealRow]:
        """Every open deal, in ref order, read a chunk at a time."""
        return self._by_ref("SELECT ref, snapshot, verdict FROM deals WHERE is_open=1", (),
                            _deal)

    def open_deal_verdicts(self, system: str) -> Iterator[DealSummary]:
        """The saved verdicts of one CRM's open deals (their snapshots left unread)."""
        for (text,) in self._db.execute(
                "SELECT verdict FROM deals WHERE is_open=1 AND ref LIKE ? AND verdict IS NOT "
                "NULL AND verdict != ''", (system + ":%",)):
            yield summary_from_data(json.loads(text))

    def deals(self) -> Iterator[DealRow]:
        """Every deal known, open or closed, in ref order, read a chunk at a time."""
        return self._by_ref("SELECT ref, snapshot, verdict FROM deals", (), _deal)

    def deals_of_person(self, person: Ref) -> list[Ref]:
        rows = self._db.execute("SELECT deal FROM deal_contacts WHERE person=?", (str(person),))
        return [Ref.parse(r[0]) for r in rows.fetchall()]

    def forget_deal(self, ref: Ref) -> None:
        self._db.execute("DELETE FROM deals WHERE ref=?", (str(ref),))
        self._db.execute("DELETE FROM deal_contacts WHERE deal=?", (str(ref),))

    # -- record owners' names (see leadpact/owner_names.py) ------------------------------
    def deal_owner_ids(self, system: str) -> set[str]:
        """The owner ids of this CRM's deals that state knows."""
        rows = self._db.execute(
            "SELECT DISTINCT json_extract(snapshot, '$.owner_id') FROM deals WHERE ref LIKE ?",
            (system + ":%",)).fetchall()
        return {str(r[0]) for r in rows if r[0] not in (None, "")}

    def known_owner_ids(self, system: str) -> set[str]:
        """Owner ids already looked up (named, or not known to the CRM)."""
        return {r[0] for r in self._db.execute("SELECT owner_id FROM owners WHERE system=?",
                                               (system,))}

    def save_owner_names(self, system: str, names: dict[str, str | None]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO owners VALUES (?,?,?)",
                             [(system, owner, name) for owner, name in names.items()])

    def forget_owner(self, system: str, owner_id: str) -> None:
        """Look this owner's name up again at the next sync (e.g. after a rename)."""
        self._db.execute("DELETE FROM owners WHERE system=? AND owner_id=?", (system, owner_id))

    # -- failed records -----------------------------------------------------------------
    def mark_failed(self, ref: Ref, reason: str, run_id: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO failed VALUES (?,?,?)", (str(ref), reason, run_id))

    def record_refusal(self, run_id: str, ref: Ref, change: str, reason: str) -> None:
        """The run's history of refusals (`leadpact runs show RUN`); `failed` keeps only
        what is still to retry."""
        self._db.execute("INSERT INTO refused (run_id, record, change, reason) "
                         "VALUES (?,?,?,?)", (run_id, str(ref), change, reason))

    def prune_refused(self, keep_runs: int) -> int:
        """Drop the refused records of all but the newest `keep_runs` runs (the table would
        grow forever); returns how many were dropped."""
        return self._db.execute(
            "DELETE FROM refused WHERE run_id NOT IN (SELECT run_id FROM runs "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?)", (keep_runs,)).rowcount

    def clear_failed(self, ref: Ref) -> None:
        self._db.execute("DELETE FROM failed WHERE record=?", (str(ref),))

    def failed(self, system: str) -> list[Ref]:
        rows = self._db.execute("SELECT record FROM failed WHERE record LIKE ? ORDER BY record",
                                (system + ":%",)).fetchall()
        return [Ref.parse(r[0]) for r in rows]

    def accounts_touched(self, system: str) -> list[Ref]:
        """Accounts of one CRM that leadpact wrote a field on or holds an open task about,
        in id order (the account pass revisits them once nobody is known there)."""
        self._flush_ledger()
        low, high = f"{system}:account:", f"{system}:account;"  # ';' follows ':'
        rows = self._db.execute(
            "SELECT record FROM ledger WHERE record >= ? AND record < ? UNION "
            "SELECT about FROM tasks WHERE status='open' AND about >= ? AND about < ? "
            "ORDER BY 1", (low, high, low, high)).fetchall()
        return [Ref.parse(r[0]) for r in rows]


def unusable_state(path: Path | str, exc: BaseException) -> ConfigError:
    """The one-line error for a state path that cannot be opened, created or locked."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    name = str(path).encode("unicode_escape").decode("ascii")[:200]
    return ConfigError(f"{name}: the state file cannot be opened ({reason[:120]}); point "
                       "[leadpact] `state` at a file in a writable folder (move a damaged "
                       "file away: leadpact starts a new one)")


def _deal(row: tuple[str, str, str | None]) -> DealRow:
    ref = Ref.parse(row[0])
    return DealRow(ref, deal_from_data(ref, json.loads(row[1])),
                   summary_from_data(json.loads(row[2])) if row[2] else None)


# The columns of a tasks and a persons row, as SQLite hands them out.
_TaskRow = tuple[str, str, str, str | None, int, str | None]
# a person's row without its activities (colleagues are asked for nothing else)
_COLLEAGUE = ("ref, identity, email, title, title_changed_at, verdict, account, name, "
              "engaged_at, NULL")
_PersonRow = tuple[str, str, str | None, str | None, str, str | None, str | None, str | None,
                   str | None, str | None]


def _first(row: tuple[str]) -> str:
    return row[0]


def _task(row: _TaskRow) -> OpenTask:
    key, rule, about, task, episode, body = row
    return OpenTask(key, rule, Ref.parse(about), Ref.parse(task) if task else None, episode,
                    body)


def _person(row: _PersonRow) -> KnownPerson:
    ref, identity, email, title, modified_at, verdict, account, name, engaged_at, acts = row
    return KnownPerson(Ref.parse(ref), identity, email, title,
                       datetime.fromisoformat(modified_at),
                       verdict_from_data(json.loads(verdict)) if verdict else None, account,
                       name or "",
                       datetime.fromisoformat(engaged_at) if engaged_at else None, acts)
