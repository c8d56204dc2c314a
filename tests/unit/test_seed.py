from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.connectors.sandbox.seed import TRUTH_META, seed_demo_org
from leadpact.connectors.sandbox.store import Store
from tests.unit.seed_org import (
    HS_TYPES,
    NOW,
    PEOPLE,
    SF_TYPES,
    TODAY,
    Org,
    activities_of,
    content,
    hubspot_time,
    salesforce_time,
    seeded,
    seeded_org,
)

# Stored fields per type, exactly as connectors/sandbox/SCHEMA.md lists them.
SF_FIELDS = {
    "User": "Name FirstName LastName Email IsActive",
    "Account": "Name Industry NumberOfEmployees Website BillingCountry OwnerId",
    "Lead": "FirstName LastName Email Title Company Status LeadSource OwnerId IsConverted "
            "ConvertedContactId ConvertedAccountId ConvertedOpportunityId ConvertedDate "
            "Industry NumberOfEmployees Country",
    "Contact": "FirstName LastName Email Title AccountId OwnerId LeadSource",
    "Opportunity": "Name AccountId OwnerId StageName Amount CloseDate IsClosed IsWon "
                   "Probability ForecastCategoryName LastActivityDate NextStep PushCount "
                   "LastStageChangeDate",
    "OpportunityContactRole": "OpportunityId ContactId Role IsPrimary",
    "OpportunityHistory": "OpportunityId StageName Amount CloseDate PrevCloseDate Probability",
    "Task": "WhoId WhatId OwnerId Subject Status Priority ActivityDate Description IsClosed "
            "TaskSubtype Type Leadpact_Task_Key__c",
    "Event": "WhoId WhatId OwnerId Subject Type StartDateTime EndDateTime ActivityDate",
    "Campaign": "Name Type Status IsActive",
    "CampaignMember": "CampaignId LeadId ContactId Status HasResponded FirstRespondedDate",
}
HS_FIELDS = {
    "owners": "id email firstName lastName userId",
    "companies": "name domain industry numberofemployees country hubspot_owner_id "
                 "salesforceaccountid",
    "contacts": "email firstname lastname jobtitle company hubspot_owner_id lifecyclestage "
                "hs_lead_status hs_buying_role salesforcecontactid salesforceleadid "
                "num_conversion_events recent_conversion_event_name recent_conversion_date "
                "notes_last_updated hs_sales_email_last_replied hs_email_last_open_date "
                "hs_email_open hs_email_click hs_email_last_click_date hs_email_last_email_name "
                "hs_analytics_num_visits hs_analytics_num_page_views "
                "hs_analytics_last_visit_timestamp hs_analytics_last_url "
                "_history",  # the sandbox keeps property histories under this private key
    "deals": "dealname pipeline dealstage amount closedate hubspot_owner_id hs_is_closed "
             "hs_is_closed_won notes_last_updated notes_last_contacted notes_next_activity_date "
             "hs_deal_stage_probability salesforceopportunityid",
    "tasks": "hs_timestamp hs_task_subject hs_task_body hs_task_status hs_task_priority "
             "hs_task_type hubspot_owner_id leadpact_task_key",
    "emails": "hs_timestamp hs_email_direction hs_email_subject hubspot_owner_id",
    "meetings": "hs_timestamp hs_meeting_title hs_meeting_outcome hubspot_owner_id",
    "calls": "hs_timestamp hs_call_title hs_call_direction hubspot_owner_id",
    "notes": "",
}


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    demo = seeded_org()
    yield demo
    demo.store.close()


# -- determinism -----------------------------------------------------------------------------
def test_given_the_same_seed_and_now_when_seeding_twice_then_the_content_is_identical() -> None:
    first, second = seeded(7), seeded(7)
    assert content(first) == content(second)
    assert first.get_meta("seed") == second.get_meta("seed")
    assert first.get_meta(TRUTH_META) == second.get_meta(TRUTH_META)


def test_given_another_seed_when_seeding_then_the_content_differs() -> None:
    assert content(seeded(7)) != content(seeded(8))


def test_given_a_seeded_org_then_seed_people_and_now_are_recorded(org: Org) -> None:
    assert json.loads(org.store.get_meta("seed") or "") == {
        "seed": 7, "people": PEOPLE, "now": NOW.isoformat()}


def test_given_a_naive_now_when_seeding_then_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seed_demo_org(Store(":memory:"), now=datetime(2026, 1, 1))


