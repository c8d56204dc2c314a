"""The Salesforce connector's pure parts: SOQL texts, row mapping, change-to-write mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from leadpact.changes import (
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpdateTask,
    UpsertTask,
)
from leadpact.connectors.salesforce import mapping, queries
from leadpact.connectors.salesforce.mapping import FieldWrite, UnsupportedChange
from leadpact.enrichment.labels import BuyingRole
from leadpact.model import ContactRole, Ref

T = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def sf(kind: str, record_id: str) -> Ref:
    return Ref("salesforce", kind, record_id)


# -- queries --------------------------------------------------------------------------------
def test_given_no_cursor_when_building_the_changes_query_then_everything_in_modstamp_order(
) -> None:
    text = queries.changes_query("OpportunityContactRole", None)
    assert text == ("SELECT Id, OpportunityId, ContactId, Role, IsPrimary, IsDeleted, "
                    "SystemModstamp FROM OpportunityContactRole ORDER BY SystemModstamp, Id")


def test_given_a_cursor_when_building_the_changes_query_then_a_closed_unquoted_bound() -> None:
    text = queries.changes_query("Lead", T.replace(microsecond=123456))
    assert text.endswith(" FROM Lead WHERE SystemModstamp >= 2026-11-01T10:00:00+00:00 "
                         "ORDER BY SystemModstamp, Id")
    assert text.startswith("SELECT Id, Name, Email, Title, OwnerId, IsDeleted, MasterRecordId, "
                           "SystemModstamp, IsConverted, ConvertedContactId, ConvertedAccountId, "
                           "Status, Leadpact_Seniority__c, ")


@pytest.mark.parametrize(("sobject", "must_have"), [
    ("Lead", {"ConvertedContactId", "Leadpact_Lead_Stage__c", "MasterRecordId"}),
    ("Contact", {"AccountId", "Leadpact_Role__c"}),
    ("Opportunity", {"IsWon", "LastActivityDate", "Leadpact_Committee_Missing__c"}),
])
def test_given_a_stream_when_listing_its_fields_then_what_mapping_reads(
        sobject: str, must_have: set[str]) -> None:
    assert must_have <= set(queries.FIELDS[sobject])
    assert "Leadpact_Stale__c" not in queries.FIELDS["Lead"]  # deal-only field


@pytest.mark.parametrize(("build", "expected"), [
    (lambda: queries.by_ids_query("Contact", ["003A", "003B"]),
     "WHERE Id IN ('003A','003B') ORDER BY Id"),
    (lambda: queries.contact_roles_query(["006A"]),
     "FROM OpportunityContactRole WHERE OpportunityId IN ('006A') ORDER BY OpportunityId, Id"),
    (lambda: queries.by_ids_query("Lead", ["it's", "b\\c"]),
     "WHERE Id IN ('it\\'s','b\\\\c') ORDER BY Id"),
])
def test_given_values_when_building_queries_then_quoted_by_format_soql(
        build: Any, expected: str) -> None:
    assert build().endswith(expected)


@pytest.mark.parametrize(("page_size", "batch"), [(1, 200), (200, 200), (500, 500),
                                                  (2000, 2000), (5000, 2000)])
def test_given_a_page_size_when_asking_for_query_options_then_clamped_batch(
        page_size: int, batch: int) -> None:
    assert queries.query_options(page_size) == {"Sforce-Query-Options": f"batchSize={batch}"}


@pytest.mark.parametrize(("items", "size", "expected"), [
    ([], 2, []), ([1, 2, 3], 2, [[1, 2], [3]]), ([1, 2], 2, [[1, 2]]),
])
def test_given_items_when_chunking_then_groups_of_at_most_size(
        items: list[int], size: int, expected: list[list[int]]) -> None:
    assert queries.chunks(items, size) == expected


# -- reading rows ---------------------------------------------------------------------------
def lead_row(**fields: Any) -> dict[str, Any]:
    row = {"attributes": {"type": "Lead"}, "Id": "00Q1", "Name": "Ada Ng", "Email": "a@x.io",
           "Title": "CFO", "OwnerId": "0051", "IsDeleted": False, "MasterRecordId": None,
           "SystemModstamp": "2026-11-01T10:00:00.000+0000", "IsConverted": False,
           "ConvertedContactId": None, "ConvertedAccountId": None}
    return {**row, **fields}


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-01T10:00:00.000+0000", T),
    ("2026-11-01T11:00:00.000+0100", T),
    ("2026-11-01T10:00:00Z", T),
    ("2026-11-01T10:00:00", T),
    (None, None),
])
def test_given_salesforce_datetimes_when_parsing_then_aware_utc(
        text: str | None, expected: datetime | None) -> None:
    assert mapping.parse_datetime(text) == expected


def test_given_a_lead_row_when_mapping_then_a_person() -> None:
    person = mapping.to_person(lead_row(Leadpact_Role_Confidence__c=0.85,
                                        Leadpact_Lead_Score__c=12.0, Leadpact_Role__c=""))
    assert person.ref == sf("lead", "00Q1")
    assert (person.name, person.email, person.title, person.owner_id) == (
        "Ada Ng", "a@x.io", "CFO", "0051")
    assert person.modified_at == T
    assert person.leadpact == {"role_confidence": "0.85", "lead_score": "12"}
    assert (person.converted_to, person.merged_into, person.deleted) == (None, None, False)


@pytest.mark.parametrize(("fields", "converted_to", "account"), [
    ({"IsConverted": True, "ConvertedContactId": "0031", "ConvertedAccountId": "0011"},
     sf("contact", "0031"), "0011"),
    ({"IsConverted": False, "ConvertedContactId": "0031"}, None, None),
])
def test_given_a_converted_lead_when_mapping_then_it_points_at_its_contact(
        fields: dict[str, Any], converted_to: Ref | None, account: str | None) -> None:
    person = mapping.to_person(lead_row(**fields))
    assert (person.converted_to, person.account_id) == (converted_to, account)


def test_given_a_merged_away_contact_when_mapping_then_deleted_and_pointing_at_survivor(
) -> None:
    row = lead_row(attributes={"type": "Contact"}, Id="0032", IsDeleted=True,
                   MasterRecordId="0031", AccountId="0019")
    person = mapping.to_person(row)
    assert (person.ref, person.deleted, person.merged_into, person.account_id) == (
        sf("contact", "0032"), True, sf("contact", "0031"), "0019")


def test_given_an_opportunity_row_when_mapping_then_a_deal_with_its_roles() -> None:
    row = {"Id": "0061", "Name": "Renewal", "StageName": "Qualification", "IsClosed": False,
           "IsWon": False, "Amount": 1200, "CloseDate": "2026-12-31", "OwnerId": "0051",
           "AccountId": "0011", "CreatedDate": "2026-10-01T08:30:00.000+0000",
           "LastActivityDate": "2026-10-20", "IsDeleted": False,
           "SystemModstamp": "2026-11-01T10:00:00.000+0000", "Leadpact_Stale__c": "yes"}
    role = mapping.to_contact_role({"Id": "00K1", "OpportunityId": "0061", "ContactId": "0031",
                                    "Role": "Decision Maker", "IsPrimary": True})
    deal = mapping.to_deal(row, [role])
    assert deal.ref == sf("deal", "0061")
    assert (deal.stage, deal.amount, deal.close_date, deal.owner_id, deal.account_id) == (
        "Qualification", 1200.0, date(2026, 12, 31), "0051", "0011")
    assert deal.created_at == datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    assert deal.last_activity_at == datetime(2026, 10, 20, tzinfo=UTC)
    assert deal.contacts == (ContactRole(sf("contact", "0031"), "Decision Maker", "00K1", True),)
    assert deal.leadpact == {"stale": "yes"}


def test_given_an_opportunity_without_dates_when_mapping_then_none() -> None:
    deal = mapping.to_deal({"Id": "0061", "SystemModstamp": "2026-11-01T10:00:00.000+0000",
                            "Amount": None, "CloseDate": None, "LastActivityDate": None})
    assert (deal.amount, deal.close_date, deal.last_activity_at, deal.contacts) == (
        None, None, None, ())


# -- writes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "expected"), [
    (SetField(sf("lead", "00Q1"), "seniority", "vp"),
     FieldWrite("Lead", "00Q1", "Leadpact_Seniority__c", "vp")),
    (SetField(sf("contact", "0031"), "role_confidence", "0.85"),
     FieldWrite("Contact", "0031", "Leadpact_Role_Confidence__c", 0.85)),
    (SetField(sf("contact", "0031"), "lead_score", None),
     FieldWrite("Contact", "0031", "Leadpact_Lead_Score__c", None)),
    (SetField(sf("deal", "0061"), "committee_missing", "economic_buyer"),
     FieldWrite("Opportunity", "0061", "Leadpact_Committee_Missing__c", "economic_buyer")),
    (SetLeadStatus(sf("lead", "00Q1"), "salesforce_lead_status", "Working - Contacted"),
     FieldWrite("Lead", "00Q1", "Status", "Working - Contacted")),
    (RestoreLedgerValue(sf("lead", "00Q1"), "Status", "Open"),
     FieldWrite("Lead", "00Q1", "Status", "Open")),
    (CloseTask(sf("task", "00T1"), "k"), FieldWrite("Task", "00T1", "Status", "Completed")),
    (SetDealContactRole(sf("deal", "0061"), sf("contact", "0031"), BuyingRole.ECONOMIC_BUYER,
                        "00K1"),
     FieldWrite("OpportunityContactRole", "00K1", "Role", "Economic Buyer")),
    # champion and influencer are both Influencer in the default picklist
    (SetDealContactRole(sf("deal", "0061"), sf("contact", "0031"), BuyingRole.CHAMPION, "00K1"),
     FieldWrite("OpportunityContactRole", "00K1", "Role", "Influencer")),
    (SetDealContactRole(sf("deal", "0061"), sf("contact", "0031"), None, "00K1"),
     FieldWrite("OpportunityContactRole", "00K1", "Role", None)),
    (RestoreLedgerValue(sf("deal", "0061"), "contact_role:00K1", "Technical Buyer"),
     FieldWrite("OpportunityContactRole", "00K1", "Role", "Technical Buyer")),
])
def test_given_a_change_when_mapping_then_one_field_write(change: Any,
                                                          expected: FieldWrite) -> None:
    assert mapping.field_write(change) == expected


@pytest.mark.parametrize(("change", "reason"), [
    (SetField(Ref("hubspot", "contact", "1"), "seniority", "vp"), "not a Salesforce record"),
    (SetField(sf("deal", "0061"), "seniority", "vp"), "not a leadpact field of a deal"),
    (SetField(sf("lead", "00Q1"), "stale", "yes"), "not a leadpact field of a lead"),
    (SetField(sf("lead", "00Q1"), "nonsense", "x"), "not a leadpact field"),
    (SetField(sf("account", "0011"), "seniority", "vp"), "not a leadpact field of a account"),
    (SetField(sf("task", "00T1"), "seniority", "vp"), "cannot write to a Salesforce task"),
    (CloseTask(sf("deal", "0061"), "k"), "cannot write to a Salesforce deal"),
    (SetDealContactRole(sf("deal", "0061"), sf("contact", "0031"), BuyingRole.USER),
     "no OpportunityContactRole"),
    (SetDealContactRole(sf("deal", "0061"), sf("contact", "0031"), BuyingRole.BLOCKER, "00K1"),
     "Salesforce has no field for SetDealContactRole"),  # no gatekeeper in the picklist
    (SetBuyingRole(sf("contact", "0031"), BuyingRole.CHAMPION),
     "Salesforce has no field for SetBuyingRole"),
    (RestoreLedgerValue(sf("contact", "0031"), "Title", "CFO"),
     "Salesforce has no field for RestoreLedgerValue"),
])
def test_given_a_change_salesforce_cannot_take_when_mapping_then_unsupported(
        change: Any, reason: str) -> None:
    with pytest.raises(UnsupportedChange, match=reason):
        mapping.field_write(change)


def test_given_writes_to_one_record_when_merging_then_one_record_later_value_wins() -> None:
    writes = [(0, FieldWrite("Lead", "00Q1", "A", 1)), (1, FieldWrite("Contact", "0031", "A", 2)),
              (2, FieldWrite("Lead", "00Q1", "B", 3)), (3, FieldWrite("Lead", "00Q1", "A", 4))]
    merged = mapping.merge_writes(writes)
    assert [(m.record_id, m.values, m.change_indexes) for m in merged] == [
        ("00Q1", {"A": 4, "B": 3}, [0, 2, 3]), ("0031", {"A": 2}, [1])]
    assert merged[0].collection_record() == {"attributes": {"type": "Lead"}, "Id": "00Q1",
                                             "A": 4, "B": 3}


def task(about: Ref, contact: Ref | None = None, owner: str | None = "0051") -> UpsertTask:
    return UpsertTask(about, "key-1", "S" * 300, "body", owner, date(2026, 11, 9), contact)


@pytest.mark.parametrize(("change", "links"), [
    (task(sf("deal", "0061"), sf("contact", "0031")), {"WhatId": "0061", "WhoId": "0031"}),
    (task(sf("deal", "0061"), sf("lead", "00Q1")), {"WhatId": "0061"}),  # no lead next to a deal
    (task(sf("deal", "0061")), {"WhatId": "0061"}),
    (task(sf("contact", "0031")), {"WhoId": "0031"}),
    (task(sf("lead", "00Q1")), {"WhoId": "00Q1"}),
])
def test_given_a_task_when_mapping_then_linked_to_its_deal_and_person(
        change: UpsertTask, links: dict[str, str]) -> None:
    record = mapping.task_record(change)
    assert {k: v for k, v in record.items() if k in ("WhatId", "WhoId")} == links
    assert record["attributes"] == {"type": "Task"}
    assert (record["Status"], record["Priority"], record["ActivityDate"],
            record["Leadpact_Task_Key__c"], record["OwnerId"]) == (
        "Not Started", "Normal", "2026-11-09", "key-1", "0051")
    assert len(record["Subject"]) == 255


def test_given_a_task_body_longer_than_the_description_then_cut_to_fit() -> None:
    body = "Consider engaging: " + "x" * 40_000  # people with hostile titles named in it
    created = mapping.task_record(UpsertTask(sf("deal", "0061"), "key-1", "S", body, None,
                                             date(2026, 11, 9)))
    assert created["Description"] == body[:mapping.DESCRIPTION_MAX]
    [updated] = mapping.field_writes(UpdateTask(sf("task", "00T1"), "key-1", body))
    _, closed = mapping.field_writes(CloseTask(sf("task", "00T1"), "key-1", body))
    assert len(str(updated.value)) == len(str(closed.value)) == 32_000


def test_given_a_task_without_owner_when_mapping_then_no_owner_field() -> None:
    assert "OwnerId" not in mapping.task_record(task(sf("lead", "00Q1"), owner=None))


@pytest.mark.parametrize(("result", "error"), [
    ({"id": "00Q1", "success": True, "errors": []}, None),
    ({"success": False, "errors": [{"statusCode": "ENTITY_IS_DELETED",
                                    "message": "entity is deleted", "fields": []}]},
     "ENTITY_IS_DELETED: entity is deleted"),
    ({"success": False, "errors": []}, "Salesforce did not save the record (no reason given)"),
])
def test_given_a_save_result_when_reading_its_error_then_one_line(
        result: dict[str, Any], error: str | None) -> None:
    assert mapping.save_error(result) == error


def test_given_full_id_lists_then_every_query_url_stays_under_16_kb() -> None:
    import requests  # what simple-salesforce sends the query with (GET, q=...)

    ids = [f"003{n:015d}" for n in range(queries.IN_LIST_LIMIT)]  # 18-character ids
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    texts = [queries.person_tasks_query(ids, now.date()),
             queries.person_events_query(ids, now, now),
             queries.open_tasks_query(ids, now.date()), queries.upcoming_events_query(ids, now),
             queries.contact_roles_query(ids), queries.opportunity_history_query(ids),
             *(queries.by_ids_query(sobject, ids) for sobject in queries.RECORD_SOBJECTS)]
    base = ("https://a-rather-long-company-name-for-my-domain.my.salesforce.com"
            "/services/data/v59.0/queryAll/")
    longest = max(len(requests.Request("GET", base, params={"q": q}).prepare().url or "")
                  for q in texts)
    assert 10_000 < longest < 16_384  # near the limit, not past it
