"""`leadpact undo RUN`: put back what one run wrote, wherever nobody changed it since.

The ledger holds every value a run wrote and what was there before. A field goes back to
its earlier value only if it still holds what the run wrote and no later run wrote it
again; anything else was changed by a person or a later run, and is left alone (and listed).
Tasks the run created that are still open are closed.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from leadpact.changes import Change, CloseTask, RestoreLedgerValue, SetField, record_of
from leadpact.connectors.base import AccountReader, Connector
from leadpact.connectors.roles import VOCABULARIES
from leadpact.errors import ConfigError
from leadpact.known import OpenTask
from leadpact.model import ACCOUNT, Account, Deal, Person, Record, Ref, System
from leadpact.native_stage import NATIVE_PERSON_FIELDS
from leadpact.pipeline import stopped_by
from leadpact.report import LEFT_ALONE_SHOWN, describe_change
from leadpact.role_vocabulary import NO_ROLES
from leadpact.state import State

Undone = Record | Account  # what an undo re-reads: persons, deals, accounts


@dataclass
class UndoPlan:
    changes: list[Change] = field(default_factory=list)
    ledger: list[tuple[Ref, str, str | None, str | None]] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)


SHOWN = LEFT_ALONE_SHOWN


@dataclass
class UndoResult:
    """What `undo` did (or, dry run, would do)."""

    run: str  # the run put back
    dry_run: bool
    planned: int = 0  # values to put back + tasks to close
    restored: int = 0
    tasks_closed: int = 0
    failed: int = 0
    left_alone: list[str] = field(default_factory=list)  # "record field: why", all of them
    undo_id: str | None = None  # the run id the undo is recorded as (None: dry run)
    failures: list[str] = field(default_factory=list)  # the first refused changes
    systems: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self, shown: int | None = SHOWN) -> dict[str, object]:
        """Counts, and the first `shown` left-alone lines (None: every one). A big undo
        leaves tens of thousands of values alone; one JSON line must stay readable."""
        data: dict[str, object] = asdict(self)
        lines = self.left_alone if shown is None else self.left_alone[:shown]
        data["left_alone"] = lines
        data["left_alone_count"] = len(self.left_alone)
        data["left_alone_not_shown"] = len(self.left_alone) - len(lines)
        return data


def current_value(record: Undone, name: str) -> tuple[bool, str | None]:
    """(found, value) of one ledger field on a record as read now."""
    crm = VOCABULARIES.get(record.ref.system, NO_ROLES)
    if (role_id := crm.contact_role_id(name)) is not None:
        if not isinstance(record, Deal):
            return False, None
        for contact in record.contacts:
            if contact.id == role_id:
                return True, contact.role
        return False, None
    if name == crm.person_field:
        return isinstance(record, Person), getattr(record, "buying_role", None)
    if name in NATIVE_PERSON_FIELDS:
        return isinstance(record, Person), getattr(record, "native", {}).get(name)
    return True, record.leadpact.get(name)


def plan_undo(run_id: str, writes: Sequence[tuple[Ref, str, str | None, str | None]],
              last_runs: Mapping[tuple[Ref, str], str | None],
              records: Mapping[Ref, Undone], undos: Collection[str] = ()) -> UndoPlan:
    """Pure: the changes that put back a run's writes, and what is left alone and why.
    `undos`: ids of earlier undos of this run, whose writes are not "a later run"."""
    before: dict[tuple[Ref, str], str | None] = {}
    after: dict[tuple[Ref, str], str | None] = {}
    for ref, name, old, new in writes:
        before.setdefault((ref, name), old)  # the value before the run's first write
        after[(ref, name)] = new  # the value after its last
    plan = UndoPlan()
    for (ref, name), wrote in after.items():
        where = f"{ref} {name}"
        last = last_runs.get((ref, name))
        if last in undos:
            plan.left_alone.append(f"{where}: already put back by {last}")
            continue
        if last != run_id:
            plan.left_alone.append(f"{where}: a later run ({last}) wrote it again")
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


def _restore(record: Undone, name: str, old: str | None, now: str | None) -> Change:
    """Put back exactly what the ledger held: one of the CRM's own fields is named as the
    ledger names it, and its connector says where it lives (a CRM spells several roles
    alike, so a role in leadpact's terms could not say which value to put back)."""
    if VOCABULARIES.get(record.ref.system, NO_ROLES).owns(name):
        return RestoreLedgerValue(record.ref, name, old, now)
    return SetField(record.ref, name, old, now)


def undo_ids(run_id: str, known: Collection[str]) -> list[str]:
    """Ids of the undos of `run_id` in `known`, oldest first."""
    first = f"undo-{run_id}"
    found = [i for i in known if i == first
             or (i.startswith(first + "-") and i[len(first) + 1:].isdigit())]
    return sorted(found, key=lambda i: (len(i), i))


def run_undo(connectors: Sequence[Connector], state: State, run_id: str, now: datetime,
             dry_run: bool = False) -> UndoResult:
    known = {r.run_id for r in state.runs(limit=10_000)}
    if run_id not in known:
        raise ConfigError(f"no run {run_id!r} in this state; `leadpact runs` lists them")
    earlier = undo_ids(run_id, known)
    candidates = itertools.chain([f"undo-{run_id}"],
                                 (f"undo-{run_id}-{n}" for n in itertools.count(2)))
    undo_id = next(i for i in candidates if i not in known)
    by_system = {c.system: c for c in connectors}
    writes = state.writes_of_run(run_id)
    refs = sorted({ref for ref, _, _, _ in writes})
    records: dict[Ref, Undone] = {}
    for system, connector in by_system.items():
        mine = [r for r in refs if r.system == system]
        for start in range(0, len(mine), 200):
            records.update((r.ref, r) for r in connector.read_records(mine[start:start + 200]))
        accounts = [r.id for r in mine if r.kind == ACCOUNT]  # buying-group fields
        if accounts and isinstance(connector, AccountReader):
            records.update((a.ref, a) for a in connector.read_accounts(accounts))
    last_runs = {(ref, name): state.last_run_of(ref, name) for ref, name, _, _ in writes}
    plan = plan_undo(run_id, writes, last_runs, records, earlier)
    tasks = state.open_tasks_of_run(run_id)
    result = UndoResult(run_id, dry_run, planned=len(plan.changes) + len(tasks),
                        left_alone=plan.left_alone)
    if dry_run:
        return result
    result.undo_id = undo_id
    state.start_run(undo_id, now)
    status, error = "failed", None
    try:
        _apply_undo(by_system, state, plan, tasks, undo_id, now, result)
        status = "partial" if result.failed else "ok"
    except BaseException as exc:
        error = stopped_by(exc)
        raise
    finally:
        state.finish_run(undo_id, datetime.now(now.tzinfo), status, {
            "kind": "undo", "undoes": run_id, "run_id": undo_id, "status": status,
            "error": error, "failures": result.failures,
            "left_alone_count": len(plan.left_alone), "systems": result.systems})
    return result


def _apply_undo(by_system: Mapping[System, Connector], state: State, plan: UndoPlan,
                tasks: Sequence[OpenTask], undo_id: str, now: datetime,
                outcome: UndoResult) -> None:
    for system, connector in by_system.items():
        restores = [(c, e) for c, e in zip(plan.changes, plan.ledger, strict=True)
                    if record_of(c).system == system]
        closes: list[Change] = [CloseTask(t.task, t.key) for t in tasks
                                if t.task is not None and t.task.system == system]
        changes = [c for c, _ in restores] + closes
        results = connector.apply(changes) if changes else []
        entries = [e for _, e in restores] + [None] * len(closes)
        stats = outcome.systems[system] = {
            "changes_applied": 0, "changes_failed": 0, "tasks_closed": 0}
        with state.transaction():
            for result, entry in zip(results, entries, strict=True):
                if not result.ok:
                    outcome.failed += 1
                    stats["changes_failed"] += 1
                    state.record_refusal(undo_id, record_of(result.change),
                                         describe_change(result.change),
                                         result.error or "refused")
                    if len(outcome.failures) < 20:
                        outcome.failures.append(f"{record_of(result.change)}: {result.error}")
                elif entry is None:
                    state.close_task(result.change.key)  # type: ignore[union-attr]
                    outcome.tasks_closed += 1
                    stats["tasks_closed"] += 1
                else:
                    state.record_write(undo_id, *entry, now)
                    outcome.restored += 1
                    stats["changes_applied"] += 1


