"""What the org's fields leadpact writes accept, from their describe (length, restricted
picklist values, number precision): leadpact/crm_limits.py checks values against it before
a write. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadpact import fields
from leadpact.connectors.base import CheckProblem
from leadpact.crm_limits import FieldLimit
from leadpact.crm_schema import salesforce_fields
from leadpact.model import ACCOUNT, CONTACT, DEAL, LEAD

KINDS = {"Lead": (LEAD, fields.PERSON), "Contact": (CONTACT, fields.PERSON),
         "Opportunity": (DEAL, fields.DEAL), "Account": (ACCOUNT, fields.ACCOUNT)}
_NUMBERS = {"double", "currency", "percent", "int"}


def field_limit(sobject: str, described: Mapping[str, Any]) -> FieldLimit:
    """One describe field's limit."""
    name = str(described.get("name"))
    where = f"Salesforce Setup > Object Manager > {sobject} > {name}"
    kind = described.get("type")
    if kind in _NUMBERS:
        precision, scale = int(described.get("precision") or 0), int(described.get("scale") or 0)
        return FieldLimit(name, whole_digits=(precision - scale) if precision else None,
                          where=where)
    allowed = None
    if kind in ("picklist", "multipicklist") and described.get("restrictedPicklist"):
        allowed = frozenset(str(v.get("value")) for v in described.get("picklistValues") or []
                            if v.get("active", True))
    length = int(described.get("length") or 0)
    return FieldLimit(name, max_length=length or None, allowed=allowed,
                      multi=kind == "multipicklist", where=where)


def field_limits(describes: Mapping[str, Mapping[str, Any]]
                 ) -> dict[tuple[str, str], FieldLimit]:
    """{(record kind, canonical field): limit} from sObject describes, for the leadpact
    fields they have."""
    found: dict[tuple[str, str], FieldLimit] = {}
    for sobject, described in describes.items():
        if sobject not in KINDS:
            continue
        kind, applies = KINDS[sobject]
        by_name = {f.get("name"): f for f in described.get("fields") or []}
        for spec in fields.fields_for(applies):
            if spec.salesforce in by_name:
                found[(kind, spec.name)] = field_limit(sobject, by_name[spec.salesforce])
    return found


def narrower_fields(found: Mapping[tuple[str, str], FieldLimit]) -> CheckProblem | None:
    """leadpact's text fields the org made shorter than leadpact needs (`leadpact check`):
    longer values are refused before the write, the rest of each record is written."""
    needed = {f.full_name: f.length for f in salesforce_fields() if f.length}
    sobjects: dict[str, str] = {kind: sobject for sobject, (kind, _) in KINDS.items()}
    narrow = []
    for (kind, _), limit in sorted(found.items()):
        full_name = f"{sobjects[kind]}.{limit.name}"
        if limit.max_length is not None and limit.max_length < needed.get(full_name, 0):
            narrow.append(f"{full_name} ({limit.max_length} < {needed[full_name]})")
    if not narrow:
        return None
    return CheckProblem(
        f"Salesforce fields shorter than leadpact's values may be: {', '.join(narrow)} "
        "(longer values are not written)",
        "widen them in Setup > Object Manager > Fields & Relationships", advisory=True)
