"""Does a change of leadpact.toml's per-record mappings have to reach every record? Pure.

Besides the rules file, two config sections change what a sync reads or writes on each
person: `[fields.*]` (which CRM field holds each firmographic the fit tests) and
`[native.*]` (which native fields get the person's stage, and which values). A sync
remembers both as it finished; when they differ, every person and open deal state knows
is judged again in the next sync, like after a rules change (leadpact/rules_change.py),
and only what changed in meaning is written.

Removing a `[native.*]` table, or a stage line from one, only stops leadpact from managing
those values: nothing new would be written, so nothing is re-judged and the native fields
keep what they hold (nothing is ever cleared). A state from before this stamp was kept
counts as having run with the defaults (no native table, the default fields).
"""

from __future__ import annotations

import json
from typing import Any

from leadpact.field_map import DEFAULT_FIELDS, FieldMap
from leadpact.native_stage import NO_NATIVE, NativeMap

STATE_KEY = "mappings"  # where state keeps the last finished run's mappings


def remembered(native: NativeMap, fields: FieldMap) -> str:
    """What state keeps: the mappings as plain, order-free JSON."""
    return json.dumps(_plain(native, fields), sort_keys=True)


def must_rejudge(last: str | None, native: NativeMap, fields: FieldMap,
                 knows_records: bool) -> bool:
    """True when every known record must be judged again under these mappings. `last`:
    what state remembered (None: nothing yet)."""
    if not knows_records:
        return False
    before = json.loads(last) if last is not None else _plain(NO_NATIVE, DEFAULT_FIELDS)
    now = _plain(native, fields)
    if before.get("fields") != now["fields"]:
        return True  # the fit reads other CRM fields: verdicts may move
    old_native = before.get("native", {})
    # Anything new to write: a table or a stage line added, or a stage's value changed.
    return any(old_native.get(table, {}).get(stage) != value
               for table, values in now["native"].items() for stage, value in values.items())


def _plain(native: NativeMap, fields: FieldMap) -> dict[str, Any]:
    return {"native": {t.key: dict(t.values) for t in native.targets},
            "fields": {"salesforce_account": dict(fields.salesforce_account),
                       "salesforce_lead": dict(fields.salesforce_lead),
                       "hubspot_company": dict(fields.hubspot_company)}}
