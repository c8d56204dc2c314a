"""HubSpot properties <-> leadpact's model. Pure: values in, values out.

HubSpot sends every property value as a string (or null); datetimes as ISO-8601, sometimes
as epoch milliseconds; booleans as "true"/"false"; multi-select values `;`-separated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from leadpact import crm_schema, fields
from leadpact.changes import NativeChange, SetField, UpsertTask
from leadpact.connectors import native_fields
from leadpact.field_map import mapped_values
from leadpact.model import (
    ACCOUNT,
    CONTACT,
    DEAL,
    HUBSPOT,
    LEAD,
    SALESFORCE,
    TASK,
    Account,
    Activity,
    ContactRole,
    Deal,
    Person,
    Ref,
)

Properties = Mapping[str, "str | None"]

LEADPACT_GROUP = "leadpact"
TASK_KEY_PROPERTY = "leadpact_task_key"
OBJECT_TYPES = {CONTACT: "contacts", DEAL: "deals", TASK: "tasks", ACCOUNT: "companies"}

# Association type ids (hubspot/crm/association_type.py).
TASK_TO_CONTACT = 204
TASK_TO_DEAL = 216
TASK_TO_COMPANY = 192
DEAL_TO_PRIMARY_COMPANY = 5
CONTACT_TO_PRIMARY_COMPANY = 1

_PERSON_FIELDS = fields.fields_for(fields.PERSON)
NATIVE_CONTACT = native_fields.PERSON_FIELDS[HUBSPOT]  # what [native] may map stages onto
_DEAL_FIELDS = fields.fields_for(fields.DEAL)
ACCOUNT_FIELDS = fields.fields_for(fields.ACCOUNT)

CONTACT_PROPERTIES: tuple[str, ...] = (
    "email", "firstname", "lastname", "jobtitle", "hubspot_owner_id", "hs_buying_role",
    "salesforcecontactid", "salesforceleadid", "createdate", "lastmodifieddate",
    "hs_merged_object_ids", "recent_conversion_event_name", "recent_conversion_date",
    # marketing touches (marketing.py): counters and the latest of each
    "num_conversion_events", "hs_email_open", "hs_email_click", "hs_email_last_open_date",
    "hs_email_last_click_date", "hs_email_last_email_name", "hs_analytics_num_page_views",
    "hs_analytics_num_visits", "hs_analytics_last_visit_timestamp", "hs_analytics_last_url",
    *NATIVE_CONTACT, *(f.hubspot for f in _PERSON_FIELDS), fields.SALES_FEEDBACK.hubspot,
)
DEAL_PROPERTIES: tuple[str, ...] = (
    "dealname", "dealstage", "pipeline", "hs_is_closed", "hs_is_closed_won", "amount",
    "closedate", "hubspot_owner_id", "createdate", "hs_lastmodifieddate", "notes_last_updated",
    "hs_v2_date_entered_current_stage",
    "notes_next_activity_date", *(f.hubspot for f in _DEAL_FIELDS),
)
DEAL_HISTORY_PROPERTIES = ("dealstage", "closedate")  # read with propertiesWithHistory
_CLOSED_STAGES = {"closedwon": True, "closedlost": False}  # default pipeline: stage -> won


# -- reading -----------------------------------------------------------------------------
def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 datetime, a date, or epoch milliseconds, as aware UTC; None if empty."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def to_ms(when: datetime) -> int:
    """Epoch milliseconds, exactly (no float rounding)."""
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _date(value: str | None) -> date | None:
    parsed = parse_time(value)
    return parsed.date() if parsed else None


def _bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).lower() == "true"


def _amount(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _text(value: str | None) -> str | None:
    return None if value is None or value == "" else str(value)


def _leadpact(specs: Sequence[fields.FieldSpec], props: Properties) -> dict[str, str | None]:
    values = {spec.name: fields.to_canonical(spec, props.get(spec.hubspot)) for spec in specs}
    return {name: value for name, value in values.items() if value is not None}


def to_person(
    id_: str, props: Properties, *, modified_at: datetime, account_id: str | None = None,
    deleted: bool = False, merged_into: str | None = None, activities: Sequence[Activity] = (),
    firmographics: Mapping[str, str | None] | None = None,
) -> Person:
    """A contact; `activities` (activities.py) are its recent touches, newest last;
    `firmographics` those of its primary company (canonical names), for its fit."""
    linked = tuple(
        Ref(SALESFORCE, kind, str(props[name]))
        for name, kind in (("salesforcecontactid", CONTACT), ("salesforceleadid", LEAD))
        if _text(props.get(name))
    )
    name = " ".join(p for p in (_text(props.get("firstname")), _text(props.get("lastname"))) if p)
    return Person(
        ref=Ref(HUBSPOT, CONTACT, id_), modified_at=modified_at,
        email=_text(props.get("email")), name=name, title=_text(props.get("jobtitle")),
        account_id=account_id, owner_id=_text(props.get("hubspot_owner_id")),
        buying_role=_text(props.get("hs_buying_role")), linked=linked,
        merged_into=Ref(HUBSPOT, CONTACT, merged_into) if merged_into else None,
        deleted=deleted, leadpact=_leadpact((*_PERSON_FIELDS, fields.SALES_FEEDBACK), props),
        activities=tuple(activities),
        native=native_values(props), fields=dict(firmographics or {}),
    )


def native_values(props: Properties) -> dict[str, str | None]:
    """The contact's lifecycle stage and lead status, empty ones left out."""
    return {name: value for name in NATIVE_CONTACT if (value := _text(props.get(name)))}


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return parse_time(None if value is None else str(value))


