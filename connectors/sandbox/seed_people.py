"""Who is in the demo org: sales reps, accounts and prospect companies, and the people there.

Marketing lives in HubSpot and sales in Salesforce, so a person exists in both CRMs (~55%),
only in HubSpot (~30%, marketing leads) or only in Salesforce (~15%). Deal planning hires
the committee members it needs first; `fill` then adds everyone else up to `people`.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from leadpact.connectors.sandbox.hubspot_schema import new_hubspot_id
from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.seed_titles import FILLER_WEIGHTS, title_for, title_in_other_crm
from leadpact.connectors.sandbox.seed_vocab import (
    COUNTRIES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    VENDOR_DOMAIN,
    company_name,
    email_local_part,
    employee_count,
    mixed_case_email,
)
from leadpact.connectors.sandbox.seed_world import (
    BOTH,
    CONTACT,
    CONVERTED,
    HUBSPOT_ONLY,
    LEAD,
    SALESFORCE_ONLY,
    Clock,
    CompanyDraft,
    Owner,
    PersonDraft,
    deck,
    weighted_counts,
)
from leadpact.connectors.sandbox.store import Store

PRESENCE_SHARES = {BOTH: 0.55, HUBSPOT_ONLY: 0.30, SALESFORCE_ONLY: 0.15}

_REPS = (("Laura", "Bennett"), ("Felix", "Hartmann"), ("Camille", "Rousseau"),
         ("Diego", "Navarro"), ("Sofia", "Marchetti"), ("Daan", "Visser"),
         ("Rafaela", "Monteiro"), ("Ethan", "Cole"))
_MARKETING_USER = ("Nina", "Albrecht")

# Values of the Salesforce LeadSource picklist, by how such people usually arrive.
_LEAD_SOURCES_BY_PERSONA_KIND = {
    "doer": ("Web", "Web", "Web", "Purchased List", "Other", "Phone Inquiry"),
    "leader": ("Partner Referral", "Web", "Other", "Phone Inquiry", "Partner Referral"),
}


def make_owners(store: Store) -> tuple[list[Owner], Owner]:
    """The sales reps (Salesforce Users and HubSpot owners, same emails) and a HubSpot-only
    marketing user whom no Salesforce User matches."""
    reps = []
    for i, (first, last) in enumerate(_REPS):
        email = f"{first.lower()}.{last.lower()}@{VENDOR_DOMAIN}"
        reps.append(Owner(first, last, email, new_salesforce_id(store, "User"),
                          new_hubspot_id(store, "owners"), str(8_140_001 + i)))
    first, last = _MARKETING_USER
    marketing = Owner(first, last, f"{first.lower()}.{last.lower()}@{VENDOR_DOMAIN}", None,
                      new_hubspot_id(store, "owners"), str(8_140_101))
    return reps, marketing


def make_companies(store: Store, rng: random.Random, clock: Clock, reps: list[Owner],
                   people: int) -> tuple[list[CompanyDraft], list[CompanyDraft]]:
    """Accounts (all in Salesforce, ~85% also HubSpot companies) and HubSpot-only prospects."""
    n_accounts = min(300, max(12, round(people / 12)))
    n_prospects = max(3, round(n_accounts * 0.25))
    taken_domains: set[str] = set()
    accounts: list[CompanyDraft] = []
    prospects: list[CompanyDraft] = []
    for key in range(n_accounts + n_prospects):
        is_account = key < n_accounts
        country = rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]
        industry = rng.choice(INDUSTRIES)
        name = company_name(rng, country, industry, taken_domains)
        in_hubspot = not is_account or rng.random() < 0.85
        company = CompanyDraft(
            key=key, name=name, country=country, industry=industry,
            employees=employee_count(rng), owner=rng.choice(reps),
            created=clock.past_office_time(rng, clock.days_ago(rng.uniform(20, 540)),
                                           country.utc_offset),
            sf_id=new_salesforce_id(store, "Account") if is_account else None,
            hs_id=new_hubspot_id(store, "companies") if in_hubspot else None,
            weight=1.0 / (1 + rng.random() * 9) ** 1.3,  # few big accounts, a long tail
        )
        (accounts if is_account else prospects).append(company)
    return accounts, prospects


class PeoplePool:
    """Everyone in the org. Hands out committee members, then fills up to the target."""

    def __init__(self, store: Store, rng: random.Random, clock: Clock, people: int,
                 accounts: list[CompanyDraft], prospects: list[CompanyDraft],
                 marketing_owner: Owner):
        self._store, self._rng, self._clock = store, rng, clock
        self._target = people
        self._accounts, self._prospects = accounts, prospects
        self._marketing_owner = marketing_owner
        self._emails: set[str] = set()
        self.persons: list[PersonDraft] = []
        # Who fits a member request, per company and request, kept up to date as people
        # are hired: scanning a company's people per request grew with the org's size
        # squared (companies stop at 375, so they fill up as the org grows).
        self._groups: dict[int, dict[_Request, list[PersonDraft]]] = {}

    def _fitting(self, company: CompanyDraft, personas: tuple[str, ...], need_hubspot: bool,
                 need_salesforce: bool, exclude: tuple[PersonDraft, ...]) -> _Fits:
        request = _Request(personas, need_hubspot, need_salesforce)
        groups = self._groups.setdefault(company.key, {})
        if request not in groups:
            groups[request] = [p for p in company.people if request.fits(p)]
        return _Fits(groups[request], [p for p in exclude if p.company is company
                                       and request.fits(p)])

    # -- committee members for deal planning --------------------------------------------
    def member(self, company: CompanyDraft, personas: tuple[str, ...], *,
               need_hubspot: bool = False, need_salesforce: bool = True,
               exclude: tuple[PersonDraft, ...] = (), reuse: float = 0.5) -> PersonDraft:
        """Someone at `company` with one of `personas`: an existing colleague (sometimes)
        or a newly hired one. Salesforce members are always Contacts (roles need one)."""
        fits = self._fitting(company, personas, need_hubspot, need_salesforce, exclude)
        if fits and self._rng.random() < reuse:
            return self._rng.choice(fits)
        kind: str | None
        if need_salesforce:
            presence = BOTH if need_hubspot or self._rng.random() < 0.78 else SALESFORCE_ONLY
            kind = CONTACT if self._rng.random() < 0.72 else CONVERTED
        else:
            presence = BOTH if self._rng.random() < 0.35 else HUBSPOT_ONLY
            # Salesforce knows people at a prospect company only as Leads (no Account yet).
            kind = None if presence == HUBSPOT_ONLY else CONTACT if company.sf_id else LEAD
        return self.hire(company, self._rng.choice(personas), presence, kind)

    # -- everyone else ------------------------------------------------------------------
    def fill(self) -> None:
        """Add people until the target, keeping the 55/30/15 split across the whole org."""
        have = {p: sum(1 for x in self.persons if x.presence == p) for p in PRESENCE_SHARES}
        want = weighted_counts(PRESENCE_SHARES, self._target, minimum=0)
        missing = {p: max(0, want[p] - have[p]) for p in PRESENCE_SHARES}
        cards = deck(self._rng, missing)[: max(0, self._target - len(self.persons))]
        personas = list(FILLER_WEIGHTS)
        weights = list(FILLER_WEIGHTS.values())
        account_weights = [c.weight for c in self._accounts]
        for presence in cards:
            at_prospect = self._rng.random() < (0.55 if presence == HUBSPOT_ONLY else 0.1)
            if at_prospect:
                company = self._rng.choice(self._prospects)
            else:
                company = self._rng.choices(self._accounts, weights=account_weights)[0]
            kind = None
            if presence != HUBSPOT_ONLY:
                roll = self._rng.random()
                kind = LEAD if at_prospect or roll < 0.32 else CONTACT if roll < 0.8 else CONVERTED
            persona = self._rng.choices(personas, weights=weights)[0]
            self.hire(company, persona, presence, kind)

    def unlink_some(self, share: float = 0.04) -> None:
        """A few people in both CRMs the integration never matched: HubSpot lacks their
        Salesforce id and Salesforce holds their email in other casing."""
        both = [p for p in self.persons if p.presence == BOTH]
        for person in self._rng.sample(both, max(1, round(share * len(both))) if both else 0):
            person.linked = False
            if person.email_sf == person.email:
                person.email_sf = mixed_case_email(self._rng, person.email, person.first,
                                                   person.last)

    # -- one person ---------------------------------------------------------------------
    def hire(self, company: CompanyDraft, persona: str, presence: str,
             sf_kind: str | None) -> PersonDraft:
        rng = self._rng
        lang = company.country.language if rng.random() < 0.85 else rng.choice(list(FIRST_NAMES))
        first, last = rng.choice(FIRST_NAMES[lang]), rng.choice(LAST_NAMES[lang])
        email = self._unique_email(first, last, company.name.domain)
        country = company.country
        start = max(company.created, self._clock.earliest)
        created = self._clock.past_office_time(
            rng, self._clock.between(rng, start, self._clock.days_ago(1)), country.utc_offset)
        in_hubspot_only = presence == HUBSPOT_ONLY
        owner = self._marketing_owner if in_hubspot_only and rng.random() < 0.6 else company.owner
        person = PersonDraft(
            key=len(self.persons), first=first, last=last, email=email, company=company,
            persona=persona, presence=presence, sf_kind=sf_kind, owner=owner, created=created,
        )
        title = title_for(rng, persona, country.language, country.code, company.name.short)
        other = title_in_other_crm(rng, title, persona, country.language, country.code,
                                   company.name.short)
        sf_first = rng.random() < 0.5
        person.title_sf, person.title_hs = (title, other) if sf_first else (other, title)
        mixed_case = presence != HUBSPOT_ONLY and rng.random() < 0.15
        person.email_sf = mixed_case_email(rng, email, first, last) if mixed_case else email
        kind = "leader" if persona.endswith("_exec") or persona == "exec" else "doer"
        person.lead_source = rng.choice(_LEAD_SOURCES_BY_PERSONA_KIND[kind])
        if sf_kind in (CONTACT, CONVERTED):
            person.sf_contact_id = new_salesforce_id(self._store, "Contact")
        if sf_kind in (LEAD, CONVERTED):
            person.sf_lead_id = new_salesforce_id(self._store, "Lead")
        if presence != SALESFORCE_ONLY:
            person.hs_id = new_hubspot_id(self._store, "contacts")
        company.people.append(person)
        for request, group in self._groups.get(company.key, {}).items():
            if request.fits(person):
                group.append(person)
        self.persons.append(person)
        return person

    def _unique_email(self, first: str, last: str, domain: str) -> str:
        for attempt in range(20):
            local = email_local_part(self._rng, first, last)
            if attempt >= 3:
                local += str(attempt)
            email = f"{local}@{domain}"
            if email not in self._emails:
                self._emails.add(email)
                return email
        raise AssertionError("unreachable: numbered local parts are unique")


@dataclass(frozen=True, slots=True)
class _Request:
    """What a committee seat asks of a colleague."""

    personas: tuple[str, ...]
    need_hubspot: bool
    need_salesforce: bool

    def fits(self, person: PersonDraft) -> bool:
        return (person.persona in self.personas
                and (not self.need_hubspot or person.in_hubspot)
                and (not self.need_salesforce or person.is_sf_contact))


class _Fits(Sequence[PersonDraft]):
    """A group in hiring order without the excluded few, read in place: the same length and
    items as the filtered list it replaces, so `rng.choice` draws the same person."""

    def __init__(self, group: list[PersonDraft], excluded: list[PersonDraft]):
        self._group = group
        # Where the excluded sit in the group: hiring order is key order.
        self._skip = sorted({bisect_left(group, p.key, key=_key) for p in excluded})

    def __len__(self) -> int:
        return len(self._group) - len(self._skip)

    @overload
    def __getitem__(self, index: int) -> PersonDraft: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PersonDraft]: ...
    def __getitem__(self, index: int | slice) -> PersonDraft | Sequence[PersonDraft]:
        if isinstance(index, slice):
            raise TypeError("slices are not needed here")
        if not 0 <= index < len(self):
            raise IndexError(index)
        for skipped in self._skip:
            if skipped <= index:
                index += 1
        return self._group[index]


def _key(person: PersonDraft) -> int:
    return person.key
