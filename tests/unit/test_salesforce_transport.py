"""The Salesforce transport (loopback-only downgrade, counting) and failure translation."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses
from simple_salesforce import SalesforceExpiredSession, SalesforceGeneralError

from leadpact.connectors.retry import Failure
from leadpact.connectors.salesforce import failures, transport
from leadpact.connectors.salesforce.transport import Endpoint
from leadpact.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    QuotaExhausted,
    RecordRejected,
    ServerError,
    UnreachableError,
)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8765", Endpoint("127.0.0.1", "127.0.0.1:8765", "127.0.0.1:8765")),
    ("http://127.1.2.3:80/", Endpoint("127.1.2.3", "127.1.2.3:80", "127.1.2.3:80")),
    ("http://localhost", Endpoint("localhost", "localhost", "localhost")),
    ("https://127.0.0.1:8443", Endpoint("127.0.0.1", "127.0.0.1:8443", None)),
    ("https://acme.my.salesforce.com", Endpoint("acme.my.salesforce.com",
                                                "acme.my.salesforce.com", None)),
    ("https://acme.my.salesforce.com:443", Endpoint("acme.my.salesforce.com",
                                                    "acme.my.salesforce.com:443", None)),
])
def test_given_an_instance_url_when_planning_the_endpoint_then_downgrade_only_loopback_http(
        url: str, expected: Endpoint) -> None:
    assert transport.endpoint(url) == expected


@pytest.mark.parametrize(("url", "message"), [
    ("http://acme.my.salesforce.com", "must use https://"),
    ("http://10.0.0.1:8080", "must use https://"),
    ("ftp://127.0.0.1", "is not a URL"),
    ("acme.my.salesforce.com", "is not a URL"),
])
def test_given_a_bad_instance_url_when_planning_then_config_error(url: str,
                                                                  message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        transport.endpoint(url)


@responses.activate
def test_given_a_loopback_http_sandbox_when_the_library_sends_https_then_sent_as_http() -> None:
    responses.get("http://127.0.0.1:8765/services/data/v59.0/limits/", json={"ok": 1})
    session = requests.Session()
    adapter = transport.mount(session, transport.endpoint("http://127.0.0.1:8765"))
    answer = session.get("https://127.0.0.1:8765/services/data/v59.0/limits/")
    assert answer.json() == {"ok": 1}
    assert adapter.attempts == 1 and adapter.last_response is answer
    assert session.trust_env is False


@responses.activate
def test_given_a_real_org_when_sending_then_https_kept_and_environment_trusted() -> None:
    responses.get("https://acme.my.salesforce.com/services/data/v59.0/limits/", json={})
    session = requests.Session()
    adapter = transport.mount(session, transport.endpoint("https://acme.my.salesforce.com"))
    session.get("https://acme.my.salesforce.com/services/data/v59.0/limits/")
    assert str(responses.calls[0].request.url).startswith("https://acme.my.salesforce.com/")
    assert adapter.attempts == 1 and session.trust_env is True


@responses.activate
def test_given_another_loopback_port_when_sending_https_then_not_downgraded() -> None:
    responses.get("https://127.0.0.1:9999/x", json={})
    session = requests.Session()
    transport.mount(session, transport.endpoint("http://127.0.0.1:8765"))
    session.get("https://127.0.0.1:9999/x")
    assert responses.calls[0].request.url == "https://127.0.0.1:9999/x"


# -- failures -------------------------------------------------------------------------------
def test_given_a_library_error_when_describing_then_status_body_and_headers_of_that_answer(
) -> None:
    answer = requests.Response()
    answer.status_code = 503
    answer.headers["Retry-After"] = "7"
    # the library hands over the parsed JSON body, whatever its annotation says
    body: Any = [{"errorCode": "X"}]
    exc = SalesforceGeneralError("https://x/y", 503, "query", body)
    assert failures.describe(exc, answer) == Failure(503, {"Retry-After": "7"},
                                                     [{"errorCode": "X"}])
    assert failures.describe(exc, None) == Failure(503, {}, [{"errorCode": "X"}])


@pytest.mark.parametrize("exc", [requests.ConnectionError("refused"), requests.ReadTimeout()])
def test_given_a_transport_error_when_describing_then_no_answer(exc: Exception) -> None:
    assert failures.describe(exc, None) == Failure(None, {}, None)


def test_given_a_programming_error_when_describing_then_not_a_failure() -> None:
    assert failures.describe(KeyError("records"), None) is None


LIMIT = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


@pytest.mark.parametrize(("failure", "error", "words"), [
    (Failure(403, {}, LIMIT), QuotaExhausted, "REQUEST_LIMIT_EXCEEDED"),
    (Failure(401, {}, [{"errorCode": "INVALID_SESSION_ID"}]), AuthError,
     "LEADPACT_SALESFORCE_TOKEN"),
    (Failure(None, {}, None), UnreachableError, "acme.my.salesforce.com"),
    (Failure(503, {}, "<html>down</html>"), ServerError, "run again later"),
    (Failure(400, {}, [{"errorCode": "INVALID_FIELD", "message": "No such column 'X'"}]),
     RecordRejected, "INVALID_FIELD: No such column 'X'"),
    (Failure(403, {}, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "no"}]), ConnectorError,
     "integration user"),
])
def test_given_a_final_failure_when_translating_then_the_error_saying_what_to_do(
        failure: Failure, error: type[Exception], words: str) -> None:
    translated = failures.to_error(failure, "acme.my.salesforce.com", "reading Leads")
    assert type(translated) is error
    assert words in str(translated)
    assert (translated.system, translated.operation, translated.status) == (
        "salesforce", "reading Leads", failure.status)


@pytest.mark.parametrize(("body", "summary"), [
    ([{"errorCode": "A", "message": "a"}, {"errorCode": "B", "message": "b"}], "A: a; B: b"),
    (b'[{"errorCode": "A", "message": "a"}]', "A: a"),
    ("plain text", "plain text"),
    ({"statusCode": "C", "message": "c"}, "C: c"),
    ([], "no details"),
])
def test_given_an_error_body_when_summarising_then_code_and_message(body: Any,
                                                                    summary: str) -> None:
    assert failures.error_summary(body) == summary


def test_given_an_expired_session_error_when_describing_then_a_401() -> None:
    body: Any = [{"errorCode": "INVALID_SESSION_ID"}]
    exc = SalesforceExpiredSession("https://x", 401, "query", body)
    failure = failures.describe(exc, None)
    assert failure is not None
    assert isinstance(failures.to_error(failure, "x", "y"), AuthError)
