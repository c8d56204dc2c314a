"""Which of leadpact's field writes landed on a person's edit: neither CRM's batch update
is conditional, so an edit made between leadpact's re-read of a record and its write is
written over. Each CRM's own change history tells it afterwards: the change leadpact's
write made started from the value it held right before, and when that is not the value
leadpact re-read, someone set it in between.

Pure: the connectors read the history (Salesforce field history, HubSpot property history)
and hand it over as transitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leadpact.changes import RestoreLedgerValue, SetField
from leadpact.model import Ref

# A write in the ledger's terms (connectors/roles.py as_field_write): a CRM's own field
# as the value it resolved to, so the value put back is exactly the person's.
FieldWrite = SetField | RestoreLedgerValue
# (value before, value after) of one recorded change, canonical, newest change first
Transition = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Overwritten:
    """A person's value that leadpact's write `change` replaced."""

    change: FieldWrite
    value: str | None

    def restore(self) -> FieldWrite:
        """The write that puts the person's value back."""
        if isinstance(self.change, SetField):
            return SetField(self.change.ref, self.change.field, self.value, self.change.value)
        return RestoreLedgerValue(self.change.ref, self.change.field, self.value,
                                  self.change.value)


def overwritten_value(transitions: Iterable[Transition], previous: str | None,
                      ours: str | None) -> tuple[bool, str | None]:
    """(True, the value just before leadpact's write) when that value is not `previous`,
    the value leadpact re-read before writing; (False, None) otherwise, including when the
    history shows no change to `ours` (the write did not land, or the field is not
    tracked). The newest change to `ours` is leadpact's: a person who set the same value
    in the window changed nothing leadpact then wrote."""
    for before, after in transitions:
        if after == ours:
            return (before != previous, before if before != previous else None)
    return (False, None)


def transitions_from_versions(values_newest_first: Sequence[str | None]) -> list[Transition]:
    """HubSpot lists a property's versions, newest first: each one's value before is the
    next (older) version's value, or nothing for the oldest."""
    return [(values_newest_first[i + 1] if i + 1 < len(values_newest_first) else None, value)
            for i, value in enumerate(values_newest_first)]


def find_overwritten(writes: Iterable[FieldWrite],
                     history: dict[tuple[Ref, str], list[Transition]]) -> list[Overwritten]:
    """The writes whose history shows a person's value written over. `history`: per
    (record, field as the change names it), transitions newest first; a write without
    history is taken as landed on the value re-read."""
    found = []
    for change in writes:
        changed, value = overwritten_value(history.get((change.ref, change.field), ()),
                                           change.previous, change.value)
        if changed:
            found.append(Overwritten(change, value))
    return found
