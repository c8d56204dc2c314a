"""The core builds changes in leadpact's terms: no module under leadpact/ (the connectors
live in connectors/) constructs a change naming a CRM's own field, by literal or by a
connector's constant. The names come from the connectors' vocabularies and from the
field catalogue, so a new CRM field is covered without touching this test.

Opt-in [native] lead-status fields (leadpact/native_stage.py) are configuration the
user maps, not CRM specifics the core invents, and are not checked here."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

import leadpact
from leadpact import changes
from leadpact.connectors.hubspot import roles as hubspot_roles
from leadpact.connectors.roles import VOCABULARIES
from leadpact.connectors.salesforce import roles as salesforce_roles
from leadpact.fields import FIELDS

CORE = Path(leadpact.__file__).parent
CHANGE_TYPES = frozenset(t.__name__ for t in typing.get_args(changes.Change))

CRM_NAMES = frozenset(
    {v.person_field for v in VOCABULARIES.values() if v.person_field}
    | {spec.salesforce for spec in FIELDS} | {spec.hubspot for spec in FIELDS})
CRM_PREFIXES = tuple(v.contact_role_prefix for v in VOCABULARIES.values()
                     if v.contact_role_prefix)
# A connector constant that holds a CRM field name, should the core import it.
CRM_CONSTANTS = frozenset(
    name for module in (hubspot_roles, salesforce_roles) for name in vars(module)
    if name.isupper() and isinstance(value := getattr(module, name), str)
    and (value in CRM_NAMES or value in CRM_PREFIXES))


def _crm_name_in(node: ast.expr) -> str | None:
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str) \
                and (part.value in CRM_NAMES or part.value.startswith(CRM_PREFIXES)):
            return part.value
        name = part.id if isinstance(part, ast.Name) else \
            part.attr if isinstance(part, ast.Attribute) else None
        if name in CRM_CONSTANTS:
            return name
    return None


def crm_fields_in_changes(source: str) -> list[str]:
    """`line: Change(...) names <field>` for each change built with a CRM field name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.id if isinstance(node.func, ast.Name) else \
            node.func.attr if isinstance(node.func, ast.Attribute) else None
        if called not in CHANGE_TYPES:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if named := _crm_name_in(arg):
                found.append(f"{node.lineno}: {called}(...) names {named}")
    return found


def test_the_names_checked_are_the_crms_own() -> None:
    # guards against a vocabulary rename leaving this test checking nothing
    assert {"hs_buying_role", "leadpact_role", "Leadpact_Role__c"} <= CRM_NAMES
    assert "contact_role:" in CRM_PREFIXES
    assert {"BUYING_ROLE_FIELD", "CONTACT_ROLE_LEDGER_PREFIX"} <= CRM_CONSTANTS
    assert {"SetField", "SetNativeField", "SetContactRole"} <= CHANGE_TYPES


@pytest.mark.parametrize("source", [
    'SetNativeField(ref, "hs_buying_role", "CHAMPION")',
    'changes.SetField(ref, field="leadpact_role", value="champion")',
    'SetNativeField(ref, f"contact_role:{role_id}", None)',
    'SetNativeField(ref, roles.BUYING_ROLE_FIELD, value)',
    'SetNativeField(ref, CONTACT_ROLE_LEDGER_PREFIX + role_id, value)',
])
def test_given_a_change_naming_a_crm_field_then_it_is_caught(source: str) -> None:
    assert crm_fields_in_changes(source)


@pytest.mark.parametrize("source", [
    'SetField(ref, "role", "champion")',
    'SetNativeField(ref, ledger_field, wanted, planned.previous)',
    'print("hs_buying_role")',  # not a change
])
def test_given_a_change_in_leadpacts_terms_then_it_passes(source: str) -> None:
    assert crm_fields_in_changes(source) == []


def test_no_core_module_builds_a_change_with_a_crm_field_name() -> None:
    offenders = [f"{path.relative_to(CORE.parent)}:{hit}"
                 for path in sorted(CORE.rglob("*.py"))
                 for hit in crm_fields_in_changes(path.read_text(encoding="utf-8"))]
    assert offenders == []
