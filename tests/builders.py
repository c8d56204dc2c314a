"""Builders for model records, so tests state only what matters to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from leadpact.model import ContactRole, Deal, Person, Ref

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def person(id_: str = "1", system: str = "hubspot", kind: str = "contact", **kw: Any) -> Person:
    kw.setdefault("modified_at", NOW - timedelta(days=1))
    return Person(ref=Ref(system, kind, id_), **kw)


def deal(id_: str = "9", system: str = "salesforce", contacts: int | tuple[ContactRole, ...] = 3,
         **kw: Any) -> Deal:
    """A healthy open deal; `contacts` is a count of made-up contacts or the roles."""
    kw.setdefault("modified_at", NOW - timedelta(days=1))
    kw.setdefault("created_at", NOW - timedelta(days=60))
    kw.setdefault("last_activity_at", NOW - timedelta(days=2))
    kw.setdefault("close_date", (NOW + timedelta(days=30)).date())
    if isinstance(contacts, int):
        contacts = tuple(ContactRole(Ref(system, "contact", f"c{i}")) for i in range(contacts))
    return Deal(ref=Ref(system, "deal", id_), contacts=contacts, **kw)


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def date_in(n: int) -> date:
    return (NOW + timedelta(days=n)).date()
