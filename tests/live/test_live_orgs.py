"""Opt-in checks against real orgs. Skipped unless LEADPACT_LIVE=1 and the credentials
are set; they only read (check + one page of changes), never write."""

from __future__ import annotations

import os

import pytest

from leadpact.connectors.hubspot.connector import HubSpotConnector
from leadpact.connectors.salesforce.connector import SalesforceConnector

pytestmark = pytest.mark.live
LIVE = os.environ.get("LEADPACT_LIVE") == "1"


def _needs(*names: str) -> None:
    missing = [n for n in names if not os.environ.get(n)]
    if not LIVE or missing:
        pytest.skip("live test: set LEADPACT_LIVE=1 and " + ", ".join(names))


def test_salesforce_org_answers_and_lists_what_check_finds() -> None:
    _needs("LEADPACT_SALESFORCE_URL", "LEADPACT_SALESFORCE_TOKEN")
    connector = SalesforceConnector(os.environ["LEADPACT_SALESFORCE_URL"],
                                    os.environ["LEADPACT_SALESFORCE_TOKEN"])
    problems = connector.check()
    assert all(p.what and p.fix for p in problems)
    first_page = next(iter(connector.read_changes(None)), None)
    assert first_page is None or first_page.cursor


def test_hubspot_portal_answers_and_lists_what_check_finds() -> None:
    _needs("LEADPACT_HUBSPOT_TOKEN")
    connector = HubSpotConnector(os.environ.get("LEADPACT_HUBSPOT_HOST",
                                                "https://api.hubapi.com"),
                                 os.environ["LEADPACT_HUBSPOT_TOKEN"])
    problems = connector.check()
    assert all(p.what and p.fix for p in problems)
    first_page = next(iter(connector.read_changes(None)), None)
    assert first_page is None or first_page.cursor
