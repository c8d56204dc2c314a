"""Marketing's touches beyond HubSpot's latest conversion: Salesforce campaigns with their
members (doers respond to webinars and content, leaders rarely), the list emails Account
Engagement logs as Tasks, and in HubSpot every marketing email open and click and web
visit, with the property histories HubSpot keeps for them.

Drawn from its own random stream (`seed:marketing`), after everything else is planned, so
the rest of the demo org is the same as without it; every touch falls after the person
exists in that CRM, so nobody's creation moves.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadpact.connectors.sandbox.hubspot_records import HISTORY_KEY
from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.seed_titles import LEADERS
from leadpact.connectors.sandbox.seed_world import (
    CONVERTED,
    Clock,
    PersonDraft,
    Recorder,
    hs_datetime,
    sf_date,
)
from leadpact.connectors.sandbox.store import Store

SF = "salesforce"
# (name, Campaign.Type): the org's content and event programme.
CAMPAIGNS = (
    ("Webinar: Forecasting without spreadsheets", "Webinar", "Attended"),
    ("Webinar: Buying committees explained", "Webinar", "Attended"),
    ("Whitepaper: The State of Revenue Operations", "Content Syndication", "Downloaded"),
    ("Ebook: 12 rules for CRM data hygiene", "Content Syndication", "Downloaded"),
    ("Trade Show: SaaS Connect Munich", "Trade Show", "Responded"),
    ("Executive roundtable Munich", "Conference", "Attended"),
)
LIST_EMAILS = ("Monthly newsletter", "Product update", "Webinar invitation",
               "Customer story: Nordwerk", "Event invitation: SaaS Connect")
PAGES = ("https://www.leadpact-demo.example/pricing", "https://www.leadpact-demo.example/blog",
         "https://www.leadpact-demo.example/product", "https://www.leadpact-demo.example/docs")
_QUIET = set(LEADERS) | {"security", "legal", "procurement"}


@dataclass(slots=True)
class HubSpotMarketing:
    """A HubSpot contact's marketing email and web analytics events, oldest first."""

    opens: list[tuple[datetime, str]] = field(default_factory=list)  # (when, email name)
    clicks: list[tuple[datetime, str]] = field(default_factory=list)
    visits: list[tuple[datetime, str]] = field(default_factory=list)  # (when, url)
    page_views: int = 0


def marketing_rng(seed: int) -> random.Random:
    return random.Random(f"{seed}:marketing")


def _start(person: PersonDraft, created: datetime | None) -> datetime:
    return (created or person.created) + timedelta(days=1)


def heavy(person: PersonDraft) -> bool:
    """Does this persona consume content (a doer) rather than rarely (a leader)?"""
    return person.persona not in _QUIET


def write_campaigns(rec: Recorder, store: Store, rng: random.Random, clock: Clock,
                    persons: list[PersonDraft], boost: set[int], mute: set[int]) -> None:
    """Campaigns, their members and Account Engagement's list-email Tasks. `boost`: people
    (keys) who respond to nearly everything; `mute`: people who respond to nothing."""
    campaigns = []
    for name, type_, _ in CAMPAIGNS:
        id_ = new_salesforce_id(store, "Campaign")
        rec.insert(SF, "Campaign", id_, {"Name": name, "Type": type_, "Status": "Completed",
                                         "IsActive": True}, clock.earliest)
        campaigns.append(id_)
    for person in persons:
        who = _who(person)
        if who is None or person.key in mute:
            continue
        start = _start(person, person.sf_created)
        if start >= clock.days_ago(2):
            continue
        chance = 0.9 if person.key in boost else (0.35 if heavy(person) else 0.05)
        for (_name, _type, status), campaign in zip(CAMPAIGNS, campaigns, strict=True):
            invited = rng.random() < 0.5 or person.key in boost
            if not invited:
                continue
            responded = rng.random() < chance
            added = clock.between(rng, start, clock.days_ago(2))
            when = clock.between(rng, added, clock.days_ago(1)) if responded else None
            rec.insert(SF, "CampaignMember", new_salesforce_id(store, "CampaignMember"), {
                "CampaignId": campaign, _who_field(person): who,
                "Status": status if responded else "Sent", "HasResponded": responded,
                "FirstRespondedDate": sf_date(when) if when else None,
            }, added, when or added)
        for _ in range(rng.randrange(0, 4)):  # marketing's sends: no touch with the buyer
            sent = clock.between(rng, start, clock.days_ago(1))
            rec.insert(SF, "Task", new_salesforce_id(store, "Task"), {
                "WhoId": who, "OwnerId": person.owner.sf_id, "Status": "Completed",
                "IsClosed": True, "Priority": "Normal", "TaskSubtype": "Email",
                "Type": "Email", "ActivityDate": sf_date(sent),
                "Subject": f"Pardot List Email: {rng.choice(LIST_EMAILS)}"}, sent)


