"""Write intent as data. A plan is a list of these; connectors apply them and report
one ChangeResult per change, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from leadpact.model import Ref


@dataclass(frozen=True, slots=True)
class SetField:
    """Set one leadpact field (canonical name, see leadpact.fields) on a person or deal.
    `value` None clears it. `previous` is what the record held when planned."""

    ref: Ref
    field: str
    value: str | None
    previous: str | None = None


@dataclass(frozen=True, slots=True)
class SetNativeField:
    """Fill one of the CRM's own fields (e.g. HubSpot hs_buying_role) by its native name."""

    ref: Ref
    field: str
    value: str | None
    previous: str | None = None


@dataclass(frozen=True, slots=True)
class UpsertTask:
    """Create the task for `key` about `about` (a deal or person), assigned to `owner_id`.
    `key` is stable per (record, rule, period), so a retry never makes a second task."""

    about: Ref
    key: str
    subject: str
    body: str
    owner_id: str | None
    due: date
    contact: Ref | None = None  # the person it concerns, if any (HubSpot association)


@dataclass(frozen=True, slots=True)
class UpdateTask:
    """Rewrite the description of an open task leadpact created: its reasons changed."""

    task: Ref
    key: str
    body: str


@dataclass(frozen=True, slots=True)
class CloseTask:
    """Mark a task leadpact created as completed: its condition has cleared. `body`, when
    given, replaces the description (ours, with a note saying why it closed)."""

    task: Ref
    key: str
    body: str | None = None


@dataclass(frozen=True, slots=True)
class SetContactRole:
    """Fill the role of a person on a deal (Salesforce OpportunityContactRole.Role,
    HubSpot deal-contact association label) where it is empty."""

    deal: Ref
    person: Ref
    role: str | None  # None clears it (only an undo does that)
    role_record_id: str | None = None
    previous: str | None = None  # the role as read when planned (re-checked before the write)


Change = SetField | SetNativeField | UpsertTask | UpdateTask | CloseTask | SetContactRole


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change: Change
    ok: bool
    error: str | None = None
    created_id: str | None = None  # id of a task the CRM created

