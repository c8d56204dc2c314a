"""The fake Salesforce org's schema: which sObjects and fields exist, their types, and how a
stored row is rendered on the wire (see SCHEMA.md).

Standard fields are fixed here; custom fields live in store meta `salesforce:custom_fields`
so a test or the seed can build an org with or without leadpact's fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from leadpact.connectors.sandbox.package_schema import salesforce_custom_fields
from leadpact.connectors.sandbox.store import Row, Store

CUSTOM_FIELDS_META = "salesforce:custom_fields"
CUSTOM_FIELD_DEFS_META = "salesforce:custom_field_defs"  # Metadata of Tooling-created fields
TASK_KEY_FIELD = "Leadpact_Task_Key__c"

KEY_PREFIXES: dict[str, str] = {
    "User": "005", "Account": "001", "Lead": "00Q", "Contact": "003", "Opportunity": "006",
    "OpportunityContactRole": "00K", "OpportunityHistory": "008", "Task": "00T", "Event": "00U",
    "Campaign": "701", "CampaignMember": "00v",
    "PermissionSet": "0PS", "FieldPermissions": "01k", "PermissionSetAssignment": "0Pa",
    # field history: all four share Salesforce's key prefix 017 (see field_history.py)
    "LeadHistory": "017", "ContactHistory": "017", "OpportunityFieldHistory": "017",
    "AccountHistory": "017",
}
# sObject -> (its field history sObject, that one's parent id field)
FIELD_HISTORY = {"Lead": ("LeadHistory", "LeadId"), "Contact": ("ContactHistory", "ContactId"),
                 "Opportunity": ("OpportunityFieldHistory", "OpportunityId"),
                 "Account": ("AccountHistory", "AccountId")}
READ_ONLY_SOBJECTS = frozenset({"OpportunityHistory", *(h for h, _ in FIELD_HISTORY.values())})
SOBJECT_BY_PREFIX = {prefix: name for name, prefix in KEY_PREFIXES.items()
                     if prefix != "017"}  # history rows are never referenced

# Field kinds the SOQL evaluator and the write validation care about.
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})
STRING_TYPES = frozenset(
    {"id", "string", "email", "url", "textarea", "picklist", "reference", "combobox", "phone"}
)


# System permissions `leadpact setup` needs, as PermissionSet (and Profile) fields name them
SYSTEM_PERMISSIONS = {
    "PermissionsCustomizeApplication": "Customize Application",
    "PermissionsManageProfilesPermissionsets": "Manage Profiles and Permission Sets",
    "PermissionsAssignPermissionSets": "Assign Permission Sets",
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    type: str  # Salesforce describe type: string, picklist, reference, datetime, date, ...
    label: str
    updateable: bool = True
    createable: bool = True
    custom: bool = False
    length: int = 0  # max length for text types (0: not a text type)
    reference_to: tuple[str, ...] = ()
    picklist: tuple[str, ...] = ()
    required: bool = False  # must be given on create
    external_id: bool = False  # an External ID: upserts may match on it (also Unique here)

    @property
    def kind(self) -> str:
        """datetime | date | boolean | number | string: what SOQL compares it as."""
        if self.type in ("datetime", "date", "boolean"):
            return self.type
        return "number" if self.type in NUMBER_TYPES else "string"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type, "label": self.label,
            "updateable": self.updateable, "createable": self.createable,
            "custom": self.custom, "nillable": not self.required and self.type != "boolean",
            "length": self.length, "referenceTo": list(self.reference_to),
            "externalId": self.external_id, "unique": self.external_id,
            "picklistValues": [
                {"value": v, "label": v, "active": True, "defaultValue": False}
                for v in self.picklist
            ],
        }


def _text(name: str, label: str = "", length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, kw.pop("type", "string"), label or name, length=length, **kw)


def _ref(name: str, *to: str, **kw: Any) -> FieldDef:
    return FieldDef(name, "reference", name, length=18, reference_to=to, **kw)


def _pick(name: str, values: Iterable[str], **kw: Any) -> FieldDef:
    return FieldDef(name, "picklist", name, length=255, picklist=tuple(values), **kw)


def _readonly(field: FieldDef) -> FieldDef:
    return FieldDef(field.name, field.type, field.label, False, False, field.custom,
                    field.length, field.reference_to, field.picklist)


# StageName -> (Probability, IsClosed, IsWon), as the demo org's sales process defines it.
STAGES: dict[str, tuple[int, bool, bool]] = {
    "Prospecting": (10, False, False), "Qualification": (20, False, False),
    "Needs Analysis": (30, False, False), "Value Proposition": (40, False, False),
    "Id. Decision Makers": (50, False, False), "Perception Analysis": (60, False, False),
    "Proposal/Price Quote": (70, False, False), "Negotiation/Review": (90, False, False),
    "Closed Won": (100, True, True), "Closed Lost": (0, True, False),
}
CONTACT_ROLES = ("Business User", "Decision Maker", "Economic Buyer", "Economic Decision Maker",
                 "Evaluator", "Executive Sponsor", "Influencer", "Technical Buyer", "Other")
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else",
                 "Deferred")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                 "Closed - Not Converted")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
# Campaign.Type as a new org ships it, plus the demo org's own "Content Syndication"
# (orgs add their own values).
CAMPAIGN_TYPES = ("Advertisement", "Banner Ads", "Conference", "Direct Mail", "Email",
                  "Partners", "Public Relations", "Referral Program", "Telemarketing",
                  "Trade Show", "Webinar", "Other", "Content Syndication")

_NAME = _readonly(_text("Name", "Full Name"))
_OWNER = _ref("OwnerId", "User")
_STANDARD: dict[str, tuple[FieldDef, ...]] = {
    "User": (_NAME, _text("FirstName"), _text("LastName", required=True),
             _text("Email", type="email"), FieldDef("IsActive", "boolean", "Active")),
    "Account": (_text("Name", required=True), _pick("Industry", ()),
                FieldDef("NumberOfEmployees", "int", "Employees"),
                _text("Website", type="url"), _text("BillingCountry"), _OWNER),
    "Lead": (_NAME, _text("FirstName"), _text("LastName", required=True),
             _text("Email", type="email"), _text("Title"), _text("Company", required=True),
             _pick("Status", LEAD_STATUSES), _pick("LeadSource", LEAD_SOURCES), _OWNER,
             _pick("Industry", ()), FieldDef("NumberOfEmployees", "int", "Employees"),
             _text("Country", length=80),
             _readonly(FieldDef("IsConverted", "boolean", "Converted")),
             _readonly(_ref("ConvertedContactId", "Contact")),
             _readonly(_ref("ConvertedAccountId", "Account")),
             _readonly(_ref("ConvertedOpportunityId", "Opportunity")),
             _readonly(FieldDef("ConvertedDate", "date", "Converted Date"))),
    "Contact": (_NAME, _text("FirstName"), _text("LastName", required=True),
                _text("Email", type="email"), _text("Title"), _ref("AccountId", "Account"),
                _OWNER, _pick("LeadSource", LEAD_SOURCES)),
    "Opportunity": (_text("Name", length=120, required=True), _ref("AccountId", "Account"),
                    _OWNER, _pick("StageName", STAGES, required=True),
                    FieldDef("Amount", "currency", "Amount"),
                    FieldDef("CloseDate", "date", "Close Date", required=True),
                    _readonly(FieldDef("IsClosed", "boolean", "Closed")),
                    _readonly(FieldDef("IsWon", "boolean", "Won")),
                    FieldDef("Probability", "percent", "Probability (%)"),
                    _pick("ForecastCategoryName", ("Pipeline", "Best Case", "Commit",
                                                   "Closed", "Omitted")),
                    _readonly(FieldDef("LastActivityDate", "date", "Last Activity")),
                    _text("NextStep"), _readonly(FieldDef("PushCount", "int", "Push Count")),
                    _readonly(FieldDef("LastStageChangeDate", "datetime", "Last Stage Change"))),
    "OpportunityContactRole": (
        _ref("OpportunityId", "Opportunity", updateable=False, required=True),
        _ref("ContactId", "Contact", required=True), _pick("Role", CONTACT_ROLES),
        FieldDef("IsPrimary", "boolean", "Primary")),
    "OpportunityHistory": tuple(_readonly(f) for f in (
        _ref("OpportunityId", "Opportunity"), _pick("StageName", STAGES),
        FieldDef("Amount", "currency", "Amount"), FieldDef("CloseDate", "date", "Close Date"),
        FieldDef("PrevCloseDate", "date", "Previous Close Date"),
        FieldDef("Probability", "percent", "Probability (%)"))),
    **{history: tuple(_readonly(f) for f in (
        _ref(parent_id, sobject), _text("Field"), _text("DataType"),
        FieldDef("OldValue", "anyType", "Old Value"), FieldDef("NewValue", "anyType", "New Value"),
        _ref("CreatedById", "User"))) for sobject, (history, parent_id) in FIELD_HISTORY.items()},
    "Task": (_ref("WhoId", "Contact", "Lead"), _ref("WhatId", "Opportunity", "Account"),
             _OWNER, _text("Subject", type="combobox"), _pick("Status", TASK_STATUSES),
             _pick("Priority", ("High", "Normal", "Low")),
             FieldDef("ActivityDate", "date", "Due Date Only"),
             _text("Description", length=32000, type="textarea"),
             _readonly(FieldDef("IsClosed", "boolean", "Closed")),
             _pick("TaskSubtype", ("Task", "Email", "Call"), updateable=False),
             _pick("Type", ("Call", "Email", "Meeting", "Other")),
             _pick("CallType", ("Inbound", "Internal", "Outbound")),
             _text("CallDisposition", "Call Result")),
    "Event": (_ref("WhoId", "Contact", "Lead"), _ref("WhatId", "Opportunity", "Account"),
              _OWNER, _text("Subject", type="combobox"), _pick("Type", ("Meeting", "Call")),
              FieldDef("StartDateTime", "datetime", "Start"),
              FieldDef("EndDateTime", "datetime", "End"),
              FieldDef("ActivityDate", "date", "Due Date Only")),
    "Campaign": (_text("Name", length=80, required=True), _pick("Type", CAMPAIGN_TYPES),
                 _pick("Status", ("Planned", "In Progress", "Completed", "Aborted")),
                 FieldDef("StartDate", "date", "Start Date"),
                 FieldDef("EndDate", "date", "End Date"),
                 FieldDef("IsActive", "boolean", "Active"), _OWNER),
    # HasResponded follows the member Status (its CampaignMemberStatus says so), and
    # FirstRespondedDate is set by Salesforce when it first does: both read-only.
    "CampaignMember": (_ref("CampaignId", "Campaign", updateable=False, required=True),
                       _ref("LeadId", "Lead", updateable=False),
                       _ref("ContactId", "Contact", updateable=False),
                       _pick("Status", ("Sent", "Responded", "Registered", "Attended",
                                        "Downloaded")),
                       _readonly(FieldDef("HasResponded", "boolean", "Responded")),
                       _readonly(FieldDef("FirstRespondedDate", "date",
                                          "First Responded Date"))),
    # field-level security (api-notes: FieldPermissions.Field is "<sObject>.<field>")
    "PermissionSet": (_text("Name", "Name", length=80, required=True),
                      _text("Label", "Label", length=80, required=True),
                      _text("Description", length=255),
                      FieldDef("IsOwnedByProfile", "boolean", "Is Owned by Profile",
                               updateable=False, createable=False),
                      *(FieldDef(name, "boolean", label)
                        for name, label in SYSTEM_PERMISSIONS.items())),
    "FieldPermissions": (_ref("ParentId", "PermissionSet", updateable=False, required=True),
                         _text("SobjectType", required=True, updateable=False),
                         _text("Field", required=True, updateable=False),
                         FieldDef("PermissionsRead", "boolean", "Read Access"),
                         FieldDef("PermissionsEdit", "boolean", "Edit Access")),
    "PermissionSetAssignment": (
        _ref("AssigneeId", "User", updateable=False, required=True),
        _ref("PermissionSetId", "PermissionSet", updateable=False, required=True)),
}
_MERGEABLE = frozenset({"Lead", "Contact", "Account"})  # these carry MasterRecordId
SOBJECTS = tuple(_STANDARD)


def _system_fields(sobject: str) -> tuple[FieldDef, ...]:
    system = [
        _readonly(FieldDef("Id", "id", f"{sobject} ID", length=18)),
        _readonly(FieldDef("CreatedDate", "datetime", "Created Date")),
        _readonly(FieldDef("LastModifiedDate", "datetime", "Last Modified Date")),
        _readonly(FieldDef("SystemModstamp", "datetime", "System Modstamp")),
        _readonly(FieldDef("IsDeleted", "boolean", "Deleted")),
    ]
    if sobject in _MERGEABLE:
        system.append(_readonly(_ref("MasterRecordId", sobject)))
    return tuple(system)


# -- custom fields --------------------------------------------------------------------------
def leadpact_custom_fields() -> dict[str, list[str]]:
    """The custom fields leadpact's package adds, per sObject."""
    return {sobject: [f["name"] for f in defs]
            for sobject, defs in salesforce_custom_fields().items()}


