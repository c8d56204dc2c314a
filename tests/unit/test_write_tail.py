"""A change-feed page's part-filled last write call waits for the refresh pass: which
records are held back (pure), and that a run cut short before the refresh pass still
writes them (the next run's retry pass)."""

from __future__ import annotations

import pytest

from leadpact.changes import SetDealContactRole, SetField
from leadpact.enrichment.labels import BuyingRole
from leadpact.errors import QuotaExhausted
from leadpact.judging import Step
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.state import State
from leadpact.write_tail import held_back
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import RULES, classify


def contact(n: int) -> Ref:
    return Ref("salesforce", "contact", f"003{n}")


def field_steps(ref: Ref, fields: int = 2) -> list[Step]:
    return [Step(SetField(ref, f"f{i}", "v"), ref) for i in range(fields)]


def test_given_writes_that_fill_whole_calls_then_nothing_is_held() -> None:
    steps = [s for n in range(4) for s in field_steps(contact(n))]
    assert held_back(steps, 2) == set()
    assert held_back(steps, 0) == set()  # a connector that holds nothing back
    assert held_back([], 2) == set()


def test_given_a_part_filled_last_call_then_its_records_are_held() -> None:
    steps = [s for n in range(5) for s in field_steps(contact(n))]
    # five records, two per call: the fifth alone would make a third call
    assert held_back(steps, 2) == {contact(4)}
    assert held_back(steps, 3) == {contact(3), contact(4)}
    assert held_back(steps, 6) == set()  # no whole call: a small page is written as it is


def test_given_a_record_whose_writes_straddle_the_last_full_call_then_it_is_not_held() -> None:
    deal = Ref("salesforce", "deal", "006A")
    roles = [Step(SetDealContactRole(deal, contact(n), BuyingRole.USER), deal) for n in (7, 8)]
    # targets: 0030, 0031, the deal's two role records: the last call holds one role only
    steps = field_steps(contact(0)) + field_steps(contact(1)) + roles
    assert held_back(steps, 3) == set()
    assert held_back(steps, 2) == set()  # four targets, whole calls


@pytest.fixture
def state() -> State:
    return State(":memory:")


def crm_of_three(write_call: int) -> MemoryConnector:
    sf = MemoryConnector("salesforce", page_size=3)
    sf.write_call = write_call  # type: ignore[attr-defined]
    for n in range(3):
        sf.put(person(f"003{n}", system="salesforce", title="CFO",
                      email=f"p{n}@acme.example"))
    return sf


def test_given_a_held_record_then_the_run_writes_it_in_its_refresh_pass(state: State) -> None:
    sf = crm_of_three(write_call=2)
    summary, _ = run_sync([sf], state, RULES, classify, NOW)
    plain_state = State(":memory:")
    plain = crm_of_three(write_call=0)
    plain_summary, _ = run_sync([plain], plain_state, RULES, classify, NOW)
    assert all(r.leadpact.get("role") == "economic_buyer" for r in sf.records.values())
    assert {r: x.leadpact for r, x in sf.records.items()} == \
        {r: x.leadpact for r, x in plain.records.items()}
    for counter in ("changes_planned", "changes_applied", "tasks_created"):
        assert getattr(summary.systems["salesforce"], counter) == \
            getattr(plain_summary.systems["salesforce"], counter), counter
    assert summary.status == "ok" and state.failed("salesforce") == []


def test_given_a_run_cut_short_before_its_refresh_pass_then_the_next_writes_the_held(
        state: State) -> None:
    sf = crm_of_three(write_call=2)
    sf.quota_after = 1  # the change feed's one write call, then the CRM says no more
    with pytest.raises(QuotaExhausted):
        run_sync([sf], state, RULES, classify, NOW)
    held = contact(2)
    assert sf.records[held].leadpact == {}
    assert state.failed("salesforce") == [held]  # not lost: retried by the next run
    sf.quota_after = None
    summary, _ = run_sync([sf], state, RULES, classify, NOW)
    assert sf.records[held].leadpact.get("role") == "economic_buyer"
    assert state.failed("salesforce") == [] and summary.status == "ok"
    assert len(sf.tasks) == 3  # one per person, none twice
