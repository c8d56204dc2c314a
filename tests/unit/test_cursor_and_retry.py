from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from leadpact.connectors.cursor import StreamCursor, dump, load, server_time
from leadpact.connectors.retry import (
    Decision,
    Failure,
    RetryPolicy,
    Verdict,
    backoff,
    call_with_retries,
    classify,
    retry_after_seconds,
)

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
LOOKBACK = timedelta(minutes=5)


def test_given_no_cursor_when_querying_then_everything_is_read() -> None:
    assert StreamCursor().query_from(LOOKBACK) is None


def test_given_handled_records_when_advancing_then_bound_is_newest_minus_lookback() -> None:
    cursor = StreamCursor().advance([("a", T0), ("b", T0 + timedelta(minutes=1))])
    assert cursor.query_from(LOOKBACK) == T0 + timedelta(minutes=1) - LOOKBACK


def test_given_a_record_seen_at_the_boundary_when_read_again_then_it_is_not_new() -> None:
    cursor = StreamCursor().advance([("a", T0), ("b", T0)])
    assert not cursor.is_new("a", T0) and not cursor.is_new("b", T0)
    assert cursor.is_new("a", T0 + timedelta(seconds=1))  # modified again: handle again
    assert cursor.is_new("late", T0 - timedelta(minutes=1))  # committed late: still caught


def test_given_records_behind_the_boundary_then_only_the_boundary_is_kept() -> None:
    cursor = StreamCursor().advance([("a", T0)])
    cursor = cursor.advance([("b", T0 + timedelta(seconds=1)), ("c", T0 + timedelta(seconds=1))])
    stamp = (T0 + timedelta(seconds=1)).isoformat(timespec="milliseconds")
    assert cursor.seen == {("b", stamp), ("c", stamp)}


def test_given_a_stream_read_to_the_end_then_the_read_time_is_the_next_bound() -> None:
    read_at = T0 + timedelta(hours=1)
    cursor = StreamCursor().advance([("a", T0)]).read_through(read_at)
    assert cursor == StreamCursor(read_at)  # the lookback hangs off the read, not the record
    assert cursor.query_from(LOOKBACK) == read_at - LOOKBACK
    assert cursor.read_through(None) == cursor  # no server time: stays
    assert cursor.read_through(T0) == cursor  # never backwards
    assert StreamCursor().read_through(read_at) == StreamCursor(read_at)


def test_given_a_date_header_then_the_servers_time() -> None:
    assert server_time("Mon, 02 Nov 2026 09:00:00 GMT") == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert server_time(None) is None and server_time("yesterday") is None


def test_given_cursors_when_dumped_and_loaded_then_equal() -> None:
    streams = {"Lead": StreamCursor().advance([("a", T0)]), "Contact": StreamCursor()}
    assert load(dump(streams)) == streams


@pytest.mark.parametrize(("failure", "verdict"), [
    (Failure(None, {}, None), Verdict.RETRY),
    (Failure(429, {"Retry-After": "3"}, '{"policyName":"TEN_SECONDLY_ROLLING"}'), Verdict.RETRY),
    (Failure(429, {}, '{"errorType":"RATE_LIMIT","policyName":"DAILY"}'), Verdict.QUOTA),
    (Failure(403, {}, [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "x"}]), Verdict.QUOTA),
    (Failure(403, {}, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "x"}]), Verdict.FATAL),
    (Failure(401, {}, ""), Verdict.FATAL),
    (Failure(503, {}, ""), Verdict.RETRY),
    (Failure(400, {}, [{"errorCode": "INVALID_FIELD"}]), Verdict.REJECT),
    (Failure(404, {}, ""), Verdict.REJECT),
])
def test_given_a_failure_when_classified_then_verdict(failure: Failure, verdict: Verdict) -> None:
    assert classify(failure).verdict is verdict


def test_given_retry_after_when_classified_then_its_wait_is_kept() -> None:
    assert classify(Failure(429, {"retry-after": "7"}, "")) == Decision(
        Verdict.RETRY, "rate limited (429)", 7.0)


def test_given_an_http_date_retry_after_then_seconds_until_it() -> None:
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:10 GMT",
                               now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()) == 10


def test_given_no_retry_after_then_backoff_grows_with_jitter_under_the_cap() -> None:
    policy = RetryPolicy(base_wait=1.0, max_wait=8.0)
    rng = random.Random(1)
    waits = [backoff(n, policy, None, rng) for n in range(1, 8)]
    assert all(0 <= w <= min(8.0, 2 ** (n - 1)) for n, w in enumerate(waits, 1))
    assert backoff(1, policy, 30.0, rng) == 8.0  # the server's ask, capped


class Boom(Exception):
    def __init__(self, status: int | None, headers: dict[str, str] | None = None):
        self.status, self.headers = status, headers or {}


def describe(exc: BaseException) -> Failure | None:
    return Failure(exc.status, exc.headers, "") if isinstance(exc, Boom) else None


def test_given_two_429s_when_calling_then_retried_with_servers_waits_and_no_real_sleep() -> None:
    slept: list[float] = []
    answers = [Boom(429, {"Retry-After": "2"}), Boom(503, {"Retry-After": "1"}), "ok"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert call_with_retries(call, describe, RetryPolicy(sleep=slept.append)) == "ok"
    assert slept == [2.0, 1.0]


def test_given_a_fatal_error_when_calling_then_raised_at_once() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise Boom(401)

    with pytest.raises(Boom):
        call_with_retries(call, describe, RetryPolicy(sleep=lambda s: None))
    assert len(calls) == 1


def test_given_endless_503_when_calling_then_gives_up_after_the_attempts() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise Boom(503)

    with pytest.raises(Boom):
        call_with_retries(call, describe, RetryPolicy(attempts=4, sleep=lambda s: None))
    assert len(calls) == 4
