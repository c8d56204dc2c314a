"""Putting back a person's edit that a write landed on (leadpact/person_edits.py), against
the in-memory CRM: the connector names what its history shows, the edit is written back,
and a refused write-back is reported, not hidden."""

from __future__ import annotations

from collections.abc import Sequence

from leadpact.changes import Change, SetField
from leadpact.connectors.overwritten import Overwritten
from leadpact.person_edits import restore_person_edits
from tests.builders import person
from tests.memory_connector import MemoryConnector


class WithHistory(MemoryConnector):
    """An in-memory CRM whose history says the role write landed on "influencer"."""

    def __init__(self) -> None:
        super().__init__("hubspot")
        self.asked: list[Sequence[Change]] = []

    def overwritten(self, writes: Sequence[Change],
                    whole_history: bool = False) -> list[Overwritten]:
        self.asked.append(writes)
        return [Overwritten(w, "influencer") for w in writes  # not the write-back itself
                if isinstance(w, SetField) and w.field == "role" and w.value != "influencer"]


def test_given_a_write_on_a_persons_edit_then_the_edit_is_written_back() -> None:
    crm = WithHistory()
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    written = [SetField(ann.ref, "role", "economic_buyer", "user"),
               SetField(ann.ref, "seniority", "c_level", None)]
    restored = restore_person_edits(crm, written)
    assert [(e.change.field, e.value) for e in restored.kept] == [("role", "influencer")]
    # the write-back is checked in its turn (an edit can land inside it too)
    assert restored.refused == [] and crm.asked == [
        written, [SetField(ann.ref, "role", "influencer", "economic_buyer")]]
    assert crm.records[ann.ref].leadpact["role"] == "influencer"


def test_given_the_write_back_is_refused_then_it_is_reported() -> None:
    crm = WithHistory()
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    crm.refuse.add(ann.ref)
    restored = restore_person_edits(crm, [SetField(ann.ref, "role", "economic_buyer", "user")])
    assert restored.kept == []
    assert [(e.value, error) for e, error in restored.refused] == [
        ("influencer", "refused by test")]


def test_given_no_writes_or_no_history_then_nothing_is_asked_or_written() -> None:
    crm = WithHistory()
    assert restore_person_edits(crm, []).kept == [] and crm.asked == []
    plain = MemoryConnector("hubspot")
    ann = plain.put(person("1", leadpact={"role": "economic_buyer"}))
    calls = plain.calls
    assert restore_person_edits(plain, [SetField(ann.ref, "role", "x", "y")]).kept == []
    assert plain.calls == calls


class RacedTwice(WithHistory):
    """The history says the person's edit came back inside the write-back: "user"."""

    def overwritten(self, writes: Sequence[Change],
                    whole_history: bool = False) -> list[Overwritten]:
        self.asked.append(writes)
        found = {"economic_buyer": "influencer", "influencer": "user"}
        return [Overwritten(w, found[str(w.value)]) for w in writes
                if isinstance(w, SetField) and str(w.value) in found]


def test_given_an_edit_inside_the_write_back_then_it_is_noted_and_put_back_in_turn() -> None:
    crm = RacedTwice()
    ann = crm.put(person("1", leadpact={"role": "economic_buyer"}))
    noted: list[Sequence[Change]] = []
    restored = restore_person_edits(crm, [SetField(ann.ref, "role", "economic_buyer", "user")],
                                    noted.append)
    assert crm.records[ann.ref].leadpact["role"] == "user"
    assert [(e.change.value, e.value) for e in restored.kept] == [
        ("economic_buyer", "influencer"), ("influencer", "user")]
    assert noted == [[SetField(ann.ref, "role", "influencer", "economic_buyer")],
                     [SetField(ann.ref, "role", "user", "influencer")]]
