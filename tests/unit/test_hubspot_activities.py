"""HubSpot engagements and conversions as Activities: direction, outcomes, kinds, the window
and cap, which engagement ids are read. Pure tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpact.connectors.hubspot import activities
from leadpact.connectors.hubspot.mapping import CONTACT_PROPERTIES
from leadpact.model import Activity

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WHEN = "2026-02-03T10:00:00.000Z"
AT = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("type_", "props", "expected"), [
    ("emails", {"hs_email_direction": "INCOMING_EMAIL", "hs_email_subject": "Re: Pricing"},
     Activity(AT, "email", True, "Re: Pricing")),
    ("emails", {"hs_email_direction": "EMAIL", "hs_email_subject": "Pricing"},
     Activity(AT, "email", False, "Pricing")),
    ("emails", {"hs_email_direction": "FORWARDED_EMAIL", "hs_email_subject": None},
     Activity(AT, "email", False, "")),
    ("meetings", {"hs_meeting_outcome": "COMPLETED", "hs_meeting_title": "Demo"},
     Activity(AT, "meeting", True, "Demo", outcome="held")),  # attended
    ("meetings", {"hs_meeting_outcome": "SCHEDULED", "hs_meeting_title": "Demo"},
     Activity(AT, "meeting", False, "Demo", outcome="scheduled")),  # nobody confirmed it
    ("meetings", {"hs_meeting_title": "Demo"},
     Activity(AT, "meeting", False, "Demo", outcome="scheduled")),
    # kept, not dropped: a meeting the buyer missed or cancelled is a stale signal
    ("meetings", {"hs_meeting_outcome": "NO_SHOW"},
     Activity(AT, "meeting", False, "", outcome="no_show")),
    ("meetings", {"hs_meeting_outcome": "CANCELED"},
     Activity(AT, "meeting", False, "", outcome="cancelled")),
    ("meetings", {"hs_meeting_outcome": "RESCHEDULED"},
     Activity(AT, "meeting", False, "", outcome="cancelled")),
    ("calls", {"hs_call_direction": "INBOUND", "hs_call_title": "Call back"},
     Activity(AT, "call", True, "Call back")),
    ("calls", {"hs_call_direction": "OUTBOUND", "hs_call_title": "Intro"},
     Activity(AT, "call", False, "Intro")),
    ("notes", {"hs_note_body": "x"}, None),
])
def test_given_an_engagement_when_mapping_then_kind_direction_and_subject(
        type_: str, props: dict[str, str | None], expected: Activity | None) -> None:
    assert activities.engagement_activity(type_, {"hs_timestamp": WHEN, **props}) == expected


def test_given_an_engagement_without_a_time_when_mapping_then_none() -> None:
    assert activities.engagement_activity("emails", {"hs_email_direction": "EMAIL"}) is None


@pytest.mark.parametrize(("name", "kind"), [
    ("Webinar: Forecasting without spreadsheets", "webinar"),
    ("Webinar (DE): Vertriebsprognosen richtig aufsetzen", "webinar"),
    ("Whitepaper: The State of Revenue Operations", "content"),
    ("Ebook: 12 rules for CRM data hygiene", "content"),
    ("Livre blanc : Piloter son pipeline B2B", "content"),
    ("Template: Mutual action plan", "content"),
    ("Checklist: CRM data quality", "content"),
    ("Contact sales", "form"),
    ("Pricing page demo request", "form"),
    ("Free trial signup", "form"),
])
def test_given_a_conversion_name_when_classifying_then_webinar_content_or_form(
        name: str, kind: str) -> None:
    assert activities.conversion_kind(name) == kind


def test_given_conversion_properties_when_mapping_then_an_inbound_touch() -> None:
    props = {"recent_conversion_event_name": "Contact sales", "recent_conversion_date": WHEN}
    assert activities.conversion_activity(props) == Activity(AT, "form", True, "Contact sales")
    assert activities.conversion_activity({"recent_conversion_event_name": "x"}) is None
    assert activities.conversion_activity({"recent_conversion_date": WHEN}) is None
    assert set(activities.CONVERSION_PROPERTIES) <= set(CONTACT_PROPERTIES)


@pytest.mark.parametrize(("ids", "cap", "expected"), [
    (["500003", "500001", "500010", "500002"], 2, ["500003", "500010"]),
    (["9", "10", "100"], 2, ["10", "100"]),  # numerically, not as text
    (["5", "5", "4"], 5, ["4", "5"]),
    (["5"], 0, []),
])
def test_given_engagement_ids_when_choosing_what_to_read_then_the_newest(
        ids: list[str], cap: int, expected: list[str]) -> None:
    assert activities.newest_ids(ids, cap) == expected


def touch(day: int, subject: str, month: int = 2) -> Activity:
    return Activity(datetime(2026, month, day, tzinfo=UTC), "email", False, subject)


def test_given_activities_when_keeping_the_recent_ones_then_window_cap_newest_last() -> None:
    found = [touch(5, "c"), touch(1, "a"), touch(3, "b"), touch(20, "future", month=3),
             Activity(datetime(2025, 9, 1, tzinfo=UTC), "email", False, "too old")]
    assert [a.subject for a in activities.recent(found, NOW, 180, 50)] == ["a", "b", "c"]
    assert [a.subject for a in activities.recent(found, NOW, 180, 2)] == ["b", "c"]
    assert activities.recent(found, NOW, 180, 0) == ()


def test_given_linked_engagements_when_collecting_a_contacts_activities_then_read_ones_only(
) -> None:
    read = {("emails", "1"): touch(3, "b"), ("meetings", "7"): touch(1, "a")}
    linked = [("emails", "1"), ("meetings", "7"), ("meetings", "8")]  # 8: did not take place
    props = {"recent_conversion_event_name": "Webinar: X",
             "recent_conversion_date": "2026-02-04T00:00:00Z"}
    found = activities.contact_activities(linked, read, props, NOW, 180, 50)
    assert [(a.kind, a.subject) for a in found] == [("email", "a"), ("email", "b"),
                                                     ("webinar", "Webinar: X")]