def _who(person: PersonDraft) -> str | None:
    if not person.in_salesforce:
        return None
    if person.sf_kind == CONVERTED or person.sf_lead_id is None:
        return person.sf_contact_id
    return person.sf_lead_id


def _who_field(person: PersonDraft) -> str:
    return "LeadId" if _who(person) == person.sf_lead_id else "ContactId"


def plan_hubspot(rng: random.Random, clock: Clock, persons: list[PersonDraft],
                 boost: set[int], mute: set[int]) -> dict[int, HubSpotMarketing]:
    """Each HubSpot contact's opens, clicks and visits. The latest open is the one the
    contact already carries (email_opened); a muted person's events are all removed."""
    found: dict[int, HubSpotMarketing] = {}
    for person in persons:
        if not person.in_hubspot:
            continue
        if person.key in mute:
            person.email_opened = None
            person.conversions.clear()
            continue
        events = HubSpotMarketing()
        start = _start(person, person.hs_created)
        last = person.email_opened
        many = person.key in boost
        if last is not None or many:
            last = last or clock.days_ago(rng.uniform(0.5, 5))
            earlier = rng.randrange(8, 15) if many else rng.choice((0, 0, 1, 2, 4))
            times = sorted(clock.between(rng, start, last) for _ in range(earlier))
            events.opens = [(t, rng.choice(LIST_EMAILS)) for t in [*times, last] if t >= start]
            person.email_opened = events.opens[-1][0] if events.opens else None
            events.clicks = [(t + timedelta(minutes=rng.randrange(1, 30)), name)
                             for t, name in events.opens if rng.random() < (0.5 if many else 0.2)]
        if person.conversions or events.opens or many:
            count = rng.randrange(6, 20) if many else rng.randrange(1, 5)
            events.visits = sorted((clock.between(rng, start, clock.days_ago(0.3)),
                                    rng.choice(PAGES)) for _ in range(count))
            events.page_views = sum(rng.randrange(1, 6) for _ in events.visits)
        if many:
            for _ in range(rng.randrange(4, 9)):
                when = clock.between(rng, start, clock.days_ago(0.5))
                person.conversions.append((when, rng.choice(
                    [name for name, type_, _ in CAMPAIGNS if type_ != "Conference"])))
        if events.opens or events.visits:
            found[person.key] = events
    return found


def hubspot_properties(person: PersonDraft, events: HubSpotMarketing | None
                       ) -> dict[str, object]:
    """The contact's marketing properties and, where a property changed more than once,
    its history (oldest first, as the sandbox stores it)."""
    conversions = sorted(person.conversions)
    props: dict[str, object] = {}
    history: dict[str, list[dict[str, str]]] = {}
    if len(conversions) > 1:
        history["recent_conversion_event_name"] = _versions((t, n) for t, n in conversions)
        history["recent_conversion_date"] = _versions((t, hs_datetime(t)) for t, _ in conversions)
    if events is not None:
        if events.opens:
            last_time, last_name = events.opens[-1]
            props.update(hs_email_open=str(len(events.opens)), hs_email_last_email_name=last_name)
            if len(events.opens) > 1:
                history["hs_email_last_open_date"] = _versions(
                    (t, hs_datetime(t)) for t, _ in events.opens)
                history["hs_email_last_email_name"] = _versions(events.opens)
        if events.clicks:
            props.update(hs_email_click=str(len(events.clicks)),
                         hs_email_last_click_date=hs_datetime(events.clicks[-1][0]))
            if len(events.clicks) > 1:
                history["hs_email_last_click_date"] = _versions(
                    (t, hs_datetime(t)) for t, _ in events.clicks)
        if events.visits:
            props.update(hs_analytics_num_visits=str(len(events.visits)),
                         hs_analytics_num_page_views=str(events.page_views),
                         hs_analytics_last_visit_timestamp=hs_datetime(events.visits[-1][0]),
                         hs_analytics_last_url=events.visits[-1][1])
            if len(events.visits) > 1:
                history["hs_analytics_last_visit_timestamp"] = _versions(
                    (t, hs_datetime(t)) for t, _ in events.visits)
    if history:
        props[HISTORY_KEY] = history
    return props


def latest(events: HubSpotMarketing | None) -> list[datetime]:
    """The times the contact's record last changed because of these events."""
    if events is None:
        return []
    return [t for t, _ in (events.opens[-1:] + events.clicks[-1:] + events.visits[-1:])]


def _versions(pairs: Iterable[tuple[datetime, str]]) -> list[dict[str, str]]:
    return [{"value": str(value), "timestamp": hs_datetime(at), "sourceType": "ANALYTICS"}
            for at, value in pairs]
