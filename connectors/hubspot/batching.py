"""A plan's changes as HubSpot batch requests. Pure.

Field writes to one record merge into one batch input (HubSpot refuses duplicate ids in a
batch); closing a task is a field write on the task. New tasks are keyed by
`leadpact_task_key`, so two changes for one key create one task.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from leadpact.changes import (
    Change,
    CloseTask,
    NativeChange,
    SetDealContactRole,
    SetField,
    UpdateTask,
    UpsertTask,
    record_of,
)
from leadpact.connectors.hubspot import mapping

T = TypeVar("T")

BATCH_LIMIT = 100
CONTACT_ROLE_REFUSAL = "HubSpot stores buying roles on the contact (hs_buying_role)"


@dataclass(frozen=True, slots=True)
class RecordUpdate:
    """Property values for one record, and the changes (by index) they carry."""

    object_type: str
    id: str
    properties: Mapping[str, str]
    changes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TaskCreate:
    key: str
    properties: Mapping[str, str]
    associations: tuple[Mapping[str, Any], ...]
    changes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WritePlan:
    updates: tuple[RecordUpdate, ...]
    tasks: tuple[TaskCreate, ...]
    refused: Mapping[int, str]  # change index -> why it cannot be written to HubSpot


def plan_writes(changes: Sequence[Change]) -> WritePlan:
    updates: dict[tuple[str, str], tuple[dict[str, str], list[int]]] = {}
    tasks: dict[str, tuple[UpsertTask, list[int]]] = {}
    refused: dict[int, str] = {}
    for index, change in enumerate(changes):
        try:
            if isinstance(change, SetDealContactRole):
                refused[index] = CONTACT_ROLE_REFUSAL
                continue
            if isinstance(change, SetField | NativeChange):
                target = (mapping.object_type(record_of(change)), record_of(change).id)
                values = dict([mapping.property_value(change)])
            elif isinstance(change, CloseTask):
                target = (mapping.object_type(change.task), change.task.id)
                values = {"hs_task_status": "COMPLETED"}
                if change.body is not None:
                    values["hs_task_body"] = change.body
            elif isinstance(change, UpdateTask):
                target = (mapping.object_type(change.task), change.task.id)
                values = {"hs_task_body": change.body}
            elif isinstance(change, UpsertTask):
                mapping.task_associations(change)  # refuses what HubSpot cannot attach
                tasks.setdefault(change.key.lower(), (change, []))[1].append(index)
                continue
            else:  # mypy proves every Change is handled above; a new one is refused, not sent
                refused[index] = (  # type: ignore[unreachable]
                    f"the HubSpot connector cannot apply {type(change).__name__}")
                continue
        except mapping.NotWritable as exc:
            refused[index] = str(exc)
            continue
        props, indexes = updates.setdefault(target, ({}, []))
        props.update(values)
        indexes.append(index)
    return WritePlan(
        updates=tuple(RecordUpdate(t, i, props, tuple(ix))
                      for (t, i), (props, ix) in updates.items()),
        tasks=tuple(TaskCreate(first.key, mapping.task_properties(first),
                               tuple(mapping.task_associations(first)), tuple(ix))
                    for first, ix in tasks.values()),
        refused=refused,
    )


def chunked(items: Sequence[T], size: int = BATCH_LIMIT) -> list[list[T]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def by_type(updates: Sequence[RecordUpdate]) -> dict[str, list[RecordUpdate]]:
    grouped: dict[str, list[RecordUpdate]] = {}
    for update in updates:
        grouped.setdefault(update.object_type, []).append(update)
    return grouped


def update_body(updates: Sequence[RecordUpdate]) -> dict[str, Any]:
    return {"inputs": [{"id": u.id, "properties": dict(u.properties)} for u in updates]}


def create_body(tasks: Sequence[TaskCreate]) -> dict[str, Any]:
    return {"inputs": [{"properties": dict(t.properties),
                        "associations": [dict(a) for a in t.associations]} for t in tasks]}


def invalid_properties(message: str) -> dict[str, str]:
    """{property: HubSpot error code} from a "Property values were not valid: [...]" message."""
    _, _, detail = message.partition("Property values were not valid:")
    try:
        items = json.loads(detail)
    except ValueError:
        return {name: "" for name in re.findall(r'Property \\?"([^"\\]+)\\?"', message)}
    return {str(i.get("name")): str(i.get("error", "")) for i in items
            if isinstance(i, Mapping) and i.get("name")}
