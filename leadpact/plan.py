"""From verdicts to changes. Pure: decides what to write, never writes.

Only real differences are planned, and a field a person edited by hand is left alone: a
field is ours while it still holds the value the ledger says we last wrote, or while it is
empty and we never wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from leadpact.changes import Change, CloseTask, SetField, UpsertTask
from leadpact.model import Ref
from leadpact.state import OpenTask


@dataclass(frozen=True, slots=True)
class FieldPlan:
    changes: tuple[SetField, ...]
    kept_manual: tuple[str, ...]  # fields a person set by hand, left as they are
    adopted: tuple[str, ...]  # fields already holding our value with no ledger entry


def plan_fields(
    ref: Ref,
    current: Mapping[str, str | None],
    desired: Mapping[str, str | None],
    last_written: Mapping[str, str | None],
) -> FieldPlan:
    changes: list[SetField] = []
    kept: list[str] = []
    adopted: list[str] = []
    for field, value in desired.items():
        now_value = current.get(field)
        if now_value == value:
            if field not in last_written or last_written[field] != value:
                adopted.append(field)
            continue
        ours = last_written[field] == now_value if field in last_written else now_value is None
        if ours:
            changes.append(SetField(ref, field, value, now_value))
        else:
            kept.append(field)
    return FieldPlan(tuple(changes), tuple(kept), tuple(adopted))


def task_key(rule: str, about: Ref, episode: int) -> str:
    """Stable per (record, rule, episode): an episode is one stretch of time the rule's
    condition holds, so a retry reuses the key and a later recurrence gets a new one."""
    return f"{rule}:{about}:{episode}"


def plan_task(
    rule: str,
    about: Ref,
    wanted: bool,
    open_task: OpenTask | None,
    next_episode: int,
    *,
    subject: str,
    body: str,
    owner_id: str | None,
    today: date,
    due_in_days: int,
    contact: Ref | None = None,
) -> Change | None:
    """Open a task when the condition starts holding, close it when it clears."""
    if wanted and open_task is None:
        return UpsertTask(about, task_key(rule, about, next_episode), subject, body, owner_id,
                          today + timedelta(days=due_in_days), contact)
    if not wanted and open_task is not None and open_task.task is not None:
        return CloseTask(open_task.task, open_task.key)
    return None
