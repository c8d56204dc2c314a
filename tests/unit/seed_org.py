"""The seeded demo org as the seed tests read it: every record by system and type, plus
helpers that find an opportunity's activity and its buyers' replies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from leadpact.connectors.sandbox import salesforce_schema
from leadpact.connectors.sandbox.seed import TRUTH_META, SeedSummary, seed_demo_org
from leadpact.connectors.sandbox.store import Row, Store

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
PEOPLE = 300  # small enough to seed in a fraction of a second

SF_TYPES = ("User", "Account", "Lead", "Contact", "Opportunity", "OpportunityContactRole",
            "OpportunityHistory", "Task", "Event", "Campaign", "CampaignMember")
HS_TYPES = ("owners", "companies", "contacts", "deals", "tasks", "emails", "meetings",
            "calls", "notes")


@dataclass
class Org:
    store: Store
    summary: SeedSummary
    records: dict[tuple[str, str], dict[str, Row]]

    def sf(self, type_: str) -> dict[str, Row]:
        return self.records[("salesforce", type_)]

    def hs(self, type_: str) -> dict[str, Row]:
        return self.records[("hubspot", type_)]

    def truth(self) -> dict[str, Any]:
        return json.loads(self.store.get_meta(TRUTH_META) or "{}")["deals"]

    def deals(self, system: str, archetype: str) -> list[tuple[str, dict[str, str]]]:
        prefix = f"{system}:"
        return [(key.removeprefix(prefix), value["members"])
                for key, value in self.truth().items()
                if key.startswith(prefix) and value["archetype"] == archetype]


def load(store: Store, summary: SeedSummary) -> Org:
    records = {("salesforce", t): {r.id: r for r in store.scan("salesforce", t)}
               for t in SF_TYPES}
    records.update({("hubspot", t): {r.id: r for r in store.scan("hubspot", t)}
                    for t in HS_TYPES})
    return Org(store, summary, records)


def seeded_org(seed: int = 7) -> Org:
    store = Store(":memory:")
    return load(store, seed_demo_org(store, seed=seed, people=PEOPLE, now=NOW))


def content(store: Store) -> list[Any]:
    """Every record, association and id counter: what "identical store" means."""
    found: list[Any] = []
    for system, types in (("salesforce", SF_TYPES), ("hubspot", HS_TYPES)):
        for type_ in types:
            for row in store.scan(system, type_, include_deleted=True):
                found.append((system, type_, row.id, row.fields, row.created_at,
                              row.modified_at, row.deleted))
                if system == "hubspot":
                    for to_type in HS_TYPES:
                        found.append(store.associations("hubspot", type_, row.id, to_type))
    return found


def seeded(seed: int) -> Store:
    return seeded_org(seed).store


def salesforce_time(text: str) -> datetime:
    return salesforce_schema.parse_datetime(text)


def hubspot_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def activities_of(org: Org, opportunity_id: str) -> tuple[list[Row], list[Row]]:
    tasks = [r for r in org.sf("Task").values() if r.fields.get("WhatId") == opportunity_id]
    events = [r for r in org.sf("Event").values() if r.fields.get("WhatId") == opportunity_id]
    return tasks, events


def buyer_replies(org: Org, opportunity_id: str) -> list[date]:
    """Days a buyer wrote to us (logged email From: the buyer) or met us."""
    tasks, events = activities_of(org, opportunity_id)
    replies = [date.fromisoformat(t.fields["ActivityDate"]) for t in tasks
               if t.fields["TaskSubtype"] == "Email"
               and not t.fields["Description"].split("\n")[0].endswith("@brightwave.io")]
    met = [salesforce_time(e.fields["StartDateTime"]).date() for e in events
           if salesforce_time(e.fields["StartDateTime"]) <= NOW]
    return replies + met
