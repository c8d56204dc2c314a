"""Placeholder: the fake salesforce API is being written. Same interface as the real module."""

from __future__ import annotations

from typing import Any

from leadpact.connectors.sandbox.server import Request, Response


class ApiError(Exception):
    def response(self) -> Response:
        return Response(400, {"message": str(self)})


def register(sandbox: Any) -> None:
    pass


def unauthorized() -> Response:
    return Response(401, {"message": "unauthorized"})


def not_found(request: Request) -> Response:
    return Response(404, {"message": f"not found: {request.path}"})


def decorate(sandbox: Any, response: Response) -> Response:
    return response
