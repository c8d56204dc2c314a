"""Write intent as data. A plan is a list of these; connectors apply them and report
one ChangeResult per change, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from leadpact.enrichment.labels import BuyingRole, Function
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
class SetBuyingRole:
    """Set the CRM's own buying-role field of a person (where the CRM has one) to what
    `role` (refined by `function`) is called there; the connector's vocabulary names the
    field and the value. `role` None clears it. `previous_value` is the field's value as
    read when planned, in the CRM's spelling: carried back untouched (a CRM spells several
    roles alike, so a role could not say which value it was)."""

    person: Ref
    role: BuyingRole | None
    function: Function | None = None
    previous_value: str | None = None


@dataclass(frozen=True, slots=True)
class SetDealContactRole:
    """Fill the role of a person on a deal (the connector knows where the CRM keeps it:
    Salesforce OpportunityContactRole) where it is empty. `role` None clears it;
    `previous_value` as read when planned, in the CRM's spelling (re-checked before the
    write)."""

    deal: Ref
    person: Ref
    role: BuyingRole | None
    role_record_id: str | None = None
    previous_value: str | None = None


@dataclass(frozen=True, slots=True)
class SetLeadStatus:
    """Put a person's lead stage into one opt-in native status field ([native] in
    leadpact.toml). `target` is the config table (e.g. hubspot_lifecyclestage): the
    connector names the field. `value` stays the option the user mapped the stage to in
    leadpact.toml (already the CRM's own value; the forward-only rule needs it), so a
    stage name would only add a second lookup."""

    person: Ref
    target: str
    value: str | None
    previous_value: str | None = None


@dataclass(frozen=True, slots=True)
class RestoreLedgerValue:
    """Put back exactly the value the ledger holds for one of the CRM's own fields: undo
    and a person's overwritten edit. `field` is the ledger's name for it (the connector
    resolves the field it names); value and previous are carried as the ledger has them."""

    ref: Ref
    field: str
    value: str | None
    previous: str | None = None


# The CRM's own fields, in leadpact's terms: each connector's vocabulary
# (connectors/roles.py) says which field and value one means.
NativeChange = SetBuyingRole | SetDealContactRole | SetLeadStatus | RestoreLedgerValue
Change = SetField | UpsertTask | UpdateTask | CloseTask | NativeChange


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change: Change
    ok: bool
    error: str | None = None
    created_id: str | None = None  # id of a task the CRM created



def record_of(change: Change) -> Ref:
    """The record a change is about: a deal for a deal contact's role, the task for a
    task's update or close."""
    if isinstance(change, SetField | RestoreLedgerValue):
        return change.ref
    if isinstance(change, SetBuyingRole | SetLeadStatus):
        return change.person
    if isinstance(change, SetDealContactRole):
        return change.deal
    if isinstance(change, UpsertTask):
        return change.about
    return change.task
