"""HubSpot's error bodies, as the fake API sends them.

Every HubSpot error is `{"status": "error", "message", "correlationId", "category", ...}`;
batch endpoints list per-record failures as StandardError items in `errors[]`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from leadpact.connectors.sandbox.server import Response

VALIDATION_ERROR = "VALIDATION_ERROR"
OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"
OBJECT_ALREADY_EXISTS = "OBJECT_ALREADY_EXISTS"
INVALID_AUTHENTICATION = "INVALID_AUTHENTICATION"


def correlation_id() -> str:
    return str(uuid.uuid4())


class ApiError(Exception):
    """A refusal in HubSpot's error format. `extra` lands in the body as given
    (context, subCategory, errorType, policyName ...)."""

    def __init__(
        self, status: int, message: str, category: str | None = VALIDATION_ERROR,
        headers: dict[str, str] | None = None, **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "error", "message": self.message,
                                "correlationId": correlation_id()}
        if self.category is not None:
            body["category"] = self.category
        body.update(self.extra)
        return body

    def response(self) -> Response:
        return Response(self.status, self.body(), dict(self.headers))


def int_param(value: str | None, name: str, default: int) -> int:
    """A numeric query parameter; 400 like HubSpot when it is not a number."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a number, got {value!r}") from None


def not_found(type_: str, id_: str) -> ApiError:
    return ApiError(404, f"Object not found. objectId are usually numeric. ({type_} {id_})",
                    OBJECT_NOT_FOUND)


def standard_error(
    message: str, category: str, ids: Iterable[str] = (), sub_category: str | None = None,
    context_key: str = "ids",
) -> dict[str, Any]:
    """One item of a batch response's `errors[]` (the StandardError model: status,
    category, message, context, links and errors are all required)."""
    error: dict[str, Any] = {
        "status": "error", "category": category, "message": message,
        "context": {context_key: list(ids)}, "links": {}, "errors": [{"message": message}],
    }
    if sub_category:
        error["subCategory"] = sub_category
    return error
