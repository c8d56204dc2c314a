"""Load a hand-written JSON fixture into the sandbox store (`leadpact sandbox --load FILE`).

The format (FIXTURES.md, end of SCHEMA.md) uses each CRM's own field names. Everything is
checked before it counts: an unknown system, type, field or association, a rendered field,
a bad id or value raises `SandboxInputError` naming the file, the place in the JSON
(`hubspot.contacts[3].properties.emial`) and what is wrong. Loading is one transaction:
a fixture with an error leaves the store as it was.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from leadpact.connectors.sandbox import hubspot_records, hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.connectors.sandbox.hubspot_associations import (
    DEAL_CONTACT_LABELS,
    DEFAULT_TYPE,
    HUBSPOT_TYPES,
    LABEL_TYPES,
    associate_both,
    label_type_id,
)
from leadpact.connectors.sandbox.store import Store

META_KEYS = ("_created", "_modified", "_deleted")
# Rendered from the row's metadata by the fake APIs, so a fixture cannot set them.
_SF_RENDERED = {"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted",
                "MasterRecordId", "attributes"}
_SF_RENDERED_NAME = {"Lead", "Contact"}  # Name = FirstName + " " + LastName
_HS_RENDERED = {"hs_object_id", "createdate", "hs_createdate", "hs_lastmodifieddate",
                "lastmodifieddate"}
_OWNER_FIELDS = ("id", "email", "firstName", "lastName", "userId")
_RESERVE_LIMIT = 100_000  # explicit ids further ahead than this cannot collide in practice


@dataclass(frozen=True, slots=True)
class FixtureSummary:
    source: str
    salesforce: dict[str, int]  # sObject -> records loaded
    hubspot: dict[str, int]  # object type -> records loaded
    associations: int  # association entries loaded (each stored in both directions)


@dataclass(frozen=True, slots=True)
class _Pending:
    system: str
    type: str
    id: str | None
    fields: dict[str, Any]
    created: datetime | None
    modified: datetime | None
    deleted: bool
    path: str


class _Errors:
    def __init__(self, source: str):
        self.source = source

    def __call__(self, path: str, problem: str) -> SandboxInputError:
        where = f" at {path}" if path else ""
        return SandboxInputError(f"fixture {self.source}{where}: {problem}")


def load_fixture(store: Store, source: Path | Mapping[str, Any], *,
                 with_leadpact_fields: bool = True) -> FixtureSummary:
    """Load `source` (a JSON file or an already parsed mapping) into `store`. The org gets
    leadpact's custom fields / properties installed unless `with_leadpact_fields=False`."""
    name, data = _read(source)
    fail = _Errors(name)
    if not isinstance(data, Mapping):
        raise fail("", 'the top level must be an object with "salesforce" and/or "hubspot"')
    for system in data:
        if system not in ("salesforce", "hubspot"):
            raise fail(str(system), f"unknown system {system!r}; use \"salesforce\" or \"hubspot\"")
    with store.bulk() as s:
        salesforce_schema.ensure_schema(s, with_leadpact_fields=with_leadpact_fields)
        hubspot_schema.ensure_schema(s, with_leadpact_properties=with_leadpact_fields)
        pending = _salesforce_records(s, fail, _section(fail, data, "salesforce"))
        hubspot = _section(fail, data, "hubspot")
        pending += _hubspot_records(s, fail, {k: v for k, v in hubspot.items()
                                              if k != "associations"})
        counts = _insert(s, fail, pending)
        associations = _associations(s, fail, hubspot.get("associations", []))
    return FixtureSummary(name, counts["salesforce"], counts["hubspot"], associations)


def _read(source: Path | Mapping[str, Any]) -> tuple[str, Any]:
    if isinstance(source, Mapping):
        return "<mapping>", source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise SandboxInputError(f"fixture {path}: is a folder; give --load the JSON file "
                                "itself") from None
    except OSError as exc:
        raise SandboxInputError(f"fixture {path}: cannot be read ({exc.strerror or exc}); "
                                "check the path given to --load") from exc
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise SandboxInputError(f"fixture {path}: not UTF-8 text (byte {byte:#04x} at offset "
                                f"{exc.start}); save the file as UTF-8") from None
    try:
        return str(path), json.loads(text)
    except json.JSONDecodeError as exc:
        raise SandboxInputError(f"fixture {path} at line {exc.lineno} column {exc.colno}: "
                                f"not valid JSON ({exc.msg})") from exc


