"""Writes the Salesforce half of the demo org: Users, Accounts, Leads, Contacts,
Opportunities with their contact roles, history, Tasks and Events (SCHEMA.md field names).

Logged emails are Tasks (TaskSubtype Email) whose Description starts with `From:` / `To:`
lines, as Salesforce's email logging stores them: that is how to tell a buyer's reply
(From: the buyer) from the rep's own email (From: the rep).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
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
from leadpact.connectors.sandbox.seed_vocab import mixed_case_email
from leadpact.connectors.sandbox.seed_world import (
    CONVERTED,
    LEAD,
    Clock,
    CompanyDraft,
    Owner,
    PersonDraft,
    Recorder,
    sf_date,
    sf_datetime,
)
from leadpact.connectors.sandbox.store import Store

SF = "salesforce"
PROBABILITY = {"Prospecting": 10, "Qualification": 20, "Needs Analysis": 30,
               "Value Proposition": 40, "Id. Decision Makers": 50, "Perception Analysis": 60,
               "Proposal/Price Quote": 70, "Negotiation/Review": 90, "Closed Won": 100,
               "Closed Lost": 0}
_FORECAST = {"Closed Won": "Closed", "Closed Lost": "Omitted", "Negotiation/Review": "Commit",
             "Proposal/Price Quote": "Best Case", "Perception Analysis": "Best Case"}

# OpportunityContactRole.Role a rep would pick for each committee part; often left empty.
_ROLES = {
    CHAMPION: ("Influencer", "Evaluator", "Technical Buyer", "Business User"),
    DECISION_MAKER: ("Decision Maker", "Executive Sponsor", "Economic Decision Maker"),
    ECONOMIC_BUYER: ("Economic Buyer", "Economic Decision Maker", "Decision Maker"),
    USER: ("Business User", "Evaluator"),
    SECURITY: ("Technical Buyer", "Evaluator", "Other"),
    LEGAL: ("Other",),
    PROCUREMENT: ("Other", "Influencer"),
}
_COUNTRY_NOISE = {"Germany": ("Deutschland", "DE"), "United States": ("USA", "US"),
                  "United Kingdom": ("UK", "GB"), "France": ("FR",), "Spain": ("España",),
                  "Brazil": ("Brasil",), "Netherlands": ("NL", "Nederland")}


def write_users(rec: Recorder, clock: Clock, reps: list[Owner]) -> None:
    for rep in reps:
        assert rep.sf_id is not None
        rec.insert(SF, "User", rep.sf_id, {
            "Name": f"{rep.first} {rep.last}", "FirstName": rep.first, "LastName": rep.last,
            "Email": rep.email, "IsActive": True}, clock.earliest)


def write_accounts(rec: Recorder, rng: random.Random, clock: Clock,
                   accounts: list[CompanyDraft]) -> None:
    for company in accounts:
        assert company.sf_id is not None
        country = company.country.name
        if country in _COUNTRY_NOISE and rng.random() < 0.08:
            country = rng.choice(_COUNTRY_NOISE[country])
        website = rng.choice((f"www.{company.name.domain}", f"https://{company.name.domain}",
                              f"https://www.{company.name.domain}/", company.name.domain))
        rec.insert(SF, "Account", company.sf_id, {
            "Name": company.name.name, "Industry": company.industry.salesforce,
            "NumberOfEmployees": company.employees, "Website": website,
            "BillingCountry": country, "OwnerId": company.owner.sf_id,
        }, company.created, clock.between(rng, company.created, clock.now))


def write_people(rec: Recorder, store: Store, rng: random.Random, clock: Clock,
                 persons: list[PersonDraft]) -> int:
    """Leads and Contacts; returns how many duplicate Leads (same email, other casing)."""
    contacts = [p.key for p in persons if p.sf_contact_id is not None]
    # marketing re-imported ~2% of the people sales already has as Contacts
    duplicated = set(rng.sample(contacts, max(1, round(0.02 * len(contacts))))
                     if contacts else ())
    duplicates = 0
    for person in persons:
        if not person.in_salesforce:
            continue
        created = person.sf_created or person.created
        company = person.company
        base = {"FirstName": person.first, "LastName": person.last, "Email": person.email_sf,
                "Title": person.title_sf, "OwnerId": person.owner.sf_id or company.owner.sf_id}
        contact_created = created
        if person.sf_kind in (LEAD, CONVERTED):
            assert person.sf_lead_id is not None
            converted = person.sf_kind == CONVERTED
            if converted:
                limit = min(person.first_touch or clock.now, person.convert_by or clock.now,
                            clock.now) - timedelta(hours=1)
                contact_created = max(created, created + (limit - created) * rng.uniform(0.2, 1))
            status = ("Closed - Converted" if converted else rng.choice(
                ("Open - Not Contacted", "Working - Contacted", "Working - Contacted",
                 "Closed - Not Converted")))
            rec.insert(SF, "Lead", person.sf_lead_id, {
                **base, "Company": company.name.short if rng.random() < 0.7 else company.name.name,
                "Status": status, "LeadSource": person.lead_source, "IsConverted": converted,
                **_lead_firmographics(company),
                "ConvertedContactId": person.sf_contact_id if converted else None,
                "ConvertedAccountId": company.sf_id if converted else None,
                "ConvertedOpportunityId": person.converted_opportunity_id if converted else None,
                "ConvertedDate": sf_date(contact_created) if converted else None,
            }, created, contact_created if converted else clock.between(rng, created, clock.now))
        if person.sf_contact_id is not None:
            rec.insert(SF, "Contact", person.sf_contact_id, {
                **base, "AccountId": company.sf_id, "LeadSource": person.lead_source,
            }, contact_created, clock.between(rng, contact_created, clock.now))
            if person.key in duplicated:
                duplicates += 1
                email = mixed_case_email(rng, person.email, person.first, person.last)
                dup_created = clock.between(rng, contact_created, clock.now)
                rec.insert(SF, "Lead", new_salesforce_id(store, "Lead"), {
                    **base, "Email": email if email != person.email_sf else person.email,
                    "Company": company.name.short, "Status": "Open - Not Contacted",
                    "LeadSource": "Purchased List", "IsConverted": False,
                    **_lead_firmographics(company),
                }, dup_created)
    return duplicates


def _lead_firmographics(company: CompanyDraft) -> dict[str, object]:
    """What the lead form or the bought list gave: the company's firmographics, on the lead."""
    return {"Industry": company.industry.salesforce, "Country": company.country.name,
            "NumberOfEmployees": company.employees}


