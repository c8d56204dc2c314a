"""HubSpot's private-app token introspection, `POST /oauth/v2/private-apps/get/access-token-info`
with `{"tokenKey": TOKEN}`: answers `{"userId", "hubId", "appId", "scopes": [...]}` for the
token the sandbox accepts, 404 for any other. `sandbox.hubspot_scopes` says which scopes the
private app has (tests take some away to see the preflight refuse)."""

from __future__ import annotations

from typing import Any

from leadpact.connectors.sandbox.server import Request, Response

PATH = r"/oauth/v2/private-apps/get/access-token-info"
# what a private app set up for leadpact is given (README, "Setting up both CRMs")
DEFAULT_SCOPES = ("crm.objects.contacts.read", "crm.objects.contacts.write",
                  "crm.objects.companies.read", "crm.objects.companies.write",
                  "crm.objects.deals.read",
                  "crm.objects.deals.write", "crm.objects.owners.read",
                  "crm.schemas.contacts.read", "crm.schemas.contacts.write",
                  "crm.schemas.deals.read", "crm.schemas.deals.write",
                  "crm.schemas.companies.read", "crm.schemas.companies.write")


def register(sandbox: Any) -> None:
    sandbox.hubspot_scopes = list(DEFAULT_SCOPES)

    def token_info(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        key = body.get("tokenKey") if isinstance(body, dict) else None
        if not key or key != sandbox.token:
            return Response(404, {"status": "error", "message": "Token not found",
                                  "category": "OBJECT_NOT_FOUND"})
        return Response(200, {"userId": 9000001, "hubId": 4000001, "appId": 1000001,
                              "scopes": list(sandbox.hubspot_scopes)})

    sandbox.hubspot.add("POST", PATH, token_info)
