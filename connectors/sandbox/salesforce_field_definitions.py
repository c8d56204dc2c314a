"""The fake org's FieldDefinition: which fields of an object have field history tracking on
(`IsFieldHistoryTracked`), the REST query `leadpact check` makes:

    SELECT QualifiedApiName, IsFieldHistoryTracked FROM FieldDefinition
    WHERE EntityDefinition.QualifiedApiName = 'Contact'

(or, for several objects at once, `EntityDefinition.QualifiedApiName` selected and
`IN (...)` in the filter). As in a real org, FieldDefinition must be filtered by its
object (EntityDefinition).
"""

from __future__ import annotations

from typing import Any

from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox import soql, soql_eval
from leadpact.connectors.sandbox.salesforce_field_history import tracked
from leadpact.connectors.sandbox.store import Store

_QUERYABLE = ("QualifiedApiName", "Label", "IsFieldHistoryTracked", "DataType")
_ENTITY = "entitydefinition.qualifiedapiname"


class FieldDefinitionError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def asks_for(parsed: soql.Query) -> bool:
    return parsed.sobject.lower() == "fielddefinition"


def _rows(store: Store) -> list[dict[str, Any]]:
    created = schema.custom_field_defs(store)
    rows = []
    for sobject in schema.FIELD_HISTORY:
        for name, field in schema.fields_of(store, sobject).items():
            rows.append({"qualifiedapiname": name, "label": field.label,
                         "isfieldhistorytracked": tracked(created, sobject, name),
                         "datatype": field.type, _ENTITY: sobject})
    return rows


def query(store: Store, parsed: soql.Query, version: str) -> dict[str, Any]:
    exact = {name.lower(): name for name in _QUERYABLE}
    where = [f.lower() for f in soql.condition_fields(parsed.where)] if parsed.where else []
    if _ENTITY not in where:
        raise FieldDefinitionError(
            "MALFORMED_QUERY", "FieldDefinition must be filtered by EntityDefinition "
            "(e.g. WHERE EntityDefinition.QualifiedApiName = 'Contact')")
    unknown = [f for f in parsed.referenced_fields()
               if f.lower() not in exact and f.lower() != _ENTITY]
    if unknown:
        raise FieldDefinitionError("INVALID_FIELD", f"No such column '{unknown[0]}' on "
                                   "entity 'FieldDefinition'")
    records = []
    for row in soql_eval.execute(parsed, _rows(store)):
        url = (f"/services/data/v{version}/sobjects/FieldDefinition/"
               f"{row[_ENTITY]}.{row['qualifiedapiname']}")
        record: dict[str, Any] = {"attributes": {"type": "FieldDefinition", "url": url}}
        for name in parsed.fields:
            if name.lower() == _ENTITY:  # a parent field comes back as a nested object
                record["EntityDefinition"] = {
                    "attributes": {"type": "EntityDefinition", "url": f"/services/data/v"
                                   f"{version}/sobjects/EntityDefinition/{row[_ENTITY]}"},
                    "QualifiedApiName": row[_ENTITY]}
            else:
                record[exact[name.lower()]] = row[name.lower()]
        records.append(record)
    return {"totalSize": len(records), "done": True, "records": records}
