"""The state-only check for people whose lead verdict moved with time walks state an
identity at a time; it must find exactly the people a check of each person on their own
(their identity and its deals read from state one query at a time) finds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadpact import lead_by_time
from leadpact.connect import title_classifier
from leadpact.demo import run_demo
from leadpact.known import Known, KnownPerson
from leadpact.known_load import _Loader
from leadpact.model import SYSTEMS, Ref
from leadpact.rules.engine import Rules, load_rules
from leadpact.state import State
from leadpact.time_moves import persons_moved_by_time

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def one_at_a_time(state: State, person: KnownPerson) -> Known:
    loader = _Loader(state)
    loader.persons[person.ref] = person
    for member in loader.identity(person.identity) or (person,):
        loader.deals_of_person(member.ref)
    return loader.known({})


def each_person(state: State, rules: Rules, now: datetime, handled: set[Ref]) -> set[Ref]:
    classify, dated = title_classifier(rules), lead_by_time.tests_dates(rules)
    return {person.ref for system in SYSTEMS for person in state.persons_of(system)
            if person.ref not in handled and person.verdict
            and lead_by_time.moved_by_time(person, one_at_a_time(state, person), rules,
                                           classify, now, dated)}


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[State]:
    folder: Path = tmp_path_factory.mktemp("org")
    run_demo(folder, people=400, seed=11, runs=1, now=NOW)
    state = State(folder / "state.sqlite3")
    yield state
    state.close()


@pytest.mark.parametrize("days", [0, 3, 20, 45])
def test_given_a_synced_org_when_days_pass_then_the_identity_walk_finds_who_each_check_finds(
        synced: State, days: int) -> None:
    rules = load_rules(None)
    now = NOW + timedelta(days=days)
    handled = {p.ref for p in synced.persons_of("hubspot")
               if p.ref.id.endswith(("1", "7"))}  # handled this run: never re-judged
    found = set(persons_moved_by_time(synced, rules, title_classifier(rules), now, SYSTEMS,
                                      handled))
    assert found == each_person(synced, rules, now, handled)
    assert not found & handled
    if days >= 20:
        assert found  # a test that finds nobody proves nothing