def _section(fail: _Errors, data: Mapping[str, Any], system: str) -> Mapping[str, Any]:
    section = data.get(system, {})
    if not isinstance(section, Mapping):
        raise fail(system, "must be an object of record lists keyed by type")
    return section


def _records(fail: _Errors, path: str, items: Any) -> list[Mapping[str, Any]]:
    if not isinstance(items, list):
        raise fail(path, "must be a list of records")
    for i, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            raise fail(f"{path}[{i}]", "each record must be an object")
    return items


def _meta(fail: _Errors, path: str, raw: Mapping[str, Any]
          ) -> tuple[datetime | None, datetime | None, bool]:
    stamps: list[datetime | None] = []
    for key in ("_created", "_modified"):
        value = raw.get(key)
        if value is None:
            stamps.append(None)
            continue
        try:
            stamps.append(salesforce_schema.parse_datetime(value))
        except (TypeError, ValueError, AttributeError):
            raise fail(f"{path}.{key}", f"not an ISO-8601 timestamp: {value!r} "
                       "(e.g. \"2026-11-01T10:00:00Z\")") from None
    created, modified = stamps
    if created and modified and modified < created:
        raise fail(f"{path}._modified", "is before _created")
    deleted = raw.get("_deleted", False)
    if not isinstance(deleted, bool):
        raise fail(f"{path}._deleted", f"must be true or false, not {deleted!r}")
    return created, modified or created, deleted


