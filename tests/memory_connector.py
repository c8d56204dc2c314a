"""An in-memory CRM behind the Connector protocol: the seam the pipeline is written
against, so pipeline rules can be table-tested without HTTP. The real connectors are tested
against the sandbox over HTTP in tests/contract."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import assert_never

from leadpact.changes import (
    Change,
    ChangeResult,
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpdateTask,
    UpsertTask,
)
from leadpact.connectors.base import CheckProblem
from leadpact.connectors.roles import VOCABULARIES, as_field_write, ledger_value
from leadpact.errors import QuotaExhausted
from leadpact.model import ACCOUNT, Account, Deal, Page, Person, Record, Ref
from tests.builders import NOW


class MemoryConnector:
    clock = 0  # shared by every in-memory CRM, so modification times order across CRMs

    def __init__(self, system: str, page_size: int = 2):
        self.system = system
        self.page_size = page_size
        self.records: dict[Ref, Record] = {}
        self.accounts: dict[str, Account] = {}  # by id, as persons' account_id names them
        self.stamp: dict[Ref, int] = {}
        self.tasks: dict[str, dict[str, object]] = {}
        self.calls = 0
        self.refuse: set[Ref] = set()  # records whose writes fail
        self.quota_after: int | None = None  # apply calls allowed before QuotaExhausted
        self.die_after: int | None = None  # changes applied before the process "dies"

    @property
    def api_calls(self) -> int:
        return self.calls

    def put(self, record: Record) -> Record:
        MemoryConnector.clock += 1
        record = dataclasses.replace(record, modified_at=NOW - timedelta(hours=1)
                                     + timedelta(seconds=MemoryConnector.clock))
        self.records[record.ref] = record
        self.stamp[record.ref] = MemoryConnector.clock
        return record

    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        since = int(cursor or 0)
        changed = sorted((self.stamp[r], r) for r in self.records if self.stamp[r] > since)
        for start in range(0, len(changed), self.page_size):
            chunk = changed[start:start + self.page_size]
            self.calls += 1
            yield Page(tuple(self.records[r] for _, r in chunk), str(chunk[-1][0]))

    def read_records(self, refs: Sequence[Ref]) -> list[Record]:
        self.calls += 1
        return [self.records[r] for r in refs if r in self.records]

    def read_accounts(self, ids: Sequence[str]) -> list[Account]:
        self.calls += 1
        return [self.accounts[i] for i in dict.fromkeys(ids) if i in self.accounts]

    def current_values(self, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]]:
        self.calls += 1
        found: dict[Ref, dict[str, str | None]] = {}
        for ref in refs:
            if ref.kind == ACCOUNT:
                if ref.id in self.accounts and not self.accounts[ref.id].deleted:
                    found[ref] = dict(self.accounts[ref.id].leadpact)
                continue
            record = self.records.get(ref)
            if record is None or record.deleted:
                continue
            found[ref] = dict(record.leadpact)
            if isinstance(record, Person):
                found[ref]["hs_buying_role"] = record.buying_role
                found[ref].update(record.native)
        return found

    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        self.calls += 1
        if self.quota_after is not None:
            if self.quota_after <= 0:
                raise QuotaExhausted("memory CRM quota used up")
            self.quota_after -= 1
        results = []
        for change in changes:
            if self.die_after is not None:
                if self.die_after == 0:
                    raise KeyboardInterrupt("killed mid-batch")
                self.die_after -= 1
            results.append(self._apply(change))
        return results

    def _apply(self, change: Change) -> ChangeResult:
        if isinstance(change, SetField) and change.ref.kind == ACCOUNT:
            account = self.accounts.get(change.ref.id)
            if change.ref in self.refuse or account is None:
                return ChangeResult(change, False, "refused by test")
            self.accounts[change.ref.id] = dataclasses.replace(
                account, leadpact={**account.leadpact, change.field: change.value})
            return ChangeResult(change, True)
        if isinstance(change, SetDealContactRole):
            return self._set_contact_role(change)
        write = as_field_write(change)  # a CRM's own field as its vocabulary resolves it
        if write is not None:
            if write.ref in self.refuse or write.ref not in self.records:
                return ChangeResult(change, False, "refused by test")
            record = self.records[write.ref]
            if isinstance(write, SetField):
                values = {**record.leadpact, write.field: write.value}
                self.put(dataclasses.replace(record, leadpact=values))
            elif write.field == VOCABULARIES[write.ref.system].person_field:
                self.put(dataclasses.replace(record, buying_role=write.value))
            elif isinstance(record, Person):  # a lead-status field ([native])
                self.put(dataclasses.replace(record, native={**record.native,
                                                             write.field: write.value}))
            return ChangeResult(change, True)
        if isinstance(change, RestoreLedgerValue):  # a deal contact's role put back
            role_id = VOCABULARIES[change.ref.system].contact_role_id(change.field)
            if role_id is None:
                return ChangeResult(change, False, f"no field {change.field!r} here")
            return self._write_contact_role(change, change.ref, role_id, change.value)
        if isinstance(change, UpsertTask):
            existing = self.tasks.get(change.key)
            if existing is None:
                self.tasks[change.key] = {"id": f"t{len(self.tasks) + 1}", "open": True,
                                          "subject": change.subject, "body": change.body,
                                          "owner": change.owner_id, "due": change.due}
            return ChangeResult(change, True, created_id=str(self.tasks[change.key]["id"]))
        if isinstance(change, CloseTask):
            if change.key not in self.tasks:
                return ChangeResult(change, False, "ENTITY_IS_DELETED: task deleted")
            self.tasks[change.key]["open"] = False
            if change.body is not None:
                self.tasks[change.key]["body"] = change.body
            return ChangeResult(change, True)
        if isinstance(change, UpdateTask):
            if change.key not in self.tasks:
                return ChangeResult(change, False, "ENTITY_IS_DELETED: task deleted")
            self.tasks[change.key]["body"] = change.body
            return ChangeResult(change, True)
        if isinstance(change, SetBuyingRole | SetLeadStatus):  # nothing to write here
            return ChangeResult(change, False, f"{change.person.system} has no such field")
        assert_never(change)

    def _set_contact_role(self, change: SetDealContactRole) -> ChangeResult:
        found = ledger_value(change)
        if found is None:
            return ChangeResult(change, False, "no contact role to write in this CRM")
        return self._write_contact_role(change, change.deal, change.role_record_id,
                                        found.value)

    def _write_contact_role(self, change: Change, deal_ref: Ref, role_id: str | None,
                            value: str | None) -> ChangeResult:
        deal = self.records[deal_ref]
        assert isinstance(deal, Deal)
        contacts = tuple(dataclasses.replace(c, role=value)
                         if c.id == role_id else c for c in deal.contacts)
        self.put(dataclasses.replace(deal, contacts=contacts))
        return ChangeResult(change, True)

    def check(self) -> list[CheckProblem]:
        return []

    def open_tasks(self, rule: str = "") -> list[str]:
        return sorted(k for k, t in self.tasks.items() if t["open"] and k.startswith(rule))