def custom_fields(store: Store) -> dict[str, list[str]]:
    """{sObject: [custom field, ...]} as the org has them. A store that never recorded its
    custom fields is an org with leadpact installed (the demo's default)."""
    raw = store.get_meta(CUSTOM_FIELDS_META)
    return leadpact_custom_fields() if raw is None else json.loads(raw)


def set_custom_fields(store: Store, by_sobject: Mapping[str, Iterable[str]]) -> None:
    store.set_meta(CUSTOM_FIELDS_META,
                   json.dumps({k: sorted(set(v)) for k, v in sorted(by_sobject.items())}))


def ensure_schema(store: Store, with_leadpact_fields: bool = True) -> None:
    """Record the org's custom fields in store meta: with leadpact's fields added, or (False)
    with them removed, keeping any other custom field already recorded."""
    raw = store.get_meta(CUSTOM_FIELDS_META)
    current: dict[str, list[str]] = json.loads(raw) if raw else {}
    ours = leadpact_custom_fields()
    result: dict[str, set[str]] = {k: set(v) for k, v in current.items()}
    for sobject, names in ours.items():
        existing = result.setdefault(sobject, set())
        if with_leadpact_fields:
            existing.update(names)
        else:
            existing.difference_update(names)
    set_custom_fields(store, result)


