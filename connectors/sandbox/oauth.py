"""The sandbox's token endpoints and sessions.

- `POST /services/oauth2/token` (Salesforce), form-encoded, for three grant types:
  `urn:ietf:params:oauth:grant-type:jwt-bearer` (the assertion's RS256 signature is checked
  against the configured public key or certificate; iss must be the consumer key, sub a
  known username, aud login/test.salesforce.com or the sandbox URL, exp in the future),
  `client_credentials` (client_id + client_secret) and `refresh_token`. The answer is
  Salesforce's JSON {access_token, instance_url, id, token_type, issued_at, signature[,
  scope]}; a refusal is 400 {"error", "error_description"}.
- `POST /oauth/v1/token` (HubSpot), grant_type=refresh_token with client_id, client_secret
  and refresh_token; the answer is {access_token, refresh_token, expires_in, token_type}.

Tokens issued here are accepted by the APIs like the fixed sandbox token. They can be
expired on demand, so a test can prove a long run survives: `POST /_sandbox/sessions/expire`
expires every issued token now; `POST /_sandbox/sessions/lifetime {"calls": N}` makes each
token issued from then on answer N API calls and then be refused (Salesforce: 401
INVALID_SESSION_ID; HubSpot: 401 EXPIRED_AUTHENTICATION). `GET /_sandbox/sessions` counts
logins per system.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from leadpact.connectors.sandbox.server import Request, Response

SALESFORCE_TOKEN_PATH = "/services/oauth2/token"
HUBSPOT_TOKEN_PATH = "/oauth/v1/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
ORG_ID = "00D000000000001AAA"
USER_ID = "005000000000001AAA"


@dataclass(slots=True)
class OAuthApps:
    """What the sandbox's connected app (Salesforce) and public app (HubSpot) accept."""

    consumer_key: str = "sandbox-consumer-key"
    consumer_secret: str = "sandbox-consumer-secret"
    refresh_token: str = "sandbox-refresh-token"
    usernames: tuple[str, ...] = ("integration@sandbox.example",)
    jwt_public_key: str | None = None  # PEM public key or X.509 certificate
    hubspot_client_id: str = "sandbox-client-id"
    hubspot_client_secret: str = "sandbox-client-secret"
    hubspot_refresh_token: str = "sandbox-hubspot-refresh-token"
    hubspot_expires_in: int = 1800
    session_calls: int | None = None  # API calls each issued token answers; None: no limit


@dataclass(slots=True)
class _Session:
    system: str
    remaining: int | None
    expired: bool = False


