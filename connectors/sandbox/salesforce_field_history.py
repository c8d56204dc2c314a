"""Field history in the fake Salesforce org: a LeadHistory / ContactHistory /
OpportunityFieldHistory / AccountHistory row for each change of a tracked field, as an org
with field history tracking on those fields keeps them (Field, OldValue, NewValue, DataType,
CreatedById, CreatedDate). Tracked here: the custom fields (`__c`) of those objects that
were installed with tracking on (leadpact's package fields) or created through the Tooling
API with `trackHistory: true`; FieldDefinition.IsFieldHistoryTracked says which.
CreatedById is the User the write is attributed to (actors.py: another integration's
token, else the API user).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadpact.connectors.sandbox import actors
from leadpact.connectors.sandbox.salesforce_schema import (
    FIELD_HISTORY,
    KEY_PREFIXES,
    custom_field_defs,
)
from leadpact.connectors.sandbox.store import Store

SYSTEM = "salesforce"


def tracked(created_fields: Mapping[str, Mapping[str, Any]], sobject: str, field: str) -> bool:
    """A custom field of a history-keeping object, installed with tracking on (leadpact's
    package fields) or created through the Tooling API with `trackHistory`."""
    if sobject not in FIELD_HISTORY or not field.endswith("__c"):
        return False
    created = created_fields.get(f"{sobject}.{field}")  # salesforce_schema.custom_field_defs
    return created is None or bool(created.get("trackHistory"))


def record_changes(store: Store, sobject: str, record_id: str, before: Mapping[str, Any],
                   values: Mapping[str, Any]) -> int:
    """Add a history row per tracked field whose value changes; how many were added."""
    changed = [name for name, value in values.items()
               if tracked({}, sobject, name) and value != before.get(name)]
    if changed:  # the Tooling-created fields' metadata is read only when it can matter
        created = custom_field_defs(store)
        changed = [name for name in changed if tracked(created, sobject, name)]
    if not changed:
        return 0
    history, parent_field = FIELD_HISTORY[sobject]
    user = actors.salesforce_user(store)
    for name in changed:
        new = values[name]
        # one counter for the four objects: they share the key prefix 017
        number = store.next_number("salesforce:FieldHistory")
        store.insert(SYSTEM, history, f"{KEY_PREFIXES[history]}{number:012d}AAA", {
            parent_field: record_id, "Field": name,
            "DataType": "Double" if isinstance(new, (int, float)) else "Text",
            "OldValue": before.get(name), "NewValue": new, "CreatedById": user})
    return len(changed)
