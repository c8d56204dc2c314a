"""A task's life, decided once per run on a record's final inputs. Pure.

While a run reads its pages, judging a record only *states* what each task rule wants
(a TaskIntent); the latest statement per (record, rule) wins and is kept in state with the
page. After every feed and the refresh pass, the run turns each into at most one change:
create (a new episode), update the description (the reasons moved), complete it with a
note (the condition cleared), or only forget it (the record or the CRM task is gone).
So a task is never created and closed within one run, and a task a rep completed or
deleted is not made again until its condition clears and comes back (a new episode).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from leadpact.changes import Change, CloseTask, UpdateTask, UpsertTask
from leadpact.known import OpenTask
from leadpact.model import Ref


@dataclass(frozen=True, slots=True)
class TaskIntent:
    """What one task rule wants for one record, as judged last in this run."""

    about: Ref
    rule: str
    holds: bool
    subject: str = ""
    body: str = ""
    owner_id: str | None = None
    due_in_days: int = 0
    contact: Ref | None = None
    note: str = ""  # why the condition cleared, appended when the task is completed
    in_crm: bool = True  # False: the record is gone, and its task with it

    def to_json(self) -> str:
        data: dict[str, Any] = {"about": str(self.about), "rule": self.rule,
                                "holds": self.holds, "subject": self.subject,
                                "body": self.body, "owner_id": self.owner_id,
                                "due_in_days": self.due_in_days,
                                "contact": str(self.contact) if self.contact else None,
                                "note": self.note, "in_crm": self.in_crm}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TaskIntent:
        data = json.loads(text)
        contact = data.pop("contact")
        return cls(**{**data, "about": Ref.parse(data["about"]),
                      "contact": Ref.parse(contact) if contact else None})


@dataclass(frozen=True, slots=True)
class Forget:
    """Stop tracking a task without touching the CRM: its record or the task is gone."""

    key: str


def task_key(rule: str, about: Ref, episode: int) -> str:
    """Stable per (record, rule, episode): an episode is one stretch of time the rule's
    condition holds, so a retry reuses the key and a later recurrence gets a new one."""
    return f"{rule}:{about}:{episode}"


def closing_body(body: str | None, note: str, today: date) -> str:
    """Our description with the reason it closed below it."""
    line = f"Completed by leadpact on {today.isoformat()}: {note or 'the condition cleared'}."
    return f"{body}\n\n{line}" if body else line


def decide(intent: TaskIntent, open_task: OpenTask | None, next_episode: int,
           today: date) -> Change | Forget | None:
    """The one change that brings the CRM's task in line with `intent`, if any."""
    if intent.holds and intent.in_crm:
        if open_task is None:
            return UpsertTask(intent.about, task_key(intent.rule, intent.about, next_episode),
                              intent.subject, intent.body, intent.owner_id,
                              today + timedelta(days=intent.due_in_days), intent.contact)
        if open_task.task is not None and open_task.body is not None \
                and open_task.body != intent.body:
            return UpdateTask(open_task.task, open_task.key, intent.body)
        return None
    if open_task is None:
        return None
    if open_task.task is None or not intent.in_crm:
        return Forget(open_task.key)
    return CloseTask(open_task.task, open_task.key,
                     closing_body(open_task.body, intent.note, today))
