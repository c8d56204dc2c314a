"""The fields leadpact writes, by canonical name, and their names in each CRM.

Salesforce custom fields are `Leadpact_<CamelCase>__c`; HubSpot custom properties are
`leadpact_<snake_case>`. Everything else in the code uses the canonical name.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadpact.model import HUBSPOT, SALESFORCE


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # canonical, snake_case
    label: str
    kind: str  # "text" | "number" | "long_text"
    applies_to: tuple[str, ...]  # record kinds: "person", "deal", "account"

    @property
    def salesforce(self) -> str:
        return "Leadpact_" + "_".join(p.capitalize() for p in self.name.split("_")) + "__c"

    @property
    def hubspot(self) -> str:
        return "leadpact_" + self.name

    def native(self, system: str) -> str:
        if system == SALESFORCE:
            return self.salesforce
        if system == HUBSPOT:
            return self.hubspot
        raise ValueError(f"unknown system {system!r}")


PERSON = "person"
DEAL = "deal"
ACCOUNT = "account"  # a Salesforce Account / HubSpot company: its buying group's verdict

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("seniority", "Seniority", "text", (PERSON,)),
    FieldSpec("function", "Function", "text", (PERSON,)),
    FieldSpec("role", "Buying role", "text", (PERSON,)),
    FieldSpec("role_confidence", "Buying role confidence", "number", (PERSON,)),
    FieldSpec("role_reason", "Buying role reason", "long_text", (PERSON,)),
    FieldSpec("title_role", "Buying role from title alone", "text", (PERSON,)),
    FieldSpec("fit", "Fit grade", "text", (PERSON,)),
    FieldSpec("engagement", "Engagement score", "number", (PERSON,)),
    FieldSpec("lead_stage", "Lead stage", "text", (PERSON,)),
    FieldSpec("lead_score", "Lead score", "number", (PERSON,)),
    FieldSpec("lead_reasons", "Lead stage reasons", "long_text", (PERSON,)),
    FieldSpec("rules_version", "Rules version", "text", (PERSON, DEAL, ACCOUNT)),
    FieldSpec("stale", "Stale deal", "text", (DEAL,)),
    FieldSpec("stale_score", "Stale deal score", "number", (DEAL,)),
    FieldSpec("stale_reasons", "Stale deal reasons", "long_text", (DEAL,)),
    FieldSpec("days_buyer_silent", "Days since the buyer last replied", "number", (DEAL,)),
    FieldSpec("committee_present", "Buying roles present", "long_text", (DEAL,)),
    FieldSpec("committee_missing", "Buying roles missing", "long_text", (DEAL,)),
    FieldSpec("committee_flags", "Committee risk flags", "long_text", (DEAL,)),
    FieldSpec("group_stage", "Buying group stage", "text", (ACCOUNT,)),
    FieldSpec("engaged_roles", "Buying roles engaged", "text", (ACCOUNT,)),
    FieldSpec("group_reasons", "Buying group stage reasons", "long_text", (ACCOUNT,)),
)

BY_NAME = {f.name: f for f in FIELDS}
# Set by reps, read by leadpact (never written): the `rep_rejected` disqualifier tests it.
# A picklist in both CRMs (leadpact/crm_schema.py FEEDBACK_PICKLISTS), created by setup.
SALES_FEEDBACK = FieldSpec("sales_feedback", "Sales feedback", "text", ())


def fields_for(kind: str) -> tuple[FieldSpec, ...]:
    """Fields that apply to a record kind ("person", "deal" or "account")."""
    return tuple(f for f in FIELDS if kind in f.applies_to)


def to_canonical(spec: FieldSpec, raw: object) -> str | None:
    """A value read from either CRM, in the one form leadpact compares and writes, so that
    our own write reads back equal (0.85 from Salesforce and "0.85" from HubSpot agree)."""
    if raw is None or raw == "":
        return None
    if spec.kind == "number":
        try:
            return f"{float(str(raw)):g}"
        except ValueError:
            return str(raw)
    return str(raw)


def to_native(spec: FieldSpec, value: str | None, system: str) -> object:
    """A canonical value in the type the CRM expects (HubSpot: strings; Salesforce:
    numbers for number fields, null to clear)."""
    if value is None:
        return None if system == SALESFORCE else ""
    if spec.kind == "number" and system == SALESFORCE:
        return float(value)
    return value