@dataclass(slots=True)
class TokenServer:
    sandbox: Any
    apps: OAuthApps = field(default_factory=OAuthApps)
    _sessions: dict[str, _Session] = field(default_factory=dict)
    _logins: dict[str, int] = field(default_factory=lambda: {"salesforce": 0, "hubspot": 0})
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- used by Sandbox.handle ---------------------------------------------------------
    @staticmethod
    def serves(path: str) -> bool:
        return path.rstrip("/") in (SALESFORCE_TOKEN_PATH, HUBSPOT_TOKEN_PATH)

    def token(self, request: Request) -> Response:
        if request.method != "POST":
            return Response(405, {"error": "invalid_request",
                                  "error_description": "must use HTTP POST"})
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if request.path.rstrip("/") == SALESFORCE_TOKEN_PATH:
            return self._salesforce(form)
        return self._hubspot(form)

    def check(self, system: str, authorization: str) -> Response | None:
        """None if the bearer token may call `system`; otherwise the API's 401."""
        if authorization == f"Bearer {self.sandbox.token}":
            return None
        token = authorization.removeprefix("Bearer ")
        with self._lock:
            session = self._sessions.get(token)
            if session is not None and session.system == system and not session.expired:
                if session.remaining is None or session.remaining > 0:
                    if session.remaining is not None:
                        session.remaining -= 1
                    return None
                session.expired = True
        if system == "salesforce":
            from leadpact.connectors.sandbox import salesforce_api

            return salesforce_api.unauthorized()  # INVALID_SESSION_ID, expired or unknown
        from leadpact.connectors.sandbox import hubspot_api
        from leadpact.connectors.sandbox.hubspot_errors import ApiError

        if session is None or session.system != system:
            return hubspot_api.unauthorized()
        return ApiError(401, "The OAuth token used to make this call expired.",
                        "EXPIRED_AUTHENTICATION").response()

    # -- on demand ----------------------------------------------------------------------
    def expire_all(self) -> int:
        with self._lock:
            live = [s for s in self._sessions.values() if not s.expired]
            for session in live:
                session.expired = True
        return len(live)

    def issued_tokens(self) -> list[str]:
        """Every access token handed out so far (tests grep outputs for them)."""
        with self._lock:
            return list(self._sessions)

    def logins(self, system: str) -> int:
        with self._lock:
            return self._logins[system]

    # -- Salesforce ---------------------------------------------------------------------
    def _salesforce(self, form: dict[str, str]) -> Response:
        grant = form.get("grant_type")
        apps = self.apps
        if grant == JWT_GRANT:
            refused = self._check_assertion(form.get("assertion", ""))
        elif grant == "client_credentials":
            if form.get("client_id") != apps.consumer_key:
                return _sf_error("invalid_client_id", "client identifier invalid")
            refused = None if hmac.compare_digest(form.get("client_secret", ""),
                                                  apps.consumer_secret) else \
                _sf_error("invalid_client", "invalid client credentials")
        elif grant == "refresh_token":
            if form.get("client_id") != apps.consumer_key:
                return _sf_error("invalid_client_id", "client identifier invalid")
            if "client_secret" in form and form["client_secret"] != apps.consumer_secret:
                return _sf_error("invalid_client", "invalid client credentials")
            refused = None if form.get("refresh_token") == apps.refresh_token else \
                _sf_error("invalid_grant", "expired access/refresh token")
        else:
            return _sf_error("unsupported_grant_type", "grant type not supported")
        if refused is not None:
            return refused
        token = self._issue("salesforce", f"{ORG_ID[:15]}!AR")
        issued_at = str(int(time.time() * 1000))
        identity = f"{self.sandbox.url}/id/{ORG_ID}/{USER_ID}"
        signature = base64.b64encode(hmac.new(apps.consumer_secret.encode(),
                                              (identity + issued_at).encode(),
                                              hashlib.sha256).digest()).decode()
        answer = {"access_token": token, "instance_url": self.sandbox.url, "id": identity,
                  "token_type": "Bearer", "issued_at": issued_at, "signature": signature}
        if grant != "client_credentials":
            answer["scope"] = "api"
        return Response(200, answer)

    def _check_assertion(self, assertion: str) -> Response | None:
        import jwt

        apps = self.apps
        if apps.jwt_public_key is None:
            return _sf_error("invalid_grant", "invalid assertion")  # no certificate uploaded
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return _sf_error("invalid_grant", "invalid assertion")
        if unverified.get("iss") != apps.consumer_key:
            return _sf_error("invalid_client_id", "client identifier invalid")
        try:
            claims = jwt.decode(assertion, _public_key(apps.jwt_public_key),
                                algorithms=["RS256"],
                                audience=[*AUDIENCES, self.sandbox.url],
                                options={"require": ["iss", "sub", "aud", "exp"]})
        except jwt.ExpiredSignatureError:
            return _sf_error("invalid_grant", "expired authorization code")
        except jwt.InvalidAudienceError:
            return _sf_error("invalid_grant", "audience is invalid")
        except jwt.PyJWTError:
            return _sf_error("invalid_grant", "invalid assertion")
        if claims.get("sub") not in apps.usernames:
            return _sf_error("invalid_grant", "user hasn't approved this consumer")
        return None

    # -- HubSpot ------------------------------------------------------------------------
    def _hubspot(self, form: dict[str, str]) -> Response:
        apps = self.apps
        if form.get("grant_type") != "refresh_token":
            return _hs_error("BAD_GRANT_TYPE", "missing or invalid grant_type")
        if form.get("client_id") != apps.hubspot_client_id:
            return _hs_error("BAD_CLIENT_ID", "missing or invalid client_id")
        if form.get("client_secret") != apps.hubspot_client_secret:
            return _hs_error("BAD_CLIENT_SECRET", "missing or invalid client_secret")
        if form.get("refresh_token") != apps.hubspot_refresh_token:
            return _hs_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        token = self._issue("hubspot", "CN")
        return Response(200, {"token_type": "bearer", "refresh_token": apps.hubspot_refresh_token,
                              "access_token": token, "expires_in": apps.hubspot_expires_in})

    def _issue(self, system: str, prefix: str) -> str:
        token = prefix + secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = _Session(system, self.apps.session_calls)
            self._logins[system] += 1
        return token


def _public_key(pem: str) -> Any:
    if "CERTIFICATE" in pem:
        from cryptography import x509

        return x509.load_pem_x509_certificate(pem.encode()).public_key()
    return pem


def _sf_error(code: str, description: str) -> Response:
    return Response(400, {"error": code, "error_description": description})


def _hs_error(status: str, message: str) -> Response:
    from leadpact.connectors.sandbox.hubspot_errors import correlation_id

    return Response(400, {"status": status, "message": message,
                          "correlationId": correlation_id()})


def register(sandbox: Any) -> TokenServer:
    """The token server for `sandbox`, with its admin endpoints."""
    server = TokenServer(sandbox, getattr(sandbox, "oauth_apps", None) or OAuthApps())

    def expire(request: Request) -> Response:
        return Response(200, {"expired": server.expire_all()})

    def lifetime(request: Request) -> Response:
        calls = (request.json() or {}).get("calls")
        if calls is not None and (not isinstance(calls, int) or calls < 0):
            return Response(400, {"message": "calls must be a whole number or null"})
        server.apps.session_calls = calls
        return Response(200, {"calls": calls})

    def stats(request: Request) -> Response:
        return Response(200, {"logins": {s: server.logins(s) for s in ("salesforce", "hubspot")},
                              "session_calls": server.apps.session_calls})

    sandbox.admin.add("POST", r"/_sandbox/sessions/expire", expire)
    sandbox.admin.add("POST", r"/_sandbox/sessions/lifetime", lifetime)
    sandbox.admin.add("GET", r"/_sandbox/sessions", stats)
    return server
