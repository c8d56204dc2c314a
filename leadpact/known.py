"""The read model: what state knew, before a page, about everything the page's decisions
read (identities and twins, previous verdicts, the ledger and pending values, frozen fields,
open tasks and their episodes, deal snapshots, colleagues at an account).

Immutable values only: leadpact/known_load.py fills it from state at the edge, and the
planner (leadpact/judging.py) reads nothing else. Its lookups are strict: asking for a
record the loader did not load is a KeyError, so a planner reading past what was loaded
fails loudly instead of deciding on an empty answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

from leadpact.enrichment.labels import BuyingRole
from leadpact.model import Activity, ActivityKind, Ref
from leadpact.state_rows import DealRow, SavedVerdict
from leadpact.vocab import parse_label

K = TypeVar("K")
V = TypeVar("V")
_NO_NORMS: Mapping[str, int] = MappingProxyType({})


def _nothing() -> Mapping[K, V]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class OpenTask:
    key: str
    rule: str
    about: Ref
    task: Ref | None  # None: no CRM task to touch (a rep deleted it, or none was made)
    episode: int
    body: str | None = None  # the description leadpact last gave it


@dataclass(frozen=True, slots=True)
class KnownPerson:
    ref: Ref
    identity: str
    email: str | None
    title: str | None
    modified_at: datetime  # when this record's title last changed, as far as leadpact saw
    verdict: SavedVerdict | None
    account: str | None = None
    name: str = ""
    engaged_at: datetime | None = None  # latest buyer-side activity seen
    activities_json: str | None = None  # this record's own recent activities (see activities)

    @property
    def activities(self) -> tuple[Activity, ...]:
        if not self.activities_json:
            return ()
        rows: list[list[object]] = json.loads(self.activities_json)
        return tuple(activity_from_row(row) for row in rows)

    @property
    def role(self) -> BuyingRole:
        """The buying role last saved for this record."""
        return self.verdict.role if self.verdict else BuyingRole.UNKNOWN


def activity_from_row(row: list[object]) -> Activity:
    """One stored activity; rows written before outcome/booked_at/text had five items."""
    at, kind, inbound, subject, deal, *more = row
    outcome, booked, text = (more + ["", None, ""])[:3]
    return Activity(datetime.fromisoformat(str(at)),
                    parse_label(ActivityKind, str(kind), "activity kind"), bool(inbound),
                    str(subject), Ref.parse(str(deal)) if deal else None, str(outcome or ""),
                    datetime.fromisoformat(str(booked)) if booked else None, str(text or ""))


@dataclass(frozen=True, slots=True)
class Known:
    """What state knew before the page. Each mapping holds an entry (possibly empty) for
    every key the loader was asked about; `None` values mean "state has none"."""

    persons: Mapping[Ref, KnownPerson | None] = field(default_factory=_nothing)
    # every record linked to a record, transitively
    links: Mapping[Ref, frozenset[Ref]] = field(default_factory=_nothing)
    by_email: Mapping[str, tuple[KnownPerson, ...]] = field(default_factory=_nothing)
    # identity -> its records in both CRMs
    identities: Mapping[str, tuple[KnownPerson, ...]] = field(default_factory=_nothing)
    # person -> the deals they are on
    deals_of: Mapping[Ref, tuple[Ref, ...]] = field(default_factory=_nothing)
    deals: Mapping[Ref, DealRow | None] = field(default_factory=_nothing)  # as last saved
    # record -> field -> the value the ledger says leadpact last wrote
    written: Mapping[Ref, Mapping[str, str | None]] = field(default_factory=_nothing)
    # record -> field -> values a run cut short may have written
    pending: Mapping[Ref, Mapping[str, frozenset[str | None]]] = field(
        default_factory=_nothing)
    stamps_before_pending: Mapping[Ref, datetime | None] = field(default_factory=_nothing)
    frozen: Mapping[Ref, frozenset[str]] = field(default_factory=_nothing)
    open_tasks: Mapping[Ref, tuple[OpenTask, ...]] = field(default_factory=_nothing)
    # record -> task-rule families ("lead:") a held intent of an unfinished run wants
    wanted_tasks: Mapping[Ref, frozenset[str]] = field(default_factory=_nothing)
    next_episodes: Mapping[tuple[Ref, str], int] = field(default_factory=_nothing)
    # (system, account) -> persons there, in reference order: at least those the questions
    # asked of it need (known_load loads, per role the rules require, the first few
    # holders, and the first engaged identities, not the thousands a big account holds)
    colleagues: Mapping[tuple[str, str], tuple[KnownPerson, ...]] = field(
        default_factory=_nothing)
    norms: Mapping[str, Mapping[str, int]] = field(default_factory=_nothing)  # per CRM

    # Lookups named after the questions the planner asks.
    def person(self, ref: Ref) -> KnownPerson | None:
        return self.persons[ref]

    def linked(self, ref: Ref) -> frozenset[Ref]:
        return self.links[ref]

    def persons_with_email(self, email: str) -> tuple[KnownPerson, ...]:
        return self.by_email[email]

    def persons_of_identity(self, identity: str) -> tuple[KnownPerson, ...]:
        return self.identities[identity]

    def deals_of_person(self, person: Ref) -> tuple[Ref, ...]:
        return self.deals_of[person]

    def deal(self, ref: Ref) -> DealRow | None:
        return self.deals[ref]

    def last_written(self, ref: Ref) -> Mapping[str, str | None]:
        return self.written[ref]

    def pending_values(self, ref: Ref) -> Mapping[str, frozenset[str | None]]:
        return self.pending[ref]

    def stamp_before_pending(self, ref: Ref) -> datetime | None:
        return self.stamps_before_pending[ref]

    def frozen_fields(self, ref: Ref) -> frozenset[str]:
        return self.frozen[ref]

    def open_tasks_about(self, about: Ref) -> tuple[OpenTask, ...]:
        return self.open_tasks[about]

    def open_task(self, about: Ref, rule: str) -> OpenTask | None:
        return next((t for t in self.open_tasks[about] if t.rule == rule), None)

    def next_episode(self, about: Ref, rule: str) -> int:
        return self.next_episodes[(about, rule)]

    def holds_task(self, about: Ref, rule_prefix: str) -> bool:
        """A task of a rule starting with `rule_prefix` is open, or a run's intent wants it."""
        return any(t.rule.startswith(rule_prefix) for t in self.open_tasks[about]) \
            or any(rule.startswith(rule_prefix) for rule in self.wanted_tasks[about])

    def persons_at_account(self, system: str, account: str) -> tuple[KnownPerson, ...]:
        return self.colleagues[(system, account)]

    def stage_norms(self, system: str) -> Mapping[str, int]:
        return self.norms.get(system, _NO_NORMS)
