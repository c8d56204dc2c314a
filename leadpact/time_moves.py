"""Finds, at the edge, the people whose lead verdict moves only because time passed
(the rule: leadpact/lead_by_time.py): state's known people, each with their identity and
its deals loaded, judged again as of now."""

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
    for system in systems:
        for person in state.persons_of(system):  # a chunk at a time: the org is big
            if person.ref in handled or not person.verdict:
                continue
            if moved_by_time(person, load_identity(state, person), rules, classify, now,
                             dated):
                yield person.ref
