"""The HTTP transport under simple-salesforce: counts every attempt, keeps the last answer
(its headers carry Retry-After, which the library's exceptions drop), sets a default timeout,
and, for a loopback sandbox only, sends the library's https:// URLs as plain http.

simple-salesforce discards the scheme of `instance_url` and always builds https:// URLs
(api-notes §1.1). The loopback sandbox speaks plain HTTP, so for an `http://` loopback
instance URL the adapter rewrites `https://127.0.0.1:P/...` to `http://127.0.0.1:P/...`
(api-notes §5 option 2b). Any other host is never downgraded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from leadpact.connectors.call_budget import CallBudget
from leadpact.errors import ConfigError
from leadpact.secrets import is_loopback

DEFAULT_TIMEOUT = (10.0, 120.0)  # connect, read: a hung server must not hang the sync


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the org is. `plain_http_netloc` is set only for an http:// loopback sandbox:
    the netloc the library will put in its https:// URLs, to be sent as http instead."""

    host: str
    netloc: str
    plain_http_netloc: str | None = None


def endpoint(instance_url: str) -> Endpoint:
    """Check an instance URL: https:// anywhere, http:// only on loopback."""
    parts = urlsplit(instance_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"Salesforce instance URL {instance_url!r} is not a URL: use "
                          "https://<your-domain>.my.salesforce.com")
    host = parts.hostname
    loopback = is_loopback(host)
    if parts.scheme == "http" and not loopback:
        raise ConfigError(f"Salesforce instance URL must use https:// (got http://{host}): "
                          "Salesforce only answers over HTTPS")
    # The netloc simple-salesforce rebuilds: hostname plus the port unless it is 443.
    library_netloc = host if parts.port in (None, 443) else f"{host}:{parts.port}"
    plain = library_netloc if parts.scheme == "http" else None
    return Endpoint(host, parts.netloc, plain)


class SalesforceTransport(HTTPAdapter):
    """requests adapter: one per connector, mounted for both schemes on its session."""

    def __init__(self, target: Endpoint, timeout: Any = DEFAULT_TIMEOUT):
        super().__init__()  # max_retries=0: every retry decision is connectors.retry's
        self._target = target
        self._timeout = timeout
        self.attempts = 0
        self.last_response: requests.Response | None = None
        self.budget: CallBudget | None = None  # the run's read cap, checked per request

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: bool | str = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        if self.budget is not None:
            self.budget.spend()
        self.attempts += 1
        self.last_response = None
        parts = urlsplit(request.url or "")
        if parts.scheme == "https" and parts.netloc == self._target.plain_http_netloc:
            request = request.copy()
            request.url = urlunsplit(("http", self._target.netloc, *parts[2:]))
        response = super().send(request, stream, timeout or self._timeout, verify, cert,
                                proxies)
        self.last_response = response
        return response


def mount(session: requests.Session, target: Endpoint,
          timeout: Any = DEFAULT_TIMEOUT) -> SalesforceTransport:
    """Put the transport on a session; the sandbox's loopback session ignores proxy and CA
    settings from the environment (REQUESTS_CA_BUNDLE, HTTP(S)_PROXY)."""
    adapter = SalesforceTransport(target, timeout)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if target.plain_http_netloc is not None or is_loopback(target.host):
        session.trust_env = False
    return adapter
