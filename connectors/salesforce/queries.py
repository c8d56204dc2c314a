"""Every SOQL text and batch size the Salesforce connector uses. Pure: values in, strings out.

Every value goes through simple_salesforce.format_soql (quoting, escaping, datetime literals);
only field and sObject names, which are ours, are inserted as literals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar

from simple_salesforce import format_soql

from leadpact import fields as leadpact_fields
from leadpact.model import ACCOUNT, CONTACT, DEAL, LEAD, TASK

T = TypeVar("T")

TASK_KEY_FIELD = "Leadpact_Task_Key__c"
COLLECTION_LIMIT = 200  # records per sObject Collections call (composite/sobjects)
# Ids per `IN (...)`: as many as keep the longest such GET URL under Salesforce's 16 KB
# (12.7 KB with a long My Domain; tests/unit/test_salesforce_mapping.py checks), so a page
# of 2,000 people costs 5 activity queries of ~1,600 rows each, not 10 of ~700.
IN_LIST_LIMIT = 450
MIN_BATCH, MAX_BATCH = 200, 2000  # what Sforce-Query-Options batchSize accepts

SOBJECT_BY_KIND = {LEAD: "Lead", CONTACT: "Contact", DEAL: "Opportunity", TASK: "Task",
                   ACCOUNT: "Account"}
SOBJECT_PREFIXES = {"Lead": "00Q", "Contact": "003", "Opportunity": "006"}  # id key prefixes
KIND_BY_SOBJECT = {sobject: kind for kind, sobject in SOBJECT_BY_KIND.items()}

PERSON_NATIVE = tuple(f.salesforce for f in leadpact_fields.fields_for(leadpact_fields.PERSON))
DEAL_NATIVE = tuple(f.salesforce for f in leadpact_fields.fields_for(leadpact_fields.DEAL))
ACCOUNT_NATIVE = tuple(f.salesforce
                       for f in leadpact_fields.fields_for(leadpact_fields.ACCOUNT))
FEEDBACK_FIELD = leadpact_fields.SALES_FEEDBACK.salesforce  # a rep's verdict, read only
CONTACT_ACCOUNT = "Account"  # Contact's parent relationship to its Account
LEAD_STATUS = "Status"  # the Lead's own status, which [native] may map stages onto
_PERSON_BASE = ("Id", "Name", "Email", "Title", "OwnerId", "IsDeleted", "MasterRecordId",
                "SystemModstamp")

FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": (*_PERSON_BASE, "IsConverted", "ConvertedContactId", "ConvertedAccountId",
             LEAD_STATUS, *PERSON_NATIVE, FEEDBACK_FIELD),
    "Contact": (*_PERSON_BASE, "AccountId", *PERSON_NATIVE, FEEDBACK_FIELD),
    "Opportunity": ("Id", "Name", "StageName", "IsClosed", "IsWon", "Amount", "CloseDate",
                    "OwnerId", "AccountId", "CreatedDate", "LastActivityDate", "IsDeleted",
                    "PushCount", "LastStageChangeDate",
                    "SystemModstamp", *DEAL_NATIVE),
    "OpportunityContactRole": ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary",
                               "IsDeleted", "SystemModstamp"),
}
# The sObjects read_records turns into Persons and Deals.
RECORD_SOBJECTS = ("Lead", "Contact", "Opportunity")
# Activity streams: a new or changed Task/Event re-reads its person (WhoId) and, for an
# opportunity (WhatId), its deal. Our own tasks (with a task key) are neither touches nor
# scheduled steps, so they are read to be skipped.
ACTIVITY_STREAMS = ("Task", "Event")
STREAM_FIELDS: dict[str, tuple[str, ...]] = {
    **FIELDS,
    "Task": ("Id", "WhoId", "WhatId", "IsDeleted", "SystemModstamp", TASK_KEY_FIELD),
    "Event": ("Id", "WhoId", "WhatId", "IsDeleted", "SystemModstamp"),
}
# The streams read_changes walks, in order; a changed contact role re-reads its opportunity.
STREAMS = ("Lead", "Contact", "Opportunity", "OpportunityContactRole", *ACTIVITY_STREAMS)

# What a person's activities are read with (activities.py maps them). Description carries a
# logged email's From:/To: lines, the best direction signal there is.
TASK_ACTIVITY_FIELDS = ("Id", "WhoId", "WhatId", "Subject", "TaskSubtype", "Type", "CallType",
                        "Status", "ActivityDate", "CreatedDate", "Description",
                        "CallDisposition")
EVENT_ACTIVITY_FIELDS = ("Id", "WhoId", "WhatId", "Subject", "Type", "StartDateTime",
                         "CreatedDate", "IsDeleted")

# Fields leadpact writes, per sObject: `leadpact check` makes sure they exist and are editable.
WRITTEN_FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": PERSON_NATIVE, "Contact": PERSON_NATIVE, "Opportunity": DEAL_NATIVE,
    "Account": ACCOUNT_NATIVE,
    "Task": (TASK_KEY_FIELD, "Subject", "Description", "ActivityDate", "Status", "Priority",
             "OwnerId", "WhoId", "WhatId"),
}

# Fields leadpact only reads, per sObject: `leadpact check` makes sure they exist (the
# change queries select them).
READ_FIELDS: dict[str, tuple[str, ...]] = {"Lead": (FEEDBACK_FIELD,),
                                           "Contact": (FEEDBACK_FIELD,)}

ACCOUNT_FIELDS = ("Id", "Name", "OwnerId", "IsDeleted", "SystemModstamp", *ACCOUNT_NATIVE)


def _select(sobject: str, extra: Sequence[str] = ()) -> str:
    """The stream's columns, then `extra` ones (an org's mapped fields) not among them."""
    base = STREAM_FIELDS[sobject]
    return ", ".join(dict.fromkeys((*base, *extra)))


def changes_query(sobject: str, since: datetime | None, extra: Sequence[str] = ()) -> str:
    """Rows of one stream modified at or after `since` (closed bound), oldest first; the Id
    tie-break keeps the order stable when many rows share a stamp."""
    if since is None:
        return format_soql("SELECT {:literal} FROM {:literal} ORDER BY SystemModstamp, Id",
                           _select(sobject, extra), sobject)
    return format_soql("SELECT {:literal} FROM {:literal} WHERE SystemModstamp >= {} "
                       "ORDER BY SystemModstamp, Id", _select(sobject, extra), sobject, since)


def by_ids_query(sobject: str, ids: Sequence[str], extra: Sequence[str] = ()) -> str:
    return format_soql("SELECT {:literal} FROM {:literal} WHERE Id IN {} ORDER BY Id",
                       _select(sobject, extra), sobject, list(ids))


def accounts_query(ids: Sequence[str], mapped: Sequence[str]) -> str:
    """Accounts by id with the org's mapped firmographic fields."""
    return format_soql("SELECT {:literal} FROM Account WHERE Id IN {} ORDER BY Id",
                       ", ".join(dict.fromkeys((*ACCOUNT_FIELDS, *mapped))), list(ids))


