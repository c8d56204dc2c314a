from __future__ import annotations

from leadpact.changes import SetField
from leadpact.model import Ref
from leadpact.plan import FieldPlan, plan_fields

REF = Ref("hubspot", "contact", "1")


def test_given_empty_field_when_planning_then_it_is_written() -> None:
    plan = plan_fields(REF, {}, {"role": "user"}, {})
    assert plan.changes == (SetField(REF, "role", "user", None),)


def test_given_value_already_there_when_planning_then_nothing_is_written() -> None:
    plan = plan_fields(REF, {"role": "user"}, {"role": "user"}, {"role": "user"})
    assert plan.changes == () and plan.kept_manual == ()


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


def test_given_a_value_we_never_wrote_equal_to_ours_then_it_stays_the_persons() -> None:
    # a rep set "economic_buyer" by hand; our guess happens to agree: nothing to write...
    assert plan_fields(REF, {"role": "economic_buyer"}, {"role": "economic_buyer"}, {}) == \
        FieldPlan((), ())
    # ...and when our guess moves later, the rep's value is kept, not "adopted" and changed
    later = plan_fields(REF, {"role": "economic_buyer"}, {"role": "user"}, {})
    assert later.changes == () and later.kept_manual == ("role",)


def test_given_a_value_an_interrupted_run_of_ours_wrote_then_it_is_still_ours() -> None:
    # ours_so_far puts a pending value the record holds into last_written
    plan = plan_fields(REF, {"role": "user"}, {"role": "buyer"}, {"role": "user"})
    assert plan.changes == (SetField(REF, "role", "buyer", "user"),)
