"""The persons the account verdicts are judged on, read from state at the edge (the
verdicts themselves: leadpact/account_verdicts.py): every person at once for the demo's
counts; for the sync's account pass, the buying groups first (accounts only), then each
few groups' persons, so memory holds a batch of groups, not the whole org."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import groupby

from leadpact.account_verdicts import lead_definition_counts
from leadpact.known import KnownPerson
from leadpact.model import ACCOUNT, Ref
from leadpact.rules.lead_model import LeadDefinition
from leadpact.state import State


def all_persons(state: State, systems: Iterable[str]) -> list[KnownPerson]:
    """Every person state knows in these CRMs (deals left out)."""
    return [known for system in systems for known in state.persons_of(system)]


def lead_definition_summary(state: State, definition: LeadDefinition, now: datetime,
                            systems: Iterable[str]) -> dict[str, dict[str, object]]:
    """Per CRM: people per lead stage, and accounts whose buying group is sales-ready."""
    systems = list(systems)
    return lead_definition_counts(all_persons(state, systems), definition, now, systems)


def account_groups(state: State, systems: Sequence[str]) -> list[tuple[Ref, ...]]:
    """Every buying group's accounts, sorted, in order: accounts joined where one identity
    has records at both (as account_verdicts groups them), found from (identity, account)
    rows alone, with a union-find over accounts."""
    parent: dict[Ref, Ref] = {}

    def root(ref: Ref) -> Ref:
        while parent.setdefault(ref, ref) != ref:
            ref = parent[ref]
        return ref

    for _, rows in groupby(state.person_accounts(), key=lambda row: row[0]):
        refs = sorted({Ref(person.system, ACCOUNT, account) for _, person, account in rows
                       if person.system in systems})
        for ref in refs:
            root(ref)
        for ref in refs[1:]:
            parent[root(ref)] = root(refs[0])
    groups: dict[Ref, list[Ref]] = {}
    for ref in parent:
        groups.setdefault(root(ref), []).append(ref)
    return sorted(tuple(sorted(refs)) for refs in groups.values())


def persons_by_groups(state: State, groups: Iterable[Sequence[Ref]], systems: Sequence[str],
                      identities: int) -> Iterator[list[KnownPerson]]:
    """Every record of every identity at consecutive whole groups' accounts, in these
    CRMs, in all_persons' order (CRM, then reference) per chunk: groups are taken together
    until they reach `identities` identities (a bigger group alone): memory holds about
    that many people whether an org's groups are ten people each or thousands."""
    chunk: set[str] = set()
    for group in groups:
        chunk |= _identities(state, group)
        if len(chunk) >= identities:
            yield _in_order(state, chunk, systems)
            chunk = set()
    if chunk:
        yield _in_order(state, chunk, systems)


def _identities(state: State, group: Sequence[Ref]) -> set[str]:
    return {identity for account in group
            for identity in state.identities_at_account(account.system, account.id)}


def identity_persons(state: State, identities: Iterable[str], systems: Sequence[str]
                     ) -> dict[str, list[KnownPerson]]:
    """identity -> its records in these CRMs, in all_persons' order."""
    found: dict[str, list[KnownPerson]] = {}
    for known in _in_order(state, set(identities), systems):
        found.setdefault(known.identity, []).append(known)
    return found


def _in_order(state: State, identities: set[str], systems: Sequence[str]
              ) -> list[KnownPerson]:
    found = {known.ref: known for identity in identities
             for known in state.persons_of_identity(identity) if known.ref.system in systems}
    return sorted(found.values(), key=lambda p: (systems.index(p.ref.system), str(p.ref)))
