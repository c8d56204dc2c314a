"""The end state of a sandbox org as leadpact left it, and how two end states differ: what
the fault harness (bench/chaos.py) compares a faulted run against a clean one with.

The end state is every leadpact field (`Leadpact_*__c`, `leadpact_*`) of every live person
and deal, the CRMs' own role fields leadpact fills (`OpportunityContactRole.Role`,
`hs_buying_role`), and every leadpact task by key with its status and subject. Ids the
sandbox gives new tasks and write stamps are left out: they differ between any two runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.connectors.sandbox.store import Store

FieldKey = tuple[str, str, str, str]  # system, type, id, field
Task = tuple[str, str]  # status, subject

_PEOPLE_AND_DEALS = (("salesforce", "Lead"), ("salesforce", "Contact"),
                     ("salesforce", "Opportunity"), ("hubspot", "contacts"),
                     ("hubspot", "deals"))
_NATIVE = {("salesforce", "OpportunityContactRole"): "Role", ("hubspot", "contacts"):
           "hs_buying_role"}
_TASKS = {"salesforce": ("Task", "Leadpact_Task_Key__c", "Status", "Subject"),
          "hubspot": ("tasks", "leadpact_task_key", "hs_task_status", "hs_task_subject")}
_OPEN = {"salesforce": "Completed", "hubspot": "COMPLETED"}  # anything else is open


@dataclass(frozen=True, slots=True)
class EndState:
    fields: dict[FieldKey, Any]
    tasks: dict[tuple[str, str], list[Task]]  # (system, key) -> every task with that key


def is_leadpact_field(name: str) -> bool:
    return name.startswith(("Leadpact_", "leadpact_"))


def dump(store: Store) -> EndState:
    fields: dict[FieldKey, Any] = {}
    for system, type_ in _PEOPLE_AND_DEALS:
        for row in store.scan(system, type_):
            if row.deleted:
                continue
            for name, value in row.fields.items():
                if is_leadpact_field(name):
                    fields[(system, type_, row.id, name)] = value
    for (system, type_), name in _NATIVE.items():
        for row in store.scan(system, type_):
            if not row.deleted:
                fields[(system, type_, row.id, name)] = row.fields.get(name)
    tasks: dict[tuple[str, str], list[Task]] = {}
    for system, (type_, key_field, status, subject) in _TASKS.items():
        for row in store.scan(system, type_):
            key = row.fields.get(key_field)
            if key and not row.deleted:
                tasks.setdefault((system, key), []).append(
                    (str(row.fields.get(status)), str(row.fields.get(subject))))
    for found in tasks.values():
        found.sort()
    return EndState(fields, tasks)


def is_open(system: str, task: Task) -> bool:
    return task[0] != _OPEN[system]


@dataclass(slots=True)
class Diff:
    """How a faulted end state differs from the reference (both from the same seed)."""

    differing_fields: int = 0
    lost_writes: int = 0  # still the seeded value where the reference wrote one
    duplicate_task_keys: int = 0  # keys carried by more than one task
    open_twice: int = 0  # keys with more than one open task
    missing_tasks: int = 0
    extra_tasks: int = 0
    task_differences: int = 0  # same key, other status or subject
    person_edits_lost: int = 0
    examples: list[str] = field(default_factory=list)  # a few, to start a diagnosis
    records: set[tuple[str, str, str]] = field(default_factory=set)  # with differing fields

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__
                if name not in ("examples", "records")}

    def note(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)


def compare(seeded: EndState, reference: EndState, got: EndState,
            person_edits: Mapping[FieldKey, Any] | None = None) -> Diff:
    """`got` against `reference`. `person_edits`: fields a person set during the faulted
    run; each must hold the person's value (the reference has them too, set after its run)."""
    edits = dict(person_edits or {})
    diff = Diff()
    for key in sorted(set(reference.fields) | set(got.fields)):
        wanted, found = reference.fields.get(key), got.fields.get(key)
        if key in edits:
            if found != edits[key]:
                diff.person_edits_lost += 1
                diff.note(f"person edit lost: {'/'.join(key)} = {found!r}, "
                          f"the person set {edits[key]!r}")
            continue
        if wanted == found:
            continue
        diff.differing_fields += 1
        diff.records.add(key[:3])
        if found == seeded.fields.get(key) and wanted != found:
            diff.lost_writes += 1
        diff.note(f"{'/'.join(key)}: {found!r}, clean run {wanted!r}")
    for system, task_key in sorted(set(reference.tasks) | set(got.tasks)):
        wanted_tasks = reference.tasks.get((system, task_key), [])
        found_tasks = got.tasks.get((system, task_key), [])
        if len(found_tasks) > 1:
            diff.duplicate_task_keys += 1
            diff.note(f"task key {task_key} carried by {len(found_tasks)} tasks")
        if sum(is_open(system, t) for t in found_tasks) > 1:
            diff.open_twice += 1
        if not found_tasks:
            diff.missing_tasks += 1
            diff.note(f"task {task_key} missing")
        elif not wanted_tasks:
            diff.extra_tasks += 1
            diff.note(f"task {task_key} not in the clean run")
        elif set(found_tasks) != set(wanted_tasks):  # duplicates are counted above
            diff.task_differences += 1
            diff.note(f"task {task_key}: {found_tasks}, clean run {wanted_tasks}")
    return diff


_TYPES = {("salesforce", "lead"): "Lead", ("salesforce", "contact"): "Contact",
          ("hubspot", "contact"): "contacts"}


def twins(state_path: Path) -> set[tuple[str, str, str]]:
    """Persons, as (system, type, id), that leadpact knows in both CRMs (one identity)."""
    if not state_path.exists():
        return set()
    with closing(sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT ref, identity FROM persons").fetchall()
    systems: dict[str, set[str]] = {}
    for ref, identity in rows:
        systems.setdefault(identity, set()).add(ref.split(":", 1)[0])
    found = set()
    for ref, identity in rows:
        system, kind, id_ = ref.split(":", 2)
        if len(systems[identity]) > 1 and (system, kind) in _TYPES:
            found.add((system, _TYPES[(system, kind)], id_))
    return found


def pending_rows(state_path: Path) -> int:
    """Rows of writes in doubt that the state still holds (0 once every run settled)."""
    if not state_path.exists():
        return 0
    with closing(sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)) as db:
        found = int(db.execute("SELECT count(*) FROM pending").fetchone()[0])
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "unchecked" in tables:  # writes whose history check a killed run never ran
            found += int(db.execute("SELECT count(*) FROM unchecked").fetchone()[0])
        return found
