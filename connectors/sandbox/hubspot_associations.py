"""Fake HubSpot associations: the type-id table, storing both directions, and the v4 API.

Type ids follow hubspot/crm/association_type.py. Deal<->contact associations may carry a
USER_DEFINED label naming the contact's buying role (ids from 1001 upwards, see
DEAL_CONTACT_LABELS); the seed and fixtures store them with `associate_both`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadpact.connectors.sandbox.hubspot_errors import (
    OBJECT_NOT_FOUND,
    ApiError,
    int_param,
    standard_error,
)
from leadpact.connectors.sandbox.hubspot_schema import OBJECT_TYPE_IDS, object_type
from leadpact.connectors.sandbox.server import Request, Response
from leadpact.connectors.sandbox.store import Store, iso

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"

# (from, to, type id, inverse type id); the first row for a pair is its default.
_DEFINED = [
    ("contacts", "companies", 1, 2), ("deals", "contacts", 3, 4), ("deals", "companies", 5, 6),
    ("tasks", "contacts", 204, 203), ("tasks", "deals", 216, 215), ("tasks", "companies", 192, 191),
    ("emails", "contacts", 198, 197), ("emails", "deals", 210, 209),
    ("emails", "companies", 186, 185), ("meetings", "contacts", 200, 199),
    ("meetings", "deals", 212, 211), ("meetings", "companies", 188, 187),
    ("calls", "contacts", 194, 193), ("calls", "deals", 206, 205), ("calls", "companies", 182, 181),
    ("notes", "contacts", 202, 201), ("notes", "deals", 214, 213), ("notes", "companies", 190, 189),
]
# type id -> (from, to, inverse id), both directions
HUBSPOT_TYPES: dict[int, tuple[str, str, int]] = {}
DEFAULT_TYPE: dict[tuple[str, str], int] = {}
for _from, _to, _id, _inverse in _DEFINED:
    HUBSPOT_TYPES[_id] = (_from, _to, _inverse)
    HUBSPOT_TYPES[_inverse] = (_to, _from, _id)
    DEFAULT_TYPE.setdefault((_from, _to), _id)
    DEFAULT_TYPE.setdefault((_to, _from), _inverse)

DEAL_CONTACT_LABELS = (
    "Decision Maker", "Economic Buyer", "Budget Holder", "Technical Evaluator", "Champion",
    "End User", "Influencer", "Blocker", "Executive Sponsor", "Legal and Compliance",
)
# USER_DEFINED type id -> (from, to, inverse id, label)
LABEL_TYPES: dict[int, tuple[str, str, int, str]] = {}
for _i, _label in enumerate(DEAL_CONTACT_LABELS):
    LABEL_TYPES[1001 + 2 * _i] = ("deals", "contacts", 1002 + 2 * _i, _label)
    LABEL_TYPES[1002 + 2 * _i] = ("contacts", "deals", 1001 + 2 * _i, _label)


def label_type_id(label: str, from_type: str = "deals") -> int:
    """The USER_DEFINED type id of a deal<->contact label, seen from `from_type`."""
    for type_id, (source, _, _, name) in LABEL_TYPES.items():
        if name.lower() == label.lower() and source == from_type:
            return type_id
    raise KeyError(f"no association label {label!r}")


def describe_type(type_id: int) -> tuple[str, int, str | None]:
    """(category, inverse type id, label) of a type id; unknown ids are their own inverse."""
    if type_id in HUBSPOT_TYPES:
        return HUBSPOT_DEFINED, HUBSPOT_TYPES[type_id][2], None
    if type_id in LABEL_TYPES:
        _, _, inverse, label = LABEL_TYPES[type_id]
        return USER_DEFINED, inverse, label
    return USER_DEFINED, type_id, None


def target_type(type_id: int, from_type: str) -> str | None:
    """Which object type an association type id points at (for create's `associations`)."""
    found = HUBSPOT_TYPES.get(type_id) or LABEL_TYPES.get(type_id)
    return found[1] if found and found[0] == from_type else None


def associate_both(
    store: Store, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int,
) -> str | None:
    """Store one association and its inverse; returns its label, if any."""
    category, inverse, label = describe_type(type_id)
    store.associate("hubspot", from_type, from_id, to_type, to_id, type_id, label, category)
    store.associate("hubspot", to_type, to_id, from_type, from_id, inverse, label, category)
    return label


def live_associations(
    store: Store, from_type: str, from_id: str, to_type: str,
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(to id, associationTypes) for live targets, ordered by numeric id."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for to_id, type_id, label, category in store.associations("hubspot", from_type, from_id,
                                                               to_type):
        grouped.setdefault(to_id, []).append(
            {"category": category, "typeId": type_id, "label": label})
    alive = [(to_id, types) for to_id, types in grouped.items() if _live(store, to_type, to_id)]
    return sorted(alive, key=lambda item: _numeric(item[0]))


def _numeric(id_: str) -> int:
    return int(id_) if id_.isdigit() else 0


def _live(store: Store, type_: str, id_: str) -> bool:
    row = store.get("hubspot", type_, id_)
    return row is not None and not row.deleted


def _types(req: Request, from_key: str = "from", to_key: str = "to") -> tuple[str, str]:
    found = []
    for key in (from_key, to_key):
        canonical = object_type(req.params[key])
        if canonical is None:
            raise ApiError(400, f"Unable to infer object type from: {req.params[key]}")
        found.append(canonical)
    return found[0], found[1]


def _stamps(store: Store) -> dict[str, str]:
    now = iso(store.now()).replace("+00:00", "Z")
    return {"startedAt": now, "completedAt": now}


def _batch(store: Store, results: list[Any], errors: list[dict[str, Any]],
           ok_status: int) -> Response:
    body: dict[str, Any] = {"status": "COMPLETE", "results": results, **_stamps(store)}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
        return Response(207, body)
    return Response(ok_status, body)


def _inputs(req: Request, cap: int) -> list[dict[str, Any]]:
    inputs = (req.json() or {}).get("inputs")
    if not isinstance(inputs, list):
        raise ApiError(400, "Invalid input JSON: `inputs` is required")
    if len(inputs) > cap:
        raise ApiError(400, f"Batch input size of {len(inputs)} exceeds the limit of {cap}.")
    return inputs


def _pair(
    from_type: str, from_id: Any, to_type: str, to_id: Any, labels: list[str],
) -> dict[str, Any]:
    return {"fromObjectTypeId": OBJECT_TYPE_IDS[from_type], "fromObjectId": int(from_id),
            "toObjectTypeId": OBJECT_TYPE_IDS[to_type], "toObjectId": int(to_id),
            "labels": labels}


def routes(sandbox: Any) -> list[tuple[str, str, Callable[[Request], Response]]]:
    store: Store = sandbox.store

    def page_size() -> int:
        return int(getattr(sandbox, "hubspot_association_page", 500))

    def page_of(from_type: str, id_: str, to_type: str, after: str | None, limit: int
                ) -> tuple[list[dict[str, Any]], str | None]:
        found = live_associations(store, from_type, id_, to_type)
        if after:
            found = [item for item in found if _numeric(item[0]) > _numeric(after)]
        page = [{"toObjectId": int(to_id), "associationTypes": types}
                for to_id, types in found[:limit]]
        more = str(found[limit - 1][0]) if len(found) > limit else None
        return page, more

    def batch_read(req: Request) -> Response:
        from_type, to_type = _types(req)
        results, errors = [], []
        for item in _inputs(req, 1000):
            id_ = str(item.get("id"))
            page, more = page_of(from_type, id_, to_type, item.get("after"), page_size())
            if not page:
                errors.append(standard_error(
                    f"No {to_type} is associated with {from_type} {id_}.", OBJECT_NOT_FOUND,
                    [id_], "crm.associations.NO_ASSOCIATIONS_FOUND", "fromObjectId"))
                continue
            result: dict[str, Any] = {"from": {"id": id_}, "to": page}
            if more:
                result["paging"] = {"next": {"after": more, "link": None}}
            results.append(result)
        return _batch(store, results, errors, 200)

    def batch_create(req: Request) -> Response:
        from_type, to_type = _types(req)
        results, errors = [], []
        for item in _inputs(req, 100):
            from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
            missing = [i for t, i in ((from_type, from_id), (to_type, to_id))
                       if not _live(store, t, i)]
            if missing:
                errors.append(standard_error(f"No such object: {', '.join(missing)}",
                                             OBJECT_NOT_FOUND, missing))
                continue
            labels = [associate_both(store, from_type, from_id, to_type, to_id,
                                     int(spec["associationTypeId"]))
                      for spec in item.get("types") or []]
            results.append(_pair(from_type, from_id, to_type, to_id, [x for x in labels if x]))
        return _batch(store, results, errors, 201)

    def default_spec(from_type: str, to_type: str) -> dict[str, Any]:
        type_id = DEFAULT_TYPE.get((from_type, to_type))
        if type_id is None:
            raise ApiError(400, f"No default association from {from_type} to {to_type}.")
        return {"associationCategory": HUBSPOT_DEFINED, "associationTypeId": type_id}

    def batch_default(req: Request) -> Response:
        from_type, to_type = _types(req)
        spec = default_spec(from_type, to_type)
        results = []
        for item in _inputs(req, 100):
            from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
            associate_both(store, from_type, from_id, to_type, to_id, spec["associationTypeId"])
            results.append({"from": {"id": from_id}, "to": {"id": to_id},
                            "associationSpec": spec})
        return _batch(store, results, [], 200)

    def list_page(req: Request) -> Response:
        from_type, to_type = _types(req, "type", "to")
        limit = max(1, min(int_param(req.arg("limit"), "limit", 500), 500))
        page, more = page_of(from_type, req.params["id"], to_type, req.arg("after"), limit)
        body: dict[str, Any] = {"results": page}
        if more:
            body["paging"] = {"next": {"after": more, "link": None}}
        return Response(200, body)

    def create_labeled(req: Request) -> Response:
        from_type, to_type = _types(req, "type", "to")
        from_id, to_id = req.params["id"], req.params["to_id"]
        for t, i in ((from_type, from_id), (to_type, to_id)):
            if not _live(store, t, i):
                raise ApiError(404, f"No {t} with id {i}.", OBJECT_NOT_FOUND)
        labels = [associate_both(store, from_type, from_id, to_type, to_id,
                                 int(spec["associationTypeId"])) for spec in req.json() or []]
        return Response(201, _pair(from_type, from_id, to_type, to_id, [x for x in labels if x]))

    def create_default(req: Request) -> Response:
        from_type, to_type = _types(req, "type", "to")
        spec = default_spec(from_type, to_type)
        from_id, to_id = req.params["id"], req.params["to_id"]
        associate_both(store, from_type, from_id, to_type, to_id, spec["associationTypeId"])
        link = {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": spec}
        return _batch(store, [link], [], 200)

    base = r"/crm/v4/associations/(?P<from>[^/]+)/(?P<to>[^/]+)/batch"
    one = r"/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations"
    return [
        ("POST", base + "/read", batch_read),
        ("POST", base + "/create", batch_create),
        ("POST", base + "/associate/default", batch_default),
        ("PUT", one + r"/default/(?P<to>[^/]+)/(?P<to_id>[^/]+)", create_default),
        ("GET", one + r"/(?P<to>[^/]+)", list_page),
        ("PUT", one + r"/(?P<to>[^/]+)/(?P<to_id>[^/]+)", create_labeled),
    ]
