"""The sandbox's rate-limit and allowance answers, read by the unmodified client libraries:
HubSpot's X-HubSpot-RateLimit-* headers and 429s, Salesforce's Sforce-Limit-Info and
/limits, and a new day giving both allowances back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import hubspot
import pytest
import requests
import urllib3
from hubspot.crm.objects import ApiException
from simple_salesforce import Salesforce

from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.hs_builders import T0, FakeClock, contact

SEARCH = {"limit": 10, "filterGroups": [], "properties": ["email"]}


@pytest.fixture
def clock(sandbox: Sandbox) -> FakeClock:
    ensure_schema(sandbox.store)
    moved = FakeClock(T0 + timedelta(hours=1))
    sandbox.store.set_clock(moved)
    return moved


@pytest.fixture
def client(sandbox: Sandbox, clock: FakeClock) -> hubspot.HubSpot:
    return hubspot.HubSpot(access_token=SANDBOX_TOKEN, host=sandbox.url,
                           retry=urllib3.Retry(0), client_side_validation=True)


@pytest.fixture
def sf(sandbox: Sandbox) -> Iterator[Salesforce]:
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    yield Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, session=session)
    session.close()


def headers_of(client: hubspot.HubSpot) -> dict[str, str]:
    _, status, headers = client.crm.objects.basic_api.get_page_with_http_info("contacts")
    assert status == 200
    return {k: v for k, v in headers.items() if k.startswith("X-HubSpot-RateLimit")}


def test_given_calls_when_reading_headers_then_every_window_and_the_day_are_reported(
        sandbox: Sandbox, client: hubspot.HubSpot, clock: FakeClock) -> None:
    sandbox.hubspot_daily_limit = 50  # type: ignore[attr-defined]
    first = headers_of(client)
    second = headers_of(client)
    assert first == {
        "X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Remaining": "189",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Secondly": "19", "X-HubSpot-RateLimit-Secondly-Remaining": "18",
        "X-HubSpot-RateLimit-Daily": "50", "X-HubSpot-RateLimit-Daily-Remaining": "49"}
    assert (second["X-HubSpot-RateLimit-Remaining"],
            second["X-HubSpot-RateLimit-Secondly-Remaining"],
            second["X-HubSpot-RateLimit-Daily-Remaining"]) == ("188", "17", "48")
    clock.advance(1.5)  # the second has passed, the 10-second window has not
    third = headers_of(client)
    assert (third["X-HubSpot-RateLimit-Remaining"],
            third["X-HubSpot-RateLimit-Secondly-Remaining"]) == ("187", "18")


def test_given_the_day_used_up_when_a_new_day_starts_then_hubspot_answers_again(
        sandbox: Sandbox, client: hubspot.HubSpot) -> None:
    sandbox.hubspot_daily_limit = 2  # type: ignore[attr-defined]
    headers_of(client)
    headers_of(client)
    with pytest.raises(ApiException) as refused:
        headers_of(client)
    assert refused.value.status == 429 and '"policyName": "DAILY"' in refused.value.body
    sandbox.new_day()
    assert headers_of(client)["X-HubSpot-RateLimit-Daily-Remaining"] == "1"


def test_given_a_search_rate_when_searching_faster_then_429_secondly_until_a_second_passes(
        sandbox: Sandbox, client: hubspot.HubSpot, clock: FakeClock) -> None:
    contact(sandbox.store, email="a@example.com")
    sandbox.hubspot_search_per_second = 2  # type: ignore[attr-defined]
    search = client.crm.objects.search_api.do_search
    assert search("contacts", SEARCH).total == 1
    assert search("contacts", SEARCH).total == 1
    with pytest.raises(ApiException) as refused:
        search("contacts", SEARCH)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "1"
    assert '"policyName": "SECONDLY"' in refused.value.body
    headers_of(client)  # other endpoints are not held to the search rate
    clock.advance(1)
    assert search("contacts", SEARCH).total == 1


def test_given_salesforce_calls_when_read_by_the_client_then_usage_and_limits_agree(
        sandbox: Sandbox, sf: Salesforce) -> None:
    sandbox.salesforce_daily_limit = 5
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 5, "Remaining": 4}
    sf.query("SELECT Id FROM Contact")
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (2, 5)
    sandbox.new_day()
    assert sf.limits()["DailyApiRequests"] == {"Max": 5, "Remaining": 4}
    assert (sf.api_usage["api-usage"].used, sf.api_usage["api-usage"].total) == (1, 5)


def test_given_a_new_day_from_the_admin_endpoint_then_salesforce_answers_again(
        sandbox: Sandbox, sf: Salesforce) -> None:
    sandbox.salesforce_daily_limit = 1
    sf.limits()
    with pytest.raises(Exception, match="REQUEST_LIMIT_EXCEEDED"):
        sf.limits()
    assert requests.post(sandbox.url + "/_sandbox/new-day", timeout=5).status_code == 201
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 0