def test_given_an_already_seeded_store_when_seeding_again_then_config_error(org: Org) -> None:
    with pytest.raises(SandboxInputError, match="already holds a seeded demo org"):
        seed_demo_org(org.store, now=NOW)


def test_given_too_few_people_when_seeding_then_config_error() -> None:
    with pytest.raises(SandboxInputError, match="at least"):
        seed_demo_org(Store(":memory:"), people=3, now=NOW)


# -- shape of the org --------------------------------------------------------------------------
def test_given_a_seeded_org_then_people_split_55_30_15_across_the_crms(org: Org) -> None:
    persons = org.summary.persons
    assert persons["total"] == PEOPLE
    assert persons["both"] == pytest.approx(0.55 * PEOPLE, abs=6)
    assert persons["hubspot_only"] == pytest.approx(0.30 * PEOPLE, abs=6)
    assert persons["salesforce_only"] == pytest.approx(0.15 * PEOPLE, abs=6)
    assert len(org.hs("contacts")) == persons["both"] + persons["hubspot_only"]
    converted = sum(1 for r in org.sf("Lead").values() if r.fields["IsConverted"])
    salesforce_people = (len(org.sf("Contact")) + len(org.sf("Lead")) - converted
                         - persons["duplicate_leads"])
    assert salesforce_people == persons["both"] + persons["salesforce_only"]


def test_given_a_seeded_org_then_reps_are_users_and_owners_with_the_same_emails(org: Org) -> None:
    users = {r.fields["Email"] for r in org.sf("User").values()}
    owners = {r.fields["email"] for r in org.hs("owners").values()}
    assert len(users) == 8
    assert users < owners  # plus a HubSpot-only marketing user


def test_given_a_seeded_org_then_accounts_are_mostly_hubspot_companies_too(org: Org) -> None:
    accounts = org.sf("Account")
    linked = [r for r in org.hs("companies").values() if r.fields.get("salesforceaccountid")]
    assert len(accounts) == PEOPLE // 12
    assert all(r.fields["salesforceaccountid"] in accounts for r in linked)
    assert 0.7 <= len(linked) / len(accounts) < 1
    countries = Counter(r.fields["BillingCountry"] for r in accounts.values())
    assert len(countries) >= 6


def test_given_a_seeded_org_then_deals_number_about_one_per_8_and_25_people(org: Org) -> None:
    assert len(org.sf("Opportunity")) == PEOPLE // 8
    assert len(org.hs("deals")) == PEOPLE // 25
    stages = {r.fields["StageName"] for r in org.sf("Opportunity").values()}
    assert {"Closed Won", "Closed Lost"} <= stages
    assert len(stages) >= 6


def test_given_a_seeded_org_then_leadpact_fields_and_properties_are_installed(org: Org) -> None:
    custom = salesforce_schema.custom_fields(org.store)
    assert "Leadpact_Role__c" in custom["Contact"]
    properties = hubspot_schema.properties_by_name(org.store, "contacts")
    assert "leadpact_role" in properties


# -- contract with SCHEMA.md ------------------------------------------------------------------
def test_given_a_seeded_org_then_every_record_uses_only_schema_fields(org: Org) -> None:
    for (system, type_), rows in org.records.items():
        allowed = set((SF_FIELDS if system == "salesforce" else HS_FIELDS)[type_].split())
        for row in rows.values():
            extra = {f for f in row.fields if f not in allowed
                     and not f.startswith(("Leadpact_", "leadpact_"))}
            assert not extra, f"{system} {type_} {row.id} stores {extra}"


def test_given_a_seeded_org_then_ids_have_the_schema_formats(org: Org) -> None:
    for type_ in SF_TYPES:  # the seed writes no permission sets: an org starts without ours
        prefix = salesforce_schema.KEY_PREFIXES[type_]
        for id_ in org.sf(type_):
            assert re.fullmatch(rf"{prefix}\d{{12}}AAA", id_)
    for type_ in HS_TYPES:
        assert all(id_.isdigit() for id_ in org.hs(type_))


def test_given_a_seeded_org_then_no_timestamp_is_after_now_or_older_than_18_months(
        org: Org) -> None:
    earliest = NOW - timedelta(days=550)
    for rows in org.records.values():
        for row in rows.values():
            assert earliest <= row.created_at <= row.modified_at <= NOW, row


