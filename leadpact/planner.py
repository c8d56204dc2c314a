"""The pure planner: a page of records and the read model in, a PagePlan out (the CRM
changes and every state update, as data). Also the task pass's plan and the deals whose
verdict moved with time alone. No I/O: leadpact/known_load.py loads the read model and
leadpact/commit.py records the plan, both at the edge (leadpact/pipeline.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leadpact.judging import (
    Fresh,
    RecordPlan,
    Setting,
    Step,
    final_intent,
    judge_deal_now,
    plan_deal,
    plan_person,
    task_step,
)
from leadpact.known import Known
from leadpact.model import Deal, Person, Ref
from leadpact.state_rows import DealRow
from leadpact.task_lifecycle import Forget, TaskIntent, decide
from leadpact.updates import TaskEnded, Update


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Each record of a page with what handling it decided, in the order planned (persons
    first: a deal on the same page is judged by its contacts' fresh roles)."""

    records: tuple[tuple[Person | Deal, RecordPlan], ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for _, plan in self.records for step in plan.steps)

    @property
    def updates(self) -> tuple[Update, ...]:
        return tuple(update for _, plan in self.records for update in plan.updates)

    @property
    def intents(self) -> dict[tuple[Ref, str], TaskIntent]:
        """What each task rule wants per record: the last word of the page."""
        return {(i.about, i.rule): i for _, plan in self.records for i in plan.tasks}


def plan_page(records: Iterable[Person | Deal], known: Known, at: Setting) -> PagePlan:
    ordered = sorted(records, key=lambda r: not isinstance(r, Person))
    persons = [(r, plan_person(at, known, r)) for r in ordered if isinstance(r, Person)]
    fresh = Fresh(
        roles={r.ref: plan.role for r, plan in persons if plan.role is not None},
        engaged={r.ref: plan.engaged_at for r, plan in persons if plan.role is not None},
        activities={r.ref: r.activities for r, _ in persons})
    deals = [(r, plan_deal(at, known, fresh, r)) for r in ordered if isinstance(r, Deal)]
    return PagePlan((*persons, *deals))


@dataclass(frozen=True, slots=True)
class TaskPlan:
    steps: tuple[Step, ...]
    forgets: tuple[TaskEnded, ...]  # tasks to stop tracking without a CRM call


def plan_tasks(intents: Iterable[TaskIntent], known: Known, at: Setting) -> TaskPlan:
    """Each intent, worded as things stand at the end of the run, as at most one task
    change (leadpact/task_lifecycle.py)."""
    steps, forgets = [], []
    today = at.now.date()
    for intent in (final_intent(at, known, i) for i in intents):
        decided = decide(intent, known.open_task(intent.about, intent.rule),
                         known.next_episode(intent.about, intent.rule), today)
        if isinstance(decided, Forget):
            forgets.append(TaskEnded(decided.key))
        elif decided is not None:
            steps.append(task_step(intent, decided))
    return TaskPlan(tuple(steps), tuple(forgets))


def deals_moved_by_time(deals: Sequence[DealRow], known: Known, at: Setting) -> list[Ref]:
    """Open deals (as state last saw them) whose verdict differs when judged now."""
    return [row.ref for row in deals
            if judge_deal_now(at, known, Fresh(), row.deal).summary() != row.verdict]
