"""`leadpact undo RUN`: put back what one run wrote, wherever nobody changed it since.

The ledger holds every value a run wrote and what was there before. A field goes back to
its earlier value only if it still holds what the run wrote and no later run wrote it
again; anything else was changed by a person or a later run, and is left alone (and listed).
Tasks the run created that are still open are closed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpact.changes import Change, CloseTask, SetContactRole, SetField, SetNativeField
from leadpact.connectors.base import Connector
from leadpact.errors import ConfigError
from leadpact.model import Deal, Person, Record, Ref
from leadpact.pipeline import stopped_by
from leadpact.report import describe_change
from leadpact.state import OpenTask, State

CONTACT_ROLE = "contact_role:"


@dataclass
class UndoPlan:
    changes: list[Change] = field(default_factory=list)
    ledger: list[tuple[Ref, str, str | None, str | None]] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)


def current_value(record: Record, name: str) -> tuple[bool, str | None]:
    """(found, value) of one ledger field on a record as read now."""
    if name.startswith(CONTACT_ROLE):
        if not isinstance(record, Deal):
            return False, None
        role_id = name[len(CONTACT_ROLE):]
        for contact in record.contacts:
            if contact.id == role_id:
                return True, contact.role
        return False, None
    if name == "hs_buying_role":
        return isinstance(record, Person), getattr(record, "buying_role", None)
    return True, record.leadpact.get(name)


def plan_undo(run_id: str, writes: Sequence[tuple[Ref, str, str | None, str | None]],
              last_runs: Mapping[tuple[Ref, str], str | None],
              records: Mapping[Ref, Record]) -> UndoPlan:
    """Pure: the changes that put back a run's writes, and what is left alone and why."""
    before: dict[tuple[Ref, str], str | None] = {}
    after: dict[tuple[Ref, str], str | None] = {}
    for ref, name, old, new in writes:
        before.setdefault((ref, name), old)  # the value before the run's first write
        after[(ref, name)] = new  # the value after its last
    plan = UndoPlan()
    for (ref, name), wrote in after.items():
        where = f"{ref} {name}"
        if last_runs.get((ref, name)) != run_id:
            plan.left_alone.append(f"{where}: a later run wrote it again")
            continue
        record = records.get(ref)
        found, now = current_value(record, name) if record else (False, None)
        if record is None or record.deleted or not found:
            plan.left_alone.append(f"{where}: the record is gone")
            continue
        if now != wrote:
            plan.left_alone.append(f"{where}: changed since ({now!r}), kept")
            continue
        old = before[(ref, name)]
        plan.changes.append(_restore(record, name, old, now))
        plan.ledger.append((ref, name, now, old))
    return plan


def _restore(record: Record, name: str, old: str | None, now: str | None) -> Change:
    if name.startswith(CONTACT_ROLE):
        assert isinstance(record, Deal)
        role_id = name[len(CONTACT_ROLE):]
        person = next(c.person for c in record.contacts if c.id == role_id)
        return SetContactRole(record.ref, person, old, role_id)
    if name == "hs_buying_role":
        return SetNativeField(record.ref, name, old, now)
    return SetField(record.ref, name, old, now)


def run_undo(connectors: Sequence[Connector], state: State, run_id: str, now: datetime,
             dry_run: bool = False) -> dict[str, Any]:
    known = {r[0] for r in state.runs(limit=10_000)}
    if run_id not in known:
        raise ConfigError(f"no run {run_id!r} in this state; `leadpact runs` lists them")
    candidates = itertools.chain([f"undo-{run_id}"],
                                 (f"undo-{run_id}-{n}" for n in itertools.count(2)))
    undo_id = next(i for i in candidates if i not in known)
    by_system = {c.system: c for c in connectors}
    writes = state.writes_of_run(run_id)
    refs = sorted({ref for ref, _, _, _ in writes})
    summary: dict[str, Any] = {"run": run_id, "restored": 0, "failed": 0, "tasks_closed": 0,
                               "left_alone": [], "dry_run": dry_run}
    records: dict[Ref, Record] = {}
    for system, connector in by_system.items():
        mine = [r for r in refs if r.system == system]
        for start in range(0, len(mine), 200):
            records.update((r.ref, r) for r in connector.read_records(mine[start:start + 200]))
    last_runs = {(ref, name): state.last_run_of(ref, name) for ref, name, _, _ in writes}
    plan = plan_undo(run_id, writes, last_runs, records)
    summary["left_alone"] = plan.left_alone
    tasks = state.open_tasks_of_run(run_id)
    summary["planned"] = len(plan.changes) + len(tasks)
    if dry_run:
        return summary
    summary["undo_id"] = undo_id
    state.start_run(undo_id, now)
    status, error = "failed", None
    try:
        _apply_undo(by_system, state, plan, tasks, undo_id, now, summary)
        status = "partial" if summary["failed"] else "ok"
    except BaseException as exc:
        error = stopped_by(exc)
        raise
    finally:
        state.finish_run(undo_id, datetime.now(now.tzinfo), status, {
            "kind": "undo", "undoes": run_id, "run_id": undo_id, "status": status,
            "error": error, "failures": summary.get("failures", []),
            "left_alone_count": len(plan.left_alone), "systems": summary.get("systems", {})})
    return summary


def _apply_undo(by_system: Mapping[str, Connector], state: State, plan: UndoPlan,
                tasks: Sequence[OpenTask], undo_id: str, now: datetime,
                summary: dict[str, Any]) -> None:
    summary["failures"], summary["systems"] = [], {}
    for system, connector in by_system.items():
        restores = [(c, e) for c, e in zip(plan.changes, plan.ledger, strict=True)
                    if _ref(c).system == system]
        closes: list[Change] = [CloseTask(t.task, t.key) for t in tasks
                                if t.task is not None and t.task.system == system]
        changes = [c for c, _ in restores] + closes
        results = connector.apply(changes) if changes else []
        entries = [e for _, e in restores] + [None] * len(closes)
        stats = summary["systems"][system] = {
            "changes_applied": 0, "changes_failed": 0, "tasks_closed": 0}
        with state.transaction():
            for result, entry in zip(results, entries, strict=True):
                if not result.ok:
                    summary["failed"] += 1
                    stats["changes_failed"] += 1
                    state.record_refusal(undo_id, _ref(result.change),
                                         describe_change(result.change),
                                         result.error or "refused")
                    if len(summary["failures"]) < 20:
                        summary["failures"].append(f"{_ref(result.change)}: {result.error}")
                elif entry is None:
                    state.close_task(result.change.key)  # type: ignore[union-attr]
                    summary["tasks_closed"] += 1
                    stats["tasks_closed"] += 1
                else:
                    state.record_write(undo_id, *entry, now)
                    summary["restored"] += 1
                    stats["changes_applied"] += 1


def _ref(change: Change) -> Ref:
    if isinstance(change, CloseTask):
        return change.task
    return change.deal if isinstance(change, SetContactRole) else change.ref  # type: ignore[union-attr]
