"""`leadpact plan` as a rehearsal of `sync`: the same code path on a copy of the state,
with each CRM's writes answered "done" without being sent.

A plan used to skip the saves a sync makes as it goes, so everything judged later in the
run (twins, deals re-judged by their contacts' roles, tasks) saw older facts than the sync
would, and its counts drifted from the sync's. Here the run saves into a copy of the state
(SQLite's private temporary file, state.SCRATCH), and a record read again after a "write"
comes back holding the value written (kept in another such file, rehearsal_values.py), as
it would from the CRM: the plan's counts are the sync's.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime

from leadpact.changes import (
    Change,
    ChangeResult,
    SetDealContactRole,
    SetField,
    UpsertTask,
)
from leadpact.connectors.base import CheckProblem, Connector
from leadpact.connectors.roles import VOCABULARIES, ledger_value
from leadpact.model import Account, Deal, Page, Person, Record, Ref
from leadpact.rehearsal_values import WrittenValues
from leadpact.role_vocabulary import NO_ROLES


def current_values(crm: object, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]] | None:
    """The connector's fresh values of these records, or None when it cannot re-read."""
    read = getattr(crm, "current_values", None)
    return read(refs) if read is not None else None


class Rehearsal:
    """A connector that reads through to the CRM and writes nowhere."""

    def __init__(self, crm: Connector):
        self.system = crm.system
        self._crm = crm
        # leadpact's fields, the CRM's own (a person's buying role and lead statuses, by
        # name) and deals' contact roles, as "written" so far: on disk, not in memory.
        self._written = WrittenValues()
        self._ids = itertools.count(1)

    @property
    def api_calls(self) -> int:
        return self._crm.api_calls

    @property
    def refresh_batch(self) -> object:
        """The CRM's batch for the refresh pass (pipeline.refresh_batch): the same pages
        as the sync's, so the same counts."""
        return getattr(self._crm, "refresh_batch", None)

    @property
    def write_call(self) -> object:
        """The CRM's records per write call (pipeline.write_call): the sync's pages."""
        return getattr(self._crm, "write_call", None)

    @property
    def echoes(self) -> object:
        return getattr(self._crm, "echoes", None)

    @echoes.setter
    def echoes(self, value: object) -> None:
        """Own writes read back are recognised by the CRM's connector (connectors/echo.py),
        against the rehearsal's copy of the state."""
        if hasattr(self._crm, "echoes"):
            setattr(self._crm, "echoes", value)  # noqa: B010 - not on the protocol

    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        for page in self._crm.read_changes(cursor):
            yield Page(tuple(self._as_written(r) for r in page.records), page.cursor)

    def read_records(self, refs: Sequence[Ref]) -> list[Record]:
        return [self._as_written(r) for r in self._crm.read_records(refs)]

    def check(self) -> list[CheckProblem]:
        return self._crm.check()

    def read_accounts(self, ids: Sequence[str]) -> list[Account]:
        """The accounts as the CRM would return them after this run's writes so far."""
        read = getattr(self._crm, "read_accounts", None)
        found: list[Account] = read(ids) if read is not None else []
        written = [(a, self._written.of("fields", str(a.ref))) for a in found]
        return [dataclasses.replace(a, leadpact={**a.leadpact, **fields}) if fields else a
                for a, fields in written]

    def read_changed_accounts(self, since: datetime | None
                              ) -> tuple[list[Account], datetime | None]:
        read = getattr(self._crm, "read_changed_accounts", None)
        return read(since) if read is not None else ([], None)

    def current_values(self, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]]:
        """What a sync would find right before writing: the CRM's values, then ours."""
        found = current_values(self._crm, refs)
        if found is None:  # the CRM cannot say: the sync writes without re-checking
            return {ref: {} for ref in refs}
        for ref, values in found.items():
            values.update(self._written.of("fields", str(ref)))
            values.update(self._written.of("native", str(ref)))
        return found

    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        results = []
        written: dict[str, list[tuple[str, str, str | None]]] = {
            "fields": [], "native": [], "roles": []}
        for change in changes:
            created = None
            if isinstance(change, SetField):
                written["fields"].append((str(change.ref), change.field, change.value))
            elif isinstance(change, SetDealContactRole):
                if (role := ledger_value(change)) is not None:  # as the CRM spells it
                    written["roles"].append((str(change.deal), str(change.person), role.value))
            elif (native := ledger_value(change)) is not None:  # a CRM's own field
                written["native"].append((str(native.ref), native.field, native.value))
            elif isinstance(change, UpsertTask):
                created = f"planned-{next(self._ids)}"
            results.append(ChangeResult(change, True, created_id=created))
        for kind, rows in written.items():
            self._written.put(kind, rows)
        return results

    def _as_written(self, record: Record) -> Record:
        """The record as the CRM would return it after this run's writes so far."""
        fields = self._written.of("fields", str(record.ref))
        if fields:
            record = dataclasses.replace(record, leadpact={**record.leadpact, **fields})
        native = self._written.of("native", str(record.ref))
        if isinstance(record, Person) and native:
            role_field = VOCABULARIES.get(record.ref.system, NO_ROLES).person_field
            if role_field in native:
                record = dataclasses.replace(record, buying_role=native[role_field])
            others = {k: v for k, v in native.items() if k != role_field}
            if others:  # lead-status fields ([native] in leadpact.toml)
                record = dataclasses.replace(record, native={**record.native, **others})
        roles = self._written.of("roles", str(record.ref))
        if isinstance(record, Deal) and roles:
            contacts = tuple(
                dataclasses.replace(c, role=roles[str(c.person)])
                if str(c.person) in roles else c
                for c in record.contacts)
            record = dataclasses.replace(record, contacts=contacts)
        return record
