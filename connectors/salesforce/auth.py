"""Salesforce logins for unattended runs, and the one re-login after an expired session.

A `Login` hands out an access token and, when the flow allows it, a new one:
- `StaticToken`: a session/access token given by the admin (cannot be renewed);
- `OAuthLogin`: POST <login_url>/services/oauth2/token, form-encoded, for the OAuth 2.0
  JWT bearer flow (an RS256 assertion iss=consumer key, sub=username, aud=login server,
  exp=now+3 min, signed with the connected app's private key), the client-credentials flow
  and the refresh-token flow. Salesforce answers JSON {access_token, instance_url, id,
  token_type, issued_at, signature}, or 400 {"error", "error_description"}.

`Session` puts the token into simple-salesforce's client (`session_id` and the
Authorization header it sends) and runs calls: when Salesforce answers 401
INVALID_SESSION_ID, it logs in again once and repeats the call; a second refusal stands.
Error messages name the flow, Salesforce's error code and what to set; never a secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce, SalesforceExpiredSession

from leadpact.auth_config import (
    SF_CONSUMER_KEY,
    SF_CONSUMER_SECRET,
    SF_REFRESH_TOKEN,
    OAuthSettings,
)
from leadpact.connectors.oauth_http import Login, TokenEndpoint
from leadpact.connectors.retry import RetryPolicy
from leadpact.errors import AuthError, ConfigError
from leadpact.secrets import remember

T = TypeVar("T")
JWT_LIFETIME = 180  # seconds: Salesforce wants the assertion's exp within 3 minutes

_FIXES = {
    "jwt": (f"check {SF_CONSUMER_KEY}, `username`, the private key (its certificate must be "
            "the connected app's) and that the user is pre-authorized for the app"),
    "client_credentials": (f"check {SF_CONSUMER_KEY} and {SF_CONSUMER_SECRET}, and that the "
                           "connected app has a Run As user for the client credentials flow"),
    "refresh_token": (f"check {SF_CONSUMER_KEY} and {SF_REFRESH_TOKEN} (a revoked or expired "
                      "refresh token needs a new authorization)"),
}


class OAuthLogin:
    """One of the three OAuth flows against Salesforce's token endpoint."""

    def __init__(self, settings: OAuthSettings, session: requests.Session,
                 retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen
                 clock: Callable[[], float] = time.time):
        if settings.flow not in _FIXES:
            raise ConfigError(f"unknown Salesforce login flow {settings.flow!r}")
        self._settings = settings
        self._endpoint = TokenEndpoint("Salesforce", settings.token_url, session, retry)
        self._clock = clock
        self._token: str | None = None
        self._signing_key: Any = None
        self.logins = 0  # how many tokens were fetched (for tests and the run summary)

    def __repr__(self) -> str:
        return f"OAuthLogin(flow={self._settings.flow!r})"

    def token(self) -> str:
        return self._token or self._login()

    def renew(self) -> str | None:
        return self._login()

    def _login(self) -> str:
        answer = self._endpoint.post(self._form(), self._refusal)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError(f"Salesforce's token endpoint answered the {self._settings.flow} "
                            "login without an access_token: check login_url")
        remember(token)
        self._token = token
        self.logins += 1
        return token

    def _form(self) -> dict[str, str]:
        s = self._settings
        if s.flow == "jwt":
            return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "assertion": self._assertion()}
        if s.flow == "client_credentials":
            return {"grant_type": "client_credentials", "client_id": s.client_id,
                    "client_secret": s.client_secret}
        form = {"grant_type": "refresh_token", "client_id": s.client_id,
                "refresh_token": s.refresh_token}
        if s.client_secret:
            form["client_secret"] = s.client_secret
        return form

    def _assertion(self) -> str:
        import jwt  # PyJWT[crypto]: RS256 signing
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        s = self._settings
        claims = {"iss": s.client_id, "sub": s.username, "aud": s.audience,
                  "exp": int(self._clock()) + JWT_LIFETIME}
        try:
            if self._signing_key is None:  # loading checks the key: slow, so once
                self._signing_key = load_pem_private_key(s.private_key.encode(), None)
            return jwt.encode(claims, self._signing_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.exceptions.PyJWTError):
            # The library's message may quote the key: say what is wrong, not what it holds.
            raise ConfigError("[salesforce] the private key for auth = \"jwt\" cannot sign "
                              "(it must be an RSA private key in PEM form, unencrypted): its "
                              "text is not shown") from None

    def _refusal(self, status: int, body: Any) -> AuthError:
        code = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        said = f"{code}: {description}" if code else f"HTTP {status}"
        return AuthError(f"Salesforce refused the {self._settings.flow} login ({said}): "
                         f"{_FIXES[self._settings.flow]}")


class Session:
    """simple-salesforce's client with a Login behind it."""

    def __init__(self, sf: Salesforce, login: Login):
        self.sf = sf
        self._login = login
        self.renewals = 0

    def _install(self, token: str) -> None:
        if self.sf.session_id != token:
            self.sf.session_id = token
            self.sf.headers = {**self.sf.headers, "Authorization": f"Bearer {token}"}

    def run(self, call: Callable[[], T]) -> T:
        """`call` with a current token; after INVALID_SESSION_ID, once more with a new one."""
        self._install(self._login.token())
        try:
            return call()
        except SalesforceExpiredSession as exc:
            if not _session_expired(exc.content):
                raise
            token = self._login.renew()
            if token is None:
                raise
            self.renewals += 1
            self._install(token)
        return call()


def _session_expired(body: Any) -> bool:
    items = body if isinstance(body, list) else [body]
    return any(isinstance(item, dict) and item.get("errorCode") == "INVALID_SESSION_ID"
               for item in items)
