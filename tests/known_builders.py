"""The planner's read model built by hand, for table tests without SQLite: anything a
test does not state reads as "state knows nothing about it"."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from leadpact.known import Known, KnownPerson, OpenTask
from leadpact.model import Activity, Ref
from leadpact.state_rows import DealRow, verdict_from_data
from tests.builders import days_ago


def known_person(ref: Ref, *, identity: str | None = None, email: str | None = None,
                 title: str | None = None, modified_at: datetime | None = None,
                 verdict: Mapping[str, object] | None = None, account: str | None = None,
                 name: str = "", engaged_at: datetime | None = None,
                 activities: Iterable[Activity] = ()) -> KnownPerson:
    """`verdict`: the saved verdict's words as state's JSON holds them (unsaid: unknown)."""
    stored = [[a.at.isoformat(), a.kind, a.inbound, a.subject, str(a.deal) if a.deal else None,
               a.outcome, a.booked_at.isoformat() if a.booked_at else None, a.text]
              for a in activities]
    return KnownPerson(ref, identity or str(ref), email, title, modified_at or days_ago(30),
                       verdict_from_data(dict(verdict)) if verdict is not None else None,
                       account, name, engaged_at,
                       json.dumps(stored) if stored else None)


def known(*, persons: Iterable[KnownPerson] = (),
          links: Mapping[Ref, Iterable[Ref]] | None = None,
          deals: Mapping[Ref, DealRow] | None = None,
          deals_of: Mapping[Ref, Iterable[Ref]] | None = None,
          written: Mapping[Ref, Mapping[str, str | None]] | None = None,
          pending: Mapping[Ref, Mapping[str, Iterable[str | None]]] | None = None,
          frozen: Mapping[Ref, Iterable[str]] | None = None,
          open_tasks: Iterable[OpenTask] = (),
          wanted: Mapping[Ref, Iterable[str]] | None = None,
          episodes: Mapping[tuple[Ref, str], int] | None = None,
          norms: Mapping[str, Mapping[str, int]] | None = None) -> Known:
    people = list(persons)
    by_ref: defaultdict[Ref, KnownPerson | None] = defaultdict(lambda: None)
    by_email: defaultdict[str, tuple[KnownPerson, ...]] = defaultdict(tuple)
    identities: defaultdict[str, tuple[KnownPerson, ...]] = defaultdict(tuple)
    colleagues: defaultdict[tuple[str, str], tuple[KnownPerson, ...]] = defaultdict(tuple)
    for p in people:
        by_ref[p.ref] = p
        identities[p.identity] += (p,)
        if p.email:
            by_email[p.email] += (p,)
        if p.account:
            colleagues[(p.ref.system, p.account)] += (p,)
    tasks: defaultdict[Ref, tuple[OpenTask, ...]] = defaultdict(tuple)
    for task in open_tasks:
        tasks[task.about] += (task,)
    return Known(
        persons=by_ref, by_email=by_email, identities=identities, colleagues=colleagues,
        links=defaultdict(frozenset, {r: frozenset(o) for r, o in (links or {}).items()}),
        deals=defaultdict(lambda: None, deals or {}),
        deals_of=defaultdict(tuple, {r: tuple(d) for r, d in (deals_of or {}).items()}),
        written=defaultdict(dict, written or {}),
        pending=defaultdict(dict, {r: {f: frozenset(v) for f, v in by_field.items()}
                                   for r, by_field in (pending or {}).items()}),
        stamps_before_pending=defaultdict(lambda: None),
        frozen=defaultdict(frozenset, {r: frozenset(f) for r, f in (frozen or {}).items()}),
        open_tasks=tasks,
        wanted_tasks=defaultdict(frozenset, {r: frozenset(w) for r, w in (wanted or {}).items()}),
        next_episodes=defaultdict(lambda: 1, episodes or {}),
        norms=norms or {})
