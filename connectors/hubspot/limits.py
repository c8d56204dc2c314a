"""What the portal's properties leadpact writes accept (enumeration options, HubSpot's cap
on text values), from the property definitions `check` reads: leadpact/crm_limits.py
checks values against it before a write. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leadpact import fields
from leadpact.connectors.base import CheckProblem
from leadpact.connectors.hubspot.roles import (
    BUYING_ROLE,
    BUYING_ROLE_BY_FUNCTION,
    BUYING_ROLE_FIELD,
)
from leadpact.crm_limits import HUBSPOT_TEXT_MAX, FieldLimit
from leadpact.model import ACCOUNT, CONTACT, DEAL

KINDS = {"contacts": (CONTACT, fields.PERSON), "deals": (DEAL, fields.DEAL),
         "companies": (ACCOUNT, fields.ACCOUNT)}
NATIVE = {"contacts": (BUYING_ROLE_FIELD,)}  # the portal's own properties leadpact fills
# every hs_buying_role value leadpact writes (connectors/hubspot/roles.py)
HUBSPOT_BUYING_ROLES = frozenset({*BUYING_ROLE.values(), *BUYING_ROLE_BY_FUNCTION.values()})


def property_limit(prop: Any) -> FieldLimit:
    """One property definition's limit (a hubspot-api-client Property)."""
    name = str(prop.name)
    where = f"HubSpot Settings > Properties > {prop.label or name}"
    if prop.type == "enumeration":
        allowed = frozenset(str(o.value) for o in prop.options or [])
        return FieldLimit(name, allowed=allowed, multi=prop.field_type == "checkbox",
                          where=where)
    if prop.type == "string":
        return FieldLimit(name, max_length=HUBSPOT_TEXT_MAX, where=where)
    return FieldLimit(name, where=where)


def field_limits(properties: Mapping[str, Iterable[Any]]) -> dict[tuple[str, str], FieldLimit]:
    """{(record kind, field as changes name it): limit} from each object type's property
    definitions, for the properties leadpact writes."""
    found: dict[tuple[str, str], FieldLimit] = {}
    for object_type, props in properties.items():
        if object_type not in KINDS:
            continue
        kind, applies = KINDS[object_type]
        by_name = {str(p.name): p for p in props}
        for spec in fields.fields_for(applies):
            if spec.hubspot in by_name:
                found[(kind, spec.name)] = property_limit(by_name[spec.hubspot])
        for native in NATIVE.get(object_type, ()):
            if native in by_name:
                found[(kind, native)] = property_limit(by_name[native])
    return found


def missing_options(found: Mapping[tuple[str, str], FieldLimit]) -> CheckProblem | None:
    """hs_buying_role options leadpact writes that the portal lacks (`leadpact check`):
    those roles are refused before the write, the rest of each record is written."""
    limit = found.get((CONTACT, "hs_buying_role"))
    if limit is None or limit.allowed is None:
        return None
    lacking = sorted(set(HUBSPOT_BUYING_ROLES) - limit.allowed)
    if not lacking:
        return None
    return CheckProblem(
        f"HubSpot contacts property hs_buying_role lacks options leadpact writes: "
        f"{', '.join(lacking)} (contacts with those roles keep it empty)",
        f"add them in {limit.where}", advisory=True)
