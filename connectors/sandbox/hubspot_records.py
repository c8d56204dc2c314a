"""Fake HubSpot records: rendering store rows as wire objects, and validated writes.

System properties (hs_object_id, createdate, hs_lastmodifieddate ...) come from the row's
metadata (SCHEMA.md). Property history is kept in the row's fields under the private key
`_history` (`{property: [{value, timestamp, sourceType[, sourceId, sourceLabel,
updatedByUserId]}, ...]}`, oldest first): every API write adds a version naming its source
(actors.py). Keys starting with `_` are never rendered as properties.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.connectors.sandbox import actors
from leadpact.connectors.sandbox.hubspot_associations import associate_both, target_type
from leadpact.connectors.sandbox.hubspot_errors import ApiError
from leadpact.connectors.sandbox.hubspot_schema import (
    DEAL_STAGES,
    DEFAULT_PROPERTIES,
    ENGAGEMENT_DEFAULTS,
    ENGAGEMENTS,
    HISTORY_PROPERTIES,
    created_property,
    modified_property,
    new_hubspot_id,
    properties_by_name,
)
from leadpact.connectors.sandbox.store import Row, Store, iso

HISTORY_KEY = "_history"
_CREATED_KEY = "_created"  # not stored: the row's creation time, handed to _derived


def wire_time(when: datetime) -> str:
    return iso(when).replace("+00:00", "Z")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def all_properties(type_: str, row: Row) -> dict[str, str | None]:
    """Every property value of a row: the stored ones plus those rendered from metadata."""
    props = {k: _text(v) for k, v in row.fields.items() if not k.startswith("_")}
    created, modified = wire_time(row.created_at), wire_time(row.modified_at)
    props.update(hs_object_id=row.id, hs_createdate=created, hs_lastmodifieddate=modified)
    if type_ not in ENGAGEMENTS:
        props["createdate"] = created
    if type_ == "contacts":
        props["lastmodifieddate"] = modified
    if type_ == "deals":
        # HubSpot keeps when a deal entered its stage; the sandbox derives it from the
        # stage history it records (a deal never moved entered its stage when created).
        stages = (row.fields.get(HISTORY_KEY) or {}).get("dealstage") or []
        props["hs_v2_date_entered_current_stage"] = (stages[-1]["timestamp"] if stages
                                                     else created)
    return props


def _always(type_: str) -> tuple[str, ...]:
    return ("hs_object_id", created_property(type_), modified_property(type_))


def _history(type_: str, row: Row, name: str) -> list[dict[str, Any]]:
    kept = (row.fields.get(HISTORY_KEY) or {}).get(name)
    if kept:
        return [dict(entry) for entry in reversed(kept)]  # HubSpot lists newest first
    value = all_properties(type_, row).get(name)
    if value is None:
        return []
    # No change recorded: the value is as old as the record (a later write to another
    # property does not make it newer, as the record's modification time would).
    return [{"value": value, "timestamp": wire_time(row.created_at), "sourceType": "CRM_UI"}]


def render(
    type_: str, row: Row, names: Sequence[str] | None, with_history: Sequence[str] = (),
    known: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One SimplePublicObject. `names` None: HubSpot's default properties; otherwise the
    named ones that exist (null when empty) plus id and timestamps."""
    everything = all_properties(type_, row)
    if names is None:
        wanted: list[str] = list(DEFAULT_PROPERTIES.get(type_, ENGAGEMENT_DEFAULTS))
    else:
        defined = known if known is not None else everything
        wanted = list(_always(type_)) + [n for n in names if n in defined or n in everything]
    obj: dict[str, Any] = {
        "id": row.id, "properties": {name: everything.get(name) for name in dict.fromkeys(wanted)},
        "createdAt": wire_time(row.created_at), "updatedAt": wire_time(row.modified_at),
        "archived": row.deleted,
    }
    if row.deleted:
        obj["archivedAt"] = wire_time(row.modified_at)
    if with_history:
        obj["propertiesWithHistory"] = {n: _history(type_, row, n) for n in with_history}
    return obj