def _unknown(name: str, what: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown {what} {name!r}; did you mean {close[0]!r}?"
    listed = f"; known: {', '.join(known)}" if len(known) <= 12 else ""
    return f"unknown {what} {name!r}{listed}"


# -- Salesforce -----------------------------------------------------------------------------
def _salesforce_records(store: Store, fail: _Errors, section: Mapping[str, Any]
                        ) -> list[_Pending]:
    pending = []
    for sobject, items in section.items():
        canonical = salesforce_schema.resolve_sobject(str(sobject))
        if canonical is None:
            raise fail(f"salesforce.{sobject}", _unknown(
                str(sobject), "sObject", list(salesforce_schema.SOBJECTS)))
        defs = salesforce_schema.fields_of(store, canonical)
        prefix = salesforce_schema.KEY_PREFIXES[canonical]
        for i, raw in enumerate(_records(fail, f"salesforce.{sobject}", items)):
            path = f"salesforce.{sobject}[{i}]"
            id_ = raw.get("Id")
            if id_ is not None and not (isinstance(id_, str) and len(id_) == 18
                                        and id_.startswith(prefix) and id_.isalnum()):
                raise fail(f"{path}.Id", f"{id_!r} is not an 18-character {canonical} id "
                           f"(prefix {prefix}, e.g. {prefix}000000000042AAA); omit it to "
                           "have one generated")
            fields = {}
            for key, value in raw.items():
                if key in META_KEYS or key == "Id":
                    continue
                if key in _SF_RENDERED or (key == "Name" and canonical in _SF_RENDERED_NAME):
                    raise fail(f"{path}.{key}", f"{key} is rendered by the sandbox and cannot "
                               "be set; use _created / _modified / _deleted for metadata")
                field = defs.get(key)
                if field is None:
                    raise fail(f"{path}.{key}", _unknown(key, f"{canonical} field", list(defs)))
                _check_salesforce_value(fail, f"{path}.{key}", field, value)
                fields[key] = value
            if canonical == "Task" and "IsClosed" not in fields:
                # Salesforce derives it from the status, as the sandbox does on a write.
                fields["IsClosed"] = fields.get("Status") == "Completed"
            created, modified, deleted = _meta(fail, path, raw)
            pending.append(_Pending("salesforce", canonical, id_, fields, created, modified,
                                    deleted, path))
    return pending


def _check_salesforce_value(fail: _Errors, path: str, field: salesforce_schema.FieldDef,
                            value: Any) -> None:
    if value is None:
        return
    kind, ok = field.type, True
    if kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in salesforce_schema.NUMBER_TYPES:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind in ("date", "datetime"):
        try:
            parse = date.fromisoformat if kind == "date" else salesforce_schema.parse_datetime
            parse(value)
        except (TypeError, ValueError, AttributeError):
            ok = False
    else:
        ok = isinstance(value, str)
    if not ok:
        example = {"boolean": "true", "date": '"2026-12-31"',
                   "datetime": '"2026-11-01T10:00:00.000+0000"'}.get(
            kind, "a number" if kind in salesforce_schema.NUMBER_TYPES else "a string")
        raise fail(path, f"{field.name} is a {kind} field; {value!r} is not valid "
                   f"(e.g. {example})")


# -- HubSpot ----------------------------------------------------------------------------------
def _hubspot_records(store: Store, fail: _Errors, section: Mapping[str, Any]) -> list[_Pending]:
    pending = []
    for type_, items in section.items():
        canonical = "owners" if type_ == "owners" else hubspot_schema.object_type(str(type_))
        if canonical is None:
            known = [*hubspot_schema.OBJECT_TYPE_IDS, "owners", "associations"]
            raise fail(f"hubspot.{type_}", _unknown(str(type_), "object type", known))
        known_properties = list(hubspot_schema.properties_by_name(store, canonical))
        for i, raw in enumerate(_records(fail, f"hubspot.{type_}", items)):
            path = f"hubspot.{type_}[{i}]"
            id_ = raw.get("id")
            if id_ is not None:
                if isinstance(id_, bool) or not str(id_).isdigit():
                    raise fail(f"{path}.id", f"{id_!r} is not a HubSpot id (a decimal number "
                               "such as \"101\"); omit it to have one generated")
                id_ = str(id_)
            if canonical == "owners":
                fields = _owner_fields(fail, path, raw)
            else:
                fields = _properties(fail, path, raw, canonical, known_properties)
            created, modified, deleted = _meta(fail, path, raw)
            pending.append(_Pending("hubspot", canonical, id_, fields, created, modified,
                                    deleted, path))
    return pending


def _owner_fields(fail: _Errors, path: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    fields = {}
    for key, value in raw.items():
        if key in META_KEYS or key == "id":
            continue
        if key not in _OWNER_FIELDS:
            raise fail(f"{path}.{key}", _unknown(key, "owner field", list(_OWNER_FIELDS)))
        if value is not None and not isinstance(value, str | int):
            raise fail(f"{path}.{key}", f"must be a string, not {value!r}")
        fields[key] = None if value is None else str(value)
    return fields


def _properties(fail: _Errors, path: str, raw: Mapping[str, Any], type_: str,
                known: list[str]) -> dict[str, Any]:
    tracked = hubspot_schema.HISTORY_PROPERTIES.get(type_, ())
    for key in raw:
        if key == "propertiesWithHistory" and tracked:
            continue
        if key not in ("id", "properties", *META_KEYS):
            hint = " (use _deleted)" if key == "archived" else ""
            extra = " / propertiesWithHistory" if tracked else ""
            raise fail(f"{path}.{key}", f"unexpected key {key!r}{hint}; a HubSpot record has "
                       f"id, properties and optional _created / _modified / _deleted{extra}")
    properties = raw.get("properties", {})
    if not isinstance(properties, Mapping):
        raise fail(f"{path}.properties", "must be an object of property name -> value")
    fields: dict[str, Any] = {}
    for name, value in properties.items():
        where = f"{path}.properties.{name}"
        if name in _HS_RENDERED:
            raise fail(where, f"{name} is rendered by the sandbox and cannot be set; use "
                       "_created / _modified for metadata")
        if name not in known:
            raise fail(where, _unknown(name, f"{type_} property", known))
        if isinstance(value, Mapping | list):
            raise fail(where, f"must be a string (HubSpot values are strings), not {value!r}")
        if isinstance(value, bool):
            value = "true" if value else "false"
        fields[name] = None if value is None else str(value)
    if "propertiesWithHistory" in raw:
        fields[hubspot_records.HISTORY_KEY] = _history(
            fail, f"{path}.propertiesWithHistory", raw["propertiesWithHistory"], tracked)
    return fields


def _history(fail: _Errors, path: str, raw: Any, tracked: Sequence[str]
             ) -> dict[str, list[dict[str, str]]]:
    """HubSpot's own shape ({property: [{value, timestamp, sourceType}, ...]}, newest
    first), stored oldest first as the sandbox keeps it."""
    if not isinstance(raw, Mapping):
        raise fail(path, "must be an object of property name -> list of "
                   "{value, timestamp, sourceType}")
    kept: dict[str, list[dict[str, str]]] = {}
    for name, entries in raw.items():
        where = f"{path}.{name}"
        if name not in tracked:
            raise fail(where, _unknown(str(name), "property with history", list(tracked)))
        if not isinstance(entries, list):
            raise fail(where, "must be a list of {value, timestamp, sourceType}, newest first")
        items = []
        for i, entry in enumerate(entries):
            at = f"{where}[{i}]"
            if not isinstance(entry, Mapping) or "value" not in entry or "timestamp" not in entry:
                raise fail(at, "must be an object with value and timestamp (and sourceType)")
            unknown = set(entry) - {"value", "timestamp", "sourceType", "sourceId",
                                    "sourceLabel", "updatedByUserId"}
            if unknown:
                raise fail(at, f"unexpected key {sorted(unknown)[0]!r}; a history entry has "
                           "value, timestamp, sourceType, sourceId, sourceLabel, "
                           "updatedByUserId")
            try:
                when = salesforce_schema.parse_datetime(str(entry["timestamp"]))
            except (TypeError, ValueError, AttributeError):
                when = None
            if when is None:
                raise fail(f"{at}.timestamp", f"{entry['timestamp']!r} is not an ISO-8601 time "
                           "(e.g. \"2026-11-01T10:00:00.000Z\")")
            items.append((when, {k: str(v) for k, v in entry.items() if v is not None}))
        # Newest first on the wire; an out-of-order list is sorted rather than refused.
        kept[str(name)] = [item for _, item in sorted(items, key=lambda x: x[0])]
    return kept


# -- writing ---------------------------------------------------------------------------------
def _insert(store: Store, fail: _Errors, pending: list[_Pending]) -> dict[str, dict[str, int]]:
    first_use: dict[tuple[str, str, str], str] = {}
    for item in pending:
        if item.id is None:
            continue
        key = (item.system, item.type, item.id)
        if key in first_use:
            raise fail(f"{item.path}.{'Id' if item.system == 'salesforce' else 'id'}",
                       f"id {item.id} is used twice (first at {first_use[key]})")
        if store.get(*key) is not None:
            raise fail(item.path, f"{item.type} {item.id} already exists in the store")
        first_use[key] = item.path
    _reserve_ids(store, pending)
    counts: dict[str, dict[str, int]] = {"salesforce": {}, "hubspot": {}}
    for item in pending:
        id_ = item.id or _new_id(store, item.system, item.type)
        fields = {k: v for k, v in item.fields.items() if v is not None}
        if item.type == "owners":
            fields["id"] = id_
        store.insert(item.system, item.type, id_, fields, created_at=item.created,
                     modified_at=item.modified, deleted=item.deleted)
        by_type = counts[item.system]
        by_type[item.type] = by_type.get(item.type, 0) + 1
    return counts


def _new_id(store: Store, system: str, type_: str) -> str:
    if system == "salesforce":
        return salesforce_schema.new_salesforce_id(store, type_)
    return hubspot_schema.new_hubspot_id(store, type_)


def _number(system: str, id_: str) -> int | None:
    digits = id_[3:15] if system == "salesforce" else id_
    return int(digits) if digits.isdigit() else None


def _reserve_ids(store: Store, pending: list[_Pending]) -> None:
    """Move the id counters past every explicit id, so records the APIs create later (or
    generated ones here) never collide with a fixture's own ids."""
    highest: dict[tuple[str, str], int] = {}
    for item in pending:
        number = _number(item.system, item.id) if item.id else None
        if number is not None:
            key = (item.system, item.type)
            highest[key] = max(highest.get(key, 0), number)
    for (system, type_), number in highest.items():
        for _ in range(_RESERVE_LIMIT):
            if (_number(system, _new_id(store, system, type_)) or 0) >= number:
                break


def _associations(store: Store, fail: _Errors, items: Any) -> int:
    records = _records(fail, "hubspot.associations", items)
    for i, raw in enumerate(records):
        path = f"hubspot.associations[{i}]"
        for key in raw:
            if key not in ("from", "to", "typeId", "label"):
                raise fail(f"{path}.{key}", f"unexpected key {key!r}; an association has "
                           "from, to, typeId and optional label")
        from_type, from_id = _end(store, fail, f"{path}.from", raw.get("from"))
        to_type, to_id = _end(store, fail, f"{path}.to", raw.get("to"))
        type_id, label = raw.get("typeId"), raw.get("label")
        if isinstance(type_id, bool) or not isinstance(type_id, int):
            raise fail(f"{path}.typeId", f"must be a number such as 3, not {type_id!r}")
        ends = HUBSPOT_TYPES.get(type_id) or LABEL_TYPES.get(type_id)
        if ends is None:
            raise fail(f"{path}.typeId", f"unknown association type {type_id}")
        if (ends[0], ends[1]) != (from_type, to_type):
            right = DEFAULT_TYPE.get((from_type, to_type))
            hint = f"; {from_type} -> {to_type} is {right}" if right else ""
            raise fail(f"{path}.typeId", f"type {type_id} links {ends[0]} -> {ends[1]}, not "
                       f"{from_type} -> {to_type}{hint}")
        if label is not None and not isinstance(label, str):
            raise fail(f"{path}.label", f"must be a string or null, not {label!r}")
        labelled = LABEL_TYPES.get(type_id)
        if labelled and label is not None and label.lower() != labelled[3].lower():
            raise fail(f"{path}.label", f"type {type_id} is the label {labelled[3]!r}")
        extra = None
        if label is not None and not labelled:
            try:
                extra = label_type_id(label, from_type)
            except KeyError:
                raise fail(f"{path}.label", f"unknown label {label!r} for {from_type} -> "
                           f"{to_type}; labels: {', '.join(DEAL_CONTACT_LABELS)}") from None
        elif labelled:
            extra = DEFAULT_TYPE[(from_type, to_type)]  # a labelled pair is associated too
        associate_both(store, from_type, from_id, to_type, to_id, type_id)
        if extra is not None:
            associate_both(store, from_type, from_id, to_type, to_id, extra)
    return len(records)


def _end(store: Store, fail: _Errors, path: str, value: Any) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2):
        raise fail(path, f'must be [type, id] such as ["contacts", "101"], not {value!r}')
    type_ = hubspot_schema.object_type(str(value[0]))
    if type_ is None:
        raise fail(path, _unknown(str(value[0]), "object type",
                                  list(hubspot_schema.OBJECT_TYPE_IDS)))
    id_ = str(value[1])
    if store.get("hubspot", type_, id_) is None:
        raise fail(path, f"no {type_} record with id {id_} in this fixture or the store")
    return type_, id_


def without_leadpact_schema(store: Store) -> None:
    """Make the org bare: no leadpact custom fields in Salesforce, no leadpact properties
    (nor their group) in HubSpot; records keep their other fields. `leadpact setup` puts
    them back."""
    with store.bulk() as s:
        salesforce_schema.ensure_schema(s, with_leadpact_fields=False)
        hubspot_schema.ensure_schema(s, with_leadpact_properties=False)
        hubspot_schema.remove_leadpact_schema(s)
