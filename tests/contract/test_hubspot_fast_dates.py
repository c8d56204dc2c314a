"""The HubSpot connector's clients read timestamps with the standard library: the same
instants as the client's own parser, for every form HubSpot sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.parser import parse as dateutil_parse

from leadpact.connectors.hubspot.client import HubSpotApis
from leadpact.connectors.hubspot.fast_dates import parse_instant
from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.hs_builders import T0, contact


@pytest.mark.parametrize("text", [
    "2026-12-05T09:30:00.123Z", "2026-12-05T09:30:00Z", "2026-12-05T09:30:00.123456Z",
    "2026-12-05T09:30:00+01:00", "2026-12-05T09:30:00.5-05:00",
])
def test_given_hubspot_timestamps_when_parsed_then_the_instant_dateutil_gives(
        text: str) -> None:
    def refuse(_: str) -> None:
        raise AssertionError("the standard library should have read it")

    parsed = parse_instant(text, refuse)
    assert parsed == dateutil_parse(text) and parsed.utcoffset() is not None


def test_given_text_the_standard_library_cannot_read_then_the_clients_parser_decides() -> None:
    assert parse_instant("Dec 5 2026 9:30 UTC", dateutil_parse) == \
        datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_given_the_connectors_clients_when_reading_then_aware_datetimes_on_the_models(
        sandbox: Sandbox) -> None:
    ensure_schema(sandbox.store)
    made = contact(sandbox.store, at=T0 + timedelta(milliseconds=123))
    apis = HubSpotApis(sandbox.url, SANDBOX_TOKEN, {})
    for api in (apis.objects, apis.batch, apis.search, apis.associations):  # the read path
        assert "_ApiClient__deserialize_datetime" in vars(api.api_client)
    read = apis.batch.read("contacts", {"inputs": [{"id": made}], "properties": ["email"]})
    assert read.results[0].updated_at == T0 + timedelta(milliseconds=123)
    assert read.results[0].updated_at.utcoffset() == timedelta(0)
