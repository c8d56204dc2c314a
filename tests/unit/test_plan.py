from __future__ import annotations

from datetime import date

from leadpact.changes import CloseTask, SetField, UpsertTask
from leadpact.model import Ref
from leadpact.plan import plan_fields, plan_task
from leadpact.state import OpenTask

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


def _task(wanted: bool, open_task: OpenTask | None) -> object:
    return plan_task("deal:stale", REF, wanted, open_task, 3, subject="s", body="b",
                     owner_id="o", today=date(2026, 11, 23), due_in_days=2)


def test_given_condition_holds_and_no_open_task_then_one_task_with_episode_key() -> None:
    change = _task(True, None)
    assert isinstance(change, UpsertTask)
    assert change.key == "deal:stale:hubspot:contact:1:3"
    assert change.due == date(2026, 11, 25)


def test_given_open_task_when_condition_still_holds_then_nothing() -> None:
    open_task = OpenTask("k", "deal:stale", REF, Ref("hubspot", "task", "7"), 2)
    assert _task(True, open_task) is None


def test_given_open_task_when_condition_cleared_then_task_closed() -> None:
    open_task = OpenTask("k", "deal:stale", REF, Ref("hubspot", "task", "7"), 2)
    assert _task(False, open_task) == CloseTask(Ref("hubspot", "task", "7"), "k")
