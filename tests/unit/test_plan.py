from __future__ import annotations

from leadpact.changes import SetField
from leadpact.model import Ref
from leadpact.plan import plan_fields

REF = Ref("hubspot", "contact", "1")


def test_given_empty_field_when_planning_then_it_is_written() -> None:
    plan = plan_fields(REF, {}, {"role": "user"}, {})
    assert plan.changes == (SetField(REF, "role", "user", None),)


def test_given_value_already_there_when_planning_then_nothing_is_written() -> None:
    plan = plan_fields(REF, {"role": "user"}, {"role": "user"}, {"role": "user"})
    assert plan.changes == () and plan.kept_manual == () and plan.adopted == ()


def test_given_our_last_value_when_the_verdict_moves_then_it_is_updated() -> None:
    plan = plan_fields(REF, {"role": "user"}, {"role": "blocker"}, {"role": "user"})
    assert plan.changes == (SetField(REF, "role", "blocker", "user"),)


def test_given_a_person_changed_our_value_when_planning_then_it_is_kept() -> None:
    plan = plan_fields(REF, {"role": "champion"}, {"role": "blocker"}, {"role": "user"})
    assert plan.changes == () and plan.kept_manual == ("role",)


def test_given_a_person_cleared_our_value_when_planning_then_it_stays_cleared() -> None:
    plan = plan_fields(REF, {}, {"role": "blocker"}, {"role": "user"})
    assert plan.changes == () and plan.kept_manual == ("role",)


def test_given_a_value_we_never_wrote_when_planning_then_it_is_kept() -> None:
    plan = plan_fields(REF, {"role": "decision_maker"}, {"role": "user"}, {})
    assert plan.kept_manual == ("role",)


def test_given_our_value_without_ledger_entry_when_planning_then_it_is_adopted() -> None:
    plan = plan_fields(REF, {"role": "user"}, {"role": "user"}, {})
    assert plan.adopted == ("role",) and plan.changes == ()
