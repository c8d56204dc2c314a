"""The core builds changes in leadpact's terms: no module under leadpact/ (the connectors
live in connectors/) constructs a change naming a CRM's own field or spelling a CRM's own
value, by literal or by a connector's constant. The names and values come from the
connectors' vocabularies (connectors/roles.py, connectors/native_fields.py) and from the
field catalogue, so a new CRM field or spelling is covered without touching this test.

The CRM's own fields (a person's buying role, a deal contact's role, the opt-in [native]
lead-status fields) are not even named elsewhere in the core: the ledger keeps their
names, and only the connectors' vocabularies say what they are."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

import leadpact
from leadpact import changes
from leadpact.connectors import native_fields
from leadpact.connectors.hubspot import roles as hubspot_roles
from leadpact.connectors.roles import VOCABULARIES
from leadpact.connectors.salesforce import roles as salesforce_roles
from leadpact.fields import FIELDS

CORE = Path(leadpact.__file__).parent
CHANGE_TYPES = frozenset(t.__name__ for t in typing.get_args(changes.Change)) | frozenset(
    t.__name__ for t in typing.get_args(changes.NativeChange))

# The CRMs' own fields leadpact fills, by their (ledger) names.
NATIVE_NAMES = frozenset(
    {v.person_field for v in VOCABULARIES.values() if v.person_field}
    | {name for v in VOCABULARIES.values() for name in v.native_fields.values()})
CRM_NAMES = NATIVE_NAMES | {spec.salesforce for spec in FIELDS} | {
    spec.hubspot for spec in FIELDS}
CRM_PREFIXES = tuple(v.contact_role_prefix for v in VOCABULARIES.values()
                     if v.contact_role_prefix)
# How the CRMs spell buying roles in their own fields.
CRM_VALUES = frozenset(
    value for v in VOCABULARIES.values()
    for values in (v.person_values, v.person_by_function, v.deal_contact_values,
                   v.echoed_contact_values) for value in values.values())
CONNECTOR_MODULES = (hubspot_roles, salesforce_roles, native_fields)
# A connector constant that holds a CRM field name, should the core import it.
CRM_CONSTANTS = frozenset(
    name for module in CONNECTOR_MODULES for name in vars(module)
    if name.isupper() and isinstance(value := getattr(module, name), str)
    and (value in CRM_NAMES or value in CRM_PREFIXES))


def _crm_term(value: str) -> bool:
    return value in CRM_NAMES or value in CRM_VALUES or value.startswith(CRM_PREFIXES)


def _crm_name_in(node: ast.expr) -> str | None:
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str) \
                and _crm_term(part.value):
            return part.value
        name = part.id if isinstance(part, ast.Name) else \
            part.attr if isinstance(part, ast.Attribute) else None
        if name in CRM_CONSTANTS:
            return name
    return None


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else \
        node.attr if isinstance(node, ast.Attribute) else None


def crm_fields_in_changes(source: str) -> list[str]:
    """`line: Change(...) names <field or value>` for each change built in a CRM's terms."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        args = [*node.args, *(k.value for k in node.keywords)]
        if called == "partial" and node.args:  # partial(SetLeadStatus, ref, ...)
            called, args = _name(node.args[0]), args[1:]
        if called not in CHANGE_TYPES:
            continue
        for arg in args:
            if named := _crm_name_in(arg):
                found.append(f"{node.lineno}: {called}(...) names {named}")
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            ids.add(id(node.body[0].value))
    return ids


def native_terms_in(source: str) -> list[str]:
    """`line: <term>` for each string in the code (docstrings aside) that is one of the
    CRMs' own fields leadpact fills, a ledger prefix of one, or a CRM's role spelling."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    return [f"{node.lineno}: {node.value}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in prose
            and (node.value in NATIVE_NAMES or node.value in CRM_VALUES
                 or node.value.startswith(CRM_PREFIXES))]


def test_the_names_checked_are_the_crms_own() -> None:
    # guards against a vocabulary rename leaving this test checking nothing
    assert {"hs_buying_role", "leadpact_role", "Leadpact_Role__c", "lifecyclestage",
            "hs_lead_status", "Status"} <= CRM_NAMES
    assert {"INFLUENCER", "LEGAL_AND_COMPLIANCE", "Economic Buyer"} <= CRM_VALUES
    assert "contact_role:" in CRM_PREFIXES
    assert {"BUYING_ROLE_FIELD", "CONTACT_ROLE_LEDGER_PREFIX", "HUBSPOT_LIFECYCLE",
            "SALESFORCE_LEAD_STATUS"} <= CRM_CONSTANTS
    assert {"SetField", "SetBuyingRole", "SetDealContactRole", "SetLeadStatus",
            "RestoreLedgerValue"} <= CHANGE_TYPES
    assert not {"SetNativeField", "SetContactRole"} & CHANGE_TYPES  # gone for good


@pytest.mark.parametrize("source", [
    'RestoreLedgerValue(ref, "hs_buying_role", "CHAMPION")',
    'changes.SetField(ref, field="leadpact_role", value="champion")',
    'RestoreLedgerValue(ref, f"contact_role:{role_id}", None)',
    'RestoreLedgerValue(ref, roles.BUYING_ROLE_FIELD, value)',
    'RestoreLedgerValue(ref, CONTACT_ROLE_LEDGER_PREFIX + role_id, value)',
    'RestoreLedgerValue(ref, "lifecyclestage", value)',
    'RestoreLedgerValue(ref, native_fields.SALESFORCE_LEAD_STATUS, value)',
    'SetDealContactRole(deal, person, "Economic Buyer", role_id)',
    'SetBuyingRole(ref, "LEGAL_AND_COMPLIANCE")',
    'partial(RestoreLedgerValue, ref, "lifecyclestage")',
])
def test_given_a_change_naming_a_crm_field_or_value_then_it_is_caught(source: str) -> None:
    assert crm_fields_in_changes(source)


@pytest.mark.parametrize("source", [
    'SetField(ref, "role", "champion")',
    'SetBuyingRole(ref, BuyingRole.BLOCKER, verdict.function)',
    'SetLeadStatus(p.ref, native.key, value, previous)',
    'RestoreLedgerValue(record.ref, name, old, now)',
    'print("hs_buying_role")',  # not a change
])
def test_given_a_change_in_leadpacts_terms_then_it_passes(source: str) -> None:
    assert crm_fields_in_changes(source) == []


def test_given_a_native_term_in_code_then_it_is_caught_but_not_in_a_docstring() -> None:
    source = ('"""Fills hs_buying_role."""\n'
              'FIELD = "hs_lead_status"\n'
              'def f():\n    """Status"""\n    return x.get("Status"), "contact_role:" + i\n')
    assert native_terms_in(source) == ["2: hs_lead_status", "5: Status", "5: contact_role:"]


def test_no_core_module_builds_a_change_with_a_crm_field_name_or_value() -> None:
    offenders = [f"{path.relative_to(CORE.parent)}:{hit}"
                 for path in sorted(CORE.rglob("*.py"))
                 for hit in crm_fields_in_changes(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_core_module_names_a_crms_own_field_or_role_spelling() -> None:
    offenders = [f"{path.relative_to(CORE.parent)}:{hit}"
                 for path in sorted(CORE.rglob("*.py"))
                 for hit in native_terms_in(path.read_text(encoding="utf-8"))]
    assert offenders == []
