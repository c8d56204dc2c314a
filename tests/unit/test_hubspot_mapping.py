"""HubSpot properties <-> model, and plans -> batch requests. Pure table tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from leadpact.changes import (
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpsertTask,
)
from leadpact.connectors.hubspot import batching, mapping
from leadpact.connectors.hubspot.mapping import AssociationType, NotWritable, parse_time
from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.model import ContactRole, Ref

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONTACT = Ref("hubspot", "contact", "101")
DEAL = Ref("hubspot", "deal", "9001")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-02T09:00:00.000Z", NOW),
        ("2026-03-02T10:00:00+01:00", NOW),
        ("1772442000000", NOW),
        ("2026-03-02", datetime(2026, 3, 2, tzinfo=UTC)),
        ("", None), (None, None), ("not a date", None),
    ],
)
def test_given_hubspot_time_formats_when_parsing_then_aware_utc(raw: str | None,
                                                                 expected: datetime | None) -> None:
    assert parse_time(raw) == expected


def test_given_contact_properties_when_mapping_then_person_with_links_and_leadpact_fields() -> None:
    person = mapping.to_person("101", {
        "email": "ada@example.com", "firstname": "Ada", "lastname": None, "jobtitle": "CFO",
        "hubspot_owner_id": "77", "hs_buying_role": "DECISION_MAKER;BUDGET_HOLDER",
        "salesforcecontactid": "003000000000042AAA", "salesforceleadid": "",
        "leadpact_role_confidence": "0.850", "leadpact_role": "economic_buyer",
        "leadpact_stale": "yes",  # a deal field: not read on a person
    }, modified_at=NOW, account_id="500")
    assert person.ref == CONTACT
    assert (person.email, person.name, person.title, person.owner_id) == \
        ("ada@example.com", "Ada", "CFO", "77")
    assert person.buying_role == "DECISION_MAKER;BUDGET_HOLDER"
    assert person.linked == (Ref("salesforce", "contact", "003000000000042AAA"),)
    assert person.leadpact == {"role_confidence": "0.85", "role": "economic_buyer"}
    assert person.account_id == "500" and not person.deleted


def test_given_a_merged_away_contact_when_mapping_then_it_points_at_the_survivor() -> None:
    person = mapping.to_person("102", {}, modified_at=NOW, deleted=True, merged_into="101")
    assert person.deleted and person.merged_into == CONTACT


@pytest.mark.parametrize(
    ("props", "closed", "won"),
    [
        ({"dealstage": "closedwon", "hs_is_closed": "true", "hs_is_closed_won": "true"},
         True, True),
        ({"dealstage": "closedlost"}, True, False),  # flags absent: derived from the stage
        ({"dealstage": "qualifiedtobuy", "hs_is_closed": "false"}, False, False),
        ({"dealstage": "custom_done", "hs_is_closed": "TRUE", "hs_is_closed_won": "false"},
         True, False),
    ],
)
def test_given_deal_stages_when_mapping_then_closed_and_won(props: dict, closed: bool,
                                                             won: bool) -> None:
    deal = mapping.to_deal("9001", props, modified_at=NOW)
    assert (deal.is_closed, deal.is_won) == (closed, won)


def test_given_deal_properties_when_mapping_then_deal_values() -> None:
    deal = mapping.to_deal("9001", {
        "dealname": "Acme", "dealstage": "contractsent", "amount": "12000.50",
        "closedate": "2026-04-30T00:00:00.000Z", "createdate": "2026-01-05T08:00:00Z",
        "hubspot_owner_id": "77", "notes_last_updated": "1772442000000",
        "notes_next_activity_date": "", "leadpact_stale": "yes", "leadpact_role": "x",
    }, modified_at=NOW, contacts=(ContactRole(CONTACT, "Champion"),), account_id="500")
    assert deal.ref == DEAL and deal.stage == "contractsent" and deal.amount == 12000.5
    assert deal.close_date == date(2026, 4, 30)
    assert deal.created_at == datetime(2026, 1, 5, 8, tzinfo=UTC)
    # nothing scheduled on an open deal: its last activity, a time in the past
    assert deal.last_activity_at == NOW and deal.next_activity_at == NOW
    assert deal.leadpact == {"stale": "yes"}
    assert deal.contacts == (ContactRole(CONTACT, "Champion"),) and deal.account_id == "500"


@pytest.mark.parametrize(("props", "expected"), [
    ({"notes_next_activity_date": "2026-03-09T10:00:00Z", "notes_last_updated": "2026-03-01"},
     datetime(2026, 3, 9, 10, tzinfo=UTC)),  # HubSpot's own next activity
    ({"notes_next_activity_date": "2026-02-20T10:00:00Z"},
     datetime(2026, 2, 20, 10, tzinfo=UTC)),  # a past one stays: nothing scheduled since
    ({"notes_last_updated": "2026-03-01T00:00:00Z", "createdate": "2026-01-05T08:00:00Z"},
     datetime(2026, 3, 1, tzinfo=UTC)),  # none: nothing scheduled, at the last activity
    ({"createdate": "2026-01-05T08:00:00Z"}, datetime(2026, 1, 5, 8, tzinfo=UTC)),
    ({}, None),  # nothing known
    ({"dealstage": "closedwon", "createdate": "2026-01-05T08:00:00Z"}, None),  # closed
])
def test_given_a_deal_when_mapping_its_next_activity_then_scheduled_or_a_past_nothing_time(
        props: dict[str, str], expected: datetime | None) -> None:
    deal = mapping.to_deal("9001", {"dealstage": "contractsent", **props}, modified_at=NOW)
    assert deal.next_activity_at == expected


def test_given_a_bad_amount_when_mapping_then_none() -> None:
    assert mapping.to_deal("1", {"amount": "n/a"}, modified_at=NOW).amount is None


def test_given_association_types_when_reading_roles_then_user_defined_label_wins() -> None:
    roles = mapping.contact_roles([
        ("101", [AssociationType("HUBSPOT_DEFINED", 3), AssociationType("USER_DEFINED", 1001,
                                                                         "Decision Maker")]),
        ("102", [AssociationType("HUBSPOT_DEFINED", 3)]),
    ])
    assert roles == (ContactRole(CONTACT, "Decision Maker"),
                     ContactRole(Ref("hubspot", "contact", "102"), None))


@pytest.mark.parametrize(
    ("associated", "expected"),
    [
        ([], None),
        ([("1", [AssociationType("HUBSPOT_DEFINED", 341)])], "1"),
        ([("1", [AssociationType("HUBSPOT_DEFINED", 341)]),
          ("2", [AssociationType("HUBSPOT_DEFINED", 5)])], "2"),
    ],
)
def test_given_companies_when_choosing_the_account_then_primary_first(associated: list,
                                                                      expected: str | None) -> None:
    assert mapping.primary_company(associated, mapping.DEAL_TO_PRIMARY_COMPANY) == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (SetField(CONTACT, "role_confidence", "0.85"), ("leadpact_role_confidence", "0.85")),
        (SetField(CONTACT, "role", None), ("leadpact_role", "")),  # "" clears in HubSpot
        (SetField(DEAL, "stale_reasons", "silent 30 days"), ("leadpact_stale_reasons",
                                                             "silent 30 days")),
        (SetBuyingRole(CONTACT, BuyingRole.CHAMPION), ("hs_buying_role", "CHAMPION")),
        (SetBuyingRole(CONTACT, BuyingRole.TECHNICAL_EVALUATOR), ("hs_buying_role",
                                                                  "INFLUENCER")),
        (SetBuyingRole(CONTACT, BuyingRole.BLOCKER, Function.LEGAL),
         ("hs_buying_role", "LEGAL_AND_COMPLIANCE")),
        (SetBuyingRole(CONTACT, BuyingRole.BLOCKER, Function.FINANCE),
         ("hs_buying_role", "BLOCKER")),
        (SetBuyingRole(CONTACT, None), ("hs_buying_role", "")),
        (RestoreLedgerValue(CONTACT, "hs_buying_role", "LEGAL_AND_COMPLIANCE"),
         ("hs_buying_role", "LEGAL_AND_COMPLIANCE")),  # exactly what the ledger holds
        (SetLeadStatus(CONTACT, "hubspot_lifecyclestage", "salesqualifiedlead"),
         ("lifecyclestage", "salesqualifiedlead")),
        (SetLeadStatus(CONTACT, "hubspot_lead_status", "OPEN"), ("hs_lead_status", "OPEN")),
    ],
)
def test_given_a_field_change_when_mapping_then_property_and_string_value(change, expected) -> None:
    assert mapping.property_value(change) == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (SetField(CONTACT, "no_such_field", "x"), "unknown leadpact field"),
        (SetField(CONTACT, "stale", "yes"), "does not apply to a contact"),
        (SetBuyingRole(CONTACT, BuyingRole.UNKNOWN), "HubSpot has no field for SetBuyingRole"),
        (RestoreLedgerValue(CONTACT, "jobtitle", "CFO"), "HubSpot has no field for"),
        (SetLeadStatus(CONTACT, "salesforce_lead_status", "Open"), "HubSpot has no field for"),
    ],
)
def test_given_an_impossible_field_change_when_mapping_then_refused(change, message: str) -> None:
    with pytest.raises(NotWritable, match=message):
        mapping.property_value(change)


def test_given_a_task_when_mapping_then_due_midnight_utc_and_both_associations() -> None:
    task = UpsertTask(DEAL, "deal:9001:stale:2026-W10", "Re-engage", "Buyer silent", "77",
                      date(2026, 3, 5), contact=CONTACT)
    assert mapping.task_properties(task) == {
        "hs_timestamp": "2026-03-05T00:00:00.000Z", "hs_task_subject": "Re-engage",
        "hs_task_body": "Buyer silent", "hs_task_status": "NOT_STARTED",
        "hs_task_priority": "MEDIUM", "hs_task_type": "TODO", "hubspot_owner_id": "77",
        "leadpact_task_key": "deal:9001:stale:2026-W10"}
    assert mapping.task_associations(task) == [
        {"to": {"id": "9001"}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                          "associationTypeId": 216}]},
        {"to": {"id": "101"}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                         "associationTypeId": 204}]}]


def test_given_a_task_about_a_salesforce_record_when_mapping_then_refused() -> None:
    task = UpsertTask(Ref("salesforce", "lead", "00Q"), "k", "s", "b", None, date(2026, 3, 5))
    with pytest.raises(NotWritable, match="not a HubSpot record"):
        mapping.task_associations(task)


def test_given_leadpact_fields_when_listing_properties_then_one_each_in_group_leadpact() -> None:
    props = mapping.leadpact_properties()
    assert set(props) == {"contacts", "deals", "tasks", "companies"}
    assert {p["name"] for p in props["companies"]} == {
        "leadpact_group_stage", "leadpact_engaged_roles", "leadpact_group_reasons",
        "leadpact_rules_version"}
    confidence = next(p for p in props["contacts"] if p["name"] == "leadpact_role_confidence")
    assert (confidence["type"], confidence["fieldType"], confidence["groupName"]) == \
        ("number", "number", "leadpact")
    assert [p["name"] for p in props["tasks"]] == ["leadpact_task_key"]
    assert "leadpact_rules_version" in {p["name"] for p in props["deals"]}


# -- batching ----------------------------------------------------------------------------------
def test_given_changes_when_planning_then_one_input_per_record_and_refusals_kept() -> None:
    task_ref = Ref("hubspot", "task", "400001")
    changes = [
        SetField(CONTACT, "role", "user"),
        SetField(DEAL, "stale", "yes"),
        SetField(CONTACT, "role_confidence", "0.6"),
        CloseTask(task_ref, "k0"),
        SetDealContactRole(DEAL, CONTACT, BuyingRole.DECISION_MAKER),
        SetField(Ref("salesforce", "contact", "003"), "role", "user"),
        SetField(Ref("hubspot", "lead", "1"), "role", "user"),
    ]
    plan = batching.plan_writes(changes)
    assert plan.updates == (
        batching.RecordUpdate("contacts", "101", {"leadpact_role": "user",
                                                  "leadpact_role_confidence": "0.6"}, (0, 2)),
        batching.RecordUpdate("deals", "9001", {"leadpact_stale": "yes"}, (1,)),
        batching.RecordUpdate("tasks", "400001", {"hs_task_status": "COMPLETED"}, (3,)),
    )
    assert plan.refused[4] == batching.CONTACT_ROLE_REFUSAL
    assert "not a HubSpot record" in plan.refused[5]
    assert "no 'lead' records" in plan.refused[6]


def test_given_two_upserts_with_one_key_when_planning_then_one_task() -> None:
    first = UpsertTask(DEAL, "K1", "a", "b", None, date(2026, 3, 5))
    again = UpsertTask(DEAL, "k1", "a", "b", None, date(2026, 3, 5))
    plan = batching.plan_writes([first, again])
    assert len(plan.tasks) == 1 and plan.tasks[0].changes == (0, 1)


def test_given_updates_when_building_bodies_then_hubspot_batch_inputs() -> None:
    plan = batching.plan_writes([SetField(CONTACT, "role", "user")])
    assert batching.update_body(plan.updates) == {
        "inputs": [{"id": "101", "properties": {"leadpact_role": "user"}}]}
    assert [len(c) for c in batching.chunked(list(range(250)))] == [100, 100, 50]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('HubSpot refused x (400): Property values were not valid: [{"isValid":false,'
         '"message":"Property \\"leadpact_role\\" does not exist","error":"PROPERTY_DOESNT_EXIST",'
         '"name":"leadpact_role"}]', {"leadpact_role": "PROPERTY_DOESNT_EXIST"}),
        ('Property values were not valid: [{"name":"hs_buying_role","error":"INVALID_OPTION"}]',
         {"hs_buying_role": "INVALID_OPTION"}),
        ("something else entirely", {}),
    ],
)
def test_given_a_validation_message_when_parsing_then_the_named_properties(message: str,
                                                                           expected: dict) -> None:
    assert batching.invalid_properties(message) == expected


def test_given_a_leadpact_field_on_a_task_when_mapping_then_refused() -> None:
    with pytest.raises(NotWritable, match="does not apply to a task"):
        mapping.property_value(SetField(Ref("hubspot", "task", "1"), "rules_version", "v1"))
