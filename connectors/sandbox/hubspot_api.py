"""The fake HubSpot CRM API that hubspot-api-client 12.0.0 talks to unchanged.

This module is the interface server.py calls (register, unauthorized, not_found, decorate,
ApiError); the endpoints live in hubspot_objects (v3 objects: basic, batch, search, merge),
hubspot_associations (v4) and below (properties, property groups, owners).

Rate limits, set on the Sandbox (absent attributes mean the defaults):
- `hubspot_burst = (190, 10.0)`: requests per rolling window of seconds; None (default)
  reports the headers but never refuses. Over it: 429 TEN_SECONDLY_ROLLING with Retry-After.
- `hubspot_daily_limit = 1_000_000`: over it, 429 with policyName DAILY (the day starts
  over with allowance.new_day).
- `hubspot_search_per_second = None`: searches per rolling second; None (default) never
  refuses. Over it: 429 SECONDLY with Retry-After 1 (HubSpot documents 5/s per account).
Every answer carries the X-HubSpot-RateLimit-* headers: the 10-second window (Max,
Remaining, Interval-Milliseconds), the second (Secondly, Secondly-Remaining: a tenth of the
window's Max) and the day (Daily, Daily-Remaining).
The windows run on the store's clock, so tests can move time instead of sleeping.

Other knobs: `hubspot_search_window = 10_000` (how far search pages by `after` before 400)
and `hubspot_association_page = 500` (v4 associations per record per page).
"""

from __future__ import annotations

import math
import re
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadpact.connectors.sandbox import hubspot_associations, hubspot_objects, hubspot_token_info
from leadpact.connectors.sandbox.allowance import calls_today
from leadpact.connectors.sandbox.hubspot_errors import (
    INVALID_AUTHENTICATION,
    OBJECT_ALREADY_EXISTS,
    OBJECT_NOT_FOUND,
    ApiError,
    correlation_id,
    int_param,
)
from leadpact.connectors.sandbox.hubspot_records import numeric, wire_time
from leadpact.connectors.sandbox.hubspot_schema import (
    load_groups,
    load_properties,
    model_property,
    object_type,
    save_groups,
    save_properties,
)
from leadpact.connectors.sandbox.server import Request, Response
from leadpact.connectors.sandbox.store import Store

__all__ = ["ApiError", "decorate", "not_found", "register", "unauthorized"]

