"""One face over both fake CRMs, so tests/contract/test_connector_contract.py runs the same
suite against each real connector. Records go straight into the sandbox store, in each
CRM's own field names; connectors read them back over HTTP. The in-memory connector the
pipeline tests use gets a face too, so it is held to the same contract (an injected
connector, e.g. `leadpact.open(config, connectors=[...])`, must behave like the real ones)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any, Protocol

from leadpact.connectors.base import Connector
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.fields import BY_NAME
from leadpact.model import Account, ContactRole, Ref
from tests import builders
from tests import hs_builders as hs
from tests.memory_connector import MemoryConnector
from tests.sf_builders import ManualClock, SalesforceOrg, connect


class Org(Protocol):
    system: str
    clock: ManualClock

    def connector(self, **options: Any) -> Connector: ...
    def person(self, title: str, email: str) -> Ref: ...
    def deal(self, name: str, contacts: list[Ref], silent_days: int) -> Ref: ...
    def set_title(self, ref: Ref, title: str) -> None: ...
    def set_field(self, ref: Ref, field: str, value: Any) -> None: ...
    def field(self, ref: Ref, field: str) -> Any: ...
    def delete(self, ref: Ref) -> None: ...
    def tasks(self) -> list[tuple[str, bool]]: ...
    def account(self, name: str, industry: str, employees: int, country: str) -> str: ...
    def person_at(self, title: str, email: str, account_id: str) -> Ref: ...


class SalesforceFace:
    system = "salesforce"
    types = {"contact": "Contact", "lead": "Lead", "deal": "Opportunity"}

    def __init__(self, sandbox: Sandbox, clock: ManualClock):
        self.sandbox, self.clock = sandbox, clock
        self.org = SalesforceOrg(sandbox.store, clock)
        salesforce_schema.ensure_schema(sandbox.store, with_leadpact_fields=True)
        self.owner = self.org.user()

    def connector(self, **options: Any) -> Connector:
        return connect(self.sandbox, **options)

    def person(self, title: str, email: str) -> Ref:
        return Ref("salesforce", "contact", self.org.contact(
            email.split("@")[0].title(), Title=title, Email=email, OwnerId=self.owner))

    def deal(self, name: str, contacts: list[Ref], silent_days: int) -> Ref:
        last = (self.clock.now - timedelta(days=silent_days)).date().isoformat()
        close = (self.clock.now + timedelta(days=40)).date().isoformat()
        opp = self.org.opportunity(name, OwnerId=self.owner, LastActivityDate=last,
                                   CloseDate=close)
        for contact in contacts:
            self.org.contact_role(opp, contact.id)
        return Ref("salesforce", "deal", opp)

    def set_title(self, ref: Ref, title: str) -> None:
        self.org.edit(self.types[ref.kind], ref.id, Title=title)

    def set_field(self, ref: Ref, field: str, value: Any) -> None:
        self.org.edit(self.types[ref.kind], ref.id, **{BY_NAME[field].salesforce: value})

    def field(self, ref: Ref, field: str) -> Any:
        return self.org.get(self.types[ref.kind], ref.id).fields.get(BY_NAME[field].salesforce)

    def delete(self, ref: Ref) -> None:
        self.org.delete(self.types[ref.kind], ref.id)

    def tasks(self) -> list[tuple[str, bool]]:
        return sorted((r.fields["Leadpact_Task_Key__c"], not r.fields.get("IsClosed"))
                      for r in self.org.rows("Task"))

    def account(self, name: str, industry: str, employees: int, country: str) -> str:
        return self.org.add("Account", Name=name, Industry=industry,
                            NumberOfEmployees=employees, BillingCountry=country,
                            OwnerId=self.owner)

    def person_at(self, title: str, email: str, account_id: str) -> Ref:
        return Ref("salesforce", "contact", self.org.contact(
            email.split("@")[0].title(), Title=title, Email=email, OwnerId=self.owner,
            AccountId=account_id))


class HubSpotFace:
    system = "hubspot"
    types = {"contact": "contacts", "deal": "deals"}

    def __init__(self, sandbox: Sandbox, clock: ManualClock):
        self.sandbox, self.clock, self.store = sandbox, clock, sandbox.store
        sandbox.store.set_clock(clock)
        hubspot_schema.ensure_schema(self.store, with_leadpact_properties=True)
        self.owner = hs.owner(self.store)

    def connector(self, **options: Any) -> Connector:
        policy = RetryPolicy(attempts=3, sleep=hs.Sleeps())
        return hs.HubSpotConnector(self.sandbox.url, "sandbox-token", retry=policy,
                                   client_options={"client_side_validation": True}, **options)

    def person(self, title: str, email: str) -> Ref:
        first, _, domain = email.partition("@")
        return Ref("hubspot", "contact", hs.contact(
            self.store, email=email, firstname=first.title(), lastname=domain.split(".")[0],
            jobtitle=title, hubspot_owner_id=self.owner))

    def deal(self, name: str, contacts: list[Ref], silent_days: int) -> Ref:
        last = self.clock.now - timedelta(days=silent_days)
        close = self.clock.now + timedelta(days=40)
        deal_id = hs.deal(self.store, dealname=name, hubspot_owner_id=self.owner,
                          notes_last_updated=_iso(last), closedate=_iso(close))
        for contact in contacts:
            hs.link_deal_contact(self.store, deal_id, contact.id)
        return Ref("hubspot", "deal", deal_id)

    def set_title(self, ref: Ref, title: str) -> None:
        assert self.store.update("hubspot", "contacts", ref.id, {"jobtitle": title})

    def set_field(self, ref: Ref, field: str, value: Any) -> None:
        assert self.store.update("hubspot", self.types[ref.kind], ref.id,
                                 {BY_NAME[field].hubspot: value})

    def field(self, ref: Ref, field: str) -> Any:
        row = self.store.get("hubspot", self.types[ref.kind], ref.id)
        assert row is not None
        return row.fields.get(BY_NAME[field].hubspot)

    def delete(self, ref: Ref) -> None:
        assert self.store.delete("hubspot", self.types[ref.kind], ref.id)

    def tasks(self) -> list[tuple[str, bool]]:
        return sorted((r.fields["leadpact_task_key"], r.fields.get("hs_task_status") != "COMPLETED")
                      for r in self.store.scan("hubspot", "tasks"))

    def account(self, name: str, industry: str, employees: int, country: str) -> str:
        return hs.company(self.store, name=name, industry=industry,
                          numberofemployees=str(employees), country=country,
                          hubspot_owner_id=self.owner)

    def person_at(self, title: str, email: str, account_id: str) -> Ref:
        ref = self.person(title, email)
        hs.link_contact_company(self.store, ref.id, account_id)
        return ref


class MemoryFace:
    """The in-memory CRM behind the same face (its records are leadpact model values)."""

    system = "hubspot"  # it plays one CRM; the contract is the same for either

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.crm = MemoryConnector(self.system)
        self._ids = 0

    def connector(self, **options: Any) -> Connector:
        return self.crm  # one CRM: every "new connection" sees the same records

    def _next(self) -> str:
        self._ids += 1
        return str(self._ids)

    def person(self, title: str, email: str) -> Ref:
        record = builders.person(self._next(), self.system, title=title, email=email,
                                 name=email.split("@")[0].title(), owner_id="owner-1")
        return self.crm.put(record).ref

    def deal(self, name: str, contacts: list[Ref], silent_days: int) -> Ref:
        roles = tuple(ContactRole(c) for c in contacts)
        record = builders.deal(self._next(), self.system, contacts=roles, name=name,
                               owner_id="owner-1",
                               last_activity_at=self.clock.now - timedelta(days=silent_days),
                               created_at=self.clock.now - timedelta(days=90),
                               close_date=(self.clock.now + timedelta(days=40)).date())
        return self.crm.put(record).ref

    def set_title(self, ref: Ref, title: str) -> None:
        self.crm.put(dataclasses.replace(self.crm.records[ref], title=title))

    def set_field(self, ref: Ref, field: str, value: Any) -> None:
        record = self.crm.records[ref]
        self.crm.put(dataclasses.replace(record, leadpact={**record.leadpact, field: value}))

    def field(self, ref: Ref, field: str) -> Any:
        return self.crm.records[ref].leadpact.get(field)

    def delete(self, ref: Ref) -> None:
        self.crm.put(dataclasses.replace(self.crm.records[ref], deleted=True))

    def tasks(self) -> list[tuple[str, bool]]:
        return sorted((key, bool(task["open"])) for key, task in self.crm.tasks.items())

    def account(self, name: str, industry: str, employees: int, country: str) -> str:
        id_ = f"a{self._next()}"
        self.crm.accounts[id_] = Account(
            Ref(self.system, "account", id_), self.clock.now, name, "owner-1",
            {"industry": industry, "employees": str(employees), "country": country})
        return id_

    def person_at(self, title: str, email: str, account_id: str) -> Ref:
        ref = self.person(title, email)
        self.crm.put(dataclasses.replace(self.crm.records[ref], account_id=account_id))
        return ref


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


EVERY_CRM = ("salesforce", "hubspot", "memory")


def open_org(crm: str, sandbox: Sandbox) -> Org:
    """A fresh org on `crm` (one of EVERY_CRM), for a fixture parametrised over them."""
    clock = ManualClock()
    if crm == "memory":
        return MemoryFace(clock)
    face = SalesforceFace if crm == "salesforce" else HubSpotFace
    return face(sandbox, clock)
