"""Fake HubSpot CRM v3 objects API: basic, batch, search and merge endpoints.

Status codes are exactly the ones hubspot-api-client maps (201 for creates, 204 for
archives, 207 for partial batch failures); any other 2xx makes the client return None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leadpact.connectors.sandbox import hubspot_records as records
from leadpact.connectors.sandbox import hubspot_search as search
from leadpact.connectors.sandbox.hubspot_associations import live_associations
from leadpact.connectors.sandbox.hubspot_errors import (
    OBJECT_NOT_FOUND,
    ApiError,
    int_param,
    not_found,
    standard_error,
)
from leadpact.connectors.sandbox.hubspot_schema import (
    MERGEABLE,
    OBJECT_TYPE_IDS,
    SEARCHABLE,
    object_type,
    properties_by_name,
)
from leadpact.connectors.sandbox.hubspot_search_slice import time_slice
from leadpact.connectors.sandbox.server import Request, Response
from leadpact.connectors.sandbox.store import Row, Store

BATCH_LIMIT = 100
HISTORY_BATCH_LIMIT = 50
SEARCH_WINDOW = 10_000
_SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal", "tasks": "task",
             "emails": "email", "meetings": "meeting", "calls": "call", "notes": "note"}


def _type(req: Request) -> str:
    canonical = object_type(req.params["type"])
    if canonical is None:
        raise ApiError(400, f"Unable to infer object type from: {req.params['type']}")
    return canonical


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _names(req: Request, key: str) -> list[str] | None:
    """A list query parameter sent as repeated keys and/or comma lists."""
    values = [part.strip() for raw in req.args(key) for part in raw.split(",") if part.strip()]
    return values or None


def _body(req: Request) -> dict[str, Any]:
    try:
        body = req.json()
    except ValueError:
        raise ApiError(400, "Invalid input JSON: the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid input JSON: expected an object")
    return body


def _inputs(body: Mapping[str, Any], cap: int = BATCH_LIMIT) -> list[dict[str, Any]]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise ApiError(400, "Invalid input JSON: `inputs` is required")
    if len(inputs) > cap:
        raise ApiError(400, f"Batch input size of {len(inputs)} exceeds the limit of {cap}."
                       if cap == BATCH_LIMIT else
                       f"The maximum number of inputs supported in a batch request for property "
                       f"histories is {cap}, got {len(inputs)}.")
    return inputs


def _batch(store: Store, results: list[dict[str, Any]], errors: list[dict[str, Any]],
           ok_status: int) -> Response:
    now = records.wire_time(store.now())
    body: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": now,
                            "completedAt": now}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
        return Response(207, body)
    return Response(ok_status, body)


def _missing_error(type_: str, ids: list[str]) -> dict[str, Any]:
    return standard_error(f"Could not get some {type_} objects, they may be deleted or not exist. "
                          f"Check that ids are valid. ({', '.join(ids)})", OBJECT_NOT_FOUND, ids)


def _associations(store: Store, type_: str, row: Row, wanted: list[str] | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in wanted or []:
        to_type = object_type(name)
        if to_type is None:
            continue
        links = [{"id": to_id, "type": f"{_SINGULAR[type_]}_to_{_SINGULAR[to_type]}"}
                 for to_id, _ in live_associations(store, type_, row.id, to_type)]
        if links:
            result[to_type] = {"results": links}
    return result


def _move_associations(store: Store, type_: str, loser_id: str, survivor_id: str) -> None:
    """The survivor takes over the merged record's associations (labels kept)."""
    for to_type in OBJECT_TYPE_IDS:
        for to_id, type_id, label, category in store.associations("hubspot", type_, loser_id,
                                                                  to_type):
            if to_id == survivor_id:
                continue
            store.associate("hubspot", type_, survivor_id, to_type, to_id, type_id, label,
                            category)
            for back_id, back_type, back_label, back_category in store.associations(
                    "hubspot", to_type, to_id, type_):
                if back_id == loser_id:
                    store.associate("hubspot", to_type, to_id, type_, survivor_id, back_type,
                                    back_label, back_category)


