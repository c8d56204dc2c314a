"""Writes the HubSpot half of the demo org: owners, companies, contacts (with the
Salesforce ids HubSpot's integration stores), deals, engagements and their associations."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from leadpact.connectors.sandbox.hubspot_schema import new_hubspot_id
from leadpact.connectors.sandbox.seed_campaigns import (
    HubSpotMarketing,
    hubspot_properties,
    latest,
)
from leadpact.connectors.sandbox.seed_committees import (
    CHAMPION,
    DECISION_MAKER,
    ECONOMIC_BUYER,
    LEGAL,
    PROCUREMENT,
    SECURITY,
    USER,
)
from leadpact.connectors.sandbox.seed_deals import DealPlan
from leadpact.connectors.sandbox.seed_touches import CALL, EMAIL, MEETING, TODO, Touch
from leadpact.connectors.sandbox.seed_world import (
    Clock,
    CompanyDraft,
    Owner,
    PersonDraft,
    Recorder,
    hs_date,
    hs_datetime,
)
from leadpact.connectors.sandbox.store import Store

PROBABILITY = {"appointmentscheduled": "0.2", "qualifiedtobuy": "0.4",
               "presentationscheduled": "0.6", "decisionmakerboughtin": "0.8",
               "contractsent": "0.9", "closedwon": "1.0", "closedlost": "0.0"}
_BUYING_ROLE = {CHAMPION: "CHAMPION", DECISION_MAKER: "DECISION_MAKER",
                ECONOMIC_BUYER: "BUDGET_HOLDER", USER: "END_USER", SECURITY: "BLOCKER",
                LEGAL: "LEGAL_AND_COMPLIANCE", PROCUREMENT: "INFLUENCER"}
# deal<->contact labels a rep would pick (hubspot_associations.DEAL_CONTACT_LABELS)
_LABELS = {CHAMPION: ("Champion", "Influencer", "Technical Evaluator"),
           DECISION_MAKER: ("Decision Maker", "Executive Sponsor"),
           ECONOMIC_BUYER: ("Budget Holder", "Economic Buyer"), USER: ("End User",),
           SECURITY: ("Blocker", "Technical Evaluator"), LEGAL: ("Legal and Compliance",),
           PROCUREMENT: ("Blocker", "Influencer")}
# engagement type, its property names, and its association type ids (-> contact, -> deal)
_ENGAGEMENT = {EMAIL: ("emails", 198, 210), CALL: ("calls", 194, 206),
               MEETING: ("meetings", 200, 212), TODO: ("tasks", 204, 216)}


def write_owners(rec: Recorder, clock: Clock, owners: Iterable[Owner]) -> None:
    for owner in owners:
        rec.insert("hubspot", "owners", owner.hs_id, {
            "id": owner.hs_id, "email": owner.email, "firstName": owner.first,
            "lastName": owner.last, "userId": owner.hs_user_id}, clock.earliest)


def write_companies(rec: Recorder, rng: random.Random, clock: Clock,
                    companies: Iterable[CompanyDraft]) -> None:
    for company in companies:
        if company.hs_id is None:
            continue
        created = company.created
        rec.insert("hubspot", "companies", company.hs_id, {
            "name": company.name.name, "domain": company.name.domain,
            "industry": company.industry.hubspot, "numberofemployees": str(company.employees),
            "country": company.country.name, "hubspot_owner_id": company.owner.hs_id,
            "salesforceaccountid": company.sf_id,
        }, created, clock.between(rng, created, clock.now))


def write_contacts(rec: Recorder, rng: random.Random, clock: Clock,
                   persons: Iterable[PersonDraft], touches: Mapping[int, list[Touch]],
                   deal_state: Mapping[int, str], parts: Mapping[int, str],
                   marketing: Mapping[int, HubSpotMarketing] | None = None) -> None:
    """`touches`: each person's HubSpot engagements; `deal_state`: open / won / lost for
    people on deals; `parts`: their committee part (a few carry hs_buying_role);
    `marketing`: their email opens, clicks and web visits (seed_campaigns.py)."""
    for person in persons:
        if person.hs_id is None:
            continue
        mine = [t for t in touches.get(person.key, []) if t.done]
        replied = max((t.at for t in mine if t.channel == EMAIL and t.inbound), default=None)
        last_activity = max((t.at for t in mine), default=None)
        conversions = sorted(person.conversions)
        created = person.hs_created or person.created
        stamps = [created, *(t.logged for t in touches.get(person.key, [])),
                  *(w for w, _ in conversions)]
        if person.email_opened:
            stamps.append(person.email_opened)
        events = (marketing or {}).get(person.key)
        stamps += latest(events)
        company = person.company.name
        props: dict[str, object] = {
            "email": person.email, "firstname": person.first, "lastname": person.last,
            "jobtitle": person.title_hs,
            "company": company.short if rng.random() < 0.8 else company.name,
            "hubspot_owner_id": person.owner.hs_id if rng.random() < 0.9 else None,
            "lifecyclestage": _lifecycle(rng, person, deal_state.get(person.key)),
            "hs_lead_status": _lead_status(rng, deal_state.get(person.key)),
            "hs_buying_role": _buying_role(rng, parts.get(person.key)),
            "num_conversion_events": str(len(conversions)),
            "recent_conversion_event_name": conversions[-1][1] if conversions else None,
            "recent_conversion_date": hs_datetime(conversions[-1][0]) if conversions else None,
            "hs_email_last_open_date": hs_datetime(person.email_opened) if person.email_opened
            else None,
            "hs_sales_email_last_replied": hs_datetime(replied) if replied else None,
            "notes_last_updated": hs_datetime(last_activity) if last_activity else None,
            **hubspot_properties(person, events),
        }
        if person.linked:  # how HubSpot's Salesforce integration marks a synced contact
            props["salesforcecontactid"] = person.sf_contact_id
            props["salesforceleadid"] = person.sf_lead_id
        rec.insert("hubspot", "contacts", person.hs_id, props, created, max(stamps))
        if person.company.hs_id is not None:
            rec.associate("contacts", person.hs_id, "companies", person.company.hs_id, 1)


def _lifecycle(rng: random.Random, person: PersonDraft, state: str | None) -> str:
    if state == "won":
        return "customer"
    if state == "open":
        return "opportunity"
    if person.is_sf_contact:
        return "salesqualifiedlead"
    if len(person.conversions) >= 3:
        return "marketingqualifiedlead"
    return rng.choice(("lead", "lead", "subscriber", "other"))


def _lead_status(rng: random.Random, state: str | None) -> str | None:
    if state == "open":
        return "OPEN_DEAL"
    return rng.choice((None, "NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED",
                       "UNQUALIFIED", "BAD_TIMING"))


def _buying_role(rng: random.Random, part: str | None) -> str | None:
    if part is not None and rng.random() < 0.2:
        role = _BUYING_ROLE[part]
        return f"{role};INFLUENCER" if role == "CHAMPION" and rng.random() < 0.3 else role
    if rng.random() < 0.02:  # set by hand, not necessarily right
        return rng.choice(("OTHER", "END_USER", "INFLUENCER", "DECISION_MAKER"))
    return None


def write_deal(rec: Recorder, store: Store, rng: random.Random, clock: Clock,
               plan: DealPlan) -> None:
    done = [t for t in plan.touches if t.done]
    upcoming = [t.at for t in plan.touches if not t.done and t.at > clock.now]
    last = max((t.at for t in done), default=None)
    contacted = max((t.at for t in done if not t.inbound), default=None)
    stage = plan.stage
    closed = stage in ("closedwon", "closedlost")
    modified = max([plan.stages[-1][0], plan.close_dates[-1][0], *(t.logged for t in plan.touches)])
    rec.insert("hubspot", "deals", plan.id, {
        "dealname": plan.name, "pipeline": "default", "dealstage": stage,
        "amount": str(plan.amount), "closedate": hs_date(plan.close_date),
        "hubspot_owner_id": plan.owner.hs_id, "hs_is_closed": "true" if closed else "false",
        "hs_is_closed_won": "true" if stage == "closedwon" else "false",
        "hs_deal_stage_probability": PROBABILITY[stage],
        "notes_last_updated": hs_datetime(last) if last else None,
        "notes_last_contacted": hs_datetime(contacted) if contacted else None,
        "notes_next_activity_date": hs_datetime(min(upcoming)) if upcoming else None,
    }, plan.created, modified)
    if plan.company.hs_id is not None:
        rec.associate("deals", plan.id, "companies", plan.company.hs_id, 5)
    for member in plan.members:
        assert member.person.hs_id is not None
        label = rng.choice(_LABELS[member.part]) if rng.random() < 0.35 else None
        rec.associate("deals", plan.id, "contacts", member.person.hs_id, 3, label)
    for touch in plan.touches:
        write_engagement(rec, store, touch, plan.owner, plan.id)


def write_engagement(rec: Recorder, store: Store, touch: Touch, owner: Owner,
                     deal_id: str | None) -> None:
    type_, to_contact, to_deal = _ENGAGEMENT[touch.channel]
    stamp = hs_datetime(touch.at)
    props: dict[str, object]
    if touch.channel == EMAIL:
        props = {"hs_timestamp": stamp, "hs_email_subject": touch.subject,
                 "hs_email_direction": "INCOMING_EMAIL" if touch.inbound else "EMAIL"}
    elif touch.channel == CALL:
        props = {"hs_timestamp": stamp, "hs_call_title": touch.subject,
                 "hs_call_direction": "INBOUND" if touch.inbound else "OUTBOUND"}
    elif touch.channel == MEETING:
        props = {"hs_timestamp": stamp, "hs_meeting_title": touch.subject,
                 "hs_meeting_outcome": "COMPLETED" if touch.done else "SCHEDULED"}
    else:
        props = {"hs_timestamp": stamp, "hs_task_subject": touch.subject,
                 "hs_task_body": f"Follow-up with {touch.person.first} {touch.person.last}",
                 "hs_task_status": "COMPLETED" if touch.done else "NOT_STARTED",
                 "hs_task_priority": "MEDIUM", "hs_task_type": "TODO"}
    props["hubspot_owner_id"] = owner.hs_id
    engagement_id = new_hubspot_id(store, type_)
    rec.insert("hubspot", type_, engagement_id, props, touch.logged)
    assert touch.person.hs_id is not None
    rec.associate(type_, engagement_id, "contacts", touch.person.hs_id, to_contact)
    if deal_id is not None:
        rec.associate(type_, engagement_id, "deals", deal_id, to_deal)

