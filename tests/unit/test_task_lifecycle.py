"""A task's life as a table: what each task rule wants, what is open, and the one change
that follows (leadpact/task_lifecycle.py)."""

from __future__ import annotations

from datetime import date

import pytest

from leadpact.changes import CloseTask, UpdateTask, UpsertTask
from leadpact.model import Ref
from leadpact.state import OpenTask
from leadpact.task_lifecycle import Forget, TaskIntent, closing_body, decide

DEAL = Ref("salesforce", "deal", "0061")
TASK = Ref("salesforce", "task", "00T1")
TODAY = date(2026, 11, 23)


def intent(holds: bool, body: str = "no reply since 1 Oct", **kw: object) -> TaskIntent:
    return TaskIntent(DEAL, "deal:stale", holds, "Is Widgets alive?", body, "005A", 2,
                      note="the buyer replied", **kw)  # type: ignore[arg-type]


def open_task(body: str | None = "no reply since 1 Oct", task: Ref | None = TASK) -> OpenTask:
    return OpenTask("deal:stale:salesforce:deal:0061:2", "deal:stale", DEAL, task, 2, body)


def test_given_it_holds_and_nothing_open_then_a_task_keyed_by_the_next_episode() -> None:
    change = decide(intent(True), None, 3, TODAY)
    assert change == UpsertTask(DEAL, "deal:stale:salesforce:deal:0061:3", "Is Widgets alive?",
                                "no reply since 1 Oct", "005A", date(2026, 11, 25))


def test_given_it_still_holds_with_the_same_reasons_then_nothing() -> None:
    assert decide(intent(True), open_task(), 3, TODAY) is None


def test_given_the_reasons_changed_then_the_open_task_is_updated_not_remade() -> None:
    change = decide(intent(True, body="4 follow-ups unanswered"), open_task(), 3, TODAY)
    assert change == UpdateTask(TASK, "deal:stale:salesforce:deal:0061:2",
                                "4 follow-ups unanswered")


@pytest.mark.parametrize("body", [None, "no reply since 1 Oct"])
def test_given_a_task_from_before_bodies_were_kept_or_unchanged_then_no_update(
        body: str | None) -> None:
    assert decide(intent(True), open_task(body=body), 3, TODAY) is None


def test_given_a_rep_deleted_the_task_while_it_holds_then_it_is_not_remade() -> None:
    assert decide(intent(True, body="changed"), open_task(task=None), 3, TODAY) is None


def test_given_it_cleared_then_the_task_is_completed_with_a_note() -> None:
    change = decide(intent(False), open_task(), 3, TODAY)
    assert change == CloseTask(TASK, "deal:stale:salesforce:deal:0061:2",
                               "no reply since 1 Oct\n\nCompleted by leadpact on 2026-11-23: "
                               "the buyer replied.")


def test_given_it_cleared_and_the_crm_task_is_gone_then_only_forgotten() -> None:
    assert decide(intent(False), open_task(task=None), 3, TODAY) == \
        Forget("deal:stale:salesforce:deal:0061:2")


def test_given_the_record_is_gone_then_its_task_is_forgotten_not_closed() -> None:
    assert decide(intent(False, in_crm=False), open_task(), 3, TODAY) == \
        Forget("deal:stale:salesforce:deal:0061:2")
    assert decide(intent(True, in_crm=False), open_task(), 3, TODAY) == \
        Forget("deal:stale:salesforce:deal:0061:2")


def test_given_it_does_not_hold_and_nothing_is_open_then_nothing() -> None:
    assert decide(intent(False), None, 3, TODAY) is None


def test_closing_body_without_a_known_description_is_the_note_alone() -> None:
    assert closing_body(None, "", TODAY) == \
        "Completed by leadpact on 2026-11-23: the condition cleared."


def test_an_intent_survives_state_as_json() -> None:
    original = TaskIntent(DEAL, "lead:sql", True, "s", "b", None, 0,
                          Ref("salesforce", "contact", "003A"), "n", False)
    assert TaskIntent.from_json(original.to_json()) == original
