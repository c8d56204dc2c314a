"""Telling, from a CRM's change history, which of leadpact's writes landed on a person's
edit (connectors/overwritten.py). Pure table tests."""

from __future__ import annotations

import pytest

from leadpact.changes import RestoreLedgerValue, SetField
from leadpact.connectors.overwritten import (
    Overwritten,
    find_overwritten,
    overwritten_value,
    transitions_from_versions,
)
from leadpact.model import Ref

ANN = Ref("hubspot", "contact", "1")


@pytest.mark.parametrize(("transitions", "expected"), [
    # re-read "user", a person set "influencer", leadpact wrote "economic_buyer"
    ([("influencer", "economic_buyer"), ("user", "influencer")], (True, "influencer")),
    # nobody in between: leadpact's change starts from the value it re-read
    ([("user", "economic_buyer")], (False, None)),
    # a person edited after the write landed: a later change, seen by the next run
    ([("economic_buyer", "blocker"), ("user", "economic_buyer")], (False, None)),
    # the person set leadpact's value themselves (leadpact's write changed nothing)
    ([("user", "economic_buyer"), ("x", "user")], (False, None)),
    # a person cleared the field in the window
    ([(None, "economic_buyer"), ("user", None)], (True, None)),
    # no change to leadpact's value recorded (untracked field, write refused): no verdict
    ([("user", "influencer")], (False, None)),
    ([], (False, None)),
])
def test_given_a_history_then_the_value_written_over_is_named(
        transitions: list[tuple[str | None, str | None]],
        expected: tuple[bool, str | None]) -> None:
    assert overwritten_value(transitions, "user", "economic_buyer") == expected


def test_given_hubspot_versions_newest_first_then_each_starts_from_the_older_one() -> None:
    assert transitions_from_versions(["c", "b", "a"]) == [("b", "c"), ("a", "b"), (None, "a")]
    assert transitions_from_versions([]) == []


def test_given_writes_and_their_histories_then_only_the_overwritten_ones_are_found() -> None:
    role = SetField(ANN, "role", "economic_buyer", "user")
    stage = SetField(ANN, "lead_stage", "sales_ready", None)
    buying = RestoreLedgerValue(ANN, "hs_buying_role", "DECISION_MAKER", None)
    history = {(ANN, "role"): [("influencer", "economic_buyer"), ("user", "influencer")],
               (ANN, "lead_stage"): [(None, "sales_ready")],
               (ANN, "hs_buying_role"): transitions_from_versions(
                   ["DECISION_MAKER", "BLOCKER"])}
    found = find_overwritten([role, stage, buying], history)
    assert found == [Overwritten(role, "influencer"), Overwritten(buying, "BLOCKER")]
    assert [o.restore() for o in found] == [
        SetField(ANN, "role", "influencer", "economic_buyer"),
        RestoreLedgerValue(ANN, "hs_buying_role", "BLOCKER", "DECISION_MAKER")]