def custom_field_defs(store: Store) -> dict[str, dict[str, Any]]:
    """{"<sObject>.<field>": Metadata} of the custom fields created through the Tooling API."""
    raw = store.get_meta(CUSTOM_FIELD_DEFS_META)
    return json.loads(raw) if raw else {}


def add_custom_field(store: Store, sobject: str, name: str, metadata: Mapping[str, Any]) -> None:
    """Record a field created through the Tooling API (its definition and its existence)."""
    defs = custom_field_defs(store)
    defs[f"{sobject}.{name}"] = dict(metadata)
    store.set_meta(CUSTOM_FIELD_DEFS_META, json.dumps(defs, sort_keys=True))
    current = custom_fields(store)
    set_custom_fields(store, {**current, sobject: [*current.get(sobject, []), name]})


def set_custom_field_metadata(store: Store, sobject: str, name: str,
                              metadata: Mapping[str, Any]) -> None:
    """Replace the definition of an existing custom field (a Tooling API PATCH)."""
    defs = custom_field_defs(store)
    defs[f"{sobject}.{name}"] = dict(metadata)
    store.set_meta(CUSTOM_FIELD_DEFS_META, json.dumps(defs, sort_keys=True))


API_USER_META = "salesforce:api_user"  # the User the API token belongs to (oauth2/userinfo)
API_PROFILE_META = "salesforce:api_user_profile_set"  # its profile's own PermissionSet


