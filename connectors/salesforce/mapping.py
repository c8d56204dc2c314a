"""Salesforce rows <-> leadpact values. Pure: no client, no clock.

Reads: Lead/Contact rows become Persons, Opportunity rows (plus their contact roles) Deals.
Writes: each change becomes one field write on one record; writes to the same record are
merged into one sObject Collections record, remembering which changes it carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from leadpact import fields as leadpact_fields
from leadpact.changes import (
    Change,
    CloseTask,
    NativeChange,
    SetDealContactRole,
    SetField,
    UpdateTask,
    UpsertTask,
)
from leadpact.connectors.salesforce.queries import (
    CONTACT_ACCOUNT,
    FEEDBACK_FIELD,
    KIND_BY_SOBJECT,
    LEAD_STATUS,
    SOBJECT_BY_KIND,
    TASK_KEY_FIELD,
)
from leadpact.field_map import mapped_values
from leadpact.model import (
    ACCOUNT,
    CONTACT,
    DEAL,
    LEAD,
    SALESFORCE,
    TASK,
    Account,
    Activity,
    ContactRole,
    Deal,
    Person,
    RecordKind,
    Ref,
)

Row = Mapping[str, Any]
SUBJECT_MAX = 255  # Task.Subject length in Salesforce
# Task.Description length: a body naming people with huge names or titles (hostile CRM
# values) is cut rather than refused, which would fail the task on every run.
DESCRIPTION_MAX = 32_000


# -- values ---------------------------------------------------------------------------------
def parse_datetime(text: str | None) -> datetime | None:
    """`2026-11-01T10:00:00.000+0000` (or any ISO-8601) as aware UTC."""
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def modified_at(row: Row) -> datetime:
    stamp = parse_datetime(row.get("SystemModstamp"))
    if stamp is None:
        raise ValueError(f"Salesforce row {row.get('Id')} has no SystemModstamp")
    return stamp


def _ref(kind: RecordKind, record_id: str | None) -> Ref | None:
    return Ref(SALESFORCE, kind, record_id) if record_id else None


def leadpact_values(row: Row, kind: str) -> dict[str, str | None]:
    """leadpact's own fields present on the row, by canonical name (empty ones left out)."""
    values: dict[str, str | None] = {}
    for spec in leadpact_fields.fields_for(kind):
        value = leadpact_fields.to_canonical(spec, row.get(spec.salesforce))
        if value is not None:
            values[spec.name] = value
    return values


# -- reads ----------------------------------------------------------------------------------
def to_person(row: Row, activities: Sequence[Activity] = (),
              lead_fields: Mapping[str, str] | None = None,
              account_fields: Mapping[str, str] | None = None) -> Person:
    """A Lead or Contact row (by its attributes.type, else its id prefix), with its recent
    activities (activities.py), newest last. `lead_fields` (canonical name -> Lead field):
    a lead's own firmographics; `account_fields` (-> Account field): a contact's, read
    through its Account relationship in the same row."""
    sobject = _sobject_of(row)
    kind = KIND_BY_SOBJECT[sobject]
    converted = row.get("ConvertedContactId") if row.get("IsConverted") else None
    account = row.get("AccountId") if sobject == "Contact" else row.get("ConvertedAccountId")
    return Person(
        ref=Ref(SALESFORCE, kind, row["Id"]),
        modified_at=modified_at(row),
        email=row.get("Email") or None,
        name=row.get("Name") or "",
        title=row.get("Title") or None,
        account_id=account or None,
        owner_id=row.get("OwnerId") or None,
        converted_to=_ref(CONTACT, converted),
        merged_into=_ref(kind, row.get("MasterRecordId")),
        deleted=bool(row.get("IsDeleted")),
        leadpact=leadpact_values(row, leadpact_fields.PERSON) | feedback_of(row),
        activities=tuple(activities),
        fields=mapped_values(row, lead_fields or {}) if sobject == "Lead"
        else mapped_values(parent_row(row, CONTACT_ACCOUNT), account_fields or {}),
        native={LEAD_STATUS: row[LEAD_STATUS]} if sobject == "Lead" and row.get(LEAD_STATUS)
        else {},
    )


def parent_row(row: Row, relationship: str) -> Row:
    """A parent's fields in a row: nested under the relationship (REST), or as
    `Relationship.Field` columns (Bulk API 2.0 CSV); empty when there is no parent."""
    nested = row.get(relationship)
    if isinstance(nested, Mapping):
        return nested
    prefix = relationship + "."
    return {key[len(prefix):]: value for key, value in row.items() if key.startswith(prefix)}


def feedback_of(row: Row) -> dict[str, str | None]:
    """A rep's sales feedback on the row, under its canonical name (empty: left out)."""
    value = row.get(FEEDBACK_FIELD)
    return {leadpact_fields.SALES_FEEDBACK.name: str(value)} if value else {}


