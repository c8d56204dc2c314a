"""The Connector contract, run against both real connectors over HTTP (the sandbox), and
against the in-memory connector tests inject in their place."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadpact.changes import CloseTask, SetField, UpsertTask
from leadpact.connectors.base import Connector
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Deal, Page, Person, Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.contract.orgs import EVERY_CRM, MemoryFace, Org, open_org
from tests.unit.test_pipeline import classify

RULES = load_rules(None)


@pytest.fixture(params=EVERY_CRM)
def org(request: pytest.FixtureRequest, sandbox: Sandbox) -> Org:
    return open_org(request.param, sandbox)


def read_all(connector: Connector, cursor: str | None) -> tuple[list[Page], str | None]:
    pages = list(connector.read_changes(cursor))
    return pages, (pages[-1].cursor if pages else cursor)


def refs(pages: list[Page]) -> set[Ref]:
    return {record.ref for page in pages for record in page.records}


def test_given_an_org_when_read_from_scratch_then_every_person_and_deal_once(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    bob = org.person("Software Engineer", "bob@acme.example")
    deal = org.deal("Acme renewal", [ann, bob], silent_days=3)
    pages, cursor = read_all(org.connector(), None)
    records = [r for page in pages for r in page.records]
    assert {r.ref for r in records} == {ann, bob, deal}
    people = {r.ref: r for r in records if isinstance(r, Person)}
    assert people[ann].title == "CFO" and people[ann].email == "ann@acme.example"
    found = next(r for r in records if isinstance(r, Deal))
    assert {c.person for c in found.contacts} == {ann, bob}
    assert not found.is_closed
    org.clock.advance(minutes=10)
    again, _ = read_all(org.connector(), cursor)
    assert refs(again) == set()


def test_given_a_cursor_when_a_record_changes_then_only_it_comes_back(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    org.person("Software Engineer", "bob@acme.example")
    _, cursor = read_all(org.connector(), None)
    org.clock.advance(minutes=10)
    org.set_title(ann, "Chief Financial Officer")
    pages, _ = read_all(org.connector(), cursor)
    assert refs(pages) == {ann}


def test_given_a_deleted_person_when_read_then_it_comes_back_deleted(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    _, cursor = read_all(org.connector(), None)
    org.clock.advance(minutes=10)
    org.delete(ann)
    pages, _ = read_all(org.connector(), cursor)
    [record] = [r for page in pages for r in page.records]
    assert record.ref == ann and record.deleted


def test_current_values_are_what_a_write_would_replace_and_match_a_full_read(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    deal = org.deal("Acme renewal", [ann], silent_days=3)
    connector = org.connector()
    assert all(r.ok for r in connector.apply([SetField(ann, "role", "economic_buyer"),
                                              SetField(deal, "stale_score", "2.5")]))
    org.set_field(ann, "role", "champion")  # a rep's edit, made after our write
    found = connector.current_values([ann, deal, Ref(org.system, "contact", "999999")])
    assert set(found) == {ann, deal}  # a record that is not there is left out
    assert found[ann]["role"] == "champion" and found[deal]["stale_score"] == "2.5"
    full = {r.ref: r.leadpact for r in connector.read_records([ann, deal])}
    for ref in (ann, deal):  # the light read agrees with the full one, field by field
        assert {k: v for k, v in found[ref].items() if v is not None and k in full[ref]} \
            == dict(full[ref])


def test_given_field_writes_when_read_back_then_values_equal_what_was_written(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    connector = org.connector()
    changes = [SetField(ann, "role", "economic_buyer"), SetField(ann, "role_confidence", "0.85"),
               SetField(ann, "lead_score", "60")]
    assert all(result.ok for result in connector.apply(changes))
    [person] = connector.read_records([ann])
    assert isinstance(person, Person)
    assert {k: person.leadpact.get(k) for k in ("role", "role_confidence", "lead_score")} == {
        "role": "economic_buyer", "role_confidence": "0.85", "lead_score": "60"}


def test_given_the_same_task_key_twice_then_one_task_which_closes(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    deal = org.deal("Acme renewal", [ann], silent_days=3)
    connector = org.connector()
    task = UpsertTask(deal, "deal:stale:x:1", "Stale deal: Acme", "why", None,
                      org.clock.now.date() + timedelta(days=2))
    [first] = connector.apply([task])
    [second] = connector.apply([task])
    assert first.ok and second.ok and first.created_id == second.created_id
    assert org.tasks() == [("deal:stale:x:1", True)]
    [closed] = connector.apply([CloseTask(Ref(org.system, "task", str(first.created_id)),
                                          "deal:stale:x:1")])
    assert closed.ok and org.tasks() == [("deal:stale:x:1", False)]


def test_given_a_sync_when_run_again_then_nothing_is_written(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    bob = org.person("Software Engineer", "bob@acme.example")
    org.deal("Quiet deal", [ann, bob], silent_days=60)
    state = State(":memory:")
    first, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    stats = first.systems[org.system]
    assert stats.changes_failed == 0 and stats.changes_applied > 0
    assert stats.contacts_tagged == 2
    assert org.field(ann, "role") == "economic_buyer"
    tasks = org.tasks()
    # a deal task (the CFO and an engineer leave committee gaps); staleness now needs
    # buyer-side evidence, covered by tests/unit/test_stale_signals.py and test_pipeline.py
    assert [key.split(":")[1] for key, _ in tasks].count("committee_gap") == 1
    org.clock.advance(minutes=10)
    second, planned = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert planned == []
    assert second.systems[org.system].tasks_created == 0 and org.tasks() == tasks


def test_given_a_rep_overwrote_our_value_when_synced_then_it_is_kept(org: Org) -> None:
    ann = org.person("CFO", "ann@acme.example")
    state = State(":memory:")
    run_sync([org.connector()], state, RULES, classify, org.clock.now)
    org.clock.advance(minutes=10)
    org.set_field(ann, "role", "decision_maker")
    org.set_title(ann, "Procurement Manager")
    summary, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert org.field(ann, "role") == "decision_maker"
    assert org.field(ann, "function") == "procurement"
    assert summary.systems[org.system].manual_values_kept >= 1


def test_given_a_sync_when_its_own_writes_come_back_then_persons_are_not_judged_again(
        org: Org) -> None:
    if isinstance(org, MemoryFace):
        pytest.skip("the in-memory CRM has no stamps for writes to move")
    ann = org.person("CFO", "ann@acme.example")
    bob = org.person("Software Engineer", "bob@acme.example")
    org.deal("Quiet deal", [ann, bob], silent_days=60)
    state = State(":memory:")
    org.clock.advance(minutes=10)  # our writes get stamps of their own
    first, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert first.systems[org.system].changes_applied > 0
    org.clock.advance(minutes=10)
    connector = org.connector()
    second, planned = run_sync([connector], state, RULES, classify, org.clock.now)
    # Both persons came back (our writes moved their stamps) but hold only what we wrote.
    # The deal may come back for its contact roles (Salesforce keeps them on other rows).
    assert planned == [] and second.systems[org.system].records_read <= 1
    org.clock.advance(minutes=10)
    org.set_field(ann, "role", "decision_maker")  # a rep's edit of a field we write
    org.set_title(bob, "Procurement Manager")  # and of a field we read
    third, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert third.systems[org.system].manual_values_kept >= 1
    assert org.field(ann, "role") == "decision_maker"
    assert org.field(bob, "function") == "procurement"


class Totals:
    """A ReadObserver keeping the rows each stream's read matched."""

    def __init__(self) -> None:
        self.matched: dict[str, int | None] = {}

    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        self.matched[stream] = total

    def items_done(self, system: str, stream: str, count: int) -> None:
        pass


def test_given_a_full_read_when_nothing_changed_past_the_lookback_then_no_row_matches(
        org: Org) -> None:
    if isinstance(org, MemoryFace):
        pytest.skip("the in-memory CRM has no queries")
    org.person("CFO", "ann@acme.example")
    org.clock.advance(minutes=6)  # the newest change is older than the read's lookback
    _, cursor = read_all(org.connector(), None)
    org.clock.advance(minutes=1)  # the next read comes soon after
    connector = org.connector()
    totals = Totals()
    connector.observer = totals  # type: ignore[attr-defined]
    pages, _ = read_all(connector, cursor)
    assert refs(pages) == set()
    matched = {stream: n for stream, n in totals.matched.items() if n is not None}
    assert matched and not any(matched.values()), matched  # nothing downloaded to drop
