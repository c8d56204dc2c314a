"""The fake Tooling API's custom-field create (`POST .../tooling/sobjects/CustomField`), the
call simple-salesforce's `toolingexecute("sobjects/CustomField", "POST", body)` makes.

Body: {"FullName": "Lead.My_Field__c", "Metadata": {"type": "Text", "label": …, "length":
255, …}}; answer 201 {"id": "00N…", "success": true, "errors": [], "warnings": [], "infos": []}
or 400 with Salesforce's error array. A created field shows in describe and SOQL at once;
it is editable once a permission set grants edit on it (FieldPermissions), as in an org
where new fields get no field-level security by default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox.server import Request, Response

_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$")
_TYPES = ("Text", "Number", "LongTextArea", "Picklist", "Checkbox")


class ToolingError(Exception):
    def __init__(self, code: str, message: str, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, list(fields)


def _int(meta: Mapping[str, Any], key: str) -> int:
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ToolingError("FIELD_INTEGRITY_EXCEPTION", f"{key}: a whole number is required",
                           (key,))
    return value


def check_metadata(meta: Mapping[str, Any]) -> None:
    """The Metadata API's rules for the field types the sandbox knows."""
    kind = meta.get("type")
    if kind not in _TYPES:
        raise ToolingError("FIELD_INTEGRITY_EXCEPTION",
                           f"Metadata.type must be one of {', '.join(_TYPES)}", ("type",))
    label = meta.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 40:
        raise ToolingError("REQUIRED_FIELD_MISSING",
                           "Field Label: a label of 1-40 characters is required", ("label",))
    if kind == "Text" and not 1 <= _int(meta, "length") <= 255:
        raise ToolingError("FIELD_INTEGRITY_EXCEPTION", "Length: 1 to 255", ("length",))
    if kind == "LongTextArea":
        if not 256 <= _int(meta, "length") <= 131072:
            raise ToolingError("FIELD_INTEGRITY_EXCEPTION", "Length: 256 to 131072",
                               ("length",))
        _int(meta, "visibleLines")
    if kind == "Number":
        precision, scale = _int(meta, "precision"), _int(meta, "scale")
        if not 1 <= precision <= 18 or not 0 <= scale <= precision:
            raise ToolingError("FIELD_INTEGRITY_EXCEPTION",
                               "Precision 1-18, scale 0 to precision", ("precision", "scale"))
    if kind == "Picklist" and not meta.get("valueSet", {}).get("valueSetDefinition", {}).get(
            "value"):
        raise ToolingError("FIELD_INTEGRITY_EXCEPTION", "Picklist values are required",
                           ("valueSet",))


def create_custom_field(store: Any, body: Any) -> str:
    """Validate and record one custom field; returns its 00N id."""
    if not isinstance(body, dict) or not isinstance(body.get("Metadata"), dict):
        raise ToolingError("JSON_PARSER_ERROR", "FullName and Metadata are required")
    sobject_name, _, field = str(body.get("FullName", "")).partition(".")
    sobject = schema.resolve_sobject(sobject_name)
    if sobject is None or not _NAME.match(field):
        raise ToolingError("INVALID_FIELD", "FullName must be <sObject>.<Name>__c with a "
                           f"known sObject, not {body.get('FullName')!r}", ("FullName",))
    check_metadata(body["Metadata"])
    if field.lower() in {name.lower() for name in schema.fields_of(store, sobject)}:
        raise ToolingError("DUPLICATE_DEVELOPER_NAME",
                           f"There is already a field named {field[:-3]} on {sobject}.",
                           ("FullName",))
    schema.add_custom_field(store, sobject, field, body["Metadata"])
    return f"00N{store.next_number('salesforce:CustomField'):012d}AAA"


def register(sandbox: Any, base: str, metered: Any) -> None:
    def create(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        try:
            new_id = create_custom_field(sandbox.store, body)
        except ToolingError as exc:
            return Response(400, [{"message": exc.message, "errorCode": exc.code,
                                   "fields": exc.fields}])
        return Response(201, {"id": new_id, "success": True, "errors": [], "warnings": [],
                              "infos": []})

    sandbox.salesforce.add("POST", base + r"/tooling/sobjects/CustomField", metered(create))
