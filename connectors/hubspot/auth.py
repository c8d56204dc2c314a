"""HubSpot access tokens: a private app token as given, or OAuth 2.0 refresh.

OAuth: POST <host>/oauth/v1/token, form-encoded grant_type=refresh_token, client_id,
client_secret, refresh_token; HubSpot answers {access_token, refresh_token, expires_in,
token_type}. Access tokens live `expires_in` seconds (30 minutes): a new one is fetched a
minute before that, and once more when HubSpot answers 401 (EXPIRED_AUTHENTICATION) anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

from leadpact.auth_config import HS_CLIENT_ID, HS_CLIENT_SECRET, HS_REFRESH_TOKEN, OAuthSettings
from leadpact.connectors.oauth_http import TokenEndpoint
from leadpact.connectors.retry import RetryPolicy
from leadpact.errors import AuthError
from leadpact.secrets import is_loopback, remember

EARLY = 60.0  # seconds before expiry a token is replaced


class OAuthRefresh:
    """Access tokens from a refresh token (the refresh token itself does not change)."""

    def __init__(self, settings: OAuthSettings, retry: RetryPolicy,
                 clock: Callable[[], float] = time.monotonic):
        self._settings = settings
        self._http = requests.Session()
        host = urlsplit(settings.token_url).hostname or ""
        if is_loopback(host):
            self._http.trust_env = False  # a loopback sandbox: no proxy, no CA bundle
        self._endpoint = TokenEndpoint("HubSpot", settings.token_url, self._http, retry)
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self.logins = 0

    def __repr__(self) -> str:
        return "OAuthRefresh(...)"

    def close(self) -> None:
        self._http.close()

    def token(self) -> str:
        if self._token is None or self._clock() >= self._expires:
            return self._refresh()
        return self._token

    def renew(self) -> str | None:
        return self._refresh()

    def _refresh(self) -> str:
        s = self._settings
        answer = self._endpoint.post({"grant_type": "refresh_token", "client_id": s.client_id,
                                      "client_secret": s.client_secret,
                                      "refresh_token": s.refresh_token}, _refusal)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError("HubSpot's token endpoint answered without an access_token: check "
                            "[hubspot] host")
        remember(token)
        lifetime = answer.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) else 1800.0
        self._token = token
        self._expires = self._clock() + max(0.0, lifetime - EARLY)
        self.logins += 1
        return token


def _refusal(status: int, body: Any) -> AuthError:
    code = body.get("status") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    said = f"{code}: {message}" if code else f"HTTP {status}"
    return AuthError(f"HubSpot refused the OAuth refresh ({said}): check {HS_CLIENT_ID}, "
                     f"{HS_CLIENT_SECRET} and {HS_REFRESH_TOKEN} (a refresh token stops "
                     "working when the app is uninstalled)")
