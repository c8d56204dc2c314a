"""Pure decisions of `leadpact setup` for Salesforce: which custom fields are missing or
wrong, and which field permissions the permission set still lacks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from leadpact.connectors.base import CheckProblem
from leadpact.crm_schema import SalesforceField


def missing_fields(wanted: Iterable[SalesforceField],
                   described: Mapping[str, Mapping[str, Mapping[str, Any]]],
                   existing: Collection[str] = ()
                   ) -> tuple[list[SalesforceField], list[CheckProblem]]:
    """Fields to create, and existing ones whose type or length leadpact cannot use.
    `described`: {sObject: {field name: describe field}}, what this user sees; `existing`:
    lower-cased "<sObject>.<field>" of every custom field (Tooling API), which includes
    fields hidden from this user by field-level security: those are not created again."""
    create: list[SalesforceField] = []
    problems: list[CheckProblem] = []
    for field in wanted:
        found = described.get(field.sobject, {}).get(field.name)
        if found is None and field.full_name.lower() in existing:
            continue  # exists, hidden from this user until the permission set grants it
        if found is None:
            create.append(field)
        elif found.get("type") != field.describe_type or (
                field.length and int(found.get("length") or 0) < field.length):
            problems.append(CheckProblem(
                f"Salesforce {field.full_name} is {found.get('type')}"
                f"({found.get('length')}), leadpact needs {field.type_text()}",
                "change the field's type in Setup > Object Manager (or delete it and run "
                "`leadpact setup` again)"))
        elif field.values:
            have = {str(v.get("value")) for v in found.get("picklistValues") or []}
            absent = [v for v in field.values if v not in have]
            if absent:
                problems.append(CheckProblem(
                    f"Salesforce picklist {field.full_name} lacks the values {', '.join(absent)}",
                    "add them in Setup > Object Manager > Fields & Relationships"))
    return create, problems


def to_track(wanted: Iterable[SalesforceField], created: Collection[SalesforceField],
             existing: Mapping[str, str], tracked: Collection[str]) -> list[tuple[str, str]]:
    """(full name, CustomField id) of leadpact's existing fields that want history tracking
    and do not have it: made before leadpact asked for it, or by hand. `existing`: {lower-
    cased full name: id}; `tracked`: lower-cased full names with tracking on."""
    new = {field.full_name for field in created}
    return [(field.full_name, existing[field.full_name.lower()]) for field in wanted
            if field.track_history and field.full_name not in new
            and field.full_name.lower() in existing
            and field.full_name.lower() not in tracked]


def grants_needed(wanted: Iterable[SalesforceField],
                  permissions: Sequence[Mapping[str, Any]]
                  ) -> tuple[list[SalesforceField], list[str]]:
    """Fields the permission set has no FieldPermissions row for (create one), and ids of
    rows that do not grant read and edit (update them). `permissions`: FieldPermissions rows
    of the set (Id, Field, PermissionsRead, PermissionsEdit)."""
    by_field = {str(row["Field"]).lower(): row for row in permissions}
    create: list[SalesforceField] = []
    update: list[str] = []
    for field in wanted:
        row = by_field.get(field.full_name.lower())
        if row is None:
            create.append(field)
        elif not (row.get("PermissionsRead") and row.get("PermissionsEdit")):
            update.append(str(row["Id"]))
    return create, update


def field_permission(parent_id: str, field: SalesforceField) -> dict[str, Any]:
    """A FieldPermissions record granting read and edit, for sObject Collections."""
    return {"attributes": {"type": "FieldPermissions"}, "ParentId": parent_id,
            "SobjectType": field.sobject, "Field": field.full_name,
            "PermissionsRead": True, "PermissionsEdit": True}


# System permissions setup needs, by what it has to do (PermissionSet field: label)
CUSTOMIZE = ("PermissionsCustomizeApplication", "Customize Application")
MANAGE_SETS = ("PermissionsManageProfilesPermissionsets", "Manage Profiles and Permission Sets")
ASSIGN_SETS = ("PermissionsAssignPermissionSets", "Assign Permission Sets")


def permissions_needed(fields_to_create: int, set_to_create: bool, grants: int,
                       assign: bool, fields_to_track: int = 0) -> list[tuple[str, str, str]]:
    """(PermissionSet field, label, what for) of each system permission the planned steps
    need; nothing when there is nothing to do."""
    needed = []
    if fields_to_create or fields_to_track:
        what = " and ".join(x for x in (
            f"create {fields_to_create} field(s)" if fields_to_create else "",
            f"turn on history tracking for {fields_to_track} field(s)"
            if fields_to_track else "") if x)
        needed.append((*CUSTOMIZE, f"to {what}"))
    if set_to_create or grants:
        what = " and ".join(x for x in ("create the permission set" if set_to_create else "",
                                        f"grant access to {grants} field(s)" if grants else "")
                            if x)
        needed.append((*MANAGE_SETS, f"to {what}"))
    if assign:
        needed.append((*ASSIGN_SETS, "to assign the permission set to this user"))
    return needed


def missing_permissions(needed: Sequence[tuple[str, str, str]],
                        permission_sets: Sequence[Mapping[str, Any]]) -> list[str]:
    """"Label (what for)" of each needed permission that none of the user's permission sets
    (its profile's own included) grants."""
    return [f"{label} ({why})" for field, label, why in needed
            if not any(row.get(field) for row in permission_sets)]