# -- validation -----------------------------------------------------------------------------
def _invalid(name: str, error: str, message: str) -> dict[str, Any]:
    return {"isValid": False, "message": message, "error": error, "name": name,
            "localizedErrorMessage": message}


def _as_instant(value: Any) -> datetime | None:
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _normalise(
    definition: Mapping[str, Any], value: Any,
) -> tuple[str | None, dict[str, Any] | None]:
    """(stored value, None) or (None, problem) for one property write."""
    name, kind = definition["name"], definition["type"]
    if value is None or value == "":
        return None, None  # HubSpot clears a property written as "" or null
    if definition.get("modificationMetadata", {}).get("readOnlyValue"):
        return None, _invalid(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only')
    text = _text(value) or ""
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return None, _invalid(name, "INVALID_DECIMAL", f"{text} is not a valid number")
        whole = isinstance(value, float) and number.is_integer()
        return (str(int(number)) if whole else text), None
    if kind in ("datetime", "date"):
        instant = _as_instant(text)
        if instant is None:
            return None, _invalid(name, "INVALID_DATE", f"{text} is not a valid date/time")
        return (wire_time(instant) if kind == "datetime" else instant.date().isoformat()), None
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            return None, _invalid(name, "INVALID_BOOLEAN", f"{text} is not a valid boolean")
        return text.lower(), None
    if kind == "enumeration" and not definition.get("externalOptions"):
        allowed = {o["value"] for o in definition.get("options", [])}
        chosen = [part for part in text.split(";") if part != ""]
        if definition.get("fieldType") != "checkbox" and len(chosen) > 1:
            chosen = [text]
        bad = [part for part in chosen if part not in allowed]
        if bad:
            return None, _invalid(name, "INVALID_OPTION",
                                  f"{bad[0]} was not one of the allowed options: "
                                  f"{sorted(allowed)}")
        return ";".join(chosen), None
    return text, None


def validate(store: Store, type_: str, values: Any) -> dict[str, str | None]:
    """Writable, normalised values; 400 VALIDATION_ERROR naming every bad property."""
    if not isinstance(values, Mapping):
        raise ApiError(400, "Invalid input JSON: `properties` must be an object")
    definitions = properties_by_name(store, type_)
    result: dict[str, str | None] = {}
    problems = []
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            problems.append(_invalid(name, "PROPERTY_DOESNT_EXIST",
                                     f'Property "{name}" does not exist'))
            continue
        stored, problem = _normalise(definition, value)
        if problem:
            problems.append(problem)
        else:
            result[name] = stored
    if problems:
        raise ApiError(400, "Property values were not valid: " + json.dumps(problems),
                       errors=[{"message": p["message"], "code": p["error"],
                                "context": {"propertyName": [p["name"]]}} for p in problems])
    return result


def _derived(type_: str, before: Mapping[str, Any], changes: dict[str, Any], when: datetime
             ) -> dict[str, Any]:
    """What HubSpot computes on write: stage flags and the property history."""
    written = [n for n in changes if changes[n] != before.get(n)]
    if type_ == "deals" and changes.get("dealstage") in DEAL_STAGES:
        probability, closed, won = DEAL_STAGES[changes["dealstage"]]
        changes.update(hs_deal_stage_probability=probability,
                       hs_is_closed="true" if closed else "false",
                       hs_is_closed_won="true" if won else "false")
    if written:
        changes[HISTORY_KEY] = _with_versions(type_, before, changes, written, when)
    return changes


def _with_versions(type_: str, before: Mapping[str, Any], changes: Mapping[str, Any],
                   written: Sequence[str], when: datetime) -> dict[str, list[dict[str, Any]]]:
    """The history with one version per written property, stamped with who wrote it
    (actors.py). Stage and close date keep only set values, as the stale signals read
    them; other properties also record a clear (""), and their first recorded change
    keeps the value they had before (dated by the record's creation)."""
    history = {k: list(v) for k, v in (before.get(HISTORY_KEY) or {}).items()}
    source = actors.hubspot_source()
    tracked = HISTORY_PROPERTIES.get(type_, ())
    created = before.get(_CREATED_KEY)
    for name in written:
        value = changes[name]
        if name in tracked and value is None:
            continue
        versions = history.setdefault(name, [])
        old = before.get(name)
        if not versions and name not in tracked and old not in (None, "") and created:
            versions.append({"value": _text(old), "timestamp": created, "sourceType": "CRM_UI"})
        versions.append({"value": "" if value is None else _text(value),
                         "timestamp": wire_time(when), **source})
    return history


def check_unique(store: Store, type_: str, values: Mapping[str, Any],
                 own_id: str | None = None) -> None:
    """A property with hasUniqueValue refuses a value another record already holds: 409
    CONFLICT naming the holder, in the shape HubSpot uses for an existing contact's email."""
    for name, definition in properties_by_name(store, type_).items():
        value = values.get(name)
        if not definition.get("hasUniqueValue") or not value:
            continue
        holder = find(store, type_, str(value), name, follow_merges=False)
        if holder is not None and not holder.deleted and holder.id != own_id:
            raise ApiError(409, f"A {type_[:-1]} with {name} {value!r} already exists. "
                           f"Existing ID: {holder.id}", "CONFLICT")


def create(store: Store, type_: str, body: Any) -> Row:
    """A new record from {properties, associations}; associations stored both ways."""
    body = body if isinstance(body, Mapping) else {}
    values = validate(store, type_, body.get("properties") or {})
    check_unique(store, type_, values)
    links = []
    for item in body.get("associations") or []:
        to_id = str((item.get("to") or {}).get("id"))
        for spec in item.get("types") or []:
            type_id = int(spec.get("associationTypeId"))
            to_type = target_type(type_id, type_)
            target = store.get("hubspot", to_type, to_id) if to_type else None
            if to_type is None or target is None or target.deleted:
                raise ApiError(400, f"Association {type_id} to object {to_id} is not valid for "
                               f"{type_}.", context={"id": [to_id]})
            links.append((to_type, to_id, type_id))
    now = store.now()
    fields = _derived(type_, {}, {k: v for k, v in values.items() if v is not None}, now)
    row = store.insert("hubspot", type_, new_hubspot_id(store, type_), fields, now, now)
    for to_type, to_id, type_id in links:
        associate_both(store, type_, row.id, to_type, to_id, type_id)
    return row


def update(store: Store, type_: str, row: Row, properties: Any) -> Row:
    values = validate(store, type_, properties)
    check_unique(store, type_, values, row.id)
    before = {**row.fields, _CREATED_KEY: wire_time(row.created_at)}
    changes = _derived(type_, before, dict(values), store.now())
    updated = store.update("hubspot", type_, row.id, changes)
    assert updated is not None  # the caller found the row alive
    return updated


def find(store: Store, type_: str, id_: str, id_property: str | None = None,
         follow_merges: bool = True) -> Row | None:
    """A record by id (or by a unique property's value); a merged-away id leads to the
    survivor, the way HubSpot answers reads of merged records."""
    if id_property and id_property != "hs_object_id":
        definition = properties_by_name(store, type_).get(id_property) or {}
        if not definition.get("hasUniqueValue") and (type_, id_property) != ("contacts",
                                                                             "email"):
            raise ApiError(400, f"{id_property} is not a unique identifier property of "
                           f"{type_}: idProperty must name a property with unique values")
        wanted = id_.casefold()
        plain = id_.isascii() and id_property.isascii() and id_property.isidentifier()
        rows = (store.holding("hubspot", type_, id_property, id_) if plain
                else store.scan("hubspot", type_))
        for row in rows:
            if str(row.fields.get(id_property) or "").casefold() == wanted:
                return row
        return None
    found = store.get("hubspot", type_, id_)
    seen = set()
    while follow_merges and found is not None and found.deleted and found.merged_into \
            and found.id not in seen:
        seen.add(found.id)
        found = store.get("hubspot", type_, found.merged_into)
    return found


def numeric(id_: str) -> int:
    """HubSpot ids are decimal; anything else sorts first."""
    return int(id_) if id_.isdigit() else 0