def test_given_a_seeded_org_then_facts_about_the_past_lie_in_the_past(org: Org) -> None:
    for row in org.sf("Opportunity").values():
        if row.fields.get("LastActivityDate"):
            assert date.fromisoformat(row.fields["LastActivityDate"]) <= TODAY
        if row.fields.get("LastStageChangeDate"):
            assert salesforce_time(row.fields["LastStageChangeDate"]) <= NOW
    for row in org.sf("Task").values():
        if row.fields["IsClosed"]:
            assert date.fromisoformat(row.fields["ActivityDate"]) <= TODAY
    for type_ in ("emails", "calls"):
        assert all(hubspot_time(r.fields["hs_timestamp"]) <= NOW for r in org.hs(type_).values())
    for row in org.hs("meetings").values():
        past = hubspot_time(row.fields["hs_timestamp"]) <= NOW
        assert past == (row.fields["hs_meeting_outcome"] == "COMPLETED")
    stamps = ("recent_conversion_date", "hs_email_last_open_date",
              "hs_sales_email_last_replied", "notes_last_updated")
    for row in org.hs("contacts").values():
        for name in stamps:
            if row.fields.get(name):
                assert row.created_at <= hubspot_time(row.fields[name]) <= NOW, (row.id, name)


# -- references -------------------------------------------------------------------------------
def test_given_converted_leads_then_they_point_at_existing_contacts_and_accounts(
        org: Org) -> None:
    converted = [r for r in org.sf("Lead").values() if r.fields["IsConverted"]]
    assert converted
    for lead in converted:
        contact = org.sf("Contact")[lead.fields["ConvertedContactId"]]
        assert contact.fields["AccountId"] == lead.fields["ConvertedAccountId"]
        assert lead.fields["ConvertedAccountId"] in org.sf("Account")
        assert lead.fields["Status"] == "Closed - Converted"
        assert lead.created_at <= contact.created_at
        if lead.fields.get("ConvertedOpportunityId"):
            assert lead.fields["ConvertedOpportunityId"] in org.sf("Opportunity")
    assert all(not r.fields.get("ConvertedContactId") for r in org.sf("Lead").values()
               if not r.fields["IsConverted"])


def test_given_hubspot_contacts_then_their_salesforce_ids_point_at_existing_records(
        org: Org) -> None:
    by_contact = [r for r in org.hs("contacts").values() if r.fields.get("salesforcecontactid")]
    by_lead = [r for r in org.hs("contacts").values() if r.fields.get("salesforceleadid")]
    assert len(by_contact) > PEOPLE * 0.3 and by_lead
    for row in by_contact:
        contact = org.sf("Contact")[row.fields["salesforcecontactid"]]
        assert contact.fields["Email"].lower() == row.fields["email"]
    for row in by_lead:
        assert org.sf("Lead")[row.fields["salesforceleadid"]].fields["Email"].lower() == \
            row.fields["email"]


def test_given_opportunities_then_roles_and_activities_reference_existing_records(
        org: Org) -> None:
    contacts, opportunities = org.sf("Contact"), org.sf("Opportunity")
    users = org.sf("User")
    for opp in opportunities.values():
        assert opp.fields["AccountId"] in org.sf("Account")
        assert opp.fields["OwnerId"] in users
    for role in org.sf("OpportunityContactRole").values():
        opp = opportunities[role.fields["OpportunityId"]]
        contact = contacts[role.fields["ContactId"]]
        assert contact.fields["AccountId"] == opp.fields["AccountId"]
    leads = org.sf("Lead")
    for type_ in ("Task", "Event"):
        for row in org.sf(type_).values():
            # on a deal, or logged on the person alone (marketing's sends, the lead stories)
            assert row.fields["WhoId"] in contacts or row.fields["WhoId"] in leads
            assert row.fields.get("WhatId") in opportunities or "WhatId" not in row.fields
    for member in org.sf("CampaignMember").values():
        assert member.fields["CampaignId"] in org.sf("Campaign")
        assert (member.fields.get("LeadId") in leads) != (
            member.fields.get("ContactId") in contacts)


def test_given_an_opportunity_then_last_activity_date_matches_its_history(org: Org) -> None:
    for opp_id, opp in org.sf("Opportunity").items():
        tasks, events = activities_of(org, opp_id)
        done = [t.fields["ActivityDate"] for t in tasks if t.fields["IsClosed"]]
        done += [e.fields["ActivityDate"] for e in events
                 if salesforce_time(e.fields["StartDateTime"]) <= NOW]
        assert opp.fields.get("LastActivityDate") == max(done, default=None)


