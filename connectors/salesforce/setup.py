"""`leadpact setup` for Salesforce: create leadpact's custom fields through the Tooling API
(`POST tooling/sobjects/CustomField`; `tooling/query` of CustomField sees the ones field-level
security hides from describe) and grant read/edit on them in a permission set
(PermissionSet + FieldPermissions records). Fields made before leadpact asked for history
tracking get it turned on (`FieldDefinition.IsFieldHistoryTracked` read; the field's Tooling
`Metadata` read, `trackHistory` set, sent back with PATCH). Only what is missing is done, so
a second run does nothing. The decisions are in setup_plan (pure); this module makes the
calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simple_salesforce import Salesforce, format_soql

from leadpact.connectors.base import CheckProblem, SetupResult
from leadpact.connectors.observe import NO_SETUP_OBSERVER, SetupObserver
from leadpact.connectors.salesforce import field_history, setup_plan
from leadpact.crm_schema import HISTORY_SOBJECTS, SalesforceField, salesforce_fields

SYSTEM = "salesforce"
T = TypeVar("T")
Call = Callable[[Callable[[], T], str], T]
COLLECTION_LIMIT = 200  # records per sObject Collections call


@dataclass(frozen=True, slots=True)
class AccessPlan:
    """The field access still to do in permission set `name`, read before any change."""

    name: str
    parent_id: str  # "" when the permission set does not exist yet
    create: list[SalesforceField]  # fields without a FieldPermissions row
    update: list[str]  # ids of rows that lack read or edit
    user_id: str
    assigned: bool  # the set is assigned to this user

    @property
    def units(self) -> int:
        """Steps, as progress counts them: the set, each field's grant, the assignment."""
        return (not self.parent_id) + len(self.create) + len(self.update) + (not self.assigned)

    def describe(self, dry_run: bool) -> list[str]:
        verb = "would" if dry_run else "did"
        steps = [] if self.parent_id else [f"{verb} create permission set {self.name}"]
        if self.create or self.update:
            steps.append(f"{verb} grant read/edit on {len(self.create) + len(self.update)} "
                         f"field(s) in permission set {self.name}")
        if not self.assigned:
            steps.append(f"{verb} assign permission set {self.name} to this user "
                         f"({self.user_id})")
        return steps


