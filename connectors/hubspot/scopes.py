"""Which scopes a HubSpot private-app token has, from HubSpot's token introspection
(`POST /oauth/v2/private-apps/get/access-token-info`, not wrapped by hubspot-api-client), and
which of the scopes leadpact's writes need are missing. One cheap call, made before a sync
writes anything."""

from __future__ import annotations

from collections.abc import Iterable

import requests

TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"
# Writing leadpact's properties on contacts and deals; reading is proven by the property
# list the check reads first.
WRITE_SCOPES = ("crm.objects.contacts.write", "crm.objects.deals.write",
                "crm.objects.companies.write")  # the buying group's stage on the company


# Creating properties and property groups (`leadpact setup`), per object type; HubSpot has
# no schema scope for tasks (their properties come with the CRM's own objects).
SCHEMA_WRITE_SCOPES = {"contacts": "crm.schemas.contacts.write",
                       "deals": "crm.schemas.deals.write",
                       "companies": "crm.schemas.companies.write"}


def schema_scopes(object_types: Iterable[str]) -> list[str]:
    """The schema write scopes creating properties on these object types needs."""
    return list(dict.fromkeys(SCHEMA_WRITE_SCOPES[t] for t in object_types
                              if t in SCHEMA_WRITE_SCOPES))


def missing_scopes(granted: Iterable[str], needed: Iterable[str] = WRITE_SCOPES) -> list[str]:
    have = set(granted)
    return [scope for scope in needed if scope not in have]


def token_scopes(host: str, token: str, timeout: float) -> set[str] | None:
    """The token's scopes; None when HubSpot does not say (another kind of token, an error,
    no answer): then nothing is concluded, and the writes report what they meet."""
    try:
        answer = requests.post(host + TOKEN_INFO_PATH, json={"tokenKey": token},
                               headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except requests.RequestException:
        return None
    if answer.status_code != 200:
        return None
    try:
        scopes = answer.json().get("scopes")
    except (ValueError, AttributeError):
        return None
    return {str(s) for s in scopes} if isinstance(scopes, list) else None
