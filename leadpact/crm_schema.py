"""What leadpact needs in each CRM, derived from leadpact.fields: the Salesforce custom
fields (type, length, precision) and the HubSpot properties. Pure: `leadpact setup` creates
these, `check` looks for them, and the README's field table is generated from here.

Run `python -m leadpact.crm_schema` to rewrite the table in README.md after a change.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from leadpact import fields

TASK_KEY_FIELD = "Leadpact_Task_Key__c"
TASK_KEY_PROPERTY = "leadpact_task_key"
HUBSPOT_GROUP = "leadpact"
PERSON_SOBJECTS = ("Lead", "Contact")
DEAL_SOBJECTS = ("Opportunity",)
ACCOUNT_SOBJECTS = ("Account",)  # the buying group's stage and engaged roles
# objects with field history tracking
HISTORY_SOBJECTS = PERSON_SOBJECTS + DEAL_SOBJECTS + ACCOUNT_SOBJECTS

# field kind -> (Metadata type, describe type, metadata extras). Numbers keep 4 decimals
# for confidences; long texts hold reasons lists well past 255 characters.
_SALESFORCE_TYPES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "text": ("Text", "string", {"length": 255}),
    "number": ("Number", "double", {"precision": 18, "scale": 4}),
    "long_text": ("LongTextArea", "textarea", {"length": 32768, "visibleLines": 3}),
}
_HUBSPOT_TYPES = {"text": ("string", "text"), "number": ("number", "number"),
                  "long_text": ("string", "textarea")}
_DESCRIPTION = "Written by leadpact; edits are overwritten on the next sync."
_FEEDBACK_DESCRIPTION = "Set by sales: their verdict on a lead leadpact called sales-ready."

# Sales' accept/reject feedback: picklists reps set and leadpact leaves alone, created by
# `setup` in both CRMs with the same values so the feedback has one shape.
FEEDBACK_VALUES = ("Accepted", "Rejected")
REJECTION_REASONS = ("Not a fit", "Wrong person", "No budget", "Bad timing", "Duplicate",
                     "Other")
FEEDBACK_PICKLISTS = (("sales_feedback", "Sales feedback", FEEDBACK_VALUES),
                      ("rejection_reason", "Sales rejection reason", REJECTION_REASONS))


@dataclass(frozen=True, slots=True)
class SalesforceField:
    sobject: str
    name: str  # API name, ends in __c
    label: str
    type: str  # Metadata API type: Text, Number, LongTextArea
    describe_type: str  # what describe reports: string, double, textarea
    extras: tuple[tuple[str, Any], ...]  # length / precision / scale / visibleLines
    values: tuple[str, ...] = ()  # picklist values, in order
    # The task key is an External ID + Unique: tasks are upserted on it, so a create
    # retried after a lost answer updates the same task instead of making a second.
    external_id: bool = False
    # History tracking on: after each write, the field history tells whether a person
    # edited the field while leadpact was writing it (connectors/overwritten.py).
    track_history: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.sobject}.{self.name}"

    @property
    def length(self) -> int:
        return int(dict(self.extras).get("length", 0))

    def type_text(self) -> str:
        """Text(255), Number(18, 4), LongTextArea(32768): how Setup shows the type."""
        extra = dict(self.extras)
        if self.values:
            return f"{self.type}({'; '.join(self.values)})"
        if "precision" in extra:
            return f"{self.type}({extra['precision']}, {extra['scale']})"
        flags = " (External ID, Unique)" if self.external_id else ""
        return f"{self.type}({extra['length']}){flags}"

    def tooling_body(self) -> dict[str, Any]:
        """The Tooling API `sobjects/CustomField` create body."""
        metadata = {"type": self.type, "label": self.label,
                    "description": _FEEDBACK_DESCRIPTION if self.values else _DESCRIPTION,
                    **dict(self.extras)}
        if self.external_id:
            metadata |= {"externalId": True, "unique": True, "caseSensitive": False}
        if self.track_history:
            metadata["trackHistory"] = True
        if self.values:
            metadata["valueSet"] = {"restricted": True, "valueSetDefinition": {
                "sorted": False,
                "value": [{"fullName": v, "label": v, "default": False} for v in self.values]}}
        return {"FullName": self.full_name, "Metadata": metadata}


def _salesforce(sobject: str, name: str, label: str, kind: str) -> SalesforceField:
    type_, describe, extras = _SALESFORCE_TYPES[kind]
    # Salesforce keeps a long text area's changes without the values: nothing to compare.
    tracked = sobject in HISTORY_SOBJECTS and kind != "long_text"
    return SalesforceField(sobject, name, label[:40], type_, describe,
                           tuple(sorted(extras.items())), track_history=tracked)


def salesforce_fields() -> tuple[SalesforceField, ...]:
    """Every custom field leadpact writes, in the order setup creates them."""
    found = [_salesforce(sobject, spec.salesforce, spec.label, spec.kind)
             for spec in fields.FIELDS
             for kind, sobjects in ((fields.PERSON, PERSON_SOBJECTS),
                                    (fields.DEAL, DEAL_SOBJECTS),
                                    (fields.ACCOUNT, ACCOUNT_SOBJECTS))
             if kind in spec.applies_to for sobject in sobjects]
    found.append(replace(_salesforce("Task", TASK_KEY_FIELD, "leadpact task key", "text"),
                         external_id=True))
    found += [SalesforceField(sobject, _salesforce_name(name), label, "Picklist", "picklist",
                              (), values)
              for name, label, values in FEEDBACK_PICKLISTS for sobject in PERSON_SOBJECTS]
    return tuple(sorted(found, key=lambda f: (f.sobject, f.name)))


def _salesforce_name(name: str) -> str:
    return fields.FieldSpec(name, "", "text", ()).salesforce


def hubspot_properties() -> dict[str, list[dict[str, Any]]]:
    """PropertyCreate bodies for every property leadpact writes, per object type."""

    def body(name: str, label: str, kind: str, unique: bool = False) -> dict[str, Any]:
        type_, field_type = _HUBSPOT_TYPES[kind]
        found = {"name": name, "label": f"leadpact: {label}", "type": type_,
                 "fieldType": field_type, "groupName": HUBSPOT_GROUP,
                 "description": _DESCRIPTION}
        # Unique: HubSpot then refuses a second task with the same key (a create retried
        # after a lost answer fails instead of making the task twice).
        return found | {"hasUniqueValue": True} if unique else found

    return {
        "contacts": [body(f.hubspot, f.label, f.kind) for f in fields.fields_for(fields.PERSON)],
        "deals": [body(f.hubspot, f.label, f.kind) for f in fields.fields_for(fields.DEAL)],
        "companies": [body(f.hubspot, f.label, f.kind)
                      for f in fields.fields_for(fields.ACCOUNT)],
        "tasks": [body(TASK_KEY_PROPERTY, "Task key", "text", unique=True)],
    }


def hubspot_feedback_properties() -> dict[str, list[dict[str, Any]]]:
    """The feedback picklists on contacts: `setup` creates them; a sync does not need them."""
    return {"contacts": [
        {"name": f"leadpact_{name}", "label": f"leadpact: {label}", "type": "enumeration",
         "fieldType": "select", "groupName": HUBSPOT_GROUP,
         "description": _FEEDBACK_DESCRIPTION,
         "options": [{"label": v, "value": v, "displayOrder": i} for i, v in enumerate(values)]}
        for name, label, values in FEEDBACK_PICKLISTS]}


def hubspot_setup_properties() -> dict[str, list[dict[str, Any]]]:
    """Everything `setup` creates in HubSpot: the written properties, then the feedback."""
    merged = {t: list(bodies) for t, bodies in hubspot_properties().items()}
    for object_type, bodies in hubspot_feedback_properties().items():
        merged.setdefault(object_type, []).extend(bodies)
    return merged


# -- the README table -----------------------------------------------------------------------
README_START = "<!-- crm-fields:start (generated by python -m leadpact.crm_schema) -->"
README_END = "<!-- crm-fields:end -->"


def readme_table() -> str:
    """Markdown: every Salesforce field and HubSpot property leadpact writes, with types."""
    rows = ["| CRM | Object | Field | Type | Label |", "|---|---|---|---|---|"]
    rows += [f"| Salesforce | {f.sobject} | `{f.name}` | {f.type_text()} | {f.label} |"
             for f in salesforce_fields()]
    rows += [f"| HubSpot | {object_type} | `{p['name']}` | {p['type']} / {p['fieldType']}"
             f"{_options(p)}{' (unique)' if p.get('hasUniqueValue') else ''} | {p['label']} |"
             for object_type, bodies in hubspot_setup_properties().items() for p in bodies]
    return "\n".join(rows)


def _options(prop: dict[str, Any]) -> str:
    values = [o["value"] for o in prop.get("options") or []]
    return f" ({'; '.join(values)})" if values else ""


def with_readme_table(readme: str) -> str:
    """The README text with the generated table between its markers."""
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    block = f"{README_START}\n{readme_table()}\n{README_END}"
    if not pattern.search(readme):
        raise ValueError(f"README has no {README_START!r} … {README_END!r} markers")
    return pattern.sub(lambda _: block, readme)


if __name__ == "__main__":  # rewrite the README's field table in place
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(with_readme_table(path.read_text("utf-8")), "utf-8")
