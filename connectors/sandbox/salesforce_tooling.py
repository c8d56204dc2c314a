"""The fake Tooling API's custom-field create (`POST .../tooling/sobjects/CustomField`), the
call simple-salesforce's `toolingexecute("sobjects/CustomField", "POST", body)` makes.

Body: {"FullName": "Lead.My_Field__c", "Metadata": {"type": "Text", "label": …, "length":
255, …}}; answer 201 {"id": "00N…", "success": true, "errors": [], "warnings": [], "infos": []}
or 400 with Salesforce's error array. As in an org where new fields get no field-level
security, a created field is hidden from describe and SOQL until a permission set grants
read on it (FieldPermissions), and read-only until one grants edit.

`GET .../tooling/query?q=SELECT Id, DeveloperName, TableEnumOrId FROM CustomField [WHERE …]`
lists every custom field whatever its field-level security, in the Tooling API's query
format (`entityTypeName`, `queryLocator`).

`GET .../tooling/sobjects/CustomField/<00N id>` answers one field with its `FullName` and
`Metadata`; `PATCH` of the same URL with `{"Metadata": {…}}` (the whole definition, as the
Metadata API replaces it: read it, change it, send it back) answers 204. This is how
`setup` turns history tracking on (`trackHistory`) for a field created without it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox import soql, soql_eval
from leadpact.connectors.sandbox.salesforce_field_history import tracked
from leadpact.connectors.sandbox.server import Request, Response

_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$")
_ORG_ID = "00D000000000001AAA"
_IDS_META = "salesforce:custom_field_ids"  # "<sObject>.<field>" -> its 00N id
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
    existing = [*schema.fields_of(store, sobject), *schema.custom_fields(store).get(sobject, [])]
    if field.lower() in {name.lower() for name in existing}:
        raise ToolingError("DUPLICATE_DEVELOPER_NAME",
                           f"There is already a field named {field[:-3]} on {sobject}.",
                           ("FullName",))
    schema.add_custom_field(store, sobject, field, body["Metadata"])
    return str(next(row["id"] for row in custom_field_rows(store)
                if row["tableenumorid"] == sobject and row["developername"] == field[:-3]))


_QUERYABLE = ("Id", "DeveloperName", "TableEnumOrId", "NamespacePrefix")


def custom_field_rows(store: Any) -> list[dict[str, Any]]:
    """Every custom field as a Tooling CustomField row (keys lower-cased), with a stable id."""
    ids: dict[str, str] = json.loads(store.get_meta(_IDS_META) or "{}")
    rows = []
    for sobject, names in sorted(schema.custom_fields(store).items()):
        for name in names:
            full_name = f"{sobject}.{name}"
            if full_name not in ids:
                ids[full_name] = f"00N{store.next_number('salesforce:CustomField'):012d}AAA"
            rows.append({"id": ids[full_name], "developername": name[:-3],
                         "tableenumorid": sobject, "namespaceprefix": None})
    store.set_meta(_IDS_META, json.dumps(ids, sort_keys=True))
    return rows


def query_custom_fields(store: Any, text: str | None, version: str) -> dict[str, Any]:
    try:
        parsed = soql.parse(text or "")
    except soql.SoqlError as exc:
        raise ToolingError(exc.code, str(exc)) from None
    if parsed.sobject.lower() != "customfield":
        raise ToolingError("INVALID_TYPE", f"sObject type '{parsed.sobject}' is not supported "
                           "by this sandbox's Tooling API (only CustomField)")
    exact = {name.lower(): name for name in _QUERYABLE}
    unknown = [f for f in parsed.referenced_fields() if f.lower() not in exact]
    if unknown:
        raise ToolingError("INVALID_FIELD", f"No such column '{unknown[0]}' on entity "
                           "'CustomField'")
    url = f"/services/data/v{version}/tooling/sobjects/CustomField"
    records = [{"attributes": {"type": "CustomField", "url": f"{url}/{row['id']}"},
                **{exact[f.lower()]: row[f.lower()] for f in parsed.fields}}
               for row in soql_eval.execute(parsed, custom_field_rows(store))]
    return {"size": len(records), "totalSize": len(records), "done": True,
            "queryLocator": None, "entityTypeName": "CustomField", "records": records}


def _metadata_of(store: Any, sobject: str, name: str) -> dict[str, Any]:
    """A custom field's Metadata: as created through the Tooling API, or, for a field the
    org was seeded with (leadpact's package), derived from its describe."""
    created = schema.custom_field_defs(store).get(f"{sobject}.{name}")
    if created is not None:
        return dict(created)
    found = schema.fields_of(store, sobject)[name]
    kinds = {"double": {"type": "Number", "precision": 18, "scale": 4},
             "textarea": {"type": "LongTextArea", "length": found.length, "visibleLines": 3}}
    meta = kinds.get(found.type, {"type": "Text", "length": found.length or 255})
    return {"label": found.label, **meta,
            "trackHistory": tracked({}, sobject, name) and found.type != "textarea"}


def _field_by_id(store: Any, field_id: str) -> tuple[str, str]:
    for row in custom_field_rows(store):
        if row["id"] == field_id:
            return row["tableenumorid"], row["developername"] + "__c"
    raise ToolingError("NOT_FOUND", "The requested resource does not exist")


def read_custom_field(store: Any, field_id: str, version: str) -> dict[str, Any]:
    sobject, name = _field_by_id(store, field_id)
    return {"attributes": {"type": "CustomField",
                           "url": f"/services/data/v{version}/tooling/sobjects/CustomField/"
                                  f"{field_id}"},
            "Id": field_id, "DeveloperName": name[:-3], "TableEnumOrId": sobject,
            "NamespacePrefix": None, "FullName": f"{sobject}.{name}",
            "Metadata": _metadata_of(store, sobject, name)}


def update_custom_field(store: Any, field_id: str, body: Any) -> None:
    """Replace a field's Metadata (the type stays: a change of type is refused)."""
    sobject, name = _field_by_id(store, field_id)
    if not isinstance(body, dict) or not isinstance(body.get("Metadata"), dict):
        raise ToolingError("JSON_PARSER_ERROR", "Metadata is required")
    meta = body["Metadata"]
    check_metadata(meta)
    if meta.get("type") != _metadata_of(store, sobject, name).get("type"):
        raise ToolingError("FIELD_INTEGRITY_EXCEPTION",
                           "Changing the type of a field is not supported here", ("type",))
    schema.set_custom_field_metadata(store, sobject, name, meta)


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

    def query(request: Request) -> Response:
        try:
            body = query_custom_fields(sandbox.store, request.arg("q"),
                                       request.params["version"])
        except ToolingError as exc:
            return Response(400, [{"message": exc.message, "errorCode": exc.code}])
        return Response(200, body)

    sandbox.salesforce.add("POST", base + r"/tooling/sobjects/CustomField", metered(create))
    sandbox.salesforce.add("GET", base + r"/tooling/query", metered(query))

    def one_field(request: Request) -> Response:
        field_id = request.params["id"]
        try:
            if request.method == "GET":
                return Response(200, read_custom_field(sandbox.store, field_id,
                                                       request.params["version"]))
            try:
                body = request.json()
            except ValueError:
                body = None
            update_custom_field(sandbox.store, field_id, body)
        except ToolingError as exc:
            status = 404 if exc.code == "NOT_FOUND" else 400
            return Response(status, [{"message": exc.message, "errorCode": exc.code,
                                      "fields": exc.fields}])
        return Response(204)

    field_url = base + r"/tooling/sobjects/CustomField/(?P<id>00N\w+)"
    sandbox.salesforce.add("GET", field_url, metered(one_field))
    sandbox.salesforce.add("PATCH", field_url, metered(one_field))

    def userinfo(request: Request) -> Response:  # OpenID Connect UserInfo: who the token is
        user_id = schema.api_user_id(sandbox.store)
        return Response(200, {
            "sub": f"https://login.salesforce.com/id/{_ORG_ID}/{user_id}", "user_id": user_id,
            "organization_id": _ORG_ID, "preferred_username": "integration@sandbox.invalid",
            "name": "leadpact Integration", "email": "integration@sandbox.invalid",
            "user_type": "STANDARD", "active": True})

    sandbox.salesforce.add("GET", r"/services/oauth2/userinfo", metered(userinfo))
