"""The demo org: a realistic Salesforce + HubSpot pair, seeded deterministically.

Marketing in HubSpot, sales in Salesforce, like most real setups: sales reps in both,
accounts in Salesforce (most also HubSpot companies), people in one or both CRMs, deals of
every archetype leadpact must recognise, and the activity history behind them.

Same `seed`, `people` and `now` on an empty store give identical content. Everything is
planned in memory first (people are created as deals need them), then written in one
transaction.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.connectors.sandbox.seed_campaigns import (
    marketing_rng,
    plan_hubspot,
    write_campaigns,
)
from leadpact.connectors.sandbox.seed_deals import (
    HUBSPOT,
    HUBSPOT_MIX,
    SALESFORCE,
    SALESFORCE_MIX,
    DealPlan,
    DealPlanner,
    deal_company_weights,
)
from leadpact.connectors.sandbox.seed_hubspot_records import (
    write_companies,
    write_contacts,
    write_deal,
    write_engagement,
    write_owners,
)
from leadpact.connectors.sandbox.seed_lead_archetypes import (
    plan_lead_stories,
    write_salesforce_touches,
)
from leadpact.connectors.sandbox.seed_marketing import apply_marketing
from leadpact.connectors.sandbox.seed_people import PeoplePool, make_companies, make_owners
from leadpact.connectors.sandbox.seed_salesforce_records import (
    write_accounts,
    write_opportunity,
    write_people,
    write_users,
)
from leadpact.connectors.sandbox.seed_touches import Touch
from leadpact.connectors.sandbox.seed_world import (
    BOTH,
    CONVERTED,
    HUBSPOT_ONLY,
    SALESFORCE_ONLY,
    Clock,
    CompanyDraft,
    PersonDraft,
    Recorder,
    deck,
    settle_creation,
    weighted_counts,
)
from leadpact.connectors.sandbox.store import Store

SEED_META = "seed"
# The seed's intent per deal (archetype, committee parts) and per lead-story account
# (content_only / buying_group): an answer key for end-to-end tests of staleness,
# committee coverage and the lead definition. Kept in store meta only, never served.
TRUTH_META = "seed:truth"
MIN_PEOPLE = 10


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What the seed wrote: records per system and type, and what they represent."""

    seed: int
    people: int
    now: str  # ISO-8601
    salesforce: dict[str, int]  # sObject -> records
    hubspot: dict[str, int]  # object type -> records
    associations: int  # HubSpot association rows (both directions counted)
    persons: dict[str, int]  # both / salesforce_only / hubspot_only / unlinked / ...
    archetypes: dict[str, dict[str, int]]  # system -> deal archetype -> deals


