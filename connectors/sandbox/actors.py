"""Who writes to the fake CRMs: leadpact (the sandbox token and the OAuth sessions) or one
of the org's other integrations and users, each with a token of its own.

A test registers an actor (`Sandbox.add_actor(Actor(...))` or `POST /_sandbox/actors`) and
writes with its token; the sandbox then records that actor as the author of the write, the
way the real CRMs do: Salesforce field history rows carry its User's id (CreatedById),
HubSpot property history versions its sourceType / sourceId / sourceLabel /
updatedByUserId. While a request is handled, `current()` names its actor (None: leadpact).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from leadpact.connectors.sandbox.store import Store

# HubSpot's own source for writes made with leadpact's private app token.
LEADPACT_HUBSPOT_SOURCE: dict[str, Any] = {"sourceType": "API"}


@dataclass(frozen=True, slots=True)
class Actor:
    """Another writer. `name` is its Salesforce User's name (an integration user is
    usually named after the integration); the hubspot_* fields are what HubSpot records
    as the source of its writes (e.g. WORKFLOW + the workflow id, INTEGRATION + the
    app's name, CRM_UI + the user id)."""

    name: str
    hubspot_source_type: str = "INTEGRATION"
    hubspot_source_id: str | None = None
    hubspot_source_label: str | None = None
    hubspot_user_id: int | None = None
    salesforce_user_id: str = ""  # set when registered: the User made for it

    def hubspot_source(self) -> dict[str, Any]:
        source: dict[str, Any] = {"sourceType": self.hubspot_source_type}
        if self.hubspot_source_id is not None:
            source["sourceId"] = self.hubspot_source_id
        if self.hubspot_source_label is not None:
            source["sourceLabel"] = self.hubspot_source_label
        if self.hubspot_user_id is not None:
            source["updatedByUserId"] = self.hubspot_user_id
        return source


_current: ContextVar[Actor | None] = ContextVar("sandbox_actor", default=None)


def current() -> Actor | None:
    """The actor of the request being handled; None for leadpact (or outside a request)."""
    return _current.get()


@contextmanager
def acting(actor: Actor | None) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def hubspot_source() -> dict[str, Any]:
    """The source fields of a HubSpot property version written now."""
    actor = current()
    return actor.hubspot_source() if actor else dict(LEADPACT_HUBSPOT_SOURCE)


def salesforce_user(store: Store) -> str:
    """The Salesforce User id a write made now is attributed to."""
    from leadpact.connectors.sandbox.salesforce_schema import api_user_id

    actor = current()
    return actor.salesforce_user_id if actor else api_user_id(store)


class Actors:
    """token -> Actor, for one sandbox."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_token: dict[str, Actor] = {}
        self._person: Actor | None = None

    def add(self, actor: Actor) -> str:
        """Register `actor` (its Salesforce User is made now); returns its bearer token."""
        from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id

        user_id = new_salesforce_id(self._store, "User")
        first, _, last = actor.name.rpartition(" ")
        self._store.insert("salesforce", "User", user_id, {
            "FirstName": first or None, "LastName": last or actor.name,
            "Email": f"{user_id.lower()}@sandbox.invalid", "IsActive": True})
        token = "actor-" + secrets.token_urlsafe(16)
        self._by_token[token] = replace(actor, salesforce_user_id=user_id)
        return token

    def person(self) -> Actor:
        """Someone editing records in the CRM's own UI (the fault harness's edits): made
        on first use, the same one afterwards."""
        if self._person is None:
            token = self.add(Actor("Pat Editor", hubspot_source_type="CRM_UI",
                                   hubspot_user_id=7700001))
            self._person = self._by_token[token]
        return self._person

    def of(self, authorization: str) -> Actor | None:
        return self._by_token.get(authorization.removeprefix("Bearer "))
