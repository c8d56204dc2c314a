"""Marketing touches read from where each CRM keeps them, by the real client libraries over
HTTP against the sandbox: Salesforce CampaignMember responses (with the relationship fields
Campaign.Name / Campaign.Type) and Tasks logged by marketing automation; HubSpot form
conversions, marketing email opens/clicks and web visits from the contact's properties and
their histories (propertiesWithHistory)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadpact.connectors.sandbox import salesforce_schema
from leadpact.connectors.sandbox.hubspot_records import HISTORY_KEY
from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import MARKETING_KINDS, Activity, Person, Ref
from tests import hs_builders as hs
from tests.sf_builders import T0, ManualClock, SalesforceOrg, connect


def _sf(sandbox: Sandbox) -> SalesforceOrg:
    salesforce_schema.ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, ManualClock())


def _member(org: SalesforceOrg, campaign: str, who: str, *, responded: str | None,
            status: str = "Responded", field: str = "LeadId") -> str:
    return org.add("CampaignMember", CampaignId=campaign, **{field: who}, Status=status,
                   HasResponded=responded is not None, FirstRespondedDate=responded)


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_given_campaign_responses_when_reading_a_lead_then_each_is_a_marketing_touch(
        sandbox: Sandbox) -> None:
    org = _sf(sandbox)
    lead = org.lead("Ng")
    webinar = org.add("Campaign", Name="Webinar: Forecasting", Type="Webinar")
    content = org.add("Campaign", Name="Whitepaper: RevOps", Type="Content Syndication")
    fair = org.add("Campaign", Name="Trade show Munich", Type="Trade Show")
    _member(org, webinar, lead, responded="2026-10-20", status="Attended")
    _member(org, content, lead, responded="2026-10-25", status="Downloaded")
    _member(org, fair, lead, responded="2026-10-27")
    _member(org, fair, org.lead("Other"), responded="2026-10-27")  # someone else's
    _member(org, webinar, lead, responded=None, status="Sent")  # invited, never came
    _member(org, content, lead, responded="2026-03-01")  # outside the 180-day window
    with connect(sandbox, clock=lambda: T0) as connector:
        [person] = connector.read_records([Ref("salesforce", "lead", lead)])
    assert isinstance(person, Person)
    assert person.activities == (
        Activity(_day("2026-10-20"), "webinar", True, "Webinar: Forecasting"),
        Activity(_day("2026-10-25"), "content", True, "Whitepaper: RevOps"),
        Activity(_day("2026-10-27"), "campaign_response", True, "Trade show Munich"))


def test_given_a_contact_in_a_campaign_then_its_response_is_read_by_contact_id(
        sandbox: Sandbox) -> None:
    org = _sf(sandbox)
    contact = org.contact("Lee")
    campaign = org.add("Campaign", Name="Executive roundtable", Type="Conference")
    _member(org, campaign, contact, responded="2026-10-26", field="ContactId")
    with connect(sandbox, clock=lambda: T0) as connector:
        [person] = connector.read_records([Ref("salesforce", "contact", contact)])
    assert [(a.kind, a.subject) for a in person.activities] == [  # type: ignore[union-attr]
        ("campaign_response", "Executive roundtable")]


def test_given_tasks_logged_by_marketing_automation_then_never_two_way_contact(
        sandbox: Sandbox) -> None:
    org = _sf(sandbox)
    lead = org.lead("Ng")
    # Account Engagement logs its sends as completed email Tasks: marketing's, not the rep's
    org.task(lead, day="2026-10-20", subject="Pardot List Email: March newsletter",
             TaskSubtype="Email", Type="Email")
    org.task(lead, day="2026-10-21", subject="Opened Email: March newsletter")
    org.task(lead, day="2026-10-22", subject="Clicked Link in Email: March newsletter")
    org.task(lead, day="2026-10-23", subject="Filled Out Form: Contact sales")
    org.email_task(lead, day="2026-10-24", subject="Pricing", sender="rep@example.com",
                   to="ng@acme.example")
    with connect(sandbox, clock=lambda: T0) as connector:
        [person] = connector.read_records([Ref("salesforce", "lead", lead)])
    assert isinstance(person, Person)
    assert [(a.kind, a.inbound, a.subject) for a in person.activities] == [
        ("email_open", True, "March newsletter"), ("email_click", True, "March newsletter"),
        ("form", True, "Contact sales"), ("email", False, "Email: Pricing")]


def _hs_contact(sandbox: Sandbox, **props: object) -> str:
    ensure_schema(sandbox.store)
    return hs.contact(sandbox.store, at=hs.T0, **props)


def _versions(*pairs: tuple[datetime, str]) -> list[dict[str, str]]:
    """Stored property history (oldest first), as the sandbox keeps what HubSpot recorded."""
    return [{"value": value, "timestamp": hs.hs_time(at), "sourceType": "ANALYTICS"}
            for at, value in pairs]


def test_given_a_contact_who_converted_three_times_then_each_conversion_from_the_history(
        sandbox: Sandbox) -> None:
    t = hs.T0 - timedelta(days=30)
    conversions = [(t, "Whitepaper: Lead scoring"), (t + timedelta(days=5), "Webinar: Forecasting"),
                   (t + timedelta(days=9), "Contact sales")]
    opens = [t + timedelta(days=2), t + timedelta(days=12)]
    contact = _hs_contact(
        sandbox, num_conversion_events="3", recent_conversion_event_name="Contact sales",
        recent_conversion_date=hs.hs_time(conversions[-1][0]),
        hs_email_open="2", hs_email_last_open_date=hs.hs_time(opens[-1]),
        hs_email_last_email_name="March newsletter",
        hs_email_click="1", hs_email_last_click_date=hs.hs_time(opens[-1] + timedelta(minutes=3)),
        hs_analytics_num_visits="1", hs_analytics_num_page_views="7",
        hs_analytics_last_visit_timestamp=hs.hs_time(t + timedelta(days=10)),
        hs_analytics_last_url="https://example.com/pricing",
        **{HISTORY_KEY: {
            "recent_conversion_event_name": _versions(*conversions),
            "recent_conversion_date": _versions(*((at, hs.hs_time(at)) for at, _ in conversions)),
            "hs_email_last_open_date": _versions(*((at, hs.hs_time(at)) for at in opens)),
            "hs_email_last_email_name": _versions((t, "February newsletter"),
                                                  (t + timedelta(days=11), "March newsletter")),
        }})
    connector = hs.connector(sandbox, clock=lambda: hs.T0)
    [person] = connector.read_records([Ref("hubspot", "contact", contact)])
    assert isinstance(person, Person)
    touches = [(a.at, a.kind, a.subject) for a in person.activities]
    # every conversion from the history; opens and visits from their latest values (the
    # stored open history is not read: it would cost a call per 50 contacts)
    assert touches == [
        (conversions[0][0], "content", "Whitepaper: Lead scoring"),
        (conversions[1][0], "webinar", "Webinar: Forecasting"),
        (conversions[2][0], "form", "Contact sales"),
        (t + timedelta(days=10), "page_view", "https://example.com/pricing"),
        (opens[1], "email_open", "March newsletter"),
        (opens[1] + timedelta(minutes=3), "email_click", "March newsletter")]
    assert all(a.inbound and a.kind in MARKETING_KINDS for a in person.activities)


def test_given_contacts_with_one_event_each_then_no_history_read(sandbox: Sandbox) -> None:
    t = hs.T0 - timedelta(days=3)
    once = [_hs_contact(sandbox, num_conversion_events="1",
                        recent_conversion_event_name="Contact sales",
                        recent_conversion_date=hs.hs_time(t), hs_email_open="1",
                        hs_email_last_open_date=hs.hs_time(t)) for _ in range(3)]
    long_ago = _hs_contact(sandbox, num_conversion_events="9",  # all before the window
                           recent_conversion_event_name="Ebook: CRM hygiene",
                           recent_conversion_date=hs.hs_time(hs.T0 - timedelta(days=400)))
    refs = [Ref("hubspot", "contact", i) for i in [*once, long_ago]]
    connector = hs.connector(sandbox, clock=lambda: hs.T0)
    connector.read_records(refs)
    without = connector.api_calls
    repeat = _hs_contact(sandbox, num_conversion_events="2",
                         recent_conversion_event_name="Contact sales",
                         recent_conversion_date=hs.hs_time(t))
    again = hs.connector(sandbox, clock=lambda: hs.T0)
    read = again.read_records([*refs, Ref("hubspot", "contact", repeat)])
    assert again.api_calls == without + 1  # one propertiesWithHistory batch read, for `repeat`
    assert [len(p.activities) for p in read] == [2, 2, 2, 0, 1]  # type: ignore[union-attr]
