"""Who else keeps setting a property leadpact writes, from HubSpot's property history
(`propertiesWithHistory=<property>` on a record read: versions newest first, each with
value, timestamp, sourceType, sourceId, sourceLabel, updatedByUserId), and HubSpot owners'
names by owner id (`GET /crm/v3/owners`, paged).

Choosing the version and describing its source are pure; the reads take the connector's
api objects and Caller, so they go through its retries and errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from leadpact.changes import SetField
from leadpact.connectors.hubspot.client import Caller, HubSpotApis
from leadpact.connectors.hubspot.mapping import parse_time
from leadpact.connectors.hubspot.reader import HISTORY_BATCH
from leadpact.connectors.overwritten import (
    FieldWrite,
    Overwritten,
    Transition,
    find_overwritten,
    transitions_from_versions,
)
from leadpact.fields import BY_NAME, to_canonical
from leadpact.model import ACCOUNT, CONTACT, DEAL, HUBSPOT, Ref

OBJECT_TYPES = {CONTACT: "contacts", DEAL: "deals", ACCOUNT: "companies"}
OWNERS_PAGE = 500  # the owners API's page cap


def property_name(field: str) -> str | None:
    """The HubSpot property behind a ledger field: leadpact's own (leadpact_<name>) or a
    native property leadpact writes (e.g. hs_buying_role); None for other keys."""
    spec = BY_NAME.get(field)
    if spec is not None:
        return spec.hubspot
    return field if field.isidentifier() and field.islower() else None


def newest_other(versions: Iterable[Any], field: str, ours: str | None) -> Any | None:
    """The newest version whose value is not leadpact's."""
    spec = BY_NAME.get(field)

    def newest_first(version: Any) -> datetime:
        return version.timestamp or datetime.min

    for version in sorted(versions, key=newest_first, reverse=True):
        raw = version.value
        value = to_canonical(spec, raw) if spec else (None if raw in (None, "") else str(raw))
        if value != ours:
            return version
    return None


def describe_source(source_type: str | None, source_id: str | None, label: str | None,
                    user_id: int | None) -> str | None:
    """A version's source in words: "workflow 12345", "integration Zapier",
    "user 678 (CRM_UI)"; None when HubSpot gave nothing to go on."""
    kind = (source_type or "").upper()
    if kind in ("WORKFLOW", "AUTOMATION_PLATFORM"):
        if source_id and label:
            return f"workflow {source_id} ({label})"
        return f"workflow {source_id or label}" if (source_id or label) else "a workflow"
    if kind == "INTEGRATION":
        return f"integration {label or source_id}" if (label or source_id) else "an integration"
    if user_id:
        return f"user {user_id} ({kind or 'unknown source'})"
    named = label or source_id
    if kind and named:
        return f"{named} ({kind})"
    return kind or named or None


def who_changed(apis: HubSpotApis, call: Caller, timeout: float, record: Ref, field: str,
                ours: str | None) -> str | None:
    """Who last set `field` of `record` to a value other than `ours`; None when HubSpot's
    history does not say (one read of the record with that property's history)."""
    object_type, name = OBJECT_TYPES.get(record.kind), property_name(field)
    if object_type is None or name is None:
        return None
    obj = call(f"reading the history of {name}", partial(
        apis.objects.get_by_id, object_type, record.id, properties=[name],
        properties_with_history=[name], archived=False, _request_timeout=timeout))
    versions = (obj.properties_with_history or {}).get(name) or []
    found = newest_other(versions, field, ours)
    if found is None:
        return None
    return describe_source(found.source_type, found.source_id, found.source_label,
                           found.updated_by_user_id)


def owner_name(owner: Any) -> str | None:
    full = " ".join(p for p in (owner.first_name, owner.last_name) if p)
    return full or owner.email or None


def owner_names(apis: HubSpotApis, call: Caller, timeout: float, ids: Sequence[str]
                ) -> dict[str, str]:
    """{owner id: name} for the wanted ids: active owners first, then archived ones (a
    deactivated user still owns old deals) only while some are not found."""
    wanted: set[str] = set(ids)
    found: dict[str, str] = {}
    for archived in (False, True):
        after: str | None = None
        while wanted - set(found):
            page = call("listing owners", partial(
                apis.owners.get_page, limit=OWNERS_PAGE, after=after, archived=archived,
                _request_timeout=timeout))
            for owner in page.results or []:
                name = owner_name(owner)
                if str(owner.id) in wanted and name:
                    found[str(owner.id)] = name
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                break
        if not wanted - set(found):
            break
    return found


# -- what leadpact's writes landed on (connectors/overwritten.py) -------------------------
def _canonical(change: FieldWrite, raw: Any) -> str | None:
    spec = BY_NAME.get(change.field) if isinstance(change, SetField) else None
    return to_canonical(spec, raw) if spec else (None if raw in (None, "") else str(raw))


def versions_newest_first(versions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """HubSpot lists versions newest first; sorting again (stably) guards the order."""
    def stamp(version: Mapping[str, Any]) -> datetime:
        return parse_time(version.get("timestamp")) or datetime.min.replace(tzinfo=UTC)
    return sorted(versions, key=stamp, reverse=True)


def overwritten(apis: HubSpotApis, call: Caller, timeout: float,
                writes: Sequence[FieldWrite],
                properties: Mapping[str, Sequence[str]] | None = None,
                current: dict[Ref, dict[str, Any]] | None = None) -> list[Overwritten]:
    """The writes that landed on a value someone set after leadpact re-read the record:
    batch reads of the written properties' history, 50 records a call. The same reads
    fetch `properties` (by object type) as they are now, put into `current` by record as
    the answer's object (its `properties` and `updatedAt`; own_writes.py)."""
    checked = [w for w in writes if w.ref.kind in OBJECT_TYPES and property_name(w.field)]
    history: dict[tuple[Ref, str], list[Transition]] = {}
    for kind, object_type in OBJECT_TYPES.items():
        mine = [w for w in checked if w.ref.kind == kind]
        names = {w.field: str(property_name(w.field)) for w in mine}
        # a page's writes by record: looked up per answer (scanning them all for each
        # answer was a fifth of a 100,000-person first sync's CPU)
        by_id: dict[str, list[FieldWrite]] = {}
        for w in mine:
            by_id.setdefault(w.ref.id, []).append(w)
        ids = list(by_id)
        for start in range(0, len(ids), HISTORY_BATCH):
            body = {"inputs": [{"id": id_} for id_ in ids[start:start + HISTORY_BATCH]],
                    "properties": list((properties or {}).get(object_type, ())),
                    "propertiesWithHistory": sorted(set(names.values()))}
            # The answer is read as plain JSON: the client's models would build an object
            # per version, several per property and record (most of this read's CPU).
            response = call(f"reading the {object_type}' property history of the writes",
                            partial(apis.batch.read, object_type, body, archived=False,
                                    _request_timeout=timeout, _preload_content=False))
            for obj in json.loads(response.data or b"{}").get("results") or []:
                if current is not None and body["properties"]:
                    current[Ref(HUBSPOT, kind, str(obj.get("id")))] = obj
                kept = obj.get("propertiesWithHistory") or {}
                for change in by_id.get(str(obj.get("id")), ()):
                    values = [_canonical(change, v.get("value")) for v in
                              versions_newest_first(kept.get(names[change.field]) or [])]
                    history[(change.ref, change.field)] = transitions_from_versions(values)
    return find_overwritten(checked, history)
