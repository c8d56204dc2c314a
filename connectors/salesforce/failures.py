"""What went wrong on a Salesforce call, for the shared retry policy and for the user.

`describe` turns simple-salesforce and requests exceptions into a retry.Failure;
`to_error` turns a failure that was not retried away into leadpact's error tree, with a
message that says what to do. Messages are built from Salesforce's errorCode and message
only: never the request, its headers or the token.
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce import SalesforceError

from leadpact.connectors.retry import Decision, Failure, Verdict, classify, decode_body
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

QUOTA_MESSAGE = ("Salesforce daily API limit reached (REQUEST_LIMIT_EXCEEDED): nothing more "
                 "was written; run again after the limit resets")
AUTH_MESSAGE = ("Salesforce rejected the access token: set LEADPACT_SALESFORCE_TOKEN to a "
                "valid session/access token, or let leadpact log in itself ([salesforce] auth "
                "= \"jwt\", \"client_credentials\" or \"refresh_token\")")


def describe(exc: BaseException, last_response: requests.Response | None) -> Failure | None:
    """A Failure for an HTTP error or a transport failure; None for anything else.
    simple-salesforce's exceptions keep status and body but drop the headers, so they come
    from the transport's last response when it is the one that failed."""
    if isinstance(exc, SalesforceError):
        headers: dict[str, str] = {}
        if last_response is not None and last_response.status_code == exc.status:
            headers = dict(last_response.headers)
        return Failure(exc.status, headers, exc.content)
    if isinstance(exc, (requests.RequestException, ValueError)) and \
            not isinstance(exc, requests.HTTPError):
        # Dropped mid-body, garbled encoding, a 200 with a body that is not JSON: the
        # answer never arrived whole, so it is retried like a lost connection.
        return Failure(None, {}, None)
    return None


def error_summary(body: Any) -> str:
    """`ERROR_CODE: message` for Salesforce's error array (or whatever the body is)."""
    body = decode_body(body)
    if isinstance(body, str):  # not JSON: the text itself says what happened
        return body.strip()[:300] or "no details"
    items = body if isinstance(body, list) else [body]
    parts = [f"{item.get('errorCode') or item.get('statusCode')}: {item.get('message')}"
             for item in items if isinstance(item, dict)]
    return "; ".join(parts) or "no details"


def to_error(failure: Failure, host: str, what: str) -> LeadpactError:
    """The leadpact error for a call that failed for good (`what` names the call)."""
    decision: Decision = classify(failure)
    facts: Facts = {"system": "salesforce", "operation": what, "status": failure.status,
                    "retry_after": decision.wait}
    if decision.verdict is Verdict.QUOTA:
        return QuotaExhausted(QUOTA_MESSAGE, **facts)
    if failure.status == 401:
        return AuthError(AUTH_MESSAGE, **facts)
    if failure.status is None:
        return UnreachableError(f"Salesforce at {host} did not answer ({what}) after "
                                "retrying: check the instance URL and the network, then run "
                                "again", **facts)
    summary = error_summary(failure.body)
    if decision.verdict is Verdict.RETRY:
        return ServerError(f"Salesforce at {host} kept failing ({decision.reason}) on "
                           f"{what}: run again later ({summary})", **facts)
    if decision.verdict is Verdict.REJECT:
        return RecordRejected(f"Salesforce refused {what}: {summary}", **facts)
    if failure.status == 403:
        return ConnectorError(f"Salesforce refused {what} ({summary}): give the integration "
                              "user API access and permission on Leads, Contacts, "
                              "Opportunities and Tasks", **facts)
    return ConnectorError(f"Salesforce failed on {what} ({decision.reason}: {summary})",
                          **facts)
