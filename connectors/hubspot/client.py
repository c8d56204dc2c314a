"""The hubspot-api-client objects the connector uses, and every call's retry and errors.

- Each attribute access on the client builds a new ApiClient and connection pool, so the
  api objects are built once and kept.
- The client's own urllib3 retries are off (`Retry(0)`): otherwise a GET answered 429 with
  Retry-After is re-sent and slept on silently, outside leadpact's retry policy.
- Each client package (objects, properties, associations ...) raises its own ApiException
  class tree, so failures are recognised by shape (`status`, `headers`, `body`), not class.
- The access token comes from a Login (auth.py): each call runs with the current one, and
  after a 401 a renewable login (OAuth) fetches a new one once and the call is repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import hubspot
import urllib3
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from leadpact.connectors.call_budget import CallBudget
from leadpact.connectors.hubspot.fast_dates import use_fast_datetimes
from leadpact.connectors.hubspot.pacing import DailyAllowance, Pacer
from leadpact.connectors.oauth_http import Login, StaticToken
from leadpact.connectors.retry import (
    Failure,
    RetryPolicy,
    Verdict,
    call_with_retries,
    classify,
    decode_body,
)
from leadpact.errors import (
    AuthError,
    ConnectorError,
    Facts,
    LeadpactError,
    QuotaExhausted,
    RecordRejected,
    ServerError,
    UnreachableError,
)

T = TypeVar("T")

AUTH_PROBLEM = "HubSpot rejected the access token"
AUTH_FIX = ("set LEADPACT_HUBSPOT_TOKEN to a private app token with crm.objects.contacts/deals "
            "read+write scopes")
_TRANSPORT_ERRORS = (MaxRetryError, ProtocolError, NewConnectionError, Urllib3Timeout,
                     ConnectionError)


class HubSpotApis:
    """The api objects, built once (each one owns a connection pool)."""

    def __init__(self, host: str, access_token: str, options: Mapping[str, Any]):
        client = hubspot.HubSpot(access_token=access_token, host=host,
                                 retry=urllib3.Retry(0), **options)
        crm = client.crm
        self.objects = crm.objects.basic_api
        self.batch = crm.objects.batch_api
        self.search = crm.objects.search_api
        self.associations = crm.associations.v4.batch_api
        self.properties = crm.properties.core_api
        self.groups = crm.properties.groups_api
        self.owners = crm.owners.owners_api
        for api in (self.objects, self.batch, self.search, self.associations):
            use_fast_datetimes(api)  # the read path: connectors/hubspot/fast_dates.py
        self._token = access_token
        self._seen: dict[int, Any] = {}

    def _all(self) -> tuple[Any, ...]:
        return (self.objects, self.batch, self.search, self.associations, self.properties,
                self.groups, self.owners)

    def new_answer_headers(self) -> Mapping[str, str] | None:
        """Headers of an answer that arrived since the last look (each api object keeps
        only its own last answer; None when no new one did)."""
        for api in self._all():
            response = getattr(api.api_client, "last_response", None)  # set by a first answer
            if response is not None and self._seen.get(id(api)) is not response:
                self._seen[id(api)] = response
                return dict(response.getheaders())
        return None

    def use_token(self, token: str) -> None:
        """Send `token` from now on (each api object has its own configuration)."""
        if token == self._token:
            return
        for api in self._all():
            api.api_client.configuration.access_token = token
        self._token = token


def _is_client_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("hubspot.") and hasattr(exc, "status")


def describe(exc: BaseException) -> Failure | None:
    """What a failed call looked like on the wire; None if it was not an HTTP or transport
    failure (a bug, or an answer the client could not parse: never retried)."""
    if isinstance(exc, _TRANSPORT_ERRORS):
        return Failure(None, {}, None)
    status = getattr(exc, "status", None)
    if _is_client_error(exc) and isinstance(status, int) and status > 0:
        headers = getattr(exc, "headers", None) or {}
        return Failure(status, dict(headers.items()), getattr(exc, "body", None))
    return None


def error_message(body: Any) -> str:
    """HubSpot's own `message` from an error body, else a short excerpt of it."""
    parsed = decode_body(body)
    if isinstance(parsed, Mapping) and parsed.get("message"):
        return str(parsed["message"])
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return str(body or "no details")[:300]


