"""Echo recognition from the state: a row holding only leadpact's own writes is not judged
again; anything else is."""

from __future__ import annotations

from datetime import UTC, datetime

from leadpact.echoes import LedgerEchoes, remember_judged
from leadpact.model import Person, Ref
from leadpact.state import State

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANN = Ref("hubspot", "contact", "1")


def judged_state(version: str = "v1") -> State:
    state = State(":memory:")
    person = Person(ANN, NOW, title="CFO", leadpact={"role": None}, buying_role=None,
                    fingerprint="print-1")
    remember_judged(state, [person], set(), version)
    state.record_write("run-1", ANN, "role", None, "economic_buyer", NOW)
    state.record_write("run-1", ANN, "hs_buying_role", None, "BUDGET_HOLDER", NOW)
    return state


def test_given_the_values_we_wrote_and_the_same_print_then_an_echo() -> None:
    echoes = LedgerEchoes(judged_state(), "v1")
    ours = {"role": "economic_buyer", "hs_buying_role": "BUDGET_HOLDER"}
    assert echoes.unchanged([(ANN, "print-1", ours)]) == {ANN}


def test_given_anything_else_then_a_change() -> None:
    ours = {"role": "economic_buyer", "hs_buying_role": "BUDGET_HOLDER"}
    echoes = LedgerEchoes(judged_state(), "v1")
    assert echoes.unchanged([(ANN, "print-2", ours)]) == set()  # another field moved
    edited = {**ours, "role": "decision_maker"}  # a rep overwrote our value
    assert echoes.unchanged([(ANN, "print-1", edited)]) == set()
    assert echoes.unchanged([(ANN, "print-1", {**ours, "lead_stage": "mql"})]) == set()
    assert LedgerEchoes(judged_state(), "v2").unchanged([(ANN, "print-1", ours)]) == set()
    never = Ref("hubspot", "contact", "2")
    assert echoes.unchanged([(never, "print-1", {})]) == set()  # never judged
    assert echoes.unchanged([(ANN, "", ours)]) == set()  # no print: cannot tell


def test_given_a_write_in_doubt_or_a_failed_record_then_a_change() -> None:
    ours = {"role": "economic_buyer", "hs_buying_role": "BUDGET_HOLDER"}
    state = judged_state()
    state.add_pending("run-2", [(ANN, "role", "influencer")])
    assert LedgerEchoes(state, "v1").unchanged([(ANN, "print-1", ours)]) == set()
    state = judged_state()
    remember_judged(state, [Person(ANN, NOW, fingerprint="print-1")], {ANN}, "v1")
    assert LedgerEchoes(state, "v1").unchanged([(ANN, "print-1", ours)]) == set()
