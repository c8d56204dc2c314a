"""The fake Salesforce REST API (`/services/data/vXX.X/...`), enough for simple-salesforce
and leadpact's connector: SOQL query/queryAll with paging, sObject CRUD and describe,
sObject Collections, updated/deleted, limits (Bulk API 2.0 query jobs: salesforce_bulk2.py).
Wire formats follow api-notes §1, §3, §5.

Every call counts against `sandbox.salesforce_daily_limit`; past it the answer is 403
REQUEST_LIMIT_EXCEEDED, as a real org does. Writes are checked by salesforce_records.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from leadpact.connectors.sandbox import salesforce_bulk2, salesforce_tooling, soql, soql_eval
from leadpact.connectors.sandbox import salesforce_schema as schema
from leadpact.connectors.sandbox.salesforce_records import RecordError, RecordWriter
from leadpact.connectors.sandbox.server import Request, Response

SYSTEM = "salesforce"
_BASE = r"/services/data/v(?P<version>\d+\.\d+)"
_TYPE = r"(?P<sobject>[A-Za-z_][A-Za-z0-9_]*)"
DEFAULT_BATCH, MIN_BATCH = 2000, 200
COLLECTION_LIMIT = 200  # records per sObject Collections call
_KEPT_QUERY_CURSORS = 100


class ApiError(Exception):
    """A refusal in Salesforce's error format: a JSON array of {message, errorCode[, fields]}."""

    def __init__(self, status: int, code: str, message: str, fields: Sequence[str] = ()):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, list(fields)

    def response(self) -> Response:
        error: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields:
            error["fields"] = self.fields
        return Response(self.status, [error])


def unauthorized() -> Response:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid").response()


def not_found(request: Request) -> Response:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist").response()


def decorate(sandbox: Any, response: Response) -> Response:
    used = sandbox.store.calls(SYSTEM)
    response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{sandbox.salesforce_daily_limit}"
    return response


def register(sandbox: Any) -> None:
    api = _SalesforceApi(sandbox)
    routes: list[tuple[str, str, Callable[[Request], Response]]] = [
        ("GET", r"/query", lambda r: api.query(r, include_deleted=False)),
        ("GET", r"/queryAll", lambda r: api.query(r, include_deleted=True)),
        ("GET", r"/query(?:All)?/(?P<locator>[0-9A-Za-z]+)-(?P<offset>\d+)", api.query_more),
        ("GET", r"/limits", api.limits),
        ("GET", r"/sobjects", api.describe_global),
        ("POST", r"/composite/sobjects", lambda r: api.collection(r, creating=True)),
        ("PATCH", r"/composite/sobjects", lambda r: api.collection(r, creating=False)),
        ("PATCH", rf"/composite/sobjects/{_TYPE}/(?P<field>[A-Za-z_][A-Za-z0-9_]*)",
         api.collection_upsert),
        ("GET", rf"/sobjects/{_TYPE}/describe", api.describe),
        ("GET", rf"/sobjects/{_TYPE}/deleted", api.deleted),
        ("GET", rf"/sobjects/{_TYPE}/updated", api.updated),
        ("GET", rf"/sobjects/{_TYPE}", api.metadata),
        ("POST", rf"/sobjects/{_TYPE}", api.create),
        ("GET", rf"/sobjects/{_TYPE}/(?P<id>[0-9A-Za-z]+)", api.get),
        ("PATCH", rf"/sobjects/{_TYPE}/(?P<id>[0-9A-Za-z]+)", api.update),
        ("DELETE", rf"/sobjects/{_TYPE}/(?P<id>[0-9A-Za-z]+)", api.delete),
    ]
    for method, pattern, handler in routes:
        sandbox.salesforce.add(method, _BASE + pattern, api.metered(handler))
    salesforce_tooling.register(sandbox, _BASE, api.metered)  # custom fields, for `setup`
    salesforce_bulk2.register(sandbox, _BASE, api.metered, api.select)  # big reads


def _batch_size(header: str | None, default: int) -> int:
    """`Sforce-Query-Options: batchSize=N`, clamped to 200..2000 like Salesforce."""
    for part in (header or "").split(","):
        name, _, value = part.partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return min(max(int(value), MIN_BATCH), DEFAULT_BATCH)
    return default


