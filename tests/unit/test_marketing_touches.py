from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadpact.connectors.hubspot import marketing as hs
from leadpact.connectors.recent import recent_touches
from leadpact.connectors.salesforce import marketing as sf
from leadpact.connectors.salesforce.activities import task_activity
from leadpact.model import Activity

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("subject", "expected"), [
    ("Pardot List Email: March newsletter", (sf.SENT, "March newsletter")),
    ("pardot email:Welcome", (sf.SENT, "Welcome")),
    ("Was Sent Email: Nurture 3", (sf.SENT, "Nurture 3")),
    ("Opened Email: March newsletter", ("email_open", "March newsletter")),
    ("Clicked Link in Email: March newsletter", ("email_click", "March newsletter")),
    ("Filled Out Form: Contact sales", ("form", "Contact sales")),
    ("Registered for Webinar: Forecasting", ("webinar", "Forecasting")),
    ("Visited Web Page: /pricing", ("page_view", "/pricing")),
    ("Email: Re: pricing", None),  # a logged sales email
    ("Call: left voicemail", None),
    ("Follow-up", None),
    ("", None),
])
def test_given_a_task_subject_then_marketing_automation_is_told_apart(
        subject: str, expected: tuple[str, str] | None) -> None:
    assert sf.automation_kind(subject) == expected


def test_given_a_pardot_send_logged_as_an_email_then_it_is_no_touch_at_all() -> None:
    row = {"Subject": "Pardot List Email: March", "TaskSubtype": "Email", "Type": "Email",
           "ActivityDate": "2026-11-01"}
    assert task_activity(row, "ng@acme.example") is None
    opened = {**row, "Subject": "Opened Email: March"}
    assert task_activity(opened) == Activity(datetime(2026, 11, 1, tzinfo=UTC), "email_open",
                                             True, "March")


@pytest.mark.parametrize(("type_", "kind"), [
    ("Webinar", "webinar"), ("Virtual Webinar", "webinar"), ("Content Syndication", "content"),
    ("Whitepaper", "content"), ("eBook", "content"), ("Trade Show", "campaign_response"),
    ("Email", "campaign_response"), (None, "campaign_response"),
])
def test_given_a_campaign_type_then_the_touch_kind(type_: str | None, kind: str) -> None:
    assert sf.campaign_kind(type_) == kind


@pytest.mark.parametrize(("row", "expected"), [
    ({"HasResponded": True, "FirstRespondedDate": "2026-11-03",
      "Campaign": {"Name": "Webinar: X", "Type": "Webinar"}},
     Activity(datetime(2026, 11, 3, tzinfo=UTC), "webinar", True, "Webinar: X")),
    ({"HasResponded": False, "FirstRespondedDate": None, "Campaign": {"Name": "X"}}, None),
    ({"HasResponded": True, "FirstRespondedDate": None, "Campaign": {"Name": "X"}}, None),
    ({"HasResponded": True, "FirstRespondedDate": "2026-11-03", "Campaign": None,
      "Status": "Responded"},  # a campaign the user cannot see: named by the status
     Activity(datetime(2026, 11, 3, tzinfo=UTC), "campaign_response", True, "Responded")),
])
def test_given_campaign_member_rows_then_responses_only(row: dict[str, object],
                                                        expected: Activity | None) -> None:
    assert sf.campaign_activity(row) == expected


def test_given_a_converted_member_then_it_belongs_to_the_contact() -> None:
    assert sf.member_of({"LeadId": "00Q1", "ContactId": "0031"}) == "0031"
    assert sf.member_of({"LeadId": "00Q1", "ContactId": None}) == "00Q1"


SINCE = NOW - timedelta(days=180)


@pytest.mark.parametrize(("props", "needed"), [
    ({}, False),
    ({"num_conversion_events": "1", "recent_conversion_date": "2026-11-01T00:00:00Z"}, False),
    ({"num_conversion_events": "2", "recent_conversion_date": "2026-11-01T00:00:00Z"}, True),
    ({"num_conversion_events": "2", "recent_conversion_date": "2025-01-01T00:00:00Z"}, False),
    ({"num_conversion_events": "3.0", "recent_conversion_date": "1794960000000"}, True),
    ({"num_conversion_events": "many", "recent_conversion_date": "1794960000000"}, False),
    # opens and visits are counted from their latest: no history read for them
    ({"hs_email_open": "5", "hs_email_last_open_date": "1794960000000"}, False),
    ({"hs_analytics_num_visits": "3",
      "hs_analytics_last_visit_timestamp": "2026-10-01T00:00:00Z"}, False),
])
def test_given_counters_then_history_is_read_only_when_it_holds_more(
        props: dict[str, str | None], needed: bool) -> None:
    assert hs.needs_history(props, SINCE) is needed


def test_given_only_current_values_then_the_latest_of_each_marketing_touch() -> None:
    props = {"recent_conversion_event_name": "Webinar: X",
             "recent_conversion_date": "2026-11-01T10:00:00Z",
             "hs_email_last_open_date": "2026-11-02T10:00:00Z",
             "hs_email_last_email_name": "Newsletter",
             "hs_email_last_click_date": None,
             "hs_analytics_last_visit_timestamp": "2026-11-03T10:00:00Z"}
    found = hs.marketing_activities(props)
    assert [(a.kind, a.subject, a.at.day) for a in found] == [
        ("webinar", "Webinar: X", 1), ("email_open", "Newsletter", 2),
        ("page_view", "website visit", 3)]


def test_given_a_conversion_history_without_dates_then_the_version_time_dates_it() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    history = {"recent_conversion_event_name": [(at, "Contact sales"),
                                                (at + timedelta(days=1), "Contact sales")]}
    found = hs.marketing_activities({}, history)
    assert [(a.at, a.kind) for a in found] == [(at, "form"), (at + timedelta(days=1), "form")]


def test_given_many_marketing_touches_then_they_never_push_two_way_ones_out() -> None:
    reply = Activity(NOW - timedelta(days=20), "email", True, "Re: pricing")
    views = [Activity(NOW - timedelta(hours=n), "page_view", True, "v") for n in range(1, 60)]
    kept = recent_touches([reply, *views], NOW, 180, 50)
    assert reply in kept and len(kept) == 51
    assert kept == tuple(sorted(kept, key=lambda a: a.at))


def test_given_marketing_touches_then_role_judgement_needs_no_deal_context() -> None:
    from leadpact.enrichment.engagement import needs_deal_context, topic_of

    url = "https://www.leadpact-demo.example/pricing"
    assert topic_of(url) == "gatekeeping"  # a web page's address reads like a gatekeeper's
    visit = Activity(NOW, "page_view", True, url)
    assert not needs_deal_context([visit])  # marketing touches are not threads with sales
    assert needs_deal_context([Activity(NOW, "email", True, "Security questionnaire")])
