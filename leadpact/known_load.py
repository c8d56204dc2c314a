"""Fills the read model (leadpact/known.py) from state, at the edge: per page, everything
the planner's decisions about its records will read, in one go before planning."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from leadpact.enrichment.labels import BuyingRole
from leadpact.identity import joins_by_email, normalise_email
from leadpact.judging import SUGGESTED
from leadpact.known import Known, KnownPerson, OpenTask
from leadpact.model import Deal, Person, Ref
from leadpact.sales_ready import COLLEAGUES_NAMED
from leadpact.state import State
from leadpact.state_rows import DealRow
from leadpact.task_lifecycle import TaskIntent

TASK_FAMILIES = ("lead:", "deal:")  # rule prefixes a held intent is looked up by


class _Loader:
    def __init__(self, state: State, roles: Collection[BuyingRole] = (),
                 engaged: tuple[datetime, datetime] | None = None):
        self.state = state
        self.roles = roles  # the rules' required roles: the only ones a gap can miss
        self.engaged = engaged  # the window a lead task's colleagues count as engaged in
        self.persons: dict[Ref, KnownPerson | None] = {}
        self.links: dict[Ref, frozenset[Ref]] = {}
        self.by_email: dict[str, tuple[KnownPerson, ...]] = {}
        self.identities: dict[str, tuple[KnownPerson, ...]] = {}
        self.deals_of: dict[Ref, tuple[Ref, ...]] = {}
        self.deals: dict[Ref, DealRow | None] = {}
        self.written: dict[Ref, Mapping[str, str | None]] = {}
        self.pending: dict[Ref, Mapping[str, frozenset[str | None]]] = {}
        self.stamps: dict[Ref, datetime | None] = {}
        self.frozen: dict[Ref, frozenset[str]] = {}
        self.open_tasks: dict[Ref, tuple[OpenTask, ...]] = {}
        self.wanted: dict[Ref, frozenset[str]] = {}
        self.episodes: dict[tuple[Ref, str], int] = {}
        # (system, account) -> the colleagues the planner's questions need, not all there
        self.colleagues: dict[tuple[str, str], dict[Ref, KnownPerson]] = {}
        self.role_depth: dict[tuple[str, str, BuyingRole], int] = {}
        self.engaged_loaded: set[tuple[str, str]] = set()

    def person(self, ref: Ref) -> KnownPerson | None:
        if ref not in self.persons:
            self.persons[ref] = self.state.person(ref)
        return self.persons[ref]

    def linked(self, ref: Ref) -> frozenset[Ref]:
        if ref not in self.links:
            self.links[ref] = frozenset(self.state.linked(ref))
        return self.links[ref]

    def identity(self, identity: str) -> tuple[KnownPerson, ...]:
        if identity not in self.identities:
            self.identities[identity] = tuple(self.state.persons_of_identity(identity))
        return self.identities[identity]

    def person_and_identity(self, ref: Ref) -> None:
        known = self.person(ref)
        if known is not None:
            self.identity(known.identity)

    def deals_of_person(self, ref: Ref) -> None:
        if ref not in self.deals_of:
            self.deals_of[ref] = tuple(self.state.deals_of_person(ref))
        for deal in self.deals_of[ref]:
            self.deal(deal)

    def deal(self, ref: Ref) -> DealRow | None:
        if ref not in self.deals:
            self.deals[ref] = self.state.deal(ref)
        return self.deals[ref]

    def ledger(self, ref: Ref) -> None:
        self.written[ref] = MappingProxyType(self.state.last_written(ref))
        self.pending[ref] = MappingProxyType(
            {name: frozenset(values) for name, values in self.state.pending(ref).items()})
        self.stamps[ref] = self.state.stamp_before_pending(ref)
        self.frozen[ref] = frozenset(self.state.frozen_fields(ref))

    def tasks(self, ref: Ref) -> None:
        if ref not in self.open_tasks:
            self.open_tasks[ref] = tuple(self.state.open_tasks_about(ref))
            held = self.state.held_task_rules(ref)
            self.wanted[ref] = frozenset(f for f in TASK_FAMILIES
                                         if any(rule.startswith(f) for rule in held))

    def role_holders(self, system: str, account: str, on_deal: int,
                     missing: Iterable[BuyingRole] = ()) -> None:
        """Enough holders of each role a deal can miss at its account to suggest SUGGESTED
        people who are not among its `on_deal` contacts. `missing`: what a saved verdict
        found missing, in case the rules asked for other roles then."""
        depth = SUGGESTED + on_deal
        self.colleagues.setdefault((system, account), {})
        roles = [r for r in dict.fromkeys((*self.roles, *missing))
                 if self.role_depth.get((system, account, r), 0) < depth]
        if roles:
            self.role_depth.update(((system, account, r), depth) for r in roles)
            self.add_colleagues((system, account), self.state.role_holders_at_account(
                system, account, depth, roles))

    def engaged_colleagues(self, system: str, account: str) -> None:
        """The first identities engaged at a sales-ready person's account: one more than a
        task names, as the person's own identity may be among them."""
        key = (system, account)
        if self.engaged is not None and key not in self.engaged_loaded:
            self.engaged_loaded.add(key)
            self.add_colleagues(key, self.state.engaged_at_account(
                system, account, *self.engaged, COLLEAGUES_NAMED + 1))

    def add_colleagues(self, key: tuple[str, str], found: Iterable[KnownPerson]) -> None:
        self.colleagues.setdefault(key, {}).update((p.ref, p) for p in found)

    def identity_of(self, p: Person) -> set[Ref]:
        """The refs identity.identity_members will look at for `p`, loaded."""
        refs = set(self.linked(p.ref))
        for link in p.linked:
            refs |= {link, *self.linked(link)}
        email = normalise_email(p.email)
        if joins_by_email(email):
            assert email is not None
            if email not in self.by_email:
                found = tuple(self.state.persons_with_email(email))
                self.by_email[email] = found
                self.persons.update((k.ref, k) for k in found)
            for known in self.by_email[email]:
                refs |= {known.ref, *self.linked(known.ref)}
        for ref in refs:
            self.person(ref)
        return refs

    def load_person(self, p: Person) -> None:
        self.tasks(p.ref)
        if p.deleted or p.merged_into is not None or p.converted_to is not None:
            return
        self.person(p.ref)
        self.ledger(p.ref)
        members = self.identity_of(p) - {p.ref}
        for ref in {p.ref, *members}:
            self.deals_of_person(ref)
        for ref in members:
            self.tasks(ref)

    def load_deal(self, d: Deal) -> None:
        self.tasks(d.ref)
        if d.deleted:
            return
        self.ledger(d.ref)
        for contact in d.contacts:
            self.person_and_identity(contact.person)
        if d.account_id is not None:
            self.role_holders(d.ref.system, d.account_id, len(d.contacts))

    def load_intent(self, intent: TaskIntent) -> None:
        self.tasks(intent.about)
        key = (intent.about, intent.rule)
        if key not in self.episodes:
            self.episodes[key] = self.state.next_episode(intent.about, intent.rule)
        if not intent.holds:
            return
        if intent.rule.startswith("lead:"):
            known = self.person(intent.about)
            if known is None:
                return
            for member in self.identity(known.identity) or (known,):
                if member.account:
                    self.engaged_colleagues(member.ref.system, member.account)
        else:
            found = self.deal(intent.about)
            if found is not None and found.deal.account_id is not None:
                self.role_holders(intent.about.system, found.deal.account_id,
                                  len(found.deal.contacts),
                                  found.verdict.missing if found.verdict else ())

    def known(self, norms: Mapping[str, Mapping[str, int]]) -> Known:
        def frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
            return MappingProxyType(mapping)
        return Known(
            persons=frozen(self.persons), links=frozen(self.links),
            by_email=frozen(self.by_email), identities=frozen(self.identities),
            deals_of=frozen(self.deals_of), deals=frozen(self.deals),
            written=frozen(self.written), pending=frozen(self.pending),
            stamps_before_pending=frozen(self.stamps), frozen=frozen(self.frozen),
            open_tasks=frozen(self.open_tasks), wanted_tasks=frozen(self.wanted),
            next_episodes=frozen(self.episodes),
            colleagues=frozen({key: tuple(sorted(found.values(), key=lambda p: str(p.ref)))
                               for key, found in self.colleagues.items()}),
            norms=frozen(norms))


