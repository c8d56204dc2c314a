"""What `leadpact plan` shows of its changes: filtered, as text lines or JSON objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, slots=True)
class ShownChanges:
    """Which planned changes to list: `plan --only/--record/--limit`."""

    only: str | None = None
    record: str | None = None
    limit: int | None = None

    def select(self, changes: Sequence[Change]) -> list[Change]:
        found = [c for c in changes if wanted(c, self.only, self.record)]
        return found if self.limit is None else found[:self.limit]


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