class _QueryCursors:
    """Server-side query results, so `nextRecordsUrl` pages through a stable snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[list[dict[str, Any]], int]] = OrderedDict()
        self._numbers = itertools.count(1)

    def keep(self, records: list[dict[str, Any]], batch: int) -> str:
        with self._lock:
            locator = f"01g{next(self._numbers):012d}AAA"
            self._kept[locator] = (records, batch)
            while len(self._kept) > _KEPT_QUERY_CURSORS:
                self._kept.popitem(last=False)
            return locator

    def get(self, locator: str) -> tuple[list[dict[str, Any]], int] | None:
        with self._lock:
            return self._kept.get(locator)


class _SalesforceApi:
    def __init__(self, sandbox: Any):
        self.sandbox = sandbox
        self.store = sandbox.store
        self.cursors = _QueryCursors()
        self._upserts = threading.Lock()  # match-then-write is one step, as in a real org

    def metered(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def answer(request: Request) -> Response:
            if self.store.calls(SYSTEM) > self.sandbox.salesforce_daily_limit:
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            return handler(request)

        return answer

    # -- helpers --------------------------------------------------------------------------
    def _sobject(self, request: Request) -> str:
        sobject = schema.resolve_sobject(request.params["sobject"])
        if sobject is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return sobject

    def _wire(self, sobject: str, record: Mapping[str, Any], names: Sequence[str],
              version: str) -> dict[str, Any]:
        """A record as the API renders it; `record` is keyed by lower-cased field name."""
        url = f"/services/data/v{version}/sobjects/{sobject}/{record['id']}"
        wire: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
        wire.update((name, schema.wire_value(record[name.lower()])) for name in names)
        return wire

    def _typed(self, sobject: str, id_: str) -> dict[str, Any]:
        row = self.store.get(SYSTEM, sobject, id_)
        if row is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if row.deleted:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return schema.typed_record(self.store, row)

    def _body(self, request: Request) -> Any:
        try:
            return request.json()
        except ValueError as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    # -- query ----------------------------------------------------------------------------
    def query(self, request: Request, include_deleted: bool) -> Response:
        text = request.arg("q")
        if not text:
            raise ApiError(400, "MALFORMED_QUERY", "A query string (q) is required")
        version = request.params["version"]
        sobject, selected, rows = self.select(text, include_deleted)
        records = [self._wire(sobject, rec, selected, version) for rec in rows]
        batch = _batch_size(request.headers.get("sforce-query-options"), DEFAULT_BATCH)
        return self._page(records, batch, version, None, 0)

    def select(self, text: str, include_deleted: bool
               ) -> tuple[str, list[str], list[Mapping[str, Any]]]:
        """Evaluate SOQL: the sObject, the selected field names as written in the schema,
        and the matching records (keyed by lower-cased field name, Python values). Shared
        by REST query and Bulk API 2.0 query jobs (salesforce_bulk2.py)."""
        try:
            parsed = soql.parse(text)
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, str(exc)) from None
        sobject = schema.resolve_sobject(parsed.sobject)
        if sobject is None:
            raise ApiError(400, "INVALID_TYPE", f"sObject type '{parsed.sobject}' is not "
                           "supported. Please reference your WSDL or the describe call.")
        defs = schema.fields_of(self.store, sobject)
        exact = {name.lower(): name for name in defs}
        for name in parsed.referenced_fields():
            if name.lower() not in exact:
                raise ApiError(400, "INVALID_FIELD", f"No such column '{name}' on entity "
                               f"'{sobject}'. If you are attempting to use a custom field, be "
                               "sure to append the '__c' after the custom field name.")
        selected = [exact[name.lower()] for name in parsed.fields]
        if len(set(selected)) != len(selected):
            raise ApiError(400, "MALFORMED_QUERY", "duplicate field selected")
        try:
            if parsed.where is not None:
                soql_eval.check_types(parsed.where, lambda f: defs[exact[f.lower()]].kind)
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, str(exc)) from None
        since = soql_eval.lower_bound(parsed.where, "SystemModstamp")
        # Text conditions every match must meet are handed to SQLite, so big tables are
        # not parsed row by row; the evaluator still decides for every row it returns.
        required = {exact[f]: allowed
                    for f, allowed in soql_eval.required_texts(parsed.where).items()
                    if all(v.isascii() for v in allowed)}
        rows = self.store.scan(SYSTEM, sobject, include_deleted=include_deleted, since=since,
                               one_of=required)
        # Only the fields the query names are typed (a row has dozens it does not ask for).
        named = {exact[name.lower()] for name in parsed.referenced_fields()}
        needed = {name: spec for name, spec in defs.items() if name in named}
        typed = ({k.lower(): v for k, v in schema.typed_record(self.store, row, needed).items()}
                 for row in rows)
        return sobject, selected, soql_eval.execute(parsed, typed)

    def query_more(self, request: Request) -> Response:
        kept = self.cursors.get(request.params["locator"])
        if kept is None:
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        records, batch = kept
        batch = _batch_size(request.headers.get("sforce-query-options"), batch)
        return self._page(records, batch, request.params["version"],
                          request.params["locator"], int(request.params["offset"]))

    def _page(self, records: list[dict[str, Any]], batch: int, version: str,
              locator: str | None, offset: int) -> Response:
        end = offset + batch
        body: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records),
                                "records": records[offset:end]}
        if not body["done"]:
            locator = locator or self.cursors.keep(records, batch)
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        return Response(200, body)

    # -- describe and limits --------------------------------------------------------------
    def _summary(self, sobject: str, version: str) -> dict[str, Any]:
        base = f"/services/data/v{version}/sobjects/{sobject}"
        writable = sobject not in schema.READ_ONLY_SOBJECTS
        return {"name": sobject, "label": sobject, "custom": False, "queryable": True,
                "keyPrefix": schema.KEY_PREFIXES[sobject], "createable": writable,
                "updateable": writable, "deletable": writable,
                "urls": {"sobject": base, "describe": f"{base}/describe",
                         "rowTemplate": f"{base}/{{ID}}"}}

    def describe_global(self, request: Request) -> Response:
        version = request.params["version"]
        return Response(200, {"encoding": "UTF-8", "maxBatchSize": COLLECTION_LIMIT,
                              "sobjects": [self._summary(s, version) for s in schema.SOBJECTS]})

    def describe(self, request: Request) -> Response:
        sobject = self._sobject(request)
        body = self._summary(sobject, request.params["version"])
        body["fields"] = [f.describe() for f in schema.fields_of(self.store, sobject).values()]
        return Response(200, body)

    def metadata(self, request: Request) -> Response:
        sobject = self._sobject(request)
        return Response(200, {"objectDescribe": self._summary(sobject, request.params["version"]),
                              "recentItems": []})

    def limits(self, request: Request) -> Response:
        limit = self.sandbox.salesforce_daily_limit
        remaining = max(0, limit - self.store.calls(SYSTEM))
        return Response(200, {"DailyApiRequests": {"Max": limit, "Remaining": remaining}})

    # -- replication (updated / deleted) --------------------------------------------------
    def _window(self, request: Request) -> tuple[datetime, datetime]:
        bounds = []
        for name in ("start", "end"):
            raw = request.arg(name)
            if not raw:
                raise ApiError(400, "MISSING_ARGUMENT", f"{name} is required")
            try:  # the client sends %2B; a bare '+' would arrive as a space
                bounds.append(schema.parse_datetime(raw.replace(" ", "+")))
            except ValueError:
                raise ApiError(400, "INVALID_REPLICATION_DATE",
                               f"{name} is not a valid dateTime: {raw}") from None
        if bounds[0] >= bounds[1]:
            raise ApiError(400, "INVALID_REPLICATION_DATE",
                           "startDate must chronologically precede endDate")
        return bounds[0], bounds[1]

    def updated(self, request: Request) -> Response:
        sobject = self._sobject(request)
        start, end = self._window(request)
        ids = [row.id for row in self.store.scan(SYSTEM, sobject, since=start)
               if row.modified_at <= end]
        return Response(200, {"ids": ids, "latestDateCovered": schema.render_datetime(end)})

    def deleted(self, request: Request) -> Response:
        sobject = self._sobject(request)
        start, end = self._window(request)
        rows = [row for row in self.store.scan(SYSTEM, sobject, include_deleted=True,
                                               since=start)
                if row.deleted and row.modified_at <= end]
        return Response(200, {
            "deletedRecords": [{"id": row.id,
                                "deletedDate": schema.render_datetime(row.modified_at)}
                               for row in rows],
            "earliestDateAvailable": schema.render_datetime(start),
            "latestDateCovered": schema.render_datetime(end)})

    # -- one record -----------------------------------------------------------------------
    def get(self, request: Request) -> Response:
        sobject = self._sobject(request)
        record = self._typed(sobject, request.params["id"])
        names = list(schema.fields_of(self.store, sobject))
        wanted = request.arg("fields")
        if wanted:
            exact = {name.lower(): name for name in names}
            unknown = [f for f in wanted.split(",") if f.strip().lower() not in exact]
            if unknown:
                raise ApiError(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on "
                               f"sobject of type {sobject}")
            names = [exact[f.strip().lower()] for f in wanted.split(",")]
        lowered = {k.lower(): v for k, v in record.items()}
        return Response(200, self._wire(sobject, lowered, names, request.params["version"]))

    def _write_error(self, error: RecordError) -> ApiError:
        return ApiError(400, error.code, error.message, error.fields)

    def create(self, request: Request) -> Response:
        sobject = self._sobject(request)
        body = self._body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        writer = RecordWriter(self.store)
        try:
            pending = writer.prepare_create(sobject, body)
        except RecordError as error:
            raise self._write_error(error) from None
        new_id = writer.commit([pending])[0]
        return Response(201, {"id": new_id, "success": True, "errors": []})

    def update(self, request: Request) -> Response:
        sobject = self._sobject(request)
        body = self._body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        self._typed(sobject, request.params["id"])  # 404 when missing or deleted
        writer = RecordWriter(self.store)
        try:
            pending = writer.prepare_update(sobject, request.params["id"], body)
        except RecordError as error:
            raise self._write_error(error) from None
        writer.commit([pending])
        return Response(204)

    def delete(self, request: Request) -> Response:
        sobject = self._sobject(request)
        self._typed(sobject, request.params["id"])  # 404 when missing or already deleted
        self.store.delete(SYSTEM, sobject, request.params["id"])
        return Response(204)

    # -- sObject Collections --------------------------------------------------------------
    def collection(self, request: Request, creating: bool) -> Response:
        body = self._body(request)
        records = _collection_records(body)
        sobjects = []
        for record in records:
            name = (record.get("attributes") or {}).get("type")
            if not name:
                raise ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
            sobject = schema.resolve_sobject(str(name))
            if sobject is None:
                raise ApiError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
            sobjects.append(sobject)
        writer = RecordWriter(self.store)
        prepared: list[Any] = []
        for sobject, record in zip(sobjects, records, strict=True):
            fields = {k: v for k, v in record.items() if k != "attributes"}
            try:
                if creating:
                    prepared.append(writer.prepare_create(sobject, fields))
                else:
                    prepared.append(writer.prepare_update(sobject, fields.pop("Id", None),
                                                          fields))
            except RecordError as error:
                prepared.append(error)
        failed = any(isinstance(p, RecordError) for p in prepared)
        if failed and body.get("allOrNone"):
            return Response(200, [_failure(p) if isinstance(p, RecordError) else _rolled_back()
                                  for p in prepared])
        ids = iter(writer.commit([p for p in prepared if not isinstance(p, RecordError)]))
        return Response(200, [_failure(p) if isinstance(p, RecordError)
                              else {"id": next(ids), "success": True, "errors": []}
                              for p in prepared])

    def collection_upsert(self, request: Request) -> Response:
        """sObject Collections upsert on an External ID (API 46+): one sObject type, each
        record created or updated by its External ID value; UpsertResults in order."""
        sobject = self._sobject(request)
        body = self._body(request)
        records = _collection_records(body)
        defs = schema.fields_of(self.store, sobject)
        field = next((f for f in defs.values()
                      if f.name.lower() == request.params["field"].lower()), None)
        if field is None or not field.external_id:
            raise ApiError(400, "INVALID_FIELD", f"Field {request.params['field']} is not an "
                           f"External ID or indexed field for {sobject}")
        with self._upserts:
            return self._upsert(sobject, field.name, records, bool(body.get("allOrNone")))

    def _upsert(self, sobject: str, key: str, records: list[dict[str, Any]],
                all_or_none: bool) -> Response:
        writer = RecordWriter(self.store)
        prepared: list[Any] = []
        seen: set[str] = set()
        for record in records:
            name = str((record.get("attributes") or {}).get("type") or "")
            fields = {k: v for k, v in record.items() if k != "attributes"}
            value = next((v for k, v in fields.items() if k.lower() == key.lower()), None)
            try:
                if schema.resolve_sobject(name) != sobject:
                    raise RecordError("INVALID_TYPE", f"Records must all be of type {sobject}")
                if not isinstance(value, str) or not value:
                    raise RecordError("MISSING_ARGUMENT", f"{key} not specified", [key])
                if value.casefold() in seen:
                    raise RecordError("DUPLICATE_EXTERNAL_ID", "Duplicate external id "
                                      f"specified: {value}", [key])
                seen.add(value.casefold())
                found = writer.find_by_external_id(sobject, key, value)
                prepared.append((found is None, writer.prepare_create(sobject, fields)
                                 if found is None else
                                 writer.prepare_update(sobject, found, fields)))
            except RecordError as error:
                prepared.append(error)
        if any(isinstance(p, RecordError) for p in prepared) and all_or_none:
            return Response(200, [_failure(p) if isinstance(p, RecordError) else _rolled_back()
                                  for p in prepared])
        ids = iter(writer.commit([p[1] for p in prepared if not isinstance(p, RecordError)]))
        return Response(200, [_failure(p) if isinstance(p, RecordError)
                              else {"id": next(ids), "success": True, "errors": [],
                                    "created": p[0]}
                              for p in prepared])


def _failure(error: RecordError) -> dict[str, Any]:
    return {"success": False, "errors": [
        {"statusCode": error.code, "message": error.message, "fields": list(error.fields)}]}


def _rolled_back() -> dict[str, Any]:
    return {"success": False, "errors": [{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request "
                   "was using AllOrNone header", "fields": []}]}


def _collection_records(body: Any) -> list[dict[str, Any]]:
    """The `records` of an sObject Collections body, refused as Salesforce does."""
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", "Expected {\"records\": [...]}")
    if len(records) > COLLECTION_LIMIT:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit "
                       f"more than {COLLECTION_LIMIT} records into this call")
    return records
