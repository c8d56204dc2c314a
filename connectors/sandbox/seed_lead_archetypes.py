"""Accounts that show what the lead definition is for (issue #9): where the people who use
the product consume lots of content while no power role (economic buyer, decision-maker,
executive sponsor) engages, and where a small buying group with a decision-maker talks to
sales (replies, meetings held). Accounts without deals, so the deal stories stay as they
are; drawn from the marketing random stream (seed_campaigns.py).

The seed's intent per account goes into the answer key (`accounts` in seed:truth).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.seed_campaigns import heavy
from leadpact.connectors.sandbox.seed_titles import DECISION_MAKERS, ECONOMIC_BUYERS, LEADERS
from leadpact.connectors.sandbox.seed_touches import EMAIL, MEETING, Touch, TouchLog
from leadpact.connectors.sandbox.seed_world import (
    CONVERTED,
    Clock,
    CompanyDraft,
    PersonDraft,
    Recorder,
    sf_date,
    sf_datetime,
)
from leadpact.connectors.sandbox.store import Store

CONTENT_ONLY, BUYING_GROUP = "content_only", "buying_group"
POWER = set(DECISION_MAKERS) | set(ECONOMIC_BUYERS)
SF, HUBSPOT = "salesforce", "hubspot"


@dataclass(slots=True)
class LeadStories:
    # "system:account id" -> {"archetype": …, "people": {person id in that CRM: part}},
    # part: power (economic buyer / decision-maker), user, or other
    accounts: dict[str, dict[str, object]] = field(default_factory=dict)
    boost: set[int] = field(default_factory=set)  # people who consume everything
    mute: set[int] = field(default_factory=set)  # power roles who engage with nothing
    salesforce_touches: list[Touch] = field(default_factory=list)
    hubspot_touches: list[Touch] = field(default_factory=list)


def _usable(person: PersonDraft, clock: Clock) -> bool:
    """Old enough in both of its CRMs to have weeks of history, and not a converted lead
    (whose contact's creation the seed decides later)."""
    created = max(person.sf_created or person.created, person.hs_created or person.created)
    return person.sf_kind != CONVERTED and created < clock.days_ago(50)


def plan_lead_stories(rng: random.Random, clock: Clock, companies: list[CompanyDraft],
                      deal_companies: set[int], count: int) -> LeadStories:
    """`count` accounts of each archetype in each CRM, among accounts (and prospect
    companies) without deals, busiest first."""
    stories = LeadStories()
    free = [c for c in companies if c.key not in deal_companies]
    rng.shuffle(free)
    free.sort(key=lambda c: -sum(_usable(p, clock) for p in c.people))
    taken: set[int] = set()
    for archetype, fits in ((CONTENT_ONLY, _consumes), (BUYING_GROUP, _has_group)):
        for system in (SF, HUBSPOT):
            chosen = [c for c in free if c.key not in taken and _company_id(c, system)
                      and fits([p for p in c.people if _in(p, system)], clock)][:count]
            for company in chosen:
                taken.add(company.key)
                if archetype == CONTENT_ONLY:
                    stories.boost.update(p.key for p in company.people
                                         if heavy(p) and _usable(p, clock))
                    stories.mute.update(p.key for p in company.people if not heavy(p))
                else:
                    _talks_to_sales(rng, clock, company, system, stories)
                _mark(stories, company, archetype)
    return stories


def _in(person: PersonDraft, system: str) -> bool:
    return person.in_salesforce if system == SF else person.in_hubspot


def _company_id(company: CompanyDraft, system: str) -> str | None:
    return company.sf_id if system == SF else company.hs_id


def _consumes(people: list[PersonDraft], clock: Clock) -> bool:
    """Doers to consume content, and a leader who could engage but does not."""
    return (sum(heavy(p) and _usable(p, clock) for p in people) >= 2
            and any(p.persona in LEADERS for p in people))


def _has_group(people: list[PersonDraft], clock: Clock) -> bool:
    usable = [p for p in people if _usable(p, clock)]
    return any(p.persona in POWER for p in usable) and len(usable) >= 2


def _mark(stories: LeadStories, company: CompanyDraft, archetype: str) -> None:
    def part(person: PersonDraft) -> str:  # user: one of the heavy content consumers
        return ("power" if person.persona in POWER
                else "user" if person.key in stories.boost else "other")

    sf_people = {str(_sf_id(p)): part(p) for p in company.people if p.in_salesforce}
    hs_people = {str(p.hs_id): part(p) for p in company.people if p.hs_id is not None}
    if company.sf_id is not None:
        stories.accounts[f"salesforce:{company.sf_id}"] = {"archetype": archetype,
                                                           "people": sf_people}
    if company.hs_id is not None:
        stories.accounts[f"hubspot:{company.hs_id}"] = {"archetype": archetype,
                                                        "people": hs_people}


def _sf_id(person: PersonDraft) -> str | None:
    """The record a Salesforce touch is logged on: the lead, or the contact once there
    is one."""
    if person.sf_kind == CONVERTED or person.sf_lead_id is None:
        return person.sf_contact_id
    return person.sf_lead_id


def _talks_to_sales(rng: random.Random, clock: Clock, company: CompanyDraft, system: str,
                    stories: LeadStories) -> None:
    """A decision-maker and one or two colleagues: threads the buyers answered and a
    meeting held in the last weeks, logged in `system`."""
    usable = [p for p in company.people if _usable(p, clock) and _in(p, system)]
    power = rng.choice([p for p in usable if p.persona in POWER])
    others = [p for p in usable if p is not power]
    group = [power, *rng.sample(others, min(len(others), rng.randrange(1, 3)))]
    log = TouchLog(rng, clock, company.country.utc_offset, company.country.language,
                   company.name.short)
    for person in group:
        start = clock.days_ago(rng.uniform(20, 35))
        log.thread(person, start, log.subject("intro"), replies=rng.randrange(1, 3))
        log.meeting(person, start + timedelta(days=rng.uniform(5, 15)), log.subject("discovery"))
    (stories.salesforce_touches if system == SF else stories.hubspot_touches).extend(
        log.touches)


def write_salesforce_touches(rec: Recorder, store: Store, touches: list[Touch]) -> None:
    """The buying groups' emails (Tasks with From:/To: lines) and meetings (Events), logged
    on the person, on no opportunity."""
    for touch in touches:
        person = touch.person
        who = _sf_id(person)
        rep = person.company.owner
        if touch.channel == MEETING:
            rec.insert(SF, "Event", new_salesforce_id(store, "Event"), {
                "WhoId": who, "OwnerId": rep.sf_id, "Subject": touch.subject, "Type": "Meeting",
                "StartDateTime": sf_datetime(touch.at),
                "EndDateTime": sf_datetime(touch.at + timedelta(minutes=45)),
                "ActivityDate": sf_date(touch.at)}, touch.logged)
            continue
        assert touch.channel == EMAIL
        sender, to = ((person.email_sf, rep.email) if touch.inbound
                      else (rep.email, person.email_sf))
        rec.insert(SF, "Task", new_salesforce_id(store, "Task"), {
            "WhoId": who, "OwnerId": rep.sf_id, "ActivityDate": sf_date(touch.at),
            "Priority": "Normal", "Status": "Completed", "IsClosed": True,
            "Subject": f"Email: {touch.subject}", "TaskSubtype": "Email", "Type": "Email",
            "Description": f"From: {sender}\nTo: {to}\n\n{touch.subject}"}, touch.logged)
