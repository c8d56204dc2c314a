"""Every SOQL text and batch size the Salesforce connector uses. Pure: values in, strings out.

Every value goes through simple_salesforce.format_soql (quoting, escaping, datetime literals);
only field and sObject names, which are ours, are inserted as literals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from simple_salesforce import format_soql

from leadpact import fields as leadpact_fields
from leadpact.model import CONTACT, DEAL, LEAD, TASK

T = TypeVar("T")

TASK_KEY_FIELD = "Leadpact_Task_Key__c"
COLLECTION_LIMIT = 200  # records per sObject Collections call (composite/sobjects)
IN_LIST_LIMIT = 200  # ids per `IN (...)`: keeps the GET URL well under Salesforce's 16 KB
TASK_KEYS_PER_QUERY = 50  # task keys are longer than ids
MIN_BATCH, MAX_BATCH = 200, 2000  # what Sforce-Query-Options batchSize accepts

SOBJECT_BY_KIND = {LEAD: "Lead", CONTACT: "Contact", DEAL: "Opportunity", TASK: "Task"}
KIND_BY_SOBJECT = {sobject: kind for kind, sobject in SOBJECT_BY_KIND.items()}

PERSON_NATIVE = tuple(f.salesforce for f in leadpact_fields.fields_for(leadpact_fields.PERSON))
DEAL_NATIVE = tuple(f.salesforce for f in leadpact_fields.fields_for(leadpact_fields.DEAL))
_PERSON_BASE = ("Id", "Name", "Email", "Title", "OwnerId", "IsDeleted", "MasterRecordId",
                "SystemModstamp")

FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": (*_PERSON_BASE, "IsConverted", "ConvertedContactId", "ConvertedAccountId",
             *PERSON_NATIVE),
    "Contact": (*_PERSON_BASE, "AccountId", *PERSON_NATIVE),
    "Opportunity": ("Id", "Name", "StageName", "IsClosed", "IsWon", "Amount", "CloseDate",
                    "OwnerId", "AccountId", "CreatedDate", "LastActivityDate", "IsDeleted",
                    "SystemModstamp", *DEAL_NATIVE),
    "OpportunityContactRole": ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary",
                               "IsDeleted", "SystemModstamp"),
}
# The streams read_changes walks, in order; a changed contact role re-reads its opportunity.
STREAMS = ("Lead", "Contact", "Opportunity", "OpportunityContactRole")

# Fields leadpact writes, per sObject: `leadpact check` makes sure they exist and are editable.
WRITTEN_FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": PERSON_NATIVE, "Contact": PERSON_NATIVE, "Opportunity": DEAL_NATIVE,
    "Task": (TASK_KEY_FIELD, "Subject", "Description", "ActivityDate", "Status", "Priority",
             "OwnerId", "WhoId", "WhatId"),
}


def _select(sobject: str) -> str:
    return ", ".join(FIELDS[sobject])


def changes_query(sobject: str, since: datetime | None) -> str:
    """Rows of one stream modified at or after `since` (closed bound), oldest first; the Id
    tie-break keeps the order stable when many rows share a stamp."""
    if since is None:
        return format_soql("SELECT {:literal} FROM {:literal} ORDER BY SystemModstamp, Id",
                           _select(sobject), sobject)
    return format_soql("SELECT {:literal} FROM {:literal} WHERE SystemModstamp >= {} "
                       "ORDER BY SystemModstamp, Id", _select(sobject), sobject, since)


def by_ids_query(sobject: str, ids: Sequence[str]) -> str:
    return format_soql("SELECT {:literal} FROM {:literal} WHERE Id IN {} ORDER BY Id",
                       _select(sobject), sobject, list(ids))


def contact_roles_query(opportunity_ids: Sequence[str]) -> str:
    return format_soql("SELECT {:literal} FROM OpportunityContactRole WHERE OpportunityId IN {} "
                       "ORDER BY OpportunityId, Id", _select("OpportunityContactRole"),
                       list(opportunity_ids))


def tasks_by_key_query(keys: Sequence[str]) -> str:
    return format_soql("SELECT Id, IsClosed, {:literal} FROM Task WHERE {:literal} IN {}",
                       TASK_KEY_FIELD, TASK_KEY_FIELD, list(keys))


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
