"""Where access tokens come from, for both connectors.

A `Login` hands out the current access token and, when its flow allows, a new one.
`TokenEndpoint` POSTs to an OAuth 2.0 token endpoint (form-encoded request, JSON answer)
under the shared retry policy; the caller turns a refusal (400/401/403 with the server's
error body) into its own message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from leadpact.connectors.retry import Failure, RetryPolicy, call_with_retries, decode_body
from leadpact.errors import AuthError, ConnectorError, UnreachableError

TIMEOUT = (10.0, 60.0)


class Login(Protocol):
    def token(self) -> str:
        """The current access token (logging in first if there is none yet)."""

    def renew(self) -> str | None:
        """A new access token after the old one was refused; None if this login cannot."""


class StaticToken:
    """A token given by the admin: used as is, never renewed."""

    def __init__(self, token: str):
        self._token = token

    def token(self) -> str:
        return self._token

    def renew(self) -> str | None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(...)"


class _Answered(Exception):
    """The endpoint answered with an HTTP error status."""

    def __init__(self, status: int, headers: Mapping[str, str], body: Any):
        super().__init__(f"HTTP {status}")
        self.failure = Failure(status, dict(headers), body)


class _NotJson(Exception):
    """A success status whose body is not JSON."""


def _describe(exc: BaseException) -> Failure | None:
    if isinstance(exc, _Answered):
        return exc.failure
    if isinstance(exc, requests.RequestException):
        return Failure(None, {}, None)
    return None


class TokenEndpoint:
    def __init__(self, crm: str, url: str, session: requests.Session, retry: RetryPolicy):
        self._crm = crm
        self._url = url
        self._host = urlsplit(url).netloc
        self._session = session
        self._retry = retry

    def post(self, form: Mapping[str, str],
             refusal: Callable[[int, Any], AuthError]) -> dict[str, Any]:
        """The JSON answer; AuthError (from `refusal`) when the server says no."""
        def attempt() -> Any:
            response = self._session.post(self._url, data=dict(form), timeout=TIMEOUT,
                                          headers={"Accept": "application/json"})
            if response.status_code >= 300:
                raise _Answered(response.status_code, response.headers, response.content)
            try:
                return response.json()
            except ValueError:  # requests' JSONDecodeError is also a RequestException
                raise _NotJson() from None

        try:
            answer = call_with_retries(attempt, _describe, self._retry)
        except _Answered as exc:
            status = exc.failure.status or 0
            if status in (400, 401, 403):
                raise refusal(status, decode_body(exc.failure.body)) from None
            raise ConnectorError(f"{self._crm}'s token endpoint at {self._host} failed "
                                 f"(HTTP {status}): run again later") from None
        except requests.RequestException:
            raise UnreachableError(f"{self._crm}'s token endpoint at {self._host} did not "
                                   "answer: check the login URL / host and the network, then "
                                   "run again") from None
        except _NotJson:
            raise ConnectorError(f"{self._crm}'s token endpoint at {self._host} did not answer "
                                 "with JSON: check the login URL / host") from None
        if not isinstance(answer, dict):
            raise ConnectorError(f"{self._crm}'s token endpoint at {self._host} answered "
                                 "something other than a token: check the login URL / host")
        return answer