def changed_accounts_query(since: datetime, mapped: Sequence[str]) -> str:
    """Accounts modified at or after `since`, with the org's mapped firmographic fields."""
    return format_soql("SELECT {:literal} FROM Account WHERE SystemModstamp >= {} "
                       "ORDER BY SystemModstamp, Id",
                       ", ".join(dict.fromkeys((*ACCOUNT_FIELDS, *mapped))), since)


def current_values_query(sobject: str, columns: Sequence[str], ids: Sequence[str]) -> str:
    """Only the given columns of these records: what a write is about to replace."""
    return format_soql("SELECT {:literal} FROM {:literal} WHERE Id IN {} ORDER BY Id",
                       ", ".join(["Id", *columns]), sobject, list(ids))


def contact_roles_query(opportunity_ids: Sequence[str]) -> str:
    return format_soql("SELECT {:literal} FROM OpportunityContactRole WHERE OpportunityId IN {} "
                       "ORDER BY OpportunityId, Id", _select("OpportunityContactRole"),
                       list(opportunity_ids))


def all_contact_roles_query() -> str:
    """Every contact role: a whole read's deals take theirs from it (deal_children.py)."""
    return format_soql("SELECT {:literal} FROM OpportunityContactRole "
                       "ORDER BY OpportunityId, Id", _select("OpportunityContactRole"))


def contact_roles_by_id_query(ids: Sequence[str]) -> str:
    return format_soql("SELECT Id, Role FROM OpportunityContactRole WHERE Id IN {} ORDER BY Id",
                       list(ids))


def opportunity_history_query(opportunity_ids: Sequence[str]) -> str:
    """Stage and close-date snapshots of these opportunities, oldest first."""
    return format_soql("SELECT Id, OpportunityId, StageName, CloseDate, CreatedDate "
                       "FROM OpportunityHistory WHERE OpportunityId IN {} "
                       "ORDER BY OpportunityId, CreatedDate", list(opportunity_ids))


def all_opportunity_history_query() -> str:
    """Every opportunity's stage and close-date snapshots (deal_children.py)."""
    return format_soql("SELECT Id, OpportunityId, StageName, CloseDate, CreatedDate "
                       "FROM OpportunityHistory ORDER BY OpportunityId, CreatedDate")


def person_tasks_query(who_ids: Sequence[str], since: date) -> str:
    """Closed Tasks of these leads/contacts due on or after `since` (the activity window)."""
    return format_soql("SELECT {:literal} FROM Task WHERE WhoId IN {} AND IsClosed = TRUE "
                       "AND ActivityDate >= {} ORDER BY ActivityDate, Id",
                       ", ".join(TASK_ACTIVITY_FIELDS), list(who_ids), since)


