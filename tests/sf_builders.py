"""Builders for Salesforce records in a sandbox store, with a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.salesforce import SalesforceConnector
from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Row, Store

SF = "salesforce"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class ManualClock:
    """The sandbox clock: stands still until the test advances it."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class SalesforceOrg:
    """Inserts Salesforce records straight into the store (native field names)."""

    def __init__(self, store: Store, clock: ManualClock):
        self.store = store
        self.clock = clock
        store.set_clock(clock)

    def add(self, sobject: str, **fields: Any) -> str:
        record_id = new_salesforce_id(self.store, sobject)
        self.store.insert(SF, sobject, record_id, fields)
        return record_id

    def user(self, last_name: str = "Owner", **fields: Any) -> str:
        return self.add("User", FirstName="Olivia", LastName=last_name, IsActive=True,
                        Email=f"{last_name.lower()}@example.com", **fields)

    def lead(self, last_name: str = "Ng", **fields: Any) -> str:
        defaults = {"FirstName": "Ada", "Company": "Acme", "Title": "CFO",
                    "Email": f"{last_name.lower()}@acme.example", "IsConverted": False}
        return self.add("Lead", LastName=last_name, **{**defaults, **fields})

    def contact(self, last_name: str = "Lee", **fields: Any) -> str:
        defaults = {"FirstName": "Bo", "Title": "VP Engineering",
                    "Email": f"{last_name.lower()}@acme.example"}
        return self.add("Contact", LastName=last_name, **{**defaults, **fields})

    def opportunity(self, name: str = "Acme renewal", **fields: Any) -> str:
        defaults = {"StageName": "Prospecting", "CloseDate": "2026-12-15", "Amount": 50000,
                    "IsClosed": False, "IsWon": False, "Probability": 10}
        return self.add("Opportunity", Name=name, **{**defaults, **fields})

    def contact_role(self, opportunity_id: str, contact_id: str, role: str | None = None,
                     primary: bool = False) -> str:
        return self.add("OpportunityContactRole", OpportunityId=opportunity_id,
                        ContactId=contact_id, Role=role, IsPrimary=primary)

    def task(self, who: str | None, what: str | None = None, *, day: str,
             subject: str = "Follow-up", **fields: Any) -> str:
        """A Task (closed unless Status/IsClosed say otherwise), due on `day` (YYYY-MM-DD)."""
        defaults = {"Status": "Completed", "IsClosed": True, "TaskSubtype": "Task",
                    "Priority": "Normal"}
        return self.add("Task", WhoId=who, WhatId=what, Subject=subject, ActivityDate=day,
                        **{**defaults, **fields})

    def email_task(self, who: str, what: str | None = None, *, day: str, subject: str,
                   sender: str, to: str, **fields: Any) -> str:
        """A logged email: `Email: <subject>`, From:/To: lines in the Description."""
        return self.task(who, what, day=day, subject=f"Email: {subject}", TaskSubtype="Email",
                         Type="Email", Description=f"From: {sender}\nTo: {to}\n\n{subject}",
                         **fields)

    def event(self, who: str | None, what: str | None = None, *, start: str,
              subject: str = "Meeting", **fields: Any) -> str:
        """An Event starting at `start` (YYYY-MM-DDTHH:MM:SS.000+0000)."""
        return self.add("Event", WhoId=who, WhatId=what, Subject=subject, Type="Meeting",
                        StartDateTime=start, ActivityDate=start[:10], **fields)

    def converted_lead(self, contact_id: str, **fields: Any) -> str:
        return self.lead(IsConverted=True, ConvertedContactId=contact_id,
                         ConvertedDate="2026-11-01", Status="Closed - Converted", **fields)

    def edit(self, sobject: str, record_id: str, **changes: Any) -> None:
        assert self.store.update(SF, sobject, record_id, changes) is not None

    def delete(self, sobject: str, record_id: str, merged_into: str | None = None) -> None:
        assert self.store.delete(SF, sobject, record_id, merged_into)

    def get(self, sobject: str, record_id: str) -> Row:
        row = self.store.get(SF, sobject, record_id)
        assert row is not None
        return row

    def rows(self, sobject: str) -> list[Row]:
        return list(self.store.scan(SF, sobject))


def connect(sandbox: Sandbox, *, token: str = SANDBOX_TOKEN,
            sleep: Callable[[float], None] | None = None, attempts: int = 3,
            **options: Any) -> SalesforceConnector:
    """The real connector against the sandbox over loopback HTTP; sleeping is recorded
    by `sleep` (never real)."""
    recorded: list[float] = []
    policy = RetryPolicy(attempts=attempts, sleep=sleep or recorded.append)
    return SalesforceConnector(sandbox.url, token, retry=policy, **options)
