"""Builders for HubSpot records in the sandbox store, and helpers for HubSpot tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.connectors.hubspot.connector import HubSpotConnector
from leadpact.connectors.hubspot.pacing import Pacer
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.sandbox.hubspot_associations import associate_both, label_type_id
from leadpact.connectors.sandbox.hubspot_schema import new_hubspot_id
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """A settable clock for the store; `advance` doubles as a retry policy's sleep."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Sleeps:
    """A RetryPolicy sleep that records instead of sleeping (optionally moving a clock)."""

    seen: list[float] = field(default_factory=list)
    then: Callable[[float], None] | None = None

    def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)
        if self.then:
            self.then(seconds)


class Monotonic:
    """A pacer's clock that stands still until its sleep moves it (never sleeps)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def paced_on(clock: Monotonic) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep)


def connector(
    sandbox: Sandbox, *, token: str = SANDBOX_TOKEN, sleeps: Sleeps | None = None,
    attempts: int = 5, **kwargs: Any,
) -> HubSpotConnector:
    """The real connector against the sandbox, strict about response fields; its pacing
    waits on a clock of its own (`pacer` to watch it), never for real."""
    policy = RetryPolicy(attempts=attempts, sleep=sleeps if sleeps is not None else Sleeps())
    kwargs.setdefault("pacer", paced_on(Monotonic()))
    return HubSpotConnector(sandbox.url, token, retry=policy,
                            client_options={"client_side_validation": True}, **kwargs)


def _add(store: Store, type_: str, props: dict[str, Any], at: datetime | None,
         created: datetime | None = None) -> str:
    id_ = new_hubspot_id(store, type_)
    store.insert("hubspot", type_, id_, {k: v for k, v in props.items() if v is not None},
                 created_at=created or at, modified_at=at)
    return id_


def contact(store: Store, *, at: datetime | None = None, email: str | None = None,
            firstname: str = "Ada", lastname: str = "Ng", jobtitle: str | None = "CFO",
            **props: Any) -> str:
    email = email or f"{firstname}.{lastname}.{store.next_number('hs:test-email')}@example.com"
    return _add(store, "contacts", {"email": email.lower(), "firstname": firstname,
                                    "lastname": lastname, "jobtitle": jobtitle, **props}, at)


def company(store: Store, *, at: datetime | None = None, name: str = "Acme", **props: Any) -> str:
    return _add(store, "companies", {"name": name, **props}, at)


def deal(store: Store, *, at: datetime | None = None, dealname: str = "Acme renewal",
         dealstage: str = "qualifiedtobuy", amount: str | None = "12000",
         closedate: str | None = "2026-04-30T00:00:00.000Z", **props: Any) -> str:
    closed = dealstage in ("closedwon", "closedlost")
    return _add(store, "deals", {
        "dealname": dealname, "pipeline": "default", "dealstage": dealstage, "amount": amount,
        "closedate": closedate, "hs_is_closed": "true" if closed else "false",
        "hs_is_closed_won": "true" if dealstage == "closedwon" else "false", **props}, at)


def link_deal_contact(store: Store, deal_id: str, contact_id: str, role: str | None = None) -> None:
    associate_both(store, "deals", deal_id, "contacts", contact_id, 3)
    if role:
        associate_both(store, "deals", deal_id, "contacts", contact_id, label_type_id(role))


def link_deal_company(store: Store, deal_id: str, company_id: str) -> None:
    associate_both(store, "deals", deal_id, "companies", company_id, 5)


def link_contact_company(store: Store, contact_id: str, company_id: str) -> None:
    associate_both(store, "contacts", contact_id, "companies", company_id, 1)


# engagement type -> association type ids (-> contact, -> deal), hubspot/crm/association_type.py
ENGAGEMENT_LINKS = {"emails": (198, 210), "meetings": (200, 212), "calls": (194, 206)}


def hs_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def engagement(store: Store, type_: str, contact_id: str, *, when: datetime,
               at: datetime | None = None, deal_id: str | None = None, **props: Any) -> str:
    """An email, meeting or call at `when` (hs_timestamp), logged (modified) `at`, linked to
    a contact and optionally a deal."""
    id_ = _add(store, type_, {"hs_timestamp": hs_time(when), **props}, at)
    to_contact, to_deal = ENGAGEMENT_LINKS[type_]
    associate_both(store, type_, id_, "contacts", contact_id, to_contact)
    if deal_id is not None:
        associate_both(store, type_, id_, "deals", deal_id, to_deal)
    return id_


def email(store: Store, contact_id: str, *, when: datetime, subject: str,
          incoming: bool = False, **kwargs: Any) -> str:
    return engagement(store, "emails", contact_id, when=when, hs_email_subject=subject,
                      hs_email_direction="INCOMING_EMAIL" if incoming else "EMAIL", **kwargs)


def meeting(store: Store, contact_id: str, *, when: datetime, title: str,
            outcome: str = "COMPLETED", **kwargs: Any) -> str:
    return engagement(store, "meetings", contact_id, when=when, hs_meeting_title=title,
                      hs_meeting_outcome=outcome, **kwargs)


def call(store: Store, contact_id: str, *, when: datetime, title: str,
         direction: str = "OUTBOUND", **kwargs: Any) -> str:
    return engagement(store, "calls", contact_id, when=when, hs_call_title=title,
                      hs_call_direction=direction, **kwargs)


def owner(store: Store, email: str = "rep@example.com", first: str = "Rae",
          last: str = "Patel") -> str:
    id_ = new_hubspot_id(store, "owners")
    store.insert("hubspot", "owners", id_, {"id": id_, "email": email, "firstName": first,
                                            "lastName": last, "userId": int(id_) + 1000})
    return id_


def rate_limited(policy: str = "TEN_SECONDLY_ROLLING") -> dict[str, Any]:
    """A HubSpot 429 body."""
    message = ("You have reached your daily limit." if policy == "DAILY"
               else "You have reached your ten_secondly_rolling limit.")
    return {"status": "error", "message": message, "errorType": "RATE_LIMIT",
            "correlationId": "c0ffee", "policyName": policy}