def person_events_query(who_ids: Sequence[str], since: datetime, until: datetime) -> str:
    """Events of these leads/contacts that start inside the window: past ones, and those
    booked ahead (read with queryAll, a deleted one is a cancelled meeting)."""
    return format_soql("SELECT {:literal} FROM Event WHERE WhoId IN {} AND StartDateTime >= {} "
                       "AND StartDateTime <= {} ORDER BY StartDateTime, Id",
                       ", ".join(EVENT_ACTIVITY_FIELDS), list(who_ids), since, until)


# A campaign response: the member row and its campaign's name and type (relationship fields).
CAMPAIGN_MEMBER_FIELDS = ("Id", "LeadId", "ContactId", "Status", "HasResponded",
                          "FirstRespondedDate", "Campaign.Name", "Campaign.Type")


def campaign_responses_query(id_field: str, ids: Sequence[str], since: date) -> str:
    """Campaign memberships of these leads (`LeadId`) or contacts (`ContactId`) that
    responded on or after `since` (the activity window)."""
    return format_soql("SELECT {:literal} FROM CampaignMember WHERE {:literal} IN {} "
                       "AND HasResponded = TRUE AND FirstRespondedDate >= {} "
                       "ORDER BY FirstRespondedDate, Id", ", ".join(CAMPAIGN_MEMBER_FIELDS),
                       id_field, list(ids), since)


def window_tasks_query(since: date) -> str:
    """Every person's closed Tasks due on or after `since`: a first read's activities,
    read once (child_rows.py) instead of per page of people."""
    return format_soql("SELECT {:literal} FROM Task WHERE WhoId != null AND IsClosed = TRUE "
                       "AND ActivityDate >= {} ORDER BY ActivityDate, Id",
                       ", ".join(TASK_ACTIVITY_FIELDS), since)


def window_events_query(since: datetime, until: datetime) -> str:
    """Every person's Events starting inside the window (read with queryAll)."""
    return format_soql("SELECT {:literal} FROM Event WHERE WhoId != null "
                       "AND StartDateTime >= {} AND StartDateTime <= {} "
                       "ORDER BY StartDateTime, Id",
                       ", ".join(EVENT_ACTIVITY_FIELDS), since, until)


def window_responses_query(since: date) -> str:
    """Every campaign membership that responded on or after `since`."""
    return format_soql("SELECT {:literal} FROM CampaignMember WHERE HasResponded = TRUE "
                       "AND FirstRespondedDate >= {} ORDER BY FirstRespondedDate, Id",
                       ", ".join(CAMPAIGN_MEMBER_FIELDS), since)


def open_tasks_query(what_ids: Sequence[str], today: date) -> str:
    """Open Tasks on these opportunities due today or later, leadpact's own left out."""
    return format_soql("SELECT WhatId, ActivityDate FROM Task WHERE WhatId IN {} "
                       "AND IsClosed = FALSE AND ActivityDate >= {} AND {:literal} = null "
                       "ORDER BY WhatId, ActivityDate", list(what_ids), today, TASK_KEY_FIELD)


def window_open_tasks_query(today: date) -> str:
    """Every open Task on a record (WhatId) due today or later, leadpact's own left out: a
    whole read's deals take their next steps from these, read once (child_rows.py)."""
    return format_soql("SELECT WhatId, ActivityDate FROM Task WHERE WhatId != null "
                       "AND IsClosed = FALSE AND ActivityDate >= {} AND {:literal} = null "
                       "ORDER BY ActivityDate, Id", today, TASK_KEY_FIELD)


def window_upcoming_events_query(now: datetime) -> str:
    """Every Event on a record (WhatId) starting now or later, read once likewise."""
    return format_soql("SELECT WhatId, StartDateTime FROM Event WHERE WhatId != null "
                       "AND StartDateTime >= {} ORDER BY StartDateTime, Id", now)


def upcoming_events_query(what_ids: Sequence[str], now: datetime) -> str:
    """Events on these opportunities starting now or later."""
    return format_soql("SELECT WhatId, StartDateTime FROM Event WHERE WhatId IN {} "
                       "AND StartDateTime >= {} ORDER BY WhatId, StartDateTime",
                       list(what_ids), now)


def query_options(page_size: int) -> dict[str, str]:
    """The header asking for pages of about `page_size` rows (Salesforce allows 200-2000;
    smaller pages are cut client-side)."""
    batch = min(max(page_size, MIN_BATCH), MAX_BATCH)
    return {"Sforce-Query-Options": f"batchSize={batch}"}


def chunks(items: Iterable[T], size: int) -> list[list[T]]:
    out: list[list[T]] = []
    for item in items:
        if not out or len(out[-1]) == size:
            out.append([])
        out[-1].append(item)
    return out