def api_user_id(store: Store) -> str:
    """The API user's id; the User record is made on first use, with its profile's own
    permission set (IsOwnedByProfile, as every Salesforce profile has one) assigned to it
    and granting every system permission in SYSTEM_PERMISSIONS: an administrator."""
    found = store.get_meta(API_USER_META)
    if found:
        return found
    user_id = new_salesforce_id(store, "User")
    store.insert("salesforce", "User", user_id, {
        "FirstName": "leadpact", "LastName": "Integration",
        "Email": "integration@sandbox.invalid", "IsActive": True})
    profile_set = new_salesforce_id(store, "PermissionSet")
    store.insert("salesforce", "PermissionSet", profile_set, {
        "Name": "X00e000000000001AAA", "Label": "System Administrator",
        "IsOwnedByProfile": True, **{name: True for name in SYSTEM_PERMISSIONS}})
    store.insert("salesforce", "PermissionSetAssignment",
                 new_salesforce_id(store, "PermissionSetAssignment"),
                 {"AssigneeId": user_id, "PermissionSetId": profile_set})
    store.set_meta(API_USER_META, user_id)
    store.set_meta(API_PROFILE_META, profile_set)
    return user_id


def revoke_api_user_permissions(store: Store, *names: str) -> None:
    """Take system permissions away from the API user's profile (tests of `setup`)."""
    api_user_id(store)
    profile_set = str(store.get_meta(API_PROFILE_META))
    store.update("salesforce", "PermissionSet", profile_set, {name: False for name in names})


def _field_access(store: Store) -> tuple[set[str], set[str]]:
    """("<sObject>.<field>" readable, … editable) as the permission sets assigned to the API
    user grant them (see SCHEMA.md)."""
    user = store.get_meta(API_USER_META)
    assigned = {str(r.fields.get("PermissionSetId"))
                for r in store.scan("salesforce", "PermissionSetAssignment")
                if user and r.fields.get("AssigneeId") == user and not r.deleted}
    rows = [r.fields for r in store.scan("salesforce", "FieldPermissions")
            if not r.deleted and r.fields.get("ParentId") in assigned]
    readable = {str(f.get("Field")) for f in rows
                if f.get("PermissionsRead") or f.get("PermissionsEdit")}
    return readable, {str(f.get("Field")) for f in rows if f.get("PermissionsEdit")}


