"""The fake HubSpot portal's schema: object types, ids, and property definitions.

Property definitions are HubSpot ModelProperty dicts kept in store meta `hubspot:properties`
(`{type: [ModelProperty, ...]}`), groups in `hubspot:property_groups`. A store that was never
given a schema answers with the built-in definitions (without leadpact's properties), so an
empty sandbox behaves like a fresh portal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from leadpact.connectors.sandbox.package_schema import hubspot_group, hubspot_properties
from leadpact.connectors.sandbox.store import Store, iso, utcnow

PROPERTIES_META = "hubspot:properties"
GROUPS_META = "hubspot:property_groups"

# object type path segment -> HubSpot's object type id (paths accept both, any case)
OBJECT_TYPE_IDS = {
    "contacts": "0-1", "companies": "0-2", "deals": "0-3", "tasks": "0-27",
    "notes": "0-46", "meetings": "0-47", "calls": "0-48", "emails": "0-49",
}
_BY_TYPE_ID = {v: k for k, v in OBJECT_TYPE_IDS.items()}
# readable first ids per type, so an id used with the wrong type stands out in tests
_FIRST_ID = {
    "contacts": 100001, "companies": 200001, "deals": 300001, "tasks": 400001,
    "emails": 500001, "meetings": 600001, "calls": 700001, "notes": 800001, "owners": 90001,
}
MERGEABLE = ("contacts", "companies", "deals")
ENGAGEMENTS = ("tasks", "emails", "meetings", "calls", "notes")

# Properties HubSpot keeps a value history for that leadpact reads (propertiesWithHistory).
HISTORY_PROPERTIES = {"deals": ("closedate", "dealstage")}

# Deal stages of the `default` pipeline: probability, closed, won.
DEAL_STAGES = {
    "appointmentscheduled": ("0.2", False, False),
    "qualifiedtobuy": ("0.4", False, False),
    "presentationscheduled": ("0.6", False, False),
    "decisionmakerboughtin": ("0.8", False, False),
    "contractsent": ("0.9", False, False),
    "closedwon": ("1.0", True, True),
    "closedlost": ("0.0", True, False),
}
BUYING_ROLES = (
    "BLOCKER", "BUDGET_HOLDER", "CHAMPION", "DECISION_MAKER", "END_USER", "EXECUTIVE_SPONSOR",
    "INFLUENCER", "LEGAL_AND_COMPLIANCE", "OTHER",
)

# What HubSpot returns when a read names no properties.
DEFAULT_PROPERTIES = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate",
                 "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": ("amount", "closedate", "createdate", "dealname", "dealstage",
              "hs_lastmodifieddate", "hs_object_id", "pipeline"),
}
ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

# Free-text `query` in search looks at these.
SEARCHABLE = {
    "contacts": ("firstname", "lastname", "email", "company"),
    "companies": ("name", "domain"),
    "deals": ("dealname",),
    "tasks": ("hs_task_subject",),
}

_MAIN_GROUP = {
    "contacts": "contactinformation", "companies": "companyinformation",
    "deals": "dealinformation", "tasks": "task", "emails": "email", "meetings": "meeting",
    "calls": "call", "notes": "note",
}


def object_type(name: str) -> str | None:
    """The canonical path segment for a type name or id in any case; None if unknown."""
    lowered = name.lower()
    if lowered in OBJECT_TYPE_IDS:
        return lowered
    return _BY_TYPE_ID.get(lowered)


def new_hubspot_id(store: Store, type_: str) -> str:
    """A fresh decimal id for one object type (the seed uses this too)."""
    return str(store.next_number(f"hubspot:{type_}", start=_FIRST_ID.get(type_, 1)))


def modified_property(type_: str) -> str:
    return "lastmodifieddate" if type_ == "contacts" else "hs_lastmodifieddate"


def created_property(type_: str) -> str:
    return "hs_createdate" if type_ in ENGAGEMENTS else "createdate"


# -- property definitions ----------------------------------------------------------------
def _options(values: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"label": v.replace("_", " ").capitalize(), "value": v, "hidden": False,
             "displayOrder": i} for i, v in enumerate(values)]


def model_property(
    type_: str, body: dict[str, Any], hubspot_defined: bool, read_only: bool = False,
    external_options: bool = False, now: datetime | None = None,
) -> dict[str, Any]:
    """A complete ModelProperty dict from a PropertyCreate-like body, created `now` (the
    store's clock; the real time for HubSpot's own built-in definitions)."""
    stamp = iso(now or utcnow()).replace("+00:00", "Z")
    options = [{"label": o["label"], "value": o["value"], "hidden": bool(o.get("hidden")),
                "displayOrder": o.get("displayOrder", i)}
               for i, o in enumerate(body.get("options") or [])]
    return {
        "name": body["name"], "label": body["label"], "type": body["type"],
        "fieldType": body["fieldType"], "groupName": body.get("groupName") or _MAIN_GROUP[type_],
        "description": body.get("description") or "", "options": options,
        "displayOrder": body.get("displayOrder", -1), "hidden": bool(body.get("hidden")),
        "formField": bool(body.get("formField")), "calculated": read_only,
        "externalOptions": external_options, "hasUniqueValue": bool(body.get("hasUniqueValue")),
        "hubspotDefined": hubspot_defined, "archived": False,
        "createdAt": stamp, "updatedAt": stamp,
        "modificationMetadata": {"archivable": not hubspot_defined,
                                 "readOnlyDefinition": hubspot_defined,
                                 "readOnlyValue": read_only},
    }


def _builtin(type_: str, name: str, kind: str = "text", options: tuple[str, ...] = (),
             read_only: bool = False, external: bool = False) -> dict[str, Any]:
    type_and_field = {
        "text": ("string", "text"), "textarea": ("string", "textarea"),
        "number": ("number", "number"), "datetime": ("datetime", "date"),
        "bool": ("bool", "booleancheckbox"), "select": ("enumeration", "select"),
        "radio": ("enumeration", "radio"), "checkbox": ("enumeration", "checkbox"),
    }[kind]
    label = name.replace("hs_", "").replace("_", " ").capitalize()
    body = {"name": name, "label": label, "type": type_and_field[0],
            "fieldType": type_and_field[1], "options": _options(options)}
    return model_property(type_, body, hubspot_defined=True, read_only=read_only,
                          external_options=external)


def _common(type_: str) -> list[tuple[str, str, tuple[str, ...], bool, bool]]:
    specs: list[tuple[str, str, tuple[str, ...], bool, bool]] = [
        ("hs_object_id", "number", (), True, False),
        ("hs_createdate", "datetime", (), True, False),
        ("hs_lastmodifieddate", "datetime", (), True, False),
        ("hubspot_owner_id", "select", (), False, True),
    ]
    if type_ not in ENGAGEMENTS:
        specs.append(("createdate", "datetime", (), True, False))
    if type_ in MERGEABLE:
        specs.append(("hs_merged_object_ids", "text", (), True, False))
    return specs


_ACTIVITY = ("notes_last_updated", "notes_last_contacted", "notes_next_activity_date")
_TYPE_SPECS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "contacts": [
        ("email", "text", ()), ("firstname", "text", ()), ("lastname", "text", ()),
        ("jobtitle", "text", ()), ("company", "text", ()),
        ("lifecyclestage", "radio", ("subscriber", "lead", "marketingqualifiedlead",
                                     "salesqualifiedlead", "opportunity", "customer",
                                     "evangelist", "other")),
        ("hs_lead_status", "radio", ("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                                     "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING")),
        ("hs_buying_role", "checkbox", BUYING_ROLES),
        ("salesforcecontactid", "text", ()), ("salesforceleadid", "text", ()),
        ("num_conversion_events", "number", ()), ("recent_conversion_event_name", "text", ()),
        ("recent_conversion_date", "datetime", ()), ("hs_sales_email_last_replied", "datetime", ()),
        ("hs_email_last_open_date", "datetime", ()),
        # marketing email and web analytics, which HubSpot maintains (read-only)
        ("hs_email_last_click_date", "datetime", ()), ("hs_email_last_email_name", "text", ()),
        ("hs_email_open", "number", ()), ("hs_email_click", "number", ()),
        ("hs_analytics_num_page_views", "number", ()), ("hs_analytics_num_visits", "number", ()),
        ("hs_analytics_last_visit_timestamp", "datetime", ()),
        ("hs_analytics_last_url", "text", ()),
        *[(name, "datetime", ()) for name in _ACTIVITY],
    ],
    "companies": [
        ("name", "text", ()), ("domain", "text", ()), ("industry", "text", ()),
        ("numberofemployees", "number", ()), ("country", "text", ()),
        ("salesforceaccountid", "text", ()),
    ],
    "deals": [
        ("dealname", "text", ()), ("pipeline", "select", ("default",)),
        ("dealstage", "radio", tuple(DEAL_STAGES)), ("amount", "number", ()),
        ("closedate", "datetime", ()), ("hs_is_closed", "bool", ()),
        ("hs_is_closed_won", "bool", ()), ("hs_deal_stage_probability", "number", ()),
        ("salesforceopportunityid", "text", ()), ("hs_sales_email_last_replied", "datetime", ()),
        *[(name, "datetime", ()) for name in _ACTIVITY],
    ],
    "tasks": [
        ("hs_timestamp", "datetime", ()), ("hs_task_subject", "text", ()),
        ("hs_task_body", "textarea", ()),
        ("hs_task_status", "select", ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED",
                                      "DEFERRED")),
        ("hs_task_priority", "select", ("NONE", "LOW", "MEDIUM", "HIGH")),
        ("hs_task_type", "select", ("EMAIL", "CALL", "TODO")),
        ("hs_task_reminders", "text", ()),
    ],
    "emails": [
        ("hs_timestamp", "datetime", ()), ("hs_email_subject", "text", ()),
        ("hs_email_text", "textarea", ()),
        ("hs_email_direction", "select", ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")),
    ],
    "meetings": [
        ("hs_timestamp", "datetime", ()), ("hs_meeting_title", "text", ()),
        ("hs_meeting_body", "textarea", ()),
        ("hs_meeting_outcome", "select", ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW",
                                          "CANCELED")),
    ],
    "calls": [
        ("hs_timestamp", "datetime", ()), ("hs_call_title", "text", ()),
        ("hs_call_body", "textarea", ()), ("hs_call_direction", "select", ("INBOUND", "OUTBOUND")),
    ],
    "notes": [("hs_timestamp", "datetime", ()), ("hs_note_body", "textarea", ())],
}
_READ_ONLY = {"hs_is_closed", "hs_is_closed_won"}
_CONTACT_ONLY = {"lastmodifieddate": "datetime"}


def builtin_properties() -> dict[str, list[dict[str, Any]]]:
    """Every built-in property definition, per object type."""
    result: dict[str, list[dict[str, Any]]] = {}
    for type_, specs in _TYPE_SPECS.items():
        defs = [_builtin(type_, n, k, o, ro, ext) for n, k, o, ro, ext in _common(type_)]
        defs += [_builtin(type_, n, k, o, read_only=n in _READ_ONLY) for n, k, o in specs]
        if type_ == "contacts":
            defs += [_builtin(type_, n, k, read_only=True) for n, k in _CONTACT_ONLY.items()]
        result[type_] = defs
    return result


def builtin_groups() -> dict[str, list[dict[str, Any]]]:
    return {t: [{"name": g, "label": g.capitalize(), "displayOrder": 0, "archived": False}]
            for t, g in _MAIN_GROUP.items()}


# -- persistence -------------------------------------------------------------------------
def load_properties(store: Store) -> dict[str, list[dict[str, Any]]]:
    raw = store.get_meta(PROPERTIES_META)
    return json.loads(raw) if raw else builtin_properties()


def save_properties(store: Store, properties: dict[str, list[dict[str, Any]]]) -> None:
    store.set_meta(PROPERTIES_META, json.dumps(properties))


def load_groups(store: Store) -> dict[str, list[dict[str, Any]]]:
    raw = store.get_meta(GROUPS_META)
    return json.loads(raw) if raw else builtin_groups()


def save_groups(store: Store, groups: dict[str, list[dict[str, Any]]]) -> None:
    store.set_meta(GROUPS_META, json.dumps(groups))


def properties_by_name(store: Store, type_: str) -> Mapping[str, dict[str, Any]]:
    """Read-only view of one type's property definitions (asked for on every render:
    parsed once per version of the stored definitions)."""
    return _properties_by_name(store.get_meta(PROPERTIES_META) or "", type_)


@lru_cache(maxsize=32)
def _properties_by_name(raw: str, type_: str) -> Mapping[str, dict[str, Any]]:
    properties = json.loads(raw) if raw else builtin_properties()
    return MappingProxyType({p["name"]: p for p in properties.get(type_, [])})


def _merge(current: list[dict[str, Any]], extra: list[dict[str, Any]], replace: bool) -> None:
    index = {p["name"]: i for i, p in enumerate(current)}
    for prop in extra:
        if prop["name"] not in index:
            index[prop["name"]] = len(current)
            current.append(prop)
        elif replace:
            current[index[prop["name"]]] = prop


def ensure_schema(store: Store, with_leadpact_properties: bool = True) -> None:
    """Record the built-in properties (and, optionally, every leadpact_* property in group
    `leadpact`, as if leadpact's properties were installed). Keeps properties created
    through the API; safe to call again."""
    properties = load_properties(store)
    groups = load_groups(store)
    for type_, defs in builtin_properties().items():
        _merge(properties.setdefault(type_, []), defs, replace=True)
    for type_, defs in builtin_groups().items():
        _merge(groups.setdefault(type_, []), defs, replace=False)
    if with_leadpact_properties:
        for type_, bodies in hubspot_properties().items():
            _merge(groups.setdefault(type_, []), [{"name": hubspot_group(), "label": "leadpact",
                                                   "displayOrder": 99, "archived": False}],
                   replace=False)
            defs = [model_property(type_, body, hubspot_defined=False, now=store.now())
                    for body in bodies]
            _merge(properties.setdefault(type_, []), defs, replace=False)
    save_properties(store, properties)
    save_groups(store, groups)


def remove_leadpact_schema(store: Store) -> None:
    """A portal as before leadpact: no `leadpact` group and no property in it."""
    properties = load_properties(store)
    groups = load_groups(store)
    for type_ in properties:
        properties[type_] = [p for p in properties[type_] if p.get("groupName") != hubspot_group()]
    for type_ in groups:
        groups[type_] = [g for g in groups[type_] if g.get("name") != hubspot_group()]
    save_properties(store, properties)
    save_groups(store, groups)