def to_account(row: Row, account_fields: Mapping[str, str]) -> Account:
    """An Account row, its mapped firmographics under canonical names."""
    return Account(ref=Ref(SALESFORCE, ACCOUNT, row["Id"]), modified_at=modified_at(row),
                   name=row.get("Name") or "", owner_id=row.get("OwnerId") or None,
                   fields=mapped_values(row, account_fields),
                   deleted=bool(row.get("IsDeleted")),
                   leadpact=leadpact_values(row, leadpact_fields.ACCOUNT))


def is_person_with_activities(row: Row) -> bool:
    """Live and not converted: a converted lead's activities moved to its contact."""
    return not row.get("IsDeleted") and not row.get("IsConverted")


def last_activity_at(row: Row) -> datetime | None:
    """Opportunity.LastActivityDate is a date: read as the start of that day, UTC."""
    day = parse_date(row.get("LastActivityDate"))
    return datetime.combine(day, time(), UTC) if day else None


def to_contact_role(row: Row) -> ContactRole:
    return ContactRole(person=Ref(SALESFORCE, CONTACT, row["ContactId"]),
                       role=row.get("Role") or None, id=row["Id"],
                       is_primary=bool(row.get("IsPrimary")))


def deal_history(rows: Iterable[Row]) -> tuple[tuple[tuple[datetime, str], ...],
                                               tuple[tuple[datetime, date], ...]]:
    """(stage history, close-date history) from OpportunityHistory rows: each entry where
    the value changed, oldest first."""
    stages: list[tuple[datetime, str]] = []
    closes: list[tuple[datetime, date]] = []
    for row in sorted(rows, key=lambda r: str(r.get("CreatedDate") or "")):
        at = parse_datetime(row.get("CreatedDate"))
        if at is None:
            continue
        stage, close = row.get("StageName"), parse_date(row.get("CloseDate"))
        if stage and (not stages or stages[-1][1] != stage):
            stages.append((at, str(stage)))
        if close is not None and (not closes or closes[-1][1] != close):
            closes.append((at, close))
    return tuple(stages), tuple(closes)


def to_deal(row: Row, roles: Iterable[ContactRole] = (),
            next_activity_at: datetime | None = None, history: Iterable[Row] = ()) -> Deal:
    """An Opportunity row; `next_activity_at` comes from its open activities
    (activities.next_activity_at), None when unknown; `history` its OpportunityHistory."""
    amount = row.get("Amount")
    stages, closes = deal_history(history)
    return Deal(
        ref=Ref(SALESFORCE, DEAL, row["Id"]),
        modified_at=modified_at(row),
        name=row.get("Name") or "",
        stage=row.get("StageName") or "",
        is_closed=bool(row.get("IsClosed")),
        is_won=bool(row.get("IsWon")),
        amount=None if amount is None else float(amount),
        close_date=parse_date(row.get("CloseDate")),
        created_at=parse_datetime(row.get("CreatedDate")),
        owner_id=row.get("OwnerId") or None,
        account_id=row.get("AccountId") or None,
        last_activity_at=last_activity_at(row),
        next_activity_at=next_activity_at,
        # LastStageChangeDate is empty until the stage first changes: then it began at creation.
        stage_entered_at=parse_datetime(row.get("LastStageChangeDate"))
        or parse_datetime(row.get("CreatedDate")),
        close_date_pushes=None if row.get("PushCount") is None else int(row["PushCount"]),
        stage_history=stages, close_date_history=closes,
        contacts=tuple(roles),
        deleted=bool(row.get("IsDeleted")),
        leadpact=leadpact_values(row, leadpact_fields.DEAL),
    )


def _sobject_of(row: Row) -> str:
    sobject = (row.get("attributes") or {}).get("type")
    if sobject:
        return str(sobject)
    return {"00Q": "Lead", "003": "Contact", "006": "Opportunity"}[str(row["Id"])[:3]]


# -- writes ---------------------------------------------------------------------------------
class UnsupportedChange(ValueError):
    """A change the Salesforce connector cannot express; it fails alone."""


@dataclass(frozen=True, slots=True)
class FieldWrite:
    sobject: str
    record_id: str
    field: str
    value: Any


def _salesforce_id(ref: Ref, kinds: Sequence[str]) -> str:
    if ref.system != SALESFORCE:
        raise UnsupportedChange(f"{ref} is not a Salesforce record")
    if ref.kind not in kinds:
        raise UnsupportedChange(f"cannot write to a Salesforce {ref.kind}")
    return ref.id


def field_writes(change: Change) -> list[FieldWrite]:
    """The field writes a non-task-create change makes: one, or for a task completed with
    a note, its status and description."""
    first = field_write(change)
    if isinstance(change, CloseTask) and change.body is not None:
        return [first, FieldWrite("Task", first.record_id, "Description",
                                  change.body[:DESCRIPTION_MAX])]
    return [first]