DEFAULT_BURST = (190, 10.0)
DEFAULT_DAILY_LIMIT = 1_000_000
_TYPES = ("string", "number", "date", "datetime", "enumeration", "bool")
_FIELD_TYPES = ("textarea", "text", "date", "file", "number", "select", "radio", "checkbox",
                "booleancheckbox", "calculation_equation")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Limiter:
    """Requests seen in the rolling window, on the store's clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: deque[datetime] = deque()

    def admit(self, now: datetime, limit: int, seconds: float, enforce: bool) -> float | None:
        """None if the call may go on, else the seconds until the window has room."""
        with self._lock:
            while self._calls and (now - self._calls[0]).total_seconds() >= seconds:
                self._calls.popleft()
            if enforce and len(self._calls) >= limit:
                return seconds - (now - self._calls[0]).total_seconds()
            self._calls.append(now)
            return None

    def used(self, now: datetime, seconds: float) -> int:
        with self._lock:
            return sum(1 for t in self._calls if (now - t).total_seconds() < seconds)


def _burst(sandbox: Any) -> tuple[tuple[int, float], bool]:
    """((requests, seconds), enforced?) of the rolling window."""
    configured = getattr(sandbox, "hubspot_burst", None)
    if not configured:
        return DEFAULT_BURST, False
    return (int(configured[0]), float(configured[1])), True


def _daily_limit(sandbox: Any) -> int:
    return int(getattr(sandbox, "hubspot_daily_limit", DEFAULT_DAILY_LIMIT))


def _rate_limited(message: str, policy: str, headers: dict[str, str] | None = None) -> ApiError:
    return ApiError(429, message, category=None, headers=headers, errorType="RATE_LIMIT",
                    policyName=policy, requestId=correlation_id())


def _check_limits(sandbox: Any, request: Request) -> None:
    store: Store = sandbox.store
    if calls_today(sandbox, "hubspot") > _daily_limit(sandbox):
        raise _rate_limited("You have reached your daily limit.", "DAILY")
    per_second = getattr(sandbox, "hubspot_search_per_second", None)
    if per_second and request.path.endswith("/search") and sandbox.hubspot_search_limiter.admit(
            store.now(), int(per_second), 1.0, True) is not None:
        raise _rate_limited("You have reached your secondly limit.", "SECONDLY",
                            {"Retry-After": "1"})
    (limit, seconds), enforce = _burst(sandbox)
    wait = sandbox.hubspot_limiter.admit(store.now(), limit, seconds, enforce)
    if wait is not None:
        raise _rate_limited("You have reached your ten_secondly_rolling limit.",
                            "TEN_SECONDLY_ROLLING", {"Retry-After": str(max(1, math.ceil(wait)))})


# -- the interface server.py calls ----------------------------------------------------------
def register(sandbox: Any) -> None:
    sandbox.hubspot_limiter = _Limiter()
    sandbox.hubspot_search_limiter = _Limiter()
    table = [*hubspot_objects.routes(sandbox), *hubspot_associations.routes(sandbox),
             *_property_routes(sandbox.store), *_owner_routes(sandbox.store)]
    for method, pattern, handler in table:
        sandbox.hubspot.add(method, pattern, _limited(sandbox, handler))
    hubspot_token_info.register(sandbox)  # private-app scopes, for the sync's preflight


def _limited(sandbox: Any, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        _check_limits(sandbox, request)
        try:
            return handler(request)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # a body missing a field or holding the wrong type: HubSpot says 400
            raise ApiError(400, f"Invalid input JSON: {type(exc).__name__}: {exc}") from None

    return answer


def unauthorized() -> Response:
    return ApiError(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at "
                    "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                    INVALID_AUTHENTICATION).response()


def not_found(request: Request) -> Response:
    return ApiError(404, f"No route for {request.method} {request.path}",
                    OBJECT_NOT_FOUND).response()


def decorate(sandbox: Any, response: Response) -> Response:
    """HubSpot's rate-limit headers on every answer."""
    store: Store = sandbox.store
    (limit, seconds), _ = _burst(sandbox)
    used = sandbox.hubspot_limiter.used(store.now(), seconds)
    daily = _daily_limit(sandbox)
    response.headers.setdefault("X-HubSpot-RateLimit-Max", str(limit))
    response.headers.setdefault("X-HubSpot-RateLimit-Remaining", str(max(0, limit - used)))
    response.headers.setdefault("X-HubSpot-RateLimit-Interval-Milliseconds",
                                str(int(seconds * 1000)))
    secondly = max(1, limit // 10)
    response.headers.setdefault("X-HubSpot-RateLimit-Secondly", str(secondly))
    response.headers.setdefault("X-HubSpot-RateLimit-Secondly-Remaining", str(
        max(0, secondly - sandbox.hubspot_limiter.used(store.now(), 1.0))))
    response.headers.setdefault("X-HubSpot-RateLimit-Daily", str(daily))
    response.headers.setdefault("X-HubSpot-RateLimit-Daily-Remaining",
                                str(max(0, daily - calls_today(sandbox, "hubspot"))))
    response.headers.setdefault("X-HubSpot-Correlation-Id", correlation_id())
    return response


# -- properties and groups ------------------------------------------------------------------
def _type(req: Request) -> str:
    canonical = object_type(req.params["type"])
    if canonical is None:
        raise ApiError(400, f"Unable to infer object type from: {req.params['type']}")
    return canonical


def _check_property_body(body: Any, groups: list[dict[str, Any]], creating: bool) -> None:
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid input JSON: expected an object")
    required = ("name", "label", "type", "fieldType", "groupName") if creating else ()
    absent = [key for key in required if not body.get(key)]
    if absent:
        raise ApiError(400, f"Missing required fields: {', '.join(absent)}")
    if creating and not _NAME.match(body["name"]):
        raise ApiError(400, f"Property name {body['name']!r} must start with a lowercase letter "
                       "and hold only lowercase letters, digits and underscores.")
    if "type" in body and body["type"] not in _TYPES:
        raise ApiError(400, f"Unknown property type {body['type']!r}.")
    if "fieldType" in body and body["fieldType"] not in _FIELD_TYPES:
        raise ApiError(400, f"Unknown fieldType {body['fieldType']!r}.")
    if body.get("groupName") and body["groupName"] not in {g["name"] for g in groups}:
        raise ApiError(400, f"Property group {body['groupName']!r} does not exist.")


def _property_routes(store: Store) -> list[tuple[str, str, Callable[[Request], Response]]]:
    lock = threading.Lock()  # read-modify-write of the schema meta

    def list_groups(req: Request) -> Response:
        return Response(200, {"results": load_groups(store).get(_type(req), [])})

    def create_group(req: Request) -> Response:
        type_, body = _type(req), req.json() or {}
        if not body.get("name") or not body.get("label"):
            raise ApiError(400, "A property group needs a name and a label.")
        with lock:
            groups = load_groups(store)
            existing = groups.setdefault(type_, [])
            if any(g["name"] == body["name"] for g in existing):
                raise ApiError(409, f"A property group named {body['name']!r} already exists.",
                               OBJECT_ALREADY_EXISTS)
            group = {"name": body["name"], "label": body["label"],
                     "displayOrder": int(body.get("displayOrder", -1)), "archived": False}
            existing.append(group)
            save_groups(store, groups)
        return Response(201, group)

    def list_properties(req: Request) -> Response:
        type_ = _type(req)
        archived = (req.arg("archived") or "").lower() == "true"
        return Response(200, {"results": [] if archived else load_properties(store).get(type_, [])})

    def get_property(req: Request) -> Response:
        type_, name = _type(req), req.params["name"]
        for prop in load_properties(store).get(type_, []):
            if prop["name"] == name:
                return Response(200, prop)
        raise ApiError(404, f"Unable to find property {name} for object type {type_}.",
                       OBJECT_NOT_FOUND)

    def create_property(req: Request) -> Response:
        type_, body = _type(req), req.json()
        with lock:
            properties, groups = load_properties(store), load_groups(store)
            _check_property_body(body, groups.get(type_, []), creating=True)
            existing = properties.setdefault(type_, [])
            if any(p["name"] == body["name"] for p in existing):
                raise ApiError(409, f"Property named '{body['name']}' already exists.",
                               OBJECT_ALREADY_EXISTS)
            prop = model_property(type_, body, hubspot_defined=False, now=store.now())
            existing.append(prop)
            save_properties(store, properties)
        return Response(201, prop)

    def update_property(req: Request) -> Response:
        type_, name, body = _type(req), req.params["name"], req.json()
        with lock:
            properties, groups = load_properties(store), load_groups(store)
            _check_property_body(body, groups.get(type_, []), creating=False)
            for prop in properties.get(type_, []):
                if prop["name"] != name:
                    continue
                locked = prop["modificationMetadata"]["readOnlyDefinition"]
                if locked and {"type", "fieldType", "groupName"} & set(body):
                    raise ApiError(400, f"The definition of {name} is read-only.")
                allowed = ("label", "description", "options", "hidden", "displayOrder", "type",
                           "fieldType", "groupName", "formField")
                prop.update({k: v for k, v in body.items() if k in allowed})
                prop["options"] = [{"hidden": False, **o} for o in prop.get("options") or []]
                prop["updatedAt"] = wire_time(store.now())
                save_properties(store, properties)
                return Response(200, prop)
        raise ApiError(404, f"Unable to find property {name} for object type {type_}.",
                       OBJECT_NOT_FOUND)

    base = r"/crm/v3/properties/(?P<type>[^/]+)"
    return [  # groups before by-name, or "groups" would be read as a property name
        ("GET", base + "/groups", list_groups),
        ("POST", base + "/groups", create_group),
        ("GET", base, list_properties),
        ("POST", base, create_property),
        ("GET", base + r"/(?P<name>[^/]+)", get_property),
        ("PATCH", base + r"/(?P<name>[^/]+)", update_property),
    ]


# -- owners ---------------------------------------------------------------------------------
def _owner(row: Any) -> dict[str, Any]:
    user_id = row.fields.get("userId")
    return {
        "id": row.id, "email": row.fields.get("email"),
        "firstName": row.fields.get("firstName"), "lastName": row.fields.get("lastName"),
        "userId": int(user_id) if user_id not in (None, "") else None,
        "userIdIncludingInactive": int(user_id) if user_id not in (None, "") else None,
        "type": "PERSON", "teams": [], "archived": row.deleted,
        "createdAt": wire_time(row.created_at), "updatedAt": wire_time(row.modified_at),
    }


def _owner_routes(store: Store) -> list[tuple[str, str, Callable[[Request], Response]]]:
    def list_owners(req: Request) -> Response:
        archived = (req.arg("archived") or "").lower() == "true"
        email = (req.arg("email") or "").casefold()
        limit = max(1, min(int_param(req.arg("limit"), "limit", 100), 500))
        after = int_param(req.arg("after"), "after", 0)
        rows = sorted((r for r in store.scan("hubspot", "owners", include_deleted=archived)
                       if r.deleted == archived and numeric(r.id) > after
                       and (not email or str(r.fields.get("email", "")).casefold() == email)),
                      key=lambda r: numeric(r.id))
        body: dict[str, Any] = {"results": [_owner(r) for r in rows[:limit]]}
        if len(rows) > limit:
            body["paging"] = {"next": {"after": rows[limit - 1].id, "link": None}}
        return Response(200, body)

    def get_owner(req: Request) -> Response:
        row = store.get("hubspot", "owners", req.params["id"])
        if row is None or row.deleted:
            raise ApiError(404, f"No owner with id {req.params['id']}.", OBJECT_NOT_FOUND)
        return Response(200, _owner(row))

    return [
        ("GET", r"/crm/v3/owners", list_owners),
        ("GET", r"/crm/v3/owners/(?P<id>\d+)", get_owner),
    ]
