"""The demo org in memory, before it is written: owners, companies, people, and time helpers.

Companies and people are drafts that deal planning still edits (a late-arriving security
officer moves a person's creation date; a webinar adds a conversion), so they are mutable;
everything is written to the store once, at the end, in one transaction.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from leadpact.connectors.sandbox.hubspot_associations import associate_both, label_type_id
from leadpact.connectors.sandbox.seed_vocab import CompanyName, Country, Industry
from leadpact.connectors.sandbox.store import Store

BOTH = "both"
SALESFORCE_ONLY = "salesforce"
HUBSPOT_ONLY = "hubspot"

CONTACT = "contact"  # a Salesforce Contact
LEAD = "lead"  # an unconverted Salesforce Lead
CONVERTED = "converted"  # a converted Lead plus the Contact it became

HISTORY_DAYS = 548  # ~18 months: nothing in the demo org is older


@dataclass(frozen=True, slots=True)
class Owner:
    first: str
    last: str
    email: str
    sf_id: str | None  # None: a HubSpot-only marketing user
    hs_id: str
    hs_user_id: str


@dataclass(slots=True)
class CompanyDraft:
    key: int
    name: CompanyName
    country: Country
    industry: Industry
    employees: int
    owner: Owner
    created: datetime
    sf_id: str | None  # Account id; None for a HubSpot-only prospect company
    hs_id: str | None  # None for an Account HubSpot does not know
    weight: float  # how strongly it attracts people and deals
    people: list[PersonDraft] = field(default_factory=list)


@dataclass(slots=True)
class PersonDraft:
    key: int
    first: str
    last: str
    email: str  # lower-case, as HubSpot stores it
    company: CompanyDraft
    persona: str
    presence: str  # BOTH | SALESFORCE_ONLY | HUBSPOT_ONLY
    sf_kind: str | None  # CONTACT | LEAD | CONVERTED, None if HubSpot-only
    owner: Owner
    created: datetime
    title_sf: str | None = None
    title_hs: str | None = None
    email_sf: str = ""  # as typed into Salesforce; sometimes different casing
    linked: bool = True  # HubSpot carries the Salesforce id (the integration matched them)
    lead_source: str = "Web"
    sf_contact_id: str | None = None
    sf_lead_id: str | None = None
    hs_id: str | None = None
    converted_opportunity_id: str | None = None  # the Opportunity its conversion created
    convert_by: datetime | None = None  # that Opportunity's creation: converted no later
    conversions: list[tuple[datetime, str]] = field(default_factory=list)
    email_opened: datetime | None = None  # last marketing email open (HubSpot)
    sf_created: datetime | None = None  # set by settle_creation once everything is planned
    hs_created: datetime | None = None
    first_touch: datetime | None = None

    @property
    def in_salesforce(self) -> bool:
        return self.presence != HUBSPOT_ONLY

    @property
    def in_hubspot(self) -> bool:
        return self.presence != SALESFORCE_ONLY

    @property
    def is_sf_contact(self) -> bool:
        return self.sf_kind in (CONTACT, CONVERTED)

    def seen_at(self, when: datetime) -> None:
        """Someone interacted with this person at `when`: they must exist by then."""
        self.created = min(self.created, when - timedelta(hours=2))
        self.company.created = min(self.company.created, self.created - timedelta(days=1))
        self.first_touch = when if self.first_touch is None else min(self.first_touch, when)


def settle_creation(rng: random.Random, person: PersonDraft, now: datetime) -> None:
    """When each CRM got the person: one of them at `created`, the other after a lag (the
    integration syncs within hours; a marketing lead reaches sales weeks later), always
    before anyone touched them."""
    limit = min(person.first_touch or now, now) - timedelta(hours=1)
    lag = timedelta(hours=rng.uniform(0.1, 6)) if rng.random() < 0.6 else timedelta(
        days=rng.uniform(1, 40))
    later = max(person.created, min(person.created + lag, limit))
    hubspot_first = person.presence == HUBSPOT_ONLY or (
        person.presence == BOTH and rng.random() < 0.5)
    person.hs_created = person.created if hubspot_first else later
    person.sf_created = later if hubspot_first else person.created


@dataclass(frozen=True, slots=True)
class Clock:
    """`now` plus the helpers every planner uses to stay in the past and in office hours."""

    now: datetime

    @property
    def earliest(self) -> datetime:
        return self.now - timedelta(days=HISTORY_DAYS)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def past(self, when: datetime) -> datetime:
        """`when`, but never after now nor before the org's history starts."""
        return max(self.earliest, min(when, self.now - timedelta(minutes=5)))

    def office_time(self, rng: random.Random, day: datetime, utc_offset: int) -> datetime:
        """A working-hours moment (Mon-Fri, 08-18 local) on or just after `day`."""
        local_day = (day + timedelta(hours=utc_offset)).date()
        while local_day.weekday() >= 5:
            local_day += timedelta(days=1)
        minutes = rng.randrange(8 * 60, 18 * 60, 5)
        local = datetime(local_day.year, local_day.month, local_day.day, tzinfo=UTC)
        return local + timedelta(minutes=minutes) - timedelta(hours=utc_offset)

    def past_office_time(self, rng: random.Random, day: datetime, utc_offset: int) -> datetime:
        moment = self.office_time(rng, day, utc_offset)
        if moment <= self.now - timedelta(minutes=5):
            return moment
        # Weekend rolled it into the future: take the last working moment before it instead.
        return self.past(self.office_time(rng, day - timedelta(days=3), utc_offset))

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def sf_datetime(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def sf_date(day: date | datetime) -> str:
    return (day.astimezone(UTC).date() if isinstance(day, datetime) else day).isoformat()


def hs_datetime(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def hs_date(day: date) -> str:
    """A HubSpot date property (closedate): midnight UTC of that day."""
    return f"{day.isoformat()}T00:00:00.000Z"


def weighted_counts(weights: Mapping[str, float], total: int, minimum: int = 1) -> dict[str, int]:
    """Split `total` by `weights` (largest remainder), each key getting at least `minimum`
    when `total` allows it, so small demo orgs still show every archetype."""
    scale = sum(weights.values())
    raw = {k: total * w / scale for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True):
        if sum(counts.values()) >= total:
            break
        counts[k] += 1
    if total >= minimum * len(weights):
        for k in counts:
            while counts[k] < minimum:
                counts[k] += 1
                counts[max(counts, key=lambda j: counts[j])] -= 1
    return counts


def deck(rng: random.Random, counts: dict[str, int]) -> list[str]:
    cards = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(cards)
    return cards


class Recorder:
    """Writes records inside the seed's transaction, never stamped after `now`, and counts
    them per system and type for the summary."""

    def __init__(self, store: Store, now: datetime):
        self._store, self._now = store, now
        self.counts: dict[str, dict[str, int]] = {"salesforce": {}, "hubspot": {}}
        self.associations = 0

    def insert(self, system: str, type_: str, id_: str, fields: dict[str, object],
               created: datetime, modified: datetime | None = None) -> None:
        created = min(created, self._now)
        modified = max(created, min(modified or created, self._now))
        values = {k: v for k, v in fields.items() if v is not None}
        self._store.insert(system, type_, id_, values, created_at=created, modified_at=modified)
        by_type = self.counts[system]
        by_type[type_] = by_type.get(type_, 0) + 1

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int,
                  label: str | None = None) -> None:
        """Both directions; a labelled pair also gets the label's USER_DEFINED type, as
        HubSpot returns both for a labelled association."""
        associate_both(self._store, from_type, from_id, to_type, to_id, type_id)
        self.associations += 2
        if label is not None:
            associate_both(self._store, from_type, from_id, to_type, to_id,
                           label_type_id(label, from_type))
            self.associations += 2
