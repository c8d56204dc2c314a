"""The demo org's lead-definition stories (issue #9 item 8) and the marketing touches
behind them, as written into both fake CRMs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leadpact.connectors.sandbox.hubspot_records import HISTORY_KEY
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.store import Store
from tests.unit.seed_org import NOW, Org, load


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    """The demo's size: a small org has too few accounts without deals for every story."""
    store = Store(":memory:")
    demo = load(store, seed_demo_org(store, seed=7, people=3000, now=NOW))
    yield demo
    store.close()


def _stories(org: Org, system: str, archetype: str) -> list[dict[str, Any]]:
    import json

    from leadpact.connectors.sandbox.seed import TRUTH_META
    accounts = json.loads(org.store.get_meta(TRUTH_META) or "{}")["accounts"]
    return [{"id": key.split(":", 1)[1], **value} for key, value in accounts.items()
            if key.startswith(f"{system}:") and value["archetype"] == archetype]


def _sf_touches(org: Org, who: str) -> dict[str, list[Any]]:
    tasks = [t for t in org.sf("Task").values() if t.fields.get("WhoId") == who]
    return {
        "responses": [m for m in org.sf("CampaignMember").values() if m.fields.get("HasResponded")
                      and who in (m.fields.get("LeadId"), m.fields.get("ContactId"))],
        "replies": [t for t in tasks if t.fields.get("Description", "").startswith(
            "From: ") and "(reply)" not in t.fields.get("Description", "")
            and not t.fields["Description"].split("\n")[0].endswith("@example.com")],
        "sales_tasks": [t for t in tasks if not t.fields["Subject"].startswith("Pardot")],
        "meetings": [e for e in org.sf("Event").values() if e.fields.get("WhoId") == who],
    }


def test_given_a_seeded_org_then_both_lead_stories_exist_in_both_crms(org: Org) -> None:
    for system in ("salesforce", "hubspot"):
        assert len(_stories(org, system, "content_only")) >= 2
        assert len(_stories(org, system, "buying_group")) >= 2
    deal_accounts = {o.fields["AccountId"] for o in org.sf("Opportunity").values()}
    assert not {s["id"] for s in _stories(org, "salesforce", "content_only")} & deal_accounts


def test_given_content_only_accounts_then_users_consume_and_no_power_role_engages(
        org: Org) -> None:
    for story in _stories(org, "salesforce", "content_only"):
        parts = story["people"]
        users = [p for p, part in parts.items() if part == "user"]
        responses = sum(len(_sf_touches(org, p)["responses"]) for p in users)
        assert responses >= 2 * len(users)  # doers answer nearly every campaign
        for person, part in parts.items():
            if part == "power":
                touches = _sf_touches(org, person)
                assert not touches["responses"] and not touches["sales_tasks"]
                assert not touches["meetings"]
    for story in _stories(org, "hubspot", "content_only"):
        for person, part in story["people"].items():
            contact = org.hs("contacts")[person].fields
            if part == "user":
                assert int(contact.get("num_conversion_events") or 0) >= 4
                assert int(contact.get("hs_email_open") or 0) >= 8
                assert len(contact[HISTORY_KEY]["recent_conversion_event_name"]) >= 4
            if part == "power":
                assert not contact.get("recent_conversion_event_name")
                assert not contact.get("hs_email_last_open_date")
                assert not contact.get("hs_sales_email_last_replied")


def test_given_buying_group_accounts_then_a_decision_maker_replies_and_meets_sales(
        org: Org) -> None:
    talking = 0
    for system in ("salesforce", "hubspot"):
        for story in _stories(org, system, "buying_group"):
            for person, part in story["people"].items():
                if part != "power":
                    continue
                if system == "salesforce" and person in org.sf("Lead") | org.sf("Contact"):
                    touches = _sf_touches(org, person)
                    talking += bool(touches["replies"] and touches["meetings"])
                elif system == "hubspot":
                    contact = org.hs("contacts")[person].fields
                    talking += bool(contact.get("hs_sales_email_last_replied"))
    assert talking >= len(_stories(org, "salesforce", "buying_group"))


def test_given_marketing_sends_then_logged_as_pardot_tasks_on_no_deal(org: Org) -> None:
    sends = [t for t in org.sf("Task").values()
             if t.fields["Subject"].startswith("Pardot List Email: ")]
    assert len(sends) > 50
    assert all("WhatId" not in t.fields and t.fields["IsClosed"] for t in sends)


def test_given_campaigns_then_doers_respond_far_more_than_leaders(org: Org) -> None:
    responded = [m for m in org.sf("CampaignMember").values() if m.fields["HasResponded"]]
    assert responded and all(m.fields.get("FirstRespondedDate") for m in responded)
    assert {c.fields["Type"] for c in org.sf("Campaign").values()} >= {"Webinar", "Trade Show"}