def seed_demo_org(store: Store, *, seed: int = 7, people: int = 3000,
                  now: datetime) -> SeedSummary:
    """Fill `store` with the demo org; see the module docstring."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    if store.get_meta(SEED_META) is not None:
        raise SandboxInputError("this sandbox store already holds a seeded demo org; seed a fresh "
                          "store (another --data directory) instead")
    if people < MIN_PEOPLE:
        raise SandboxInputError(f"the demo org needs at least {MIN_PEOPLE} people (got {people}); "
                          "pass a larger --people")
    rng = random.Random(seed)
    clock = Clock(now)
    with store.bulk() as s:
        # The org has leadpact's package installed: its custom fields and properties exist.
        salesforce_schema.ensure_schema(s, with_leadpact_fields=True)
        hubspot_schema.ensure_schema(s, with_leadpact_properties=True)
        reps, marketing_owner = make_owners(s)
        accounts, prospects = make_companies(s, rng, clock, reps, people)
        pool = PeoplePool(s, rng, clock, people, accounts, prospects, marketing_owner)
        planner = DealPlanner(s, rng, clock, pool, reps)
        opportunities = _plan_deals(rng, planner, SALESFORCE, accounts, max(1, people // 8))
        hubspot_companies = [c for c in accounts + prospects if c.hs_id is not None]
        hubspot_deals = _plan_deals(rng, planner, HUBSPOT, hubspot_companies,
                                    max(1, people // 25))
        pool.fill()
        pool.unlink_some()
        _link_conversions(rng, opportunities)
        plans = opportunities + hubspot_deals
        on_deals = {m.person.key for plan in plans for m in plan.members}
        sequences = apply_marketing(rng, clock, pool.persons, on_deals)
        for person in pool.persons:
            settle_creation(rng, person, now)
        # Marketing's programme and the lead-definition stories: their own random stream.
        mrng = marketing_rng(seed)
        stories = plan_lead_stories(mrng, clock, accounts + prospects,
                                    {p.company.key for p in plans}, max(3, people // 600))
        sequences = [t for t in sequences if t.person.key not in stories.mute]
        sequences += stories.hubspot_touches
        hubspot_marketing = plan_hubspot(mrng, clock, pool.persons, stories.boost, stories.mute)

        rec = Recorder(s, now)
        write_users(rec, clock, reps)
        write_accounts(rec, rng, clock, accounts)
        duplicate_leads = write_people(rec, s, rng, clock, pool.persons)
        for plan in opportunities:
            write_opportunity(rec, s, rng, plan)
        write_campaigns(rec, s, mrng, clock, pool.persons, stories.boost, stories.mute)
        write_salesforce_touches(rec, s, stories.salesforce_touches)
        write_owners(rec, clock, [*reps, marketing_owner])
        write_companies(rec, rng, clock, accounts + prospects)
        write_contacts(rec, rng, clock, pool.persons, _hubspot_touches(hubspot_deals, sequences),
                       _deal_states(plans), _parts(plans), hubspot_marketing)
        for plan in hubspot_deals:
            write_deal(rec, s, rng, clock, plan)
        for touch in sequences:
            write_engagement(rec, s, touch, touch.person.owner, None)
        s.set_meta(SEED_META, json.dumps({"seed": seed, "people": people,
                                          "now": now.isoformat()}))
        s.set_meta(TRUTH_META, json.dumps({**_truth(plans), "accounts": stories.accounts}))
    return SeedSummary(
        seed=seed, people=people, now=now.isoformat(),
        salesforce=dict(sorted(rec.counts["salesforce"].items())),
        hubspot=dict(sorted(rec.counts["hubspot"].items())),
        associations=rec.associations,
        persons=_person_counts(pool.persons, duplicate_leads),
        archetypes={SALESFORCE: _archetypes(opportunities), HUBSPOT: _archetypes(hubspot_deals)},
    )


def _plan_deals(rng: random.Random, planner: DealPlanner, system: str,
                companies: list[CompanyDraft], count: int) -> list[DealPlan]:
    mix = SALESFORCE_MIX if system == SALESFORCE else HUBSPOT_MIX
    weights = deal_company_weights(companies)
    return [planner.plan(system, archetype, rng.choices(companies, weights=weights)[0])
            for archetype in deck(rng, weighted_counts(mix, count))]


def _link_conversions(rng: random.Random, opportunities: list[DealPlan]) -> None:
    """A converted lead often created the opportunity its champion sits on."""
    for plan in opportunities:
        for member in plan.members:
            person = member.person
            if (member.primary and person.sf_kind == CONVERTED
                    and person.converted_opportunity_id is None and rng.random() < 0.6):
                person.converted_opportunity_id = plan.id
                person.convert_by = plan.created


def _hubspot_touches(deals: list[DealPlan], sequences: list[Touch]) -> dict[int, list[Touch]]:
    found: dict[int, list[Touch]] = {}
    for touch in [t for plan in deals for t in plan.touches] + sequences:
        found.setdefault(touch.person.key, []).append(touch)
    return found


def _deal_states(plans: list[DealPlan]) -> dict[int, str]:
    """open beats won beats lost: a person on any open deal is an opportunity contact."""
    rank = {"open": 3, "won": 2, "lost": 1}
    states: dict[int, str] = {}
    for plan in plans:
        state = plan.outcome or "open"
        for member in plan.members:
            key = member.person.key
            if rank[state] > rank.get(states.get(key, ""), 0):
                states[key] = state
    return states


def _parts(plans: list[DealPlan]) -> dict[int, str]:
    parts: dict[int, str] = {}
    for plan in plans:
        for member in plan.members:
            parts.setdefault(member.person.key, member.part)
    return parts


def _person_counts(persons: list[PersonDraft], duplicate_leads: int) -> dict[str, int]:
    def count(test: Callable[[PersonDraft], bool]) -> int:
        return sum(1 for p in persons if test(p))

    return {
        "total": len(persons),
        "both": count(lambda p: p.presence == BOTH),
        "salesforce_only": count(lambda p: p.presence == SALESFORCE_ONLY),
        "hubspot_only": count(lambda p: p.presence == HUBSPOT_ONLY),
        "unlinked_in_both": count(lambda p: p.presence == BOTH and not p.linked),
        "converted_leads": count(lambda p: p.sf_kind == CONVERTED),
        "duplicate_leads": duplicate_leads,
    }


def _truth(plans: list[DealPlan]) -> dict[str, object]:
    deals = {}
    for plan in plans:
        members = {}
        for member in plan.members:
            person = member.person
            person_id = person.sf_contact_id if plan.system == SALESFORCE else person.hs_id
            members[str(person_id)] = member.part
        deals[f"{plan.system}:{plan.id}"] = {"archetype": plan.archetype, "members": members}
    return {"deals": deals}


def _archetypes(plans: list[DealPlan]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.archetype] = counts.get(plan.archetype, 0) + 1
    return dict(sorted(counts.items()))