def write_opportunity(rec: Recorder, store: Store, rng: random.Random, plan: DealPlan) -> None:
    stage = plan.stage
    done = [t for t in plan.touches if t.done]
    last_activity = max((t.at for t in done), default=None)
    last_change = plan.stages[-1][0]
    modified = max([last_change, plan.close_dates[-1][0], *(t.logged for t in plan.touches)])
    rec.insert(SF, "Opportunity", plan.id, {
        "Name": plan.name, "AccountId": plan.company.sf_id, "OwnerId": plan.owner.sf_id,
        "StageName": stage, "Amount": float(plan.amount), "CloseDate": sf_date(plan.close_date),
        "IsClosed": stage.startswith("Closed"), "IsWon": stage == "Closed Won",
        "Probability": PROBABILITY[stage], "ForecastCategoryName": _FORECAST.get(stage, "Pipeline"),
        "LastActivityDate": sf_date(last_activity) if last_activity else None,
        "NextStep": plan.next_step or None, "PushCount": plan.pushes,
        "LastStageChangeDate": sf_datetime(last_change) if len(plan.stages) > 1 else None,
    }, plan.created, modified)
    for member in plan.members:
        role = rng.choice(_ROLES[member.part]) if rng.random() < 0.45 else None
        rec.insert(SF, "OpportunityContactRole", new_salesforce_id(store, "OpportunityContactRole"),
                   {"OpportunityId": plan.id, "ContactId": member.person.sf_contact_id,
                    "Role": role, "IsPrimary": member.primary}, member.added)
    _write_history(rec, store, plan)
    for touch in plan.touches:
        _write_activity(rec, store, rng, plan, touch)


def _write_history(rec: Recorder, store: Store, plan: DealPlan) -> None:
    """One OpportunityHistory row per stage change and per close-date change, in order."""
    events: list[tuple[datetime, str, str | date]] = [(t, "stage", s) for t, s in plan.stages]
    events += [(t, "close", c) for t, c in plan.close_dates[1:]]
    stage, close = plan.stages[0][1], plan.close_dates[0][1]
    for when, kind, value in sorted(events, key=lambda e: (e[0], e[1])):
        previous = None
        if kind == "stage":
            stage = str(value)
        else:
            previous, close = close, value  # type: ignore[assignment]
        rec.insert(SF, "OpportunityHistory", new_salesforce_id(store, "OpportunityHistory"), {
            "OpportunityId": plan.id, "StageName": stage, "Amount": float(plan.amount),
            "CloseDate": sf_date(close), "PrevCloseDate": sf_date(previous) if previous else None,
            "Probability": PROBABILITY[stage]}, when)


def _write_activity(rec: Recorder, store: Store, rng: random.Random, plan: DealPlan,
                    touch: Touch) -> None:
    who = touch.person.sf_contact_id
    rep = plan.owner
    if touch.channel == MEETING:
        end = touch.at + timedelta(minutes=rng.choice((30, 45, 60, 60, 90)))
        rec.insert(SF, "Event", new_salesforce_id(store, "Event"), {
            "WhoId": who, "WhatId": plan.id, "OwnerId": rep.sf_id, "Subject": touch.subject,
            "Type": "Meeting", "StartDateTime": sf_datetime(touch.at),
            "EndDateTime": sf_datetime(end), "ActivityDate": sf_date(touch.at),
        }, touch.logged)
        return
    fields: dict[str, object] = {
        "WhoId": who, "WhatId": plan.id, "OwnerId": rep.sf_id, "ActivityDate": sf_date(touch.at),
        "Priority": "Normal", "Status": "Completed" if touch.done else "Not Started",
        "IsClosed": touch.done,
    }
    if touch.channel == EMAIL:
        buyer = touch.person.email_sf
        sender, recipient = (buyer, rep.email) if touch.inbound else (rep.email, buyer)
        fields.update(Subject=f"Email: {touch.subject}", TaskSubtype="Email", Type="Email",
                      Description=f"From: {sender}\nTo: {recipient}\n\n"
                                  f"{'(reply)' if touch.inbound else '(sent)'} {touch.subject}")
    elif touch.channel == CALL:
        fields.update(Subject=touch.subject, TaskSubtype="Call", Type="Call",
                      Description=touch.note)
    else:
        assert touch.channel == TODO
        fields.update(Subject=touch.subject, TaskSubtype="Task", Type="Other",
                      Priority="High" if rng.random() < 0.3 else "Normal")
    rec.insert(SF, "Task", new_salesforce_id(store, "Task"), fields, touch.logged)