def routes(sandbox: Any) -> list[tuple[str, str, Callable[[Request], Response]]]:
    store: Store = sandbox.store

    def known(type_: str) -> Mapping[str, dict[str, Any]]:
        return properties_by_name(store, type_)

    def render(type_: str, row: Row, names: list[str] | None,
               history: list[str] | None = None) -> dict[str, Any]:
        return records.render(type_, row, names, history or (), known(type_))

    def written(type_: str, row: Row, values: Mapping[str, Any]) -> dict[str, Any]:
        return render(type_, row, list(values))

    def live(type_: str, id_: str, id_property: str | None = None) -> Row:
        row = records.find(store, type_, id_, id_property)
        if row is None or row.deleted:
            raise not_found(type_, id_)
        return row

    # -- basic -----------------------------------------------------------------------------
    def list_page(req: Request) -> Response:
        type_ = _type(req)
        archived = _flag(req.arg("archived"))
        limit = max(1, min(int_param(req.arg("limit"), "limit", 10), 100))
        after = int_param(req.arg("after"), "after", 0)
        rows = sorted((r for r in store.scan("hubspot", type_, include_deleted=archived)
                       if r.deleted == archived and records.numeric(r.id) > after),
                      key=lambda r: records.numeric(r.id))
        page = rows[:limit]
        names, history = _names(req, "properties"), _names(req, "propertiesWithHistory")
        results = []
        for row in page:
            obj = render(type_, row, names, history)
            links = _associations(store, type_, row, _names(req, "associations"))
            if links:
                obj["associations"] = links
            results.append(obj)
        body: dict[str, Any] = {"results": results}
        if len(rows) > limit:  # paging only when there is a next page
            body["paging"] = {"next": {"after": page[-1].id, "link": None}}
        return Response(200, body)

    def get_one(req: Request) -> Response:
        type_ = _type(req)
        id_ = req.params["id"]
        row = records.find(store, type_, id_, req.arg("idProperty"))
        if row is None or (row.deleted and not _flag(req.arg("archived"))):
            raise not_found(type_, id_)
        obj = render(type_, row, _names(req, "properties"), _names(req, "propertiesWithHistory"))
        links = _associations(store, type_, row, _names(req, "associations"))
        if links:
            obj["associations"] = links
        return Response(200, obj)

    def create(req: Request) -> Response:
        type_ = _type(req)
        body = _body(req)
        row = records.create(store, type_, body)
        return Response(201, written(type_, row, body.get("properties") or {}))

    def update(req: Request) -> Response:
        type_ = _type(req)
        body = _body(req)
        row = live(type_, req.params["id"], req.arg("idProperty"))
        row = records.update(store, type_, row, body.get("properties") or {})
        return Response(200, written(type_, row, body.get("properties") or {}))

    def archive(req: Request) -> Response:
        store.delete("hubspot", _type(req), req.params["id"])
        return Response(204)

    def merge(req: Request) -> Response:
        type_ = _type(req)
        if type_ not in MERGEABLE:
            raise ApiError(400, f"Merging {type_} is not supported.")
        body = _body(req)
        survivor_id, loser_id = str(body.get("primaryObjectId")), str(body.get("objectIdToMerge"))
        if survivor_id == loser_id:
            raise ApiError(400, "Cannot merge an object with itself.")
        survivor = live(type_, survivor_id)
        loser = store.get("hubspot", type_, loser_id)
        if loser is None or loser.deleted or survivor.id != survivor_id:
            raise not_found(type_, loser_id if survivor.id == survivor_id else survivor_id)
        # The primary's values win; its empty properties take the merged record's values.
        filled = {k: v for k, v in loser.fields.items()
                  if not k.startswith("_") and v not in (None, "")
                  and survivor.fields.get(k) in (None, "")}
        ids = [i for i in (survivor.fields.get("hs_merged_object_ids") or "").split(";") if i]
        ids += [i for i in (loser.fields.get("hs_merged_object_ids") or "").split(";") if i]
        filled["hs_merged_object_ids"] = ";".join(dict.fromkeys([*ids, loser_id]))
        _move_associations(store, type_, loser_id, survivor_id)
        updated = store.update("hubspot", type_, survivor_id, filled)
        store.delete("hubspot", type_, loser_id, merged_into=survivor_id)
        assert updated is not None
        return Response(200, render(type_, updated, None))

    # -- search ----------------------------------------------------------------------------
    def do_search(req: Request) -> Response:
        type_ = _type(req)
        window = int(getattr(sandbox, "hubspot_search_window", SEARCH_WINDOW))
        try:
            request = search.parse_request(req.json(), window)
        except (search.SearchError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ApiError(400, f"There was a problem with the request: {exc}") from None
        found = time_slice(request, type_)
        if found is not None:  # an incremental read: answered from the time index
            rows = {row.id: row for row in store.in_time_range(
                "hubspot", type_, found.since, found.until, found.descending,
                request.after + request.limit)}
            total = store.count_in_time_range("hubspot", type_, found.since, found.until)
        else:
            since = search.modified_since(request)
            rows = {row.id: row for row in store.scan("hubspot", type_, since=since)}
        candidates = [(id_, records.all_properties(type_, row)) for id_, row in rows.items()]
        page, matched, more = search.run(request, candidates, SEARCHABLE.get(type_, ()))
        if found is None:
            total = matched
        else:  # the candidates hold the page, the count holds the rest
            end = request.after + request.limit
            more = end if end < total else None
        names = list(request.properties) if request.properties else None
        body: dict[str, Any] = {"total": total,
                                "results": [render(type_, rows[id_], names) for id_, _ in page]}
        if more is not None:
            body["paging"] = {"next": {"after": str(more), "link": None}}
        return Response(200, body)

    # -- batch -----------------------------------------------------------------------------
    def batch_read(req: Request) -> Response:
        type_ = _type(req)
        body = _body(req)
        history = body.get("propertiesWithHistory") or None
        inputs = _inputs(body, HISTORY_BATCH_LIMIT if history else BATCH_LIMIT)
        archived = _flag(req.arg("archived"))
        results, missing, seen = [], [], set()
        for item in inputs:
            id_ = str(item.get("id"))
            row = records.find(store, type_, id_, body.get("idProperty"),
                               follow_merges=not archived)
            if row is None or row.deleted != archived:
                missing.append(id_)
            elif row.id not in seen:
                seen.add(row.id)
                results.append(render(type_, row, body.get("properties") or None, history))
        return _batch(store, results, [_missing_error(type_, missing)] if missing else [], 200)

    def batch_create(req: Request) -> Response:
        type_ = _type(req)
        inputs = _inputs(_body(req))
        for item in inputs:  # HubSpot validates the whole batch before writing any of it
            records.check_unique(store, type_,
                                 records.validate(store, type_, item.get("properties") or {}))
        rows = [(records.create(store, type_, item), item) for item in inputs]
        return _batch(store, [written(type_, row, item.get("properties") or {})
                              for row, item in rows], [], 201)

    def batch_update(req: Request) -> Response:
        type_ = _type(req)
        inputs = _inputs(_body(req))
        ids = [str(item.get("id")) for item in inputs]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Duplicate IDs found in batch input: "
                           + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
        for item in inputs:
            records.validate(store, type_, item.get("properties") or {})
        results, errors = [], []
        for item in inputs:
            id_ = str(item.get("id"))
            row = records.find(store, type_, id_, item.get("idProperty"), follow_merges=False)
            if row is None or row.deleted:
                errors.append(_missing_error(type_, [id_]))
                continue
            row = records.update(store, type_, row, item.get("properties") or {})
            results.append(written(type_, row, item.get("properties") or {}))
        return _batch(store, results, errors, 200)

    def batch_upsert(req: Request) -> Response:
        type_ = _type(req)
        inputs = _inputs(_body(req))
        for item in inputs:
            if not item.get("idProperty"):
                raise ApiError(400, "Each upsert input needs an idProperty.")
            records.validate(store, type_, item.get("properties") or {})
        results = []
        for item in inputs:
            id_, id_property = str(item.get("id")), item["idProperty"]
            props = dict(item.get("properties") or {})
            row = records.find(store, type_, id_, id_property, follow_merges=False)
            if row is None:
                if id_property != "hs_object_id":
                    props.setdefault(id_property, id_)
                row, new = records.create(store, type_, {"properties": props}), True
            else:
                row, new = records.update(store, type_, row, props), False
            results.append({**written(type_, row, props), "new": new})
        return _batch(store, results, [], 200)

    def batch_archive(req: Request) -> Response:
        type_ = _type(req)
        for item in _inputs(_body(req)):
            store.delete("hubspot", type_, str(item.get("id")))
        return Response(204)

    base = r"/crm/v3/objects/(?P<type>[^/]+)"
    return [
        ("POST", base + "/search", do_search),
        ("POST", base + "/merge", merge),
        ("POST", base + "/batch/read", batch_read),
        ("POST", base + "/batch/create", batch_create),
        ("POST", base + "/batch/update", batch_update),
        ("POST", base + "/batch/upsert", batch_upsert),
        ("POST", base + "/batch/archive", batch_archive),
        ("GET", base, list_page),
        ("POST", base, create),
        ("GET", base + r"/(?P<id>[^/]+)", get_one),
        ("PATCH", base + r"/(?P<id>[^/]+)", update),
        ("DELETE", base + r"/(?P<id>[^/]+)", archive),
    ]
