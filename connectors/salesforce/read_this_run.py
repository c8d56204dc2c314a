"""Records a change read built this run, kept for the refresh pass at its end.

The refresh pass re-judges records whose context moved after they were handled (a person
judged before their deals were read, deals whose contacts' roles moved). On a first sync
that is most of the org, and reading them again by id, with their activities, contact
roles and history, cost a third of the run's read calls. Those rows were read minutes
ago; what changed since is leadpact's own writes, which are laid over the kept records
as the CRM answered them, and other people's edits, which the next run reads anyway (the
stream cursors start from before this read). A record read again on purpose (a changed
activity re-reads its person) replaces the kept one.

Kept pickled in a private temporary SQLite file (deleted when closed), not in memory, so
a read of a million records does not grow the process by them.
"""

from __future__ import annotations

import dataclasses
import pickle
import sqlite3
from collections.abc import Iterable, Sequence

from leadpact.changes import (
    Change,
    ChangeResult,
    NativeChange,
    SetDealContactRole,
    SetField,
    record_of,
)
from leadpact.model import Deal, Person, Record, Ref

_LOOKUP_IDS = 500  # ids per lookup statement


class ReadThisRun:
    def __init__(self) -> None:
        # "": SQLite's private temporary on-disk database, removed on close.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE kept (id TEXT PRIMARY KEY, record BLOB NOT NULL) "
                         "WITHOUT ROWID")

    def keep(self, records: Iterable[Record]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO kept (id, record) VALUES (?, ?)",
                                 ((r.ref.id, pickle.dumps(r)) for r in records))

    def take(self, refs: Sequence[Ref]) -> dict[Ref, Record]:
        """The kept records among `refs` (as they stand after this run's writes)."""
        wanted = {ref.id: ref for ref in refs}
        found: dict[Ref, Record] = {}
        ids = list(wanted)
        for start in range(0, len(ids), _LOOKUP_IDS):
            chunk = ids[start:start + _LOOKUP_IDS]
            marks = ", ".join("?" * len(chunk))
            for record_id, blob in self._db.execute(
                    f"SELECT id, record FROM kept WHERE id IN ({marks})", chunk):
                record: Record = pickle.loads(blob)  # noqa: S301 - our own temporary file
                if record.ref == wanted[record_id]:
                    found[record.ref] = record
        return found

    def wrote(self, results: Sequence[ChangeResult]) -> None:
        """Lay the writes the CRM took over the kept records they went to."""
        taken = [r.change for r in results if r.ok]
        refs = list(dict.fromkeys(_target(c) for c in taken if _target(c) is not None))
        kept = self.take([ref for ref in refs if ref is not None])
        if not kept:
            return
        for change in taken:
            ref = _target(change)
            if ref in kept:
                kept[ref] = with_write(kept[ref], change)
        self.keep(kept.values())

    def close(self) -> None:
        self._db.close()


def _target(change: Change) -> Ref | None:
    if isinstance(change, SetField | NativeChange):
        return record_of(change)
    return None


def with_write(record: Record, change: Change) -> Record:
    """The record as the CRM holds it once `change` is written (pure)."""
    if isinstance(change, SetField):
        return dataclasses.replace(record, leadpact={**record.leadpact,
                                                     change.field: change.value})
    # Imported here: connectors.roles imports this package.
    from leadpact.connectors.roles import VOCABULARIES, ledger_value

    if isinstance(change, SetDealContactRole) and isinstance(record, Deal):
        # A new role record has no ledger name yet: the value is the vocabulary's.
        value = None if change.role is None else \
            VOCABULARIES[record.ref.system].deal_contact_role(change.role)
        contacts = tuple(
            dataclasses.replace(c, role=value)
            if (c.id == change.role_record_id if change.role_record_id
                else c.person == change.person) else c
            for c in record.contacts)
        return dataclasses.replace(record, contacts=contacts)
    written = ledger_value(change)  # one of the CRM's own fields, as the connector spells it
    if written is not None and isinstance(record, Person):
        return dataclasses.replace(record, native={**record.native,
                                                   written.field: written.value})
    return record