def field_write(change: Change) -> FieldWrite:
    """The one field write a non-task change makes. SetDealContactRole needs its
    role_record_id resolved first."""
    if isinstance(change, SetField):
        record_id = _salesforce_id(change.ref, (LEAD, CONTACT, DEAL, ACCOUNT))
        spec = leadpact_fields.BY_NAME.get(change.field)
        applies = {DEAL: leadpact_fields.DEAL, ACCOUNT: leadpact_fields.ACCOUNT}.get(
            change.ref.kind, leadpact_fields.PERSON)
        if spec is None or applies not in spec.applies_to:
            raise UnsupportedChange(f"{change.field!r} is not a leadpact field of a "
                                    f"{change.ref.kind}")
        value = leadpact_fields.to_native(spec, change.value, SALESFORCE)
        return FieldWrite(SOBJECT_BY_KIND[change.ref.kind], record_id, spec.salesforce, value)
    if isinstance(change, CloseTask):
        record_id = _salesforce_id(change.task, (TASK,))
        return FieldWrite("Task", record_id, "Status", "Completed")
    if isinstance(change, UpdateTask):
        return FieldWrite("Task", _salesforce_id(change.task, (TASK,)), "Description",
                          change.body[:DESCRIPTION_MAX])
    if isinstance(change, SetDealContactRole) and not change.role_record_id:
        _salesforce_id(change.deal, (DEAL,))
        raise UnsupportedChange(f"no OpportunityContactRole links {change.person} to "
                                f"{change.deal}")
    if isinstance(change, NativeChange):
        return native_write(change)
    raise UnsupportedChange(f"{type(change).__name__} is not a field write")


def native_write(change: NativeChange) -> FieldWrite:
    """A change to one of Salesforce's own fields, resolved by its vocabulary
    (connectors/roles.py): a deal contact's role is its OpportunityContactRole's Role (the
    ledger names it by the role record's id), a lead status is the Lead field of that name."""
    from leadpact.connectors.roles import VOCABULARIES, ledger_value  # gathers this package

    found = ledger_value(change)
    if found is None:
        raise UnsupportedChange(f"Salesforce has no field for {type(change).__name__} "
                                f"({change})")
    role_id = VOCABULARIES[SALESFORCE].contact_role_id(found.field)
    if role_id is not None:
        _salesforce_id(found.ref, (DEAL,))
        return FieldWrite("OpportunityContactRole", role_id, "Role", found.value)
    record_id = _salesforce_id(found.ref, (LEAD, CONTACT, DEAL, TASK))
    return FieldWrite(SOBJECT_BY_KIND[found.ref.kind], record_id, found.field, found.value)


@dataclass(slots=True)
class RecordWrite:
    """One record's merged field writes and the indexes of the changes behind them."""

    sobject: str
    record_id: str
    values: dict[str, Any] = field(default_factory=dict)
    change_indexes: list[int] = field(default_factory=list)

    def collection_record(self) -> dict[str, Any]:
        return {"attributes": {"type": self.sobject}, "Id": self.record_id, **self.values}


def merge_writes(writes: Iterable[tuple[int, FieldWrite]]) -> list[RecordWrite]:
    """Group field writes by record, in order of first appearance; a later write to the same
    field wins."""
    merged: dict[tuple[str, str], RecordWrite] = {}
    for index, write in writes:
        record = merged.setdefault((write.sobject, write.record_id),
                                   RecordWrite(write.sobject, write.record_id))
        record.values[write.field] = write.value
        record.change_indexes.append(index)
    return list(merged.values())


def task_record(change: UpsertTask) -> dict[str, Any]:
    """The Task to create for an UpsertTask (sObject Collections form)."""
    record: dict[str, Any] = {
        "attributes": {"type": "Task"},
        "Subject": change.subject[:SUBJECT_MAX],
        "Description": change.body[:DESCRIPTION_MAX],
        "ActivityDate": change.due.isoformat(),
        "Status": "Not Started",
        "Priority": "Normal",
        TASK_KEY_FIELD: change.key,
    }
    if change.owner_id:
        record["OwnerId"] = change.owner_id
    about = change.about
    _salesforce_id(about, (LEAD, CONTACT, DEAL, ACCOUNT))
    if about.kind in (DEAL, ACCOUNT):
        record["WhatId"] = about.id
        # Salesforce refuses a lead as WhoId next to a WhatId; only a contact goes along.
        person = change.contact
        if person is not None and person.system == SALESFORCE and person.kind == CONTACT:
            record["WhoId"] = person.id
    else:
        record["WhoId"] = about.id
    return record


def save_error(result: Mapping[str, Any]) -> str | None:
    """None for a successful SaveResult, else its errors as one line."""
    if result.get("success"):
        return None
    errors = result.get("errors") or []
    text = "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors)
    return text or "Salesforce did not save the record (no reason given)"
