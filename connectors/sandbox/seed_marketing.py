"""Marketing's side of HubSpot: form conversions, email opens, and SDR outreach sequences.

Doers (engineers, coordinators, analysts, interns) fill the digital funnel; executives and
finance rarely convert on content, which is exactly why user-only engagement is a risk.
"""

from __future__ import annotations

import random
from datetime import timedelta

from leadpact.connectors.sandbox.seed_titles import LEADERS
from leadpact.connectors.sandbox.seed_touches import Touch, TouchLog
from leadpact.connectors.sandbox.seed_world import Clock, PersonDraft

CONVERSIONS = {
    "user": (
        "Whitepaper: The State of Revenue Operations",
        "Whitepaper: Lead scoring that sales actually trusts",
        "Webinar: Forecasting without spreadsheets",
        "Webinar: Buying committees explained",
        "Webinar: Salesforce and HubSpot in one funnel",
        "Webinar (DE): Vertriebsprognosen richtig aufsetzen",
        "Livre blanc : Piloter son pipeline B2B",
        "Ebook: 12 rules for CRM data hygiene",
        "Template: Mutual action plan",
        "Checklist: CRM data quality",
        "Product tour",
        "Free trial signup",
        "Newsletter signup",
    ),
    "leader": (
        "Pricing page demo request",
        "Contact sales",
        "Event: Executive roundtable Munich",
        "Analyst report: Revenue platforms",
        "ROI calculator",
    ),
}

_QUIET_PERSONAS = set(LEADERS) | {"security", "legal", "procurement"}


def conversion_for(rng: random.Random, kind: str) -> str:
    return rng.choice(CONVERSIONS[kind])


def apply_marketing(rng: random.Random, clock: Clock, persons: list[PersonDraft],
                    on_deals: set[int]) -> list[Touch]:
    """Give HubSpot contacts their conversions and email opens; return the SDR sequence
    emails sent to some who are on no deal (a few of them answered)."""
    sequences: list[Touch] = []
    for person in persons:
        if not person.in_hubspot:
            continue
        quiet = person.persona in _QUIET_PERSONAS
        if rng.random() < (0.18 if quiet else 0.72):
            for _ in range(rng.randrange(1, 3) if quiet else rng.randrange(1, 9)):
                when = clock.between(rng, person.created, clock.days_ago(0.5))
                kind = "leader" if quiet and rng.random() < 0.7 else "user"
                person.conversions.append((when, conversion_for(rng, kind)))
                person.seen_at(when)
        if rng.random() < 0.55:
            person.email_opened = clock.between(rng, person.created, clock.days_ago(0.2))
            person.seen_at(person.email_opened)
        if person.key not in on_deals and rng.random() < 0.2:
            sequences.extend(_sequence(rng, clock, person))
    return sequences


def _sequence(rng: random.Random, clock: Clock, person: PersonDraft) -> list[Touch]:
    company = person.company
    log = TouchLog(rng, clock, company.country.utc_offset, company.country.language,
                   company.name.short)
    when = clock.between(rng, person.created, clock.days_ago(3))
    for step in range(rng.randrange(1, 5)):
        if when >= clock.days_ago(0.5):
            break
        topic = "intro" if step == 0 else "chase"
        sent = log.email(person, when, log.subject(topic), inbound=False)
        if rng.random() < 0.12:  # an answer ends the sequence
            log.email(person, sent.at + timedelta(hours=rng.uniform(2, 60)),
                      f"Re: {sent.subject}", inbound=True)
            break
        when += timedelta(days=rng.uniform(3, 9))
    return log.touches
