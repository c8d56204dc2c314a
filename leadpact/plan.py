"""From verdicts to field changes. Pure: decides what to write, never writes (tasks:
leadpact/task_lifecycle.py).

Only real differences are planned, and a field a person edited by hand is left alone: a
field is ours while it still holds the value the ledger says we last wrote, or while it is
empty and we never wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leadpact.changes import SetField
from leadpact.model import Ref


@dataclass(frozen=True, slots=True)
class FieldPlan:
    changes: tuple[SetField, ...]
    kept_manual: tuple[str, ...]  # fields a person set by hand, left as they are


def plan_fields(
    ref: Ref,
    current: Mapping[str, str | None],
    desired: Mapping[str, str | None],
    last_written: Mapping[str, str | None],
) -> FieldPlan:
    changes: list[SetField] = []
    kept: list[str] = []
    for field, value in desired.items():
        now_value = current.get(field)
        if now_value == value:
            # Nothing to write. A value leadpact never wrote stays whoever set it: a
            # person's role that happens to match our guess is not ours to change later.
            continue
        ours = last_written[field] == now_value if field in last_written else now_value is None
        if ours:
            changes.append(SetField(ref, field, value, now_value))
        else:
            kept.append(field)
    return FieldPlan(tuple(changes), tuple(kept))
