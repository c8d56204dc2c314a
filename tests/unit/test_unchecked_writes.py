"""The history check a killed run never ran (leadpact/unchecked_writes.py), against the
in-memory CRM: notes of writes sent without their check are checked by the next run, a
person's value found under one is put back (after the run's preflight), and a write that
never reached the CRM is never taken for one that landed on an edit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from leadpact.changes import Change, RestoreLedgerValue, SetBuyingRole, SetField
from leadpact.connectors.overwritten import Overwritten
from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.errors import ConfigError
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.state import State
from leadpact.unchecked_writes import Unchecked, check_unfinished_writes, from_json, noted, to_json
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import RULES, classify


class WithHistory(MemoryConnector):
    """An in-memory CRM whose history says each role write landed on "influencer"."""

    def __init__(self) -> None:
        super().__init__("hubspot")
        self.asked: list[tuple[Sequence[Change], bool]] = []

    def overwritten(self, writes: Sequence[Change],
                    whole_history: bool = False) -> list[Overwritten]:
        self.asked.append((writes, whole_history))
        return [Overwritten(w, "influencer") for w in writes  # not the write-back itself
                if isinstance(w, SetField) and w.field == "role" and w.value != "influencer"]


def note(state: State, *changes: Change) -> None:
    with state.transaction():
        state.add_unchecked("run-1", noted((c, None) for c in changes))
        state.add_pending("run-1", [(c.ref, c.field, c.value) for c in changes
                                    if isinstance(c, SetField)])


def test_given_a_note_then_it_reads_back_as_the_same_write() -> None:
    crm = MemoryConnector("hubspot")
    ann = crm.put(person("1"))
    for write in (Unchecked(SetField(ann.ref, "role", "user", None), "role"),
                  Unchecked(RestoreLedgerValue(ann.ref, "hs_buying_role", "BUDGET_HOLDER", "x"),
                            "role")):
        assert from_json(to_json(write)) == write


def test_given_a_note_an_older_release_left_then_it_reads_as_the_ledger_value() -> None:
    older = ('{"kind": "native", "ref": "hubspot:contact:1", "field": "hs_buying_role", '
             '"value": "LEGAL_AND_COMPLIANCE", "previous": null, "ledger": "hs_buying_role"}')
    assert from_json(older) == Unchecked(RestoreLedgerValue(
        Ref("hubspot", "contact", "1"), "hs_buying_role", "LEGAL_AND_COMPLIANCE"),
        "hs_buying_role")


def test_given_a_canonical_role_write_then_it_is_noted_as_the_value_it_resolves_to() -> None:
    ann = Ref("hubspot", "contact", "1")
    [(ref, text)] = noted([(SetBuyingRole(ann, BuyingRole.BLOCKER, Function.LEGAL, "OTHER"),
                            "hs_buying_role")])
    assert ref == ann and from_json(text) == Unchecked(RestoreLedgerValue(
        ann, "hs_buying_role", "LEGAL_AND_COMPLIANCE", "OTHER"), "hs_buying_role")


def test_given_a_killed_page_whose_write_landed_on_an_edit_then_the_edit_is_put_back() -> None:
    crm, state = WithHistory(), State(":memory:")
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    note(state, SetField(ann.ref, "role", "economic_buyer", "user"))

    resumed = check_unfinished_writes(crm, state, "run-2")

    assert [(e.change.field, e.value) for e in resumed.kept] == [("role", "influencer")]
    assert crm.records[ann.ref].leadpact["role"] == "influencer"
    assert crm.asked[0][1] is True  # the re-read was another run's: the whole history
    assert state.unchecked("hubspot") == [] and state.pending(ann.ref) == {}


def test_given_a_write_that_never_reached_the_crm_then_nothing_is_asked_or_written() -> None:
    crm, state = WithHistory(), State(":memory:")
    ann = crm.put(person("1", leadpact={"role": "user"}))  # still the value before the write
    note(state, SetField(ann.ref, "role", "economic_buyer", "user"))

    resumed = check_unfinished_writes(crm, state, "run-2")

    assert resumed.kept == [] and crm.asked == []
    assert crm.records[ann.ref].leadpact["role"] == "user"
    assert state.unchecked("hubspot") == []
    assert state.pending(ann.ref) == {"role": {"economic_buyer"}}  # settled by the run


def test_given_the_put_back_is_refused_then_it_is_reported_and_the_note_dropped() -> None:
    crm, state = WithHistory(), State(":memory:")
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    crm.refuse.add(ann.ref)
    note(state, SetField(ann.ref, "role", "economic_buyer", "user"))

    resumed = check_unfinished_writes(crm, state, "run-2")

    assert [(e.value, error) for e, error in resumed.refused] == [
        ("influencer", "refused by test")]
    assert state.unchecked("hubspot") == []


def test_given_a_killed_page_then_the_preflight_runs_before_anything_is_put_back() -> None:
    crm, state = WithHistory(), State(":memory:")
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    note(state, SetField(ann.ref, "role", "economic_buyer", "user"))

    def refuse() -> None:
        raise ConfigError("preflight failed, nothing was written to any CRM: test")

    with pytest.raises(ConfigError):
        run_sync([crm], state, RULES, classify, NOW, before_first_write=refuse)
    assert crm.records[ann.ref].leadpact["role"] == "economic_buyer"  # nothing written
    assert len(state.unchecked("hubspot")) == 1  # …and the next run checks again

    seen: list[str | None] = []
    run_sync([crm], state, RULES, classify, NOW,
             before_first_write=lambda: seen.append(crm.records[ann.ref].leadpact["role"]))
    assert seen == ["economic_buyer"]  # once, before the put-back
    assert crm.records[ann.ref].leadpact["role"] == "influencer"
    assert state.unchecked("hubspot") == []
