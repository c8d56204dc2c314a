"""`leadpact plan` as a rehearsal of `sync`: the same code path on a copy of the state,
with each CRM's writes answered "done" without being sent.

A plan used to skip the saves a sync makes as it goes, so everything judged later in the
run (twins, deals re-judged by their contacts' roles, tasks) saw older facts than the sync
would, and its counts drifted from the sync's. Here the run saves into an in-memory copy of
the state, and a record read again after a "write" comes back holding the value written,
as it would from the CRM: the plan's counts are the sync's.
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
        self._fields: dict[Ref, dict[str, str | None]] = {}
        # The CRM's own fields written, by name: a person's buying role and lead statuses.
        self._native: dict[Ref, dict[str, str | None]] = {}
        self._contact_roles: dict[tuple[Ref, Ref], str | None] = {}
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
        return [dataclasses.replace(a, leadpact={**a.leadpact, **self._fields[a.ref]})
                if a.ref in self._fields else a for a in found]

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
            values.update(self._fields.get(ref, {}))
            values.update(self._native.get(ref, {}))
        return found

    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        results = []
        for change in changes:
            created = None
            if isinstance(change, SetField):
                self._fields.setdefault(change.ref, {})[change.field] = change.value
            elif isinstance(change, SetDealContactRole):
                if (role := ledger_value(change)) is not None:  # as the CRM spells it
                    self._contact_roles[(change.deal, change.person)] = role.value
            elif (native := ledger_value(change)) is not None:  # a CRM's own field
                self._native.setdefault(native.ref, {})[native.field] = native.value
            elif isinstance(change, UpsertTask):
                created = f"planned-{next(self._ids)}"
            results.append(ChangeResult(change, True, created_id=created))
        return results

    def _as_written(self, record: Record) -> Record:
        """The record as the CRM would return it after this run's writes so far."""
        fields = self._fields.get(record.ref)
        if fields:
            record = dataclasses.replace(record, leadpact={**record.leadpact, **fields})
        native = self._native.get(record.ref)
        if isinstance(record, Person) and native:
            role_field = VOCABULARIES.get(record.ref.system, NO_ROLES).person_field
            if role_field in native:
                record = dataclasses.replace(record, buying_role=native[role_field])
            others = {k: v for k, v in native.items() if k != role_field}
            if others:  # lead-status fields ([native] in leadpact.toml)
                record = dataclasses.replace(record, native={**record.native, **others})
        if isinstance(record, Deal) and self._contact_roles:
            contacts = tuple(
                dataclasses.replace(c, role=self._contact_roles[(record.ref, c.person)])
                if (record.ref, c.person) in self._contact_roles else c
                for c in record.contacts)
            record = dataclasses.replace(record, contacts=contacts)
        return record