class Caller:
    """Runs client calls under the retry policy, counts every HTTP attempt, and turns
    whatever still fails into leadpact's error tree (messages never carry the token)."""

    def __init__(self, host: str, policy: RetryPolicy, login: Login | None = None,
                 use_token: Callable[[str], None] | None = None,
                 pacer: Pacer | None = None,
                 answered: Callable[[], Mapping[str, str] | None] | None = None,
                 max_api_share: float = 1.0):
        """`pacer` waits before each request that would overfill a rate window and learns
        the limits from `answered` (the headers of the answer just received); no request
        goes out once the day's allowance it last saw is used past `max_api_share`."""
        self.host = host
        self.policy = policy
        self.attempts = 0
        self.budget = CallBudget("hubspot")  # the quota plan's cap on a change read
        self.pacer = pacer
        self._answered = answered or (lambda: None)
        self.max_api_share = max_api_share
        self._login: Login = login or StaticToken("")
        self._use_token = use_token or (lambda token: None)
        self.renewals = 0

    def once(self, call: Callable[[], T], search: bool = False) -> T:
        """One HTTP request, paced and counted; no retry (for steps inside a retried
        composite). `search`: a search API call (its own, tighter rate)."""
        self.budget.spend()
        if self.pacer is not None:
            self._check_allowance(self.pacer.daily)
            self.pacer.before_call(search)
        self.attempts += 1
        result = call()
        headers = self._answered()
        if headers is not None and self.pacer is not None:
            self.pacer.observe(headers)
        return result

    def _check_allowance(self, daily: DailyAllowance | None) -> None:
        """Stop before the portal's day is used past leadpact's share, not when it is gone."""
        if daily is not None and daily.limit - daily.remaining >= self.max_api_share * daily.limit:
            raise QuotaExhausted(
                f"HubSpot API usage is at {daily.limit - daily.remaining}/{daily.limit} calls "
                f"today, past the {self.max_api_share:.0%} leadpact may use: run again after "
                "the daily limit resets (midnight in the portal's time zone)",
                system="hubspot", operation="the next call", status=None, retry_after=None)

    def __call__(self, what: str, call: Callable[[], T], search: bool = False) -> T:
        """One HTTP request, retried as the policy says."""
        return self.run(what, lambda: self.once(call, search))

    def run(self, what: str, attempt: Callable[[], T]) -> T:
        """Retry `attempt` (which may make several requests through `once`) as a whole;
        what still fails comes out as a LeadpactError describing `what`."""
        try:
            return call_with_retries(lambda: self._authorized(attempt), describe, self.policy)
        except LeadpactError:
            raise
        except Exception as exc:
            failure = describe(exc)
            if failure is None:
                if _is_client_error(exc):  # e.g. an answer the client could not deserialise
                    raise ConnectorError(f"HubSpot answered {what} with something leadpact "
                                         f"could not read: {getattr(exc, 'reason', exc)}") from None
                raise
            raise self.translate(failure, what) from None

    def _authorized(self, attempt: Callable[[], T]) -> T:
        """`attempt` with the current token; after a 401, once more with a renewed one."""
        self._use_token(self._login.token())
        try:
            return attempt()
        except Exception as exc:
            failure = describe(exc)
            if failure is None or failure.status != 401:
                raise
            token = self._login.renew()
            if token is None:
                raise
            self.renewals += 1
            self._use_token(token)
        return attempt()

    def translate(self, failure: Failure, what: str) -> ConnectorError:
        decision = classify(failure)
        status, message = failure.status, error_message(failure.body)
        facts: Facts = {"system": "hubspot", "operation": what, "status": status,
                        "retry_after": decision.wait}
        if status is None:
            return UnreachableError(
                f"HubSpot at {self.host} did not answer {what} after {self.policy.attempts} "
                "attempts: check the host setting and the network, then run again", **facts)
        if decision.verdict is Verdict.QUOTA:
            return QuotaExhausted("HubSpot's daily API limit is used up (it resets at midnight "
                                  "in the portal's time zone): run again after that", **facts)
        if status == 401:
            return AuthError(f"{AUTH_PROBLEM}: {AUTH_FIX}", **facts)
        if status == 403:
            return ConnectorError(f"HubSpot refused {what} (403: {message}): give the private "
                                  "app the missing scope", **facts)
        if status == 429:
            return QuotaExhausted(f"HubSpot kept rate-limiting {what} after "
                                  f"{self.policy.attempts} attempts: run again in a minute",
                                  **facts)
        if decision.verdict is Verdict.REJECT:
            return RecordRejected(f"HubSpot refused {what} ({status}): {message}", **facts)
        if decision.verdict is Verdict.RETRY:
            return ServerError(f"HubSpot kept failing {what} ({status}: {message}) after "
                               f"{self.policy.attempts} attempts: run again later", **facts)
        return ConnectorError(f"HubSpot failed {what} ({status}: {message}): try again later",
                              **facts)
