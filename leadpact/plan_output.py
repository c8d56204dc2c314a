"""What `leadpact plan` shows of its changes: filtered, as text lines or JSON objects."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from leadpact.changes import (
    Change,
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpdateTask,
    UpsertTask,
    record_of,
)
from leadpact.connectors.roles import ledger_value

ONLY = ("fields", "tasks", "stage")
TASKS = (UpsertTask, UpdateTask, CloseTask)


def is_version_stamp(change: Change) -> bool:
    """A change that only re-stamps the rules version, not a change of meaning."""
    return isinstance(change, SetField) and change.field == "rules_version"


def wanted(change: Change, only: str | None, record: str | None) -> bool:
    if only == "tasks" and not isinstance(change, TASKS):
        return False
    if only == "fields" and isinstance(change, TASKS):
        return False
    if only == "stage" and not (isinstance(change, SetField) and change.field == "lead_stage"):
        return False
    if record is not None:
        ref = record_of(change)
        about = change.person if isinstance(change, SetDealContactRole) else None
        return record in (str(ref), ref.id) or (about is not None
                                                 and record in (str(about), about.id))
    return True


class ShownChanges:
    """Which planned changes to list (`plan --only/--record/--limit`), taken one at a time
    as the run plans them: a listed change is rendered (`render`: a text or JSON line) into
    a temporary file at once and the rest only counted, so a plan of millions of changes
    stays small in memory."""

    def __init__(self, render: Callable[[Change], str], only: str | None = None,
                 record: str | None = None, limit: int | None = None) -> None:
        self.render, self.only, self.record, self.limit = render, only, record, limit
        self.planned = 0  # every change planned
        self.stamps = 0  # of which rules-version stamps
        self.listed = 0
        # Read back and closed by lines().
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def add(self, change: Change) -> None:
        self.planned += 1
        self.stamps += is_version_stamp(change)
        if (self.limit is None or self.listed < self.limit) \
                and wanted(change, self.only, self.record):
            self._spool.write(self.render(change) + "\n")
            self.listed += 1

    def lines(self) -> Iterator[str]:
        """The listed changes' lines, in the order planned; the spool closes after."""
        self._spool.seek(0)
        with self._spool:
            for line in self._spool:
                yield line.removesuffix("\n")


def change_json(change: Change) -> dict[str, Any]:
    """One planned change as a JSON object: the record, what, from and to (tasks: key and
    subject)."""
    out: dict[str, Any] = {"record": str(record_of(change))}
    if isinstance(change, SetField | RestoreLedgerValue):
        out.update(change="version_stamp" if is_version_stamp(change) else
                   "set" if isinstance(change, SetField) else "restore",
                   field=change.field, old=change.previous, new=change.value)
    elif isinstance(change, SetBuyingRole | SetLeadStatus):
        found = ledger_value(change)  # the field and value as the CRM's connector spells them
        out.update(change="fill", field=found.field if found else None,
                   old=change.previous_value, new=found.value if found else None)
        if isinstance(change, SetBuyingRole):
            out["role"] = change.role
    elif isinstance(change, SetDealContactRole):
        found = ledger_value(change)
        out.update(change="contact_role", person=str(change.person),
                   new=found.value if found else None, role=change.role)
    elif isinstance(change, UpsertTask):
        out.update(change="create_task", key=change.key,
                   rule=":".join(change.key.split(":")[:2]), subject=change.subject,
                   body=change.body, owner=change.owner_id, due=change.due.isoformat())
    elif isinstance(change, UpdateTask):
        out.update(change="update_task", key=change.key, body=change.body)
    else:
        out.update(change="complete_task", key=change.key, body=change.body)
    return out