def load_known(state: State, records: Iterable[Person | Deal],
               norms: Mapping[str, Mapping[str, int]], roles: Collection[BuyingRole]) -> Known:
    """What the planner needs to decide about `records` (a page, or deals rebuilt from
    their snapshots), as state holds it now; `roles`: the rules' required roles."""
    loader = _Loader(state, roles)
    for record in records:
        if isinstance(record, Person):
            loader.load_person(record)
        else:
            loader.load_deal(record)
    return loader.known(norms)


def load_for_tasks(state: State, intents: Iterable[TaskIntent],
                   engaged: tuple[datetime, datetime], roles: Collection[BuyingRole]) -> Known:
    """What the task pass needs to word and decide these intents; `engaged`: the window
    (sales_ready.engaged_window) a sales-ready person's colleagues count as engaged in;
    `roles`: the rules' required roles."""
    loader = _Loader(state, roles, engaged)
    for intent in intents:
        loader.load_intent(intent)
    return loader.known({})


def load_identity(state: State, members: Sequence[KnownPerson]) -> Known:
    """An identity's records (in both CRMs, as state.identities gives them) and the deals
    they are on."""
    loader = _Loader(state)
    loader.persons.update((m.ref, m) for m in members)
    loader.identities[members[0].identity] = tuple(members)
    for member in members:
        loader.deals_of_person(member.ref)
    return loader.known({})
