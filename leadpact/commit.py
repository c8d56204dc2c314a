"""Records a plan in state, at the edge: what the CRMs answered for each step and the
plan's state updates (leadpact/updates.py). The caller holds the page's one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from leadpact.changes import ChangeResult, CloseTask, UpdateTask, UpsertTask
from leadpact.judging import Step
from leadpact.model import TASK, Ref
from leadpact.report import describe_change
from leadpact.state import State
from leadpact.updates import (
    ForgetDeal,
    ForgetPerson,
    LedgerWrite,
    LinkRecords,
    PendingSettled,
    SaveDeal,
    SavePerson,
    SetIdentity,
    TaskBodySet,
    TaskEnded,
    TaskMade,
    Update,
)


def apply_update(state: State, update: Update, run_id: str, now: datetime,
                 created_id: str | None = None) -> None:
    """One update; `created_id` is the id of the task the CRM made, for TaskMade."""
    match update:
        case LedgerWrite(ref, name, old, new):
            state.record_write(run_id, ref, name, old, new, now)
        case PendingSettled(ref, name):
            state.clear_pending_field(ref, name)
        case LinkRecords(ref, others):
            state.link(ref, others)
        case ForgetPerson(ref):
            state.forget_person(ref)
        case SavePerson():
            u = update
            state.save_person(u.ref, u.identity, u.email, u.title, u.title_at,
                              u.verdict, u.account, u.name, u.engaged_at, u.activities)
        case SetIdentity(refs, identity):
            state.set_identity(refs, identity)
        case SaveDeal(ref, is_open, snapshot, summary, contacts):
            state.save_deal(ref, is_open, snapshot, summary, contacts)
        case ForgetDeal(ref):
            state.forget_deal(ref)
        case TaskMade(key, rule, about, episode, body):
            task = Ref(about.system, TASK, created_id) if created_id else None
            state.record_task(key, rule, about, task, episode, run_id, body)
        case TaskBodySet(key, body):
            state.set_task_body(key, body)
        case TaskEnded(key):
            state.close_task(key)


def apply_updates(state: State, updates: Iterable[Update], run_id: str,
                  now: datetime) -> None:
    for update in updates:
        apply_update(state, update, run_id, now)


@dataclass
class Answered:
    """What the CRM's answers came to."""

    failed: set[Ref] = field(default_factory=set)  # records with a change refused
    counts: Counter[str] = field(default_factory=Counter)  # run counters to add
    errors: list[str] = field(default_factory=list)  # "record: error", in order


def record_answers(state: State, steps: Sequence[Step], results: Sequence[ChangeResult],
                   run_id: str, now: datetime) -> Answered:
    """Each confirmed step's updates; each refusal in the run's history, and what it means
    for the record (retry it next run) or the task (stop tracking it)."""
    out = Answered()
    for step, result in zip(steps, results, strict=True):
        if result.ok:
            out.counts["changes_applied"] += 1
            for update in step.done:
                apply_update(state, update, run_id, now, result.created_id)
            if step.counts:
                out.counts[step.counts] += 1
            continue
        out.counts["changes_failed"] += 1
        state.record_refusal(run_id, step.source, describe_change(step.change),
                             result.error or "refused")
        if isinstance(step.change, CloseTask):
            # The CRM refused to complete it (deleted, or no longer ours to touch):
            # retrying would fail the same way on every run, so stop tracking it.
            state.close_task(step.change.key)
        elif isinstance(step.change, UpdateTask):
            # A rep deleted it: the episode goes on without a task (none is remade).
            state.detach_task(step.change.key)
        else:
            out.failed.add(step.source)
            if not isinstance(step.change, UpsertTask):  # its intent stays to retry
                state.mark_failed(step.source, result.error or "refused", run_id)
        out.errors.append(f"{step.source}: {result.error}")
    return out
