"""Writes to the fake Salesforce org: the checks a real org makes before it saves a record
(known field, writable, right type and length, existing references, required fields,
converted leads are read-only) and the fields it derives (stage -> probability/closed/won,
task status -> closed). Prepare first, commit later, so allOrNone can refuse a whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from leadpact.connectors.sandbox import salesforce_field_history as field_history
from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox.salesforce_schema import FieldDef
from leadpact.connectors.sandbox.store import Store, iso

SYSTEM = "salesforce"


class RecordError(Exception):
    """Why one record was not saved, as Salesforce reports it (statusCode/errorCode)."""

    def __init__(self, code: str, message: str, fields: Sequence[str] = ()):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, list(fields)


@dataclass(frozen=True, slots=True)
class PendingWrite:
    sobject: str
    id: str | None  # None: a record to create
    values: dict[str, Any]  # stored (native) field values, derived fields included
    before: dict[str, Any] | None = None  # an update: the record's fields before it


class RecordWriter:
    def __init__(self, store: Store):
        self.store = store

    def prepare_create(self, sobject: str, body: Mapping[str, Any]) -> PendingWrite:
        values = self._values(sobject, body, creating=True)
        self._check_unique(sobject, values, None)
        self._derive(sobject, values, {}, creating=True)
        return PendingWrite(sobject, None, values)

    def find_by_external_id(self, sobject: str, field: str, value: str) -> str | None:
        """The id of the live record whose External ID `field` holds `value` (compared
        case-insensitively, as Salesforce does unless the field is case-sensitive)."""
        wanted = value.casefold()
        rows = (self.store.holding(SYSTEM, sobject, field, value) if value.isascii()
                else self.store.scan(SYSTEM, sobject))
        return next((row.id for row in rows
                     if str(row.fields.get(field) or "").casefold() == wanted), None)

    def _check_unique(self, sobject: str, values: Mapping[str, Any],
                      own_id: str | None) -> None:
        """A Unique field refuses a value another record already holds."""
        if sobject != "Task":  # the only sObject with an External ID in the sandbox
            return
        for name, field in schema.fields_of(self.store, sobject).items():
            value = values.get(name)
            if not field.external_id or not isinstance(value, str):
                continue
            holder = self.find_by_external_id(sobject, name, value)
            if holder is not None and holder != own_id:
                raise RecordError("DUPLICATE_VALUE", f"duplicate value found: {name} "
                                  f"duplicates value on record with id: {holder}", [name])

    def prepare_update(self, sobject: str, record_id: Any, body: Mapping[str, Any]
                       ) -> PendingWrite:
        if not record_id:
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call")
        record_id = str(record_id)
        if schema.sobject_of_id(record_id) != sobject:
            raise RecordError("MALFORMED_ID", f"Record ID: id value of incorrect type: "
                              f"{record_id}", ["Id"])
        row = self.store.get(SYSTEM, sobject, record_id)
        if row is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id",
                              ["Id"])
        if row.deleted:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
        if sobject == "Lead" and row.fields.get("IsConverted"):
            raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        values = self._values(sobject, body, creating=False)
        self._check_unique(sobject, values, record_id)
        self._derive(sobject, values, row.fields, creating=False)
        return PendingWrite(sobject, record_id, values, row.fields)

    def commit(self, pending: Sequence[PendingWrite]) -> list[str]:
        """Save prepared writes in one transaction; the ids, in order."""
        ids: list[str] = []
        with self.store.bulk():
            for write in pending:
                if write.id is None:
                    new_id = schema.new_salesforce_id(self.store, write.sobject)
                    self.store.insert(SYSTEM, write.sobject, new_id, write.values)
                    ids.append(new_id)
                else:
                    field_history.record_changes(self.store, write.sobject, write.id,
                                                 write.before or {}, write.values)
                    self.store.update(SYSTEM, write.sobject, write.id, write.values)
                    ids.append(write.id)
        return ids

    # -- checks ---------------------------------------------------------------------------
    def _values(self, sobject: str, body: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        defs = schema.fields_of(self.store, sobject)
        exact = {name.lower(): name for name in defs}
        values: dict[str, Any] = {}
        for key, value in body.items():
            name = exact.get(key.lower())
            if name is None:
                raise RecordError("INVALID_FIELD",
                                  f"No such column '{key}' on sobject of type {sobject}")
            if name == "Id" and creating:
                raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            field = defs[name]
            if not (field.createable if creating else field.updateable):
                raise RecordError(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {name}. Please check the security "
                    "settings of this field and verify that it is read/write for your "
                    "profile or permission set.", [name])
            values[name] = self._checked(field, value)
        required = [f.name for f in defs.values() if f.required and
                    (values.get(f.name) is None if creating or f.name in values else False)]
        if required:
            raise RecordError("REQUIRED_FIELD_MISSING",
                              f"Required fields are missing: [{', '.join(required)}]", required)
        return values

    def _checked(self, field: FieldDef, value: Any) -> Any:
        """The value to store, or RecordError when it does not fit the field."""
        wrong_type = RecordError("INVALID_TYPE_ON_FIELD_IN_RECORD",
                                 f"{field.label}: value not of required type: {value}",
                                 [field.name])
        if field.type == "boolean":
            if not isinstance(value, bool):
                raise wrong_type
            return value
        if value is None or value == "":
            return None  # Salesforce stores an empty text as null
        if field.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise wrong_type
            return value
        if not isinstance(value, str):
            raise wrong_type
        try:
            if field.type == "date":
                return date.fromisoformat(value[:10]).isoformat()
            if field.type == "datetime":
                return iso(schema.parse_datetime(value))
        except ValueError:
            raise wrong_type from None
        if field.length and len(value) > field.length:
            raise RecordError("STRING_TOO_LONG", f"{field.label}: data value too large: "
                              f"{value[:40]}... (max length={field.length})", [field.name])
        if field.type == "reference":
            self._check_reference(field, value)
        return value

    def _check_reference(self, field: FieldDef, value: str) -> None:
        target = schema.sobject_of_id(value)
        if target not in field.reference_to:
            raise RecordError("FIELD_INTEGRITY_EXCEPTION",
                              f"{field.label}: id value of incorrect type: {value}", [field.name])
        row = self.store.get(SYSTEM, target, value)
        if row is None or row.deleted:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id",
                              [field.name])

    # -- derived fields -------------------------------------------------------------------
    def _derive(self, sobject: str, values: dict[str, Any], current: Mapping[str, Any],
                creating: bool) -> None:
        if sobject == "Opportunity":
            stage = values.get("StageName")
            if stage in schema.STAGES and (creating or stage != current.get("StageName")):
                probability, closed, won = schema.STAGES[stage]
                values.setdefault("Probability", probability)
                values.update(IsClosed=closed, IsWon=won,
                              LastStageChangeDate=iso(self.store.now()))
        elif sobject == "Task":
            if creating:
                for name, default in (("Status", "Not Started"), ("Priority", "Normal"),
                                      ("TaskSubtype", "Task")):
                    if values.get(name) is None:
                        values[name] = default
            if "Status" in values:
                values["IsClosed"] = values["Status"] == "Completed"
        elif sobject == "Lead" and creating:
            values.setdefault("IsConverted", False)
            if values.get("Status") is None:
                values["Status"] = schema.LEAD_STATUSES[0]
