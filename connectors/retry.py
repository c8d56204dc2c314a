"""One retry policy for both CRMs.

`classify` is pure: it looks at a response (status, headers, body) and says whether to
retry, stop the run (quota), give up (fatal) or reject just this record. `call_with_retries`
runs a call under tenacity with that verdict: `Retry-After` first, then exponential backoff
with jitter. The client libraries' own retries are switched off so every 429 lands here.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import tenacity

log = logging.getLogger(__name__)
T = TypeVar("T")


class Verdict(enum.Enum):
    RETRY = "retry"
    QUOTA = "quota"
    FATAL = "fatal"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reason: str
    wait: float | None = None  # seconds the server asked for, if it did


@dataclass(frozen=True, slots=True)
class Failure:
    """What a failed call looked like on the wire. status None: no HTTP answer at all."""

    status: int | None
    headers: Mapping[str, str]
    body: Any


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def decode_body(body: Any) -> Any:
    """An error body as the CRM meant it: parsed JSON, or the text when it is not JSON."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def _error_codes(body: Any) -> set[str]:
    """Salesforce error codes / HubSpot policy names and categories found in a body."""
    body = decode_body(body)
    items = body if isinstance(body, list) else [body]
    codes: set[str] = set()
    for item in items:
        if isinstance(item, Mapping):
            for key in ("errorCode", "policyName", "errorType", "category"):
                if isinstance(item.get(key), str):
                    codes.add(item[key])
    return codes


def classify(failure: Failure) -> Decision:
    status, codes = failure.status, _error_codes(failure.body)
    wait = retry_after_seconds(_header(failure.headers, "Retry-After"))
    if status is None:
        return Decision(Verdict.RETRY, "no answer from the server")
    if "REQUEST_LIMIT_EXCEEDED" in codes:
        return Decision(Verdict.QUOTA, "Salesforce API request limit exceeded")
    if status == 429:
        if "DAILY" in codes:
            return Decision(Verdict.QUOTA, "HubSpot daily API limit reached")
        return Decision(Verdict.RETRY, "rate limited (429)", wait)
    if status == 401:
        return Decision(Verdict.FATAL, "credentials rejected (401)")
    if status == 403:
        return Decision(Verdict.FATAL, "permission denied (403)")
    if status in (408, 425) or status >= 500:
        return Decision(Verdict.RETRY, f"server error ({status})", wait)
    if status in (400, 404, 409, 412, 422):
        return Decision(Verdict.REJECT, f"record refused ({status})")
    return Decision(Verdict.FATAL, f"unexpected HTTP status {status}")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_wait: float = 0.5
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep


def backoff(attempt: int, policy: RetryPolicy, asked: float | None, rng: random.Random) -> float:
    """Seconds to wait before attempt+1: the server's Retry-After if given, otherwise
    exponential backoff with full jitter."""
    if asked is not None:
        return min(asked, policy.max_wait)
    ceiling = min(policy.max_wait, policy.base_wait * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


def call_with_retries(
    call: Callable[[], T],
    describe: Callable[[BaseException], Failure | None],
    policy: RetryPolicy,
    on_attempt: Callable[[], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run `call`, retrying while classify() says RETRY. `describe` turns a library
    exception into a Failure (None: not an HTTP/transport failure, re-raise at once).
    Whatever is not retried, or still fails after the last attempt, is re-raised."""
    rng = rng or random.Random()

    def should_retry(state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if exc is None:
            return False
        failure = describe(exc)
        return failure is not None and classify(failure).verdict is Verdict.RETRY

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        failure = describe(exc) if exc else None
        decision = classify(failure) if failure else None
        seconds = backoff(state.attempt_number, policy, decision.wait if decision else None, rng)
        log.info("attempt %d failed (%s); retrying in %.1f s", state.attempt_number,
                 decision.reason if decision else type(exc).__name__, seconds)
        return seconds

    def attempt() -> T:
        if on_attempt:
            on_attempt()
        return call()

    retrying = tenacity.Retrying(
        retry=should_retry,
        wait=wait,
        stop=tenacity.stop_after_attempt(policy.attempts),
        sleep=policy.sleep,
        reraise=True,
    )
    return retrying(attempt)