def deal_history(history: Mapping[str, Sequence[tuple[Any, str]]]
                 ) -> tuple[tuple[tuple[datetime, str], ...], tuple[tuple[datetime, date], ...]]:
    """(stage history, close-date history), oldest first, from propertiesWithHistory read
    as {property: [(timestamp, value), ...]}; each entry where the value changed."""
    stages: list[tuple[datetime, str]] = []
    closes: list[tuple[datetime, date]] = []
    for stamp, value in sorted(history.get("dealstage", ()), key=lambda e: str(e[0])):
        at = _when(stamp)
        if at is not None and value and (not stages or stages[-1][1] != value):
            stages.append((at, str(value)))
    for stamp, value in history.get("closedate", ()):
        at, day = _when(stamp), _date(value)
        if at is not None and day is not None and (not closes or closes[-1][1] != day):
            closes.append((at, day))
    return tuple(sorted(stages)), tuple(sorted(closes))


def to_deal(
    id_: str, props: Properties, *, modified_at: datetime, contacts: tuple[ContactRole, ...] = (),
    account_id: str | None = None, deleted: bool = False,
    history: Mapping[str, Sequence[tuple[Any, str]]] | None = None,
) -> Deal:
    """A deal. HubSpot computes notes_next_activity_date from the deal's upcoming
    activities, so an open deal without one has nothing scheduled: it then gets a time in the
    past (its last activity, else its creation), which the staleness rule reads as "nothing
    scheduled" (None would mean "unknown")."""
    stage = _text(props.get("dealstage")) or ""
    stages, closes = deal_history(history or {})
    is_closed = _bool(props.get("hs_is_closed"))
    is_won = _bool(props.get("hs_is_closed_won"))
    closed = is_closed if is_closed is not None else stage in _CLOSED_STAGES
    last_activity = parse_time(props.get("notes_last_updated"))
    created = parse_time(props.get("createdate"))
    next_activity = parse_time(props.get("notes_next_activity_date"))
    if next_activity is None and not closed and not deleted:
        next_activity = last_activity or created
    return Deal(
        ref=Ref(HUBSPOT, DEAL, id_), modified_at=modified_at,
        name=_text(props.get("dealname")) or "", stage=stage,
        is_closed=closed,
        is_won=is_won if is_won is not None else _CLOSED_STAGES.get(stage, False),
        amount=_amount(props.get("amount")), close_date=_date(props.get("closedate")),
        created_at=created,
        owner_id=_text(props.get("hubspot_owner_id")), account_id=account_id,
        last_activity_at=last_activity, next_activity_at=next_activity,
        stage_entered_at=parse_time(props.get("hs_v2_date_entered_current_stage")) or created,
        close_date_pushes=sum(1 for (_, a), (_, b) in zip(closes, closes[1:], strict=False)
                              if b > a) if closes else None,
        stage_history=stages, close_date_history=closes,
        contacts=contacts, deleted=deleted, leadpact=_leadpact(_DEAL_FIELDS, props),
    )


COMPANY_PROPERTIES = ("name", "hubspot_owner_id", "hs_lastmodifieddate",
                      *(spec.hubspot for spec in ACCOUNT_FIELDS))


def to_account(id_: str, props: Properties, *, modified_at: datetime,
               company_fields: Mapping[str, str]) -> Account:
    """A company, its mapped firmographics under canonical names."""
    return Account(ref=Ref(HUBSPOT, ACCOUNT, id_), modified_at=modified_at,
                   name=_text(props.get("name")) or "",
                   owner_id=_text(props.get("hubspot_owner_id")),
                   fields=mapped_values(props, company_fields),
                   leadpact=_leadpact(ACCOUNT_FIELDS, props))