def _from_metadata(name: str, meta: Mapping[str, Any], editable: bool) -> FieldDef:
    label = str(meta.get("label") or name)
    kind = meta.get("type")
    if kind == "Number":
        return FieldDef(name, "double", label, editable, editable, True)
    if kind == "Picklist":
        values = [v.get("fullName") for v in
                  meta.get("valueSet", {}).get("valueSetDefinition", {}).get("value", [])]
        return FieldDef(name, "picklist", label, editable, editable, True, 255,
                        picklist=tuple(str(v) for v in values))
    if kind == "Checkbox":
        return FieldDef(name, "boolean", label, editable, editable, True)
    type_ = "textarea" if kind == "LongTextArea" else "string"
    return FieldDef(name, type_, label, editable, editable, True, int(meta.get("length", 255)),
                    external_id=bool(meta.get("externalId")) and bool(meta.get("unique")))


def _custom_def(sobject: str, name: str) -> FieldDef:
    spec = next((f for f in salesforce_custom_fields().get(sobject, []) if f["name"] == name),
                None)
    if spec is None:
        return _text(name, name, custom=True)
    if spec["kind"] == "number":
        return FieldDef(name, "double", spec["label"], custom=True)
    if spec["kind"] == "picklist":  # sales feedback: a restricted picklist reps set
        return FieldDef(name, "picklist", spec["label"], custom=True, length=255,
                        picklist=tuple(spec.get("values") or ()))
    if spec["kind"] == "long_text":
        return _text(name, spec["label"], length=32768, type="textarea", custom=True)
    return _text(name, spec["label"], custom=True, external_id=bool(spec.get("external_id")))


def fields_of(store: Store, sobject: str) -> dict[str, FieldDef]:
    """Every field of an sObject in this org, by its exact name."""
    defs = [*_system_fields(sobject), *_STANDARD[sobject]]
    created = custom_field_defs(store)
    readable, editable = _field_access(store) if created else (set(), set())
    for name in custom_fields(store).get(sobject, []):
        full_name = f"{sobject}.{name}"
        meta = created.get(full_name)
        if meta is None:
            defs.append(_custom_def(sobject, name))
        elif full_name in readable:  # a new field without field-level security is hidden
            defs.append(_from_metadata(name, meta, full_name in editable))
    return {f.name: f for f in defs}


def resolve_sobject(name: str) -> str | None:
    """The sObject's exact name (API names are case-insensitive), None if unknown."""
    return next((s for s in SOBJECTS if s.lower() == name.lower()), None)


# -- ids ------------------------------------------------------------------------------------
def new_salesforce_id(store: Store, sobject: str) -> str:
    """`<key prefix><12-digit counter>AAA`, e.g. 003000000000042AAA."""
    number = store.next_number(f"salesforce:{sobject}")
    return f"{KEY_PREFIXES[sobject]}{number:012d}AAA"


def sobject_of_id(record_id: str) -> str | None:
    return SOBJECT_BY_PREFIX.get(record_id[:3]) if len(record_id) in (15, 18) else None


# -- values ---------------------------------------------------------------------------------
def render_datetime(ts: datetime) -> str:
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """Salesforce (`.000+0000`) or ISO-8601 text; naive values are taken as UTC."""
    text = text.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # +0000 -> +00:00
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def typed_value(field: FieldDef, raw: Any) -> Any:
    """A stored value as Python: datetime / date objects for those types, else as stored."""
    if raw is None:
        return None
    if field.type == "datetime" and isinstance(raw, str):
        return parse_datetime(raw)
    if field.type == "date" and isinstance(raw, str):
        return date.fromisoformat(raw[:10])
    return raw


def wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return render_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def typed_record(store: Store, row: Row, defs: Mapping[str, FieldDef] | None = None
                 ) -> dict[str, Any]:
    """Every field of a stored row as Python values, system fields from the row metadata."""
    defs = defs or fields_of(store, row.type)
    record = {name: typed_value(f, row.fields.get(name)) for name, f in defs.items()}
    record.update(Id=row.id, CreatedDate=row.created_at, LastModifiedDate=row.modified_at,
                  SystemModstamp=row.modified_at, IsDeleted=row.deleted)
    if "MasterRecordId" in defs:
        record["MasterRecordId"] = row.merged_into
    if "Name" in defs and not defs["Name"].updateable:  # Lead, Contact, User: rendered
        parts = (row.fields.get("FirstName"), row.fields.get("LastName"))
        record["Name"] = " ".join(p for p in parts if p)
    for name, f in defs.items():  # booleans are never null on the wire
        if f.type == "boolean" and record[name] is None:
            record[name] = False
    return record