class SalesforceSetup:
    def __init__(self, sf: Callable[[], Salesforce], call: Call[Any]):
        """`sf`: the current client (it changes when a session is renewed); `call`: the
        connector's retrying call, which turns failures into leadpact errors."""
        self._sf = sf
        self._call = call

    def run(self, permission_set: str, dry_run: bool,
            observer: SetupObserver = NO_SETUP_OBSERVER) -> SetupResult:
        """Read what exists, then (unless a dry run) tell `observer` how many steps are to
        do and do them: each field created, the permission set, each grant, the assignment."""
        wanted = salesforce_fields()
        sobjects = list(dict.fromkeys(f.sobject for f in wanted))
        described = {sobject: self._describe(sobject) for sobject in sobjects}
        custom = self._custom_fields(sobjects)
        create, problems = setup_plan.missing_fields(wanted, described, set(custom))
        track = self._untracked(setup_plan.to_track(wanted, create, custom, self._tracked()))
        access = self._access(permission_set, wanted)
        lacking = self._lacking(create, access, len(track))
        if lacking:  # said before anything is changed, and nothing is
            problems.append(CheckProblem(
                f"this Salesforce user ({access.user_id}) lacks the permission(s) "
                f"{'; '.join(lacking)}, so setup changed nothing",
                "give them to this user (Setup > Permission Sets: a set with them, assigned "
                "to it; or a profile that has them), then run `leadpact setup` again"))
        held = dry_run or bool(lacking)
        verb = "would create" if held else "created"
        steps = [f"{verb} field {field.full_name} {field.type_text()}" for field in create]
        steps += [f"{'would turn' if held else 'turned'} on history tracking for field "
                  f"{full_name}" for full_name, _, _ in track]
        steps += access.describe(held)
        if held:
            return SetupResult(steps, problems, stopped=bool(lacking))
        observer.setup_planned(SYSTEM, len(create) + len(track) + access.units)
        for field in create:
            self._create_field(field)
            observer.setup_done(SYSTEM, f"created field {field.full_name}")
        for full_name, field_id, metadata in track:
            self._track(full_name, field_id, metadata)
            observer.setup_done(SYSTEM, f"turned on history tracking for {full_name}")
        self._grant(access, problems, observer)
        return SetupResult(steps, problems)

    def _describe(self, sobject: str) -> dict[str, dict[str, Any]]:
        described = self._call(lambda: self._sf().restful(f"sobjects/{sobject}/describe"),
                               f"describing {sobject}")
        return {f["name"]: f for f in (described or {}).get("fields", [])}

    def _custom_fields(self, sobjects: list[str]) -> dict[str, str]:
        """{lower-cased "<sObject>.<field>": CustomField id} of every custom field on these
        objects, from the Tooling API, which (unlike describe) also lists fields hidden from
        this user."""
        soql = format_soql("SELECT Id, DeveloperName, TableEnumOrId FROM CustomField "
                           "WHERE TableEnumOrId IN {}", sobjects)
        answer = self._call(lambda: self._sf().toolingexecute("query/", params={"q": soql}),
                            "listing the custom fields (Tooling API)")
        return {f"{r['TableEnumOrId']}.{r['DeveloperName']}__c".lower(): str(r["Id"])
                for r in (answer or {}).get("records", [])}

    def _tracked(self) -> set[str]:
        """Lower-cased "<sObject>.<field>" of the fields with history tracking on (one
        FieldDefinition query per object that keeps field history)."""
        found: set[str] = set()
        for sobject in HISTORY_SOBJECTS:
            rows = self._query(field_history.tracking_query(sobject),
                               f"reading {sobject} history tracking")
            found |= {f"{sobject}.{r.get('QualifiedApiName')}".lower() for r in rows
                      if r.get("IsFieldHistoryTracked")}
        return found

    def _untracked(self, candidates: list[tuple[str, str]]
                   ) -> list[tuple[str, str, dict[str, Any]]]:
        """(full name, id, Metadata) of the candidates whose definition really has history
        tracking off (FieldDefinition does not list fields hidden from this user)."""
        found = []
        for full_name, field_id in candidates:
            metadata = self._definition(full_name, field_id)
            if not metadata.get("trackHistory"):
                found.append((full_name, field_id, metadata))
        return found

    def _definition(self, full_name: str, field_id: str) -> dict[str, Any]:
        """A custom field's Metadata (Tooling API, one field per call)."""
        answer = self._call(lambda: self._sf().toolingexecute(
            f"sobjects/CustomField/{field_id}"), f"reading the field {full_name}")
        return dict((answer or {}).get("Metadata") or {})

    def _track(self, full_name: str, field_id: str, metadata: dict[str, Any]) -> None:
        """The field's whole definition sent back with trackHistory on (the Metadata API
        replaces a definition; it does not merge one)."""
        body = {"Metadata": {**metadata, "trackHistory": True}}
        self._call(lambda: self._sf().toolingexecute(f"sobjects/CustomField/{field_id}",
                                                     method="PATCH", data=body),
                   f"turning on history tracking for {full_name}")

    def _create_field(self, field: SalesforceField) -> None:
        self._call(lambda: self._sf().toolingexecute("sobjects/CustomField", method="POST",
                                                     data=field.tooling_body()),
                   f"creating the custom field {field.full_name}")

    def _query(self, soql: str, what: str) -> list[dict[str, Any]]:
        return list(self._call(lambda: self._sf().query_all(soql), what)["records"])

    def _access(self, name: str, wanted: tuple[SalesforceField, ...]) -> AccessPlan:
        """What field access still needs doing (reads only)."""
        found = self._query(format_soql("SELECT Id FROM PermissionSet WHERE Name = {}", name),
                            f"reading the permission set {name}")
        parent_id, rows = "", []
        if found:
            parent_id = str(found[0]["Id"])
            rows = self._query(format_soql(
                "SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
                "WHERE ParentId = {}", parent_id), f"reading the field permissions of {name}")
        create, update = setup_plan.grants_needed(wanted, rows)
        user_id = str(self._call(lambda: self._sf().oauth2("userinfo"),
                                 "asking who this user is")["user_id"])
        assigned = bool(parent_id) and bool(self._query(format_soql(
            "SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = {} AND "
            "PermissionSetId = {}", user_id, parent_id), f"reading who has {name}"))
        return AccessPlan(name, parent_id, create, update, user_id, assigned)

    def _lacking(self, create: list[SalesforceField], access: AccessPlan,
                 to_track: int = 0) -> list[str]:
        """The system permissions the planned steps need and this user lacks, read from
        every permission set assigned to it (its profile's own one included)."""
        needed = setup_plan.permissions_needed(
            len(create), not access.parent_id, len(access.create) + len(access.update),
            not access.assigned, to_track)
        if not needed:
            return []
        assigned = self._query(format_soql(
            "SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = {}",
            access.user_id), "reading this user's permission sets")
        ids = [str(row["PermissionSetId"]) for row in assigned]
        fields = ", ".join(field for field, _, _ in needed)
        sets = self._query(format_soql(f"SELECT Id, {fields} FROM PermissionSet "
                                       "WHERE Id IN {}", ids),
                           "reading this user's permissions") if ids else []
        return setup_plan.missing_permissions(needed, sets)

    def _grant(self, access: AccessPlan, problems: list[CheckProblem],
               observer: SetupObserver) -> None:
        name, parent_id = access.name, access.parent_id
        if not parent_id:
            parent_id = self._create_permission_set(name)
            observer.setup_done(SYSTEM, f"created permission set {name}")
        if not access.assigned:
            self._call(lambda: self._sf().restful(
                "sobjects/PermissionSetAssignment", method="POST",
                json={"AssigneeId": access.user_id, "PermissionSetId": parent_id}),
                f"assigning {name} to this user")
            observer.setup_done(SYSTEM, f"assigned permission set {name}")
        records = [setup_plan.field_permission(parent_id, f) for f in access.create]
        patches = [{"attributes": {"type": "FieldPermissions"}, "id": row_id,
                    "PermissionsRead": True, "PermissionsEdit": True}
                   for row_id in access.update]
        for method, batch in [*self._batches("POST", records), *self._batches("PATCH", patches)]:
            results = self._save(method, batch, f"granting field access in {name}")
            for record, result in zip(batch, results, strict=False):
                if not result.get("success"):
                    errors = "; ".join(e.get("message", "") for e in result.get("errors", []))
                    problems.append(CheckProblem(
                        f"Salesforce refused field access for {record.get('Field', name)}: "
                        f"{errors}", "grant it by hand in Setup > Permission Sets > " + name))
            observer.setup_done(SYSTEM, f"granted field access in {name}", len(batch))

    def _save(self, method: str, batch: list[dict[str, Any]], what: str
              ) -> list[dict[str, Any]]:
        """sObject Collections SaveResults; allOrNone false: a bad record fails alone."""
        def send() -> list[dict[str, Any]]:
            return list(self._sf().restful("composite/sobjects", method=method,
                                           json={"allOrNone": False, "records": batch}) or [])
        return list(self._call(send, what))

    def _create_permission_set(self, name: str) -> str:
        created = self._call(lambda: self._sf().restful(
            "sobjects/PermissionSet", method="POST",
            json={"Name": name, "Label": name.replace("_", " ")[:80],
                  "Description": "Field access for leadpact's integration user"}),
            f"creating the permission set {name}")
        return str(created["id"])

    @staticmethod
    def _batches(method: str, records: list[dict[str, Any]]
                 ) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(method, records[i:i + COLLECTION_LIMIT])
                for i in range(0, len(records), COLLECTION_LIMIT)]