def test_given_an_opportunity_then_push_count_and_history_agree(org: Org) -> None:
    history = [r for r in org.sf("OpportunityHistory").values()]
    for opp_id, opp in org.sf("Opportunity").items():
        rows = sorted((r for r in history if r.fields["OpportunityId"] == opp_id),
                      key=lambda r: (r.created_at, r.id))
        pushes = [r for r in rows if r.fields.get("PrevCloseDate")]
        assert opp.fields["PushCount"] == len(pushes)
        assert all(r.fields["CloseDate"] > r.fields["PrevCloseDate"] for r in pushes)
        assert rows[-1].fields["StageName"] == opp.fields["StageName"]
        assert rows[-1].fields["CloseDate"] == opp.fields["CloseDate"]


def test_given_hubspot_associations_then_each_is_stored_in_both_directions(org: Org) -> None:
    inverse = {3: 4, 5: 6, 1: 2, 198: 197, 210: 209, 200: 199, 212: 211, 194: 193, 206: 205,
               204: 203, 216: 215}
    checked = 0
    for from_type in ("deals", "contacts", "emails", "meetings", "calls", "tasks"):
        for from_id in org.hs(from_type):
            for to_type in ("contacts", "companies", "deals"):
                for to_id, type_id, _, _ in org.store.associations(
                        "hubspot", from_type, from_id, to_type):
                    back = org.store.associations("hubspot", to_type, to_id, from_type)
                    expected = inverse.get(type_id) or {v: k for k, v in inverse.items()}.get(
                        type_id)
                    if expected is not None:
                        assert (from_id, expected) in [(b[0], b[1]) for b in back]
                        checked += 1
    assert checked > 1000


def test_given_hubspot_deals_then_activity_dates_follow_their_engagements(org: Org) -> None:
    for deal_id, deal in org.hs("deals").items():
        stamps: list[datetime] = []
        upcoming: list[datetime] = []
        for type_ in ("emails", "meetings", "calls", "tasks"):
            for engagement_id, _, _, _ in org.store.associations("hubspot", "deals", deal_id,
                                                                 type_):
                fields = org.hs(type_)[engagement_id].fields
                at = hubspot_time(fields["hs_timestamp"])
                if fields.get("hs_task_status") == "NOT_STARTED" and at <= NOW:
                    continue  # overdue, neither done nor upcoming
                (stamps if at <= NOW else upcoming).append(at)
        assert hubspot_time(deal.fields["notes_last_updated"]) == max(stamps)
        if upcoming:
            assert hubspot_time(deal.fields["notes_next_activity_date"]) == min(upcoming)
        else:
            assert "notes_next_activity_date" not in deal.fields


# -- emails -------------------------------------------------------------------------------------
def test_given_people_in_both_crms_then_emails_match_once_normalised(org: Org) -> None:
    salesforce = [r.fields["Email"] for t in ("Contact", "Lead") for r in org.sf(t).values()]
    hubspot = [r.fields["email"] for r in org.hs("contacts").values()]
    assert all(e == e.lower() for e in hubspot)  # HubSpot keeps emails lower-case
    assert len(set(hubspot)) == len(hubspot)
    recased = [e for e in salesforce if e != e.lower()]
    assert len(recased) >= 10
    unlinked_matches = {r.fields["email"] for r in org.hs("contacts").values()
                        if not r.fields.get("salesforcecontactid")
                        and not r.fields.get("salesforceleadid")} & {e.lower() for e in recased}
    assert unlinked_matches  # same person, other casing, never linked by the integration


def test_given_duplicate_leads_then_they_share_a_contacts_email_in_other_casing(
        org: Org) -> None:
    contacts = {r.fields["Email"].lower(): r.fields["Email"] for r in org.sf("Contact").values()}
    open_leads = [r for r in org.sf("Lead").values() if not r.fields["IsConverted"]]
    duplicates = [r for r in open_leads if r.fields["Email"].lower() in contacts]
    assert len(duplicates) >= org.summary.persons["duplicate_leads"] >= 1
    assert all(r.fields["Email"] != contacts[r.fields["Email"].lower()] for r in duplicates)


def test_given_a_seeded_org_then_titles_are_multilingual_and_messy(org: Org) -> None:
    titles = [r.fields.get("Title") for t in ("Contact", "Lead") for r in org.sf(t).values()]
    text = " | ".join(t for t in titles if t)
    assert 0.02 <= titles.count(None) / len(titles) <= 0.12
    markers = ("Geschäftsführ", "Direct", "m/w/d", "@ ", " at ", "CFO", "Einkäufer")
    assert sum(1 for m in markers if m in text) >= 3
    assert any(t and t.isupper() and len(t) > 4 for t in titles)