@dataclass(frozen=True, slots=True)
class AssociationType:
    category: str
    type_id: int
    label: str | None = None


def contact_roles(
    associated: Sequence[tuple[str, Sequence[AssociationType]]],
) -> tuple[ContactRole, ...]:
    """Contacts on a deal; the role is the first USER_DEFINED association label, if any."""
    roles = []
    for to_id, types in associated:
        labels = [t.label for t in types if t.category == "USER_DEFINED" and t.label]
        roles.append(ContactRole(Ref(HUBSPOT, CONTACT, str(to_id)), labels[0] if labels else None))
    return tuple(roles)


def primary_company(
    associated: Sequence[tuple[str, Sequence[AssociationType]]], primary_type_id: int,
) -> str | None:
    """The company marked primary, else the first one associated."""
    for to_id, types in associated:
        if any(t.type_id == primary_type_id for t in types):
            return str(to_id)
    return str(associated[0][0]) if associated else None


def merged_ids(props: Properties) -> list[str]:
    raw = props.get("hs_merged_object_ids") or ""
    return [part.strip() for part in str(raw).split(";") if part.strip()]


# -- writing -----------------------------------------------------------------------------
class NotWritable(ValueError):
    """A change that cannot be expressed as a HubSpot write (message says why)."""


def object_type(ref: Ref) -> str:
    if ref.system != HUBSPOT:
        raise NotWritable(f"{ref} is not a HubSpot record")
    try:
        return OBJECT_TYPES[ref.kind]
    except KeyError:
        raise NotWritable(f"HubSpot has no {ref.kind!r} records ({ref})") from None


def property_value(change: SetField | NativeChange) -> tuple[str, str]:
    """(HubSpot property, value to send). An empty string clears a HubSpot property. A
    CRM-own change (buying role, lead status, a value put back) is resolved by HubSpot's
    vocabulary (connectors/roles.py), whose ledger names are the property names."""
    if not isinstance(change, SetField):
        # imported here: connectors/roles.py gathers this package's vocabulary
        from leadpact.connectors.roles import ledger_value

        found = ledger_value(change)
        if found is None:
            raise NotWritable(f"HubSpot has no field for {type(change).__name__} "
                              f"({change})")
        return found.field, "" if found.value is None else found.value
    spec = fields.BY_NAME.get(change.field)
    if spec is None:
        raise NotWritable(f"unknown leadpact field {change.field!r}")
    kind = {CONTACT: fields.PERSON, DEAL: fields.DEAL,
            ACCOUNT: fields.ACCOUNT}.get(change.ref.kind)
    if kind is None or kind not in spec.applies_to:
        raise NotWritable(f"leadpact field {change.field!r} does not apply to a {change.ref.kind}")
    return spec.hubspot, str(fields.to_native(spec, change.value, HUBSPOT))


def task_properties(change: UpsertTask) -> dict[str, str]:
    """The new task: due at midnight UTC of the due date, open, a to-do."""
    due = datetime.combine(change.due, time(0, 0), tzinfo=UTC)
    props = {
        "hs_timestamp": due.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "hs_task_subject": change.subject, "hs_task_body": change.body,
        "hs_task_status": "NOT_STARTED", "hs_task_priority": "MEDIUM", "hs_task_type": "TODO",
        TASK_KEY_PROPERTY: change.key,
    }
    if change.owner_id:
        props["hubspot_owner_id"] = change.owner_id
    return props


def task_associations(change: UpsertTask) -> list[dict[str, Any]]:
    """task -> deal (216), company (192) and/or contact (204), as the create body's
    `associations`."""
    if change.about.system != HUBSPOT:
        raise NotWritable(f"{change.about} is not a HubSpot record")
    targets: list[tuple[str, int]] = []
    for ref in (change.about, change.contact):
        if ref is None or ref.system != HUBSPOT:
            continue
        type_id = {DEAL: TASK_TO_DEAL, CONTACT: TASK_TO_CONTACT,
                   ACCOUNT: TASK_TO_COMPANY}.get(ref.kind)
        if type_id is None:
            raise NotWritable(f"HubSpot tasks attach to contacts, deals and companies, not "
                              f"{ref.kind!r}")
        if (ref.id, type_id) not in targets:
            targets.append((ref.id, type_id))
    return [{"to": {"id": id_}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                          "associationTypeId": type_id}]}
            for id_, type_id in targets]


def leadpact_properties() -> dict[str, list[dict[str, Any]]]:
    """PropertyCreate bodies for every property leadpact writes, per object type."""
    return crm_schema.hubspot_properties()
