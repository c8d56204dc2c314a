"""Finds, at the edge, the people whose lead verdict moves only because time passed
(the rule: leadpact/lead_by_time.py): state's known people, an identity at a time with the
deals its records are on, judged again as of now."""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Iterator
from datetime import datetime
from typing import Any

from leadpact.known_load import load_identity
from leadpact.lead_by_time import moved_by_time, tests_dates
from leadpact.model import Ref
from leadpact.rules.engine import Rules
from leadpact.state import State


def persons_moved_by_time(state: State, rules: Rules, classify: Callable[[str], Any],
                          now: datetime, systems: Collection[str],
                          handled: Container[Ref]) -> Iterator[Ref]:
    dated = tests_dates(rules)
    for members in state.identities():  # a chunk at a time: the org is big
        judged = [p for p in members
                  if p.ref.system in systems and p.ref not in handled and p.verdict]
        if not judged or not dated and not any(p.activities for p in members):
            continue  # nothing in their verdicts depends on the clock
        known = load_identity(state, members)
        for person in judged:
            if moved_by_time(person, known, rules, classify, now, dated):
                yield person.ref
