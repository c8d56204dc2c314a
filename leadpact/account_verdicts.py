"""Buying-group verdicts for accounts, from state as it stands at the end of a run. Pure
over the saved persons (leadpact/account_summary.py reads them): nothing depends on the
order records were read in.

One person counts once however many CRMs hold them (twins share an identity), and an
account in Salesforce and a company in HubSpot that share a person are one buying group:
both get the same stage. Until accounts are read (connectors' `read_accounts`), the
firmographics an account is judged on are its people's own (a lead's Industry,
NumberOfEmployees, Country), the lowest record reference first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadpact.known import KnownPerson
from leadpact.model import ACCOUNT, Ref
from leadpact.rules.conditions import counts_as_buyer
from leadpact.rules.lead_model import (
    AccountResult,
    AccountSnapshot,
    LeadDefinition,
    Member,
    judge_account,
)


@dataclass(frozen=True, slots=True)
class AccountVerdict:
    accounts: tuple[Ref, ...]  # the same buying group in each CRM, sorted
    people: tuple[str, ...]  # identities, sorted
    result: AccountResult


def account_verdicts(persons: Iterable[KnownPerson], definition: LeadDefinition,
                     now: datetime) -> list[AccountVerdict]:
    by_identity: dict[str, list[KnownPerson]] = {}
    for known in persons:
        by_identity.setdefault(known.identity, []).append(known)
    groups = _groups(by_identity)
    found = []
    for accounts, identities in groups:
        members = [_member(by_identity[i], now) for i in identities]
        records = sorted((p for i in identities for p in by_identity[i]),
                         key=lambda p: str(p.ref))
        snapshot = AccountSnapshot(now, "", firmographics(records), tuple(members))
        found.append(AccountVerdict(accounts, identities, judge_account(definition, snapshot)))
    return found


def nobody_known(accounts: Iterable[Ref], definition: LeadDefinition,
                 now: datetime) -> list[AccountVerdict]:
    """Accounts where state knows no one any more (people deleted, merged away or moved):
    each gets the stage an empty buying group gets, so its fields and task follow."""
    result = judge_account(definition, AccountSnapshot(now, "", {}, ()))
    return [AccountVerdict((ref,), (), result) for ref in accounts]


def _groups(by_identity: Mapping[str, list[KnownPerson]]
            ) -> list[tuple[tuple[Ref, ...], tuple[str, ...]]]:
    """Accounts joined when one identity has records at both (union-find), each with the
    identities at it."""
    parent: dict[Ref, Ref] = {}

    def root(ref: Ref) -> Ref:
        while parent.setdefault(ref, ref) != ref:
            ref = parent[ref]
        return ref

    at: dict[str, list[Ref]] = {}
    for identity, records in by_identity.items():
        refs = sorted({Ref(p.ref.system, ACCOUNT, p.account) for p in records if p.account})
        at[identity] = refs
        for ref in refs[1:]:
            parent[root(ref)] = root(refs[0])
    members: dict[Ref, set[str]] = {}
    accounts: dict[Ref, set[Ref]] = {}
    for identity, refs in at.items():
        for ref in refs:
            members.setdefault(root(ref), set()).add(identity)
            accounts.setdefault(root(ref), set()).add(ref)
    return sorted((tuple(sorted(accounts[r])), tuple(sorted(members[r]))) for r in members)


def _member(records: list[KnownPerson], now: datetime) -> Member:
    first = min(records, key=lambda p: str(p.ref))  # twins share a verdict; pick one stably
    verdict = first.verdict
    engaged = max((p.engaged_at for p in records if p.engaged_at and p.engaged_at <= now),
                  default=None)
    touched = max((a.at for p in records for a in p.activities
                   if a.at <= now and counts_as_buyer(a)), default=None)
    titled = [(p.modified_at, p.title) for p in records if p.title and p.title.strip()]
    return Member(first.role, verdict.judged.stage if verdict else "",
                  engaged, touched, max(titled)[1] if titled else None)


def firmographics(records: list[KnownPerson]) -> dict[str, str | None]:
    """The people's own firmographics (a lead's Industry, NumberOfEmployees, Country),
    the first record's value per field."""
    merged: dict[str, str | None] = {}
    for p in records:
        for key, value in (p.verdict.own_fields if p.verdict else {}).items():
            if value not in (None, "") and key not in merged:
                merged[key] = str(value)
    return merged


SALES_READY = "sales_ready"


def lead_definition_counts(persons: Sequence[KnownPerson], definition: LeadDefinition,
                           now: datetime, systems: Iterable[str]
                           ) -> dict[str, dict[str, object]]:
    """Per CRM: people per lead stage, and accounts whose buying group is sales-ready."""
    systems = list(systems)
    found: dict[str, dict[str, object]] = {}
    for system in systems:
        stages: dict[str, int] = {}
        for p in persons:
            if p.ref.system == system:
                stage = (p.verdict.judged.stage if p.verdict else "") or "none"
                stages[stage] = stages.get(stage, 0) + 1
        found[system] = {"leads_by_stage": dict(sorted(stages.items())),
                         "accounts_sales_ready": 0}
    for verdict in account_verdicts(persons, definition, now):
        if verdict.result.stage == SALES_READY:
            for ref in verdict.accounts:
                count = found[ref.system]["accounts_sales_ready"]
                assert isinstance(count, int)
                found[ref.system]["accounts_sales_ready"] = count + 1
    return found
