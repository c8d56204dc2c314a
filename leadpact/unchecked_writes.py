"""A person's edit survives a run killed between a page's write and its history check.

A page's field writes are noted as unchecked before they are sent (with the value each
record held when re-read), and the note is dropped once the CRM answered and the history
check (leadpact/person_edits.py) ran. A note still there when the next run starts means
the run stopped in between (kill -9, power loss): the CRM may have applied the writes and
a person's edit landed under one of them, with nobody left to look. So the next run asks
the history about those writes before it reads anything and puts the person's value back
where the record still holds leadpact's value.

The values are checked against the record as it is now, so a write that never reached the
CRM (the run died before it) cannot be taken for one that landed on an edit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from leadpact.changes import Change, RestoreLedgerValue, SetField
from leadpact.connectors.base import Connector
from leadpact.connectors.overwritten import FieldWrite, Overwritten
from leadpact.connectors.roles import as_field_write
from leadpact.model import Ref
from leadpact.person_edits import put_back
from leadpact.rehearsal import current_values
from leadpact.state import State

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Unchecked:
    """One field write sent without its history check, in the ledger's terms (a CRM's own
    field as the value its vocabulary resolved), and the field the ledger and the pending
    rows know it by."""

    change: FieldWrite
    ledger_field: str


def to_json(write: Unchecked) -> str:
    change = write.change
    # "native": one of the CRM's own fields, by its ledger name (older notes say so too)
    return json.dumps({"kind": "native" if isinstance(change, RestoreLedgerValue) else "field",
                       "ref": str(change.ref), "field": change.field, "value": change.value,
                       "previous": change.previous, "ledger": write.ledger_field})


def from_json(text: str) -> Unchecked:
    data = json.loads(text)
    kind = RestoreLedgerValue if data["kind"] == "native" else SetField
    return Unchecked(kind(Ref.parse(data["ref"]), data["field"], data["value"],
                          data["previous"]), data["ledger"])


def noted(changes_and_fields: Iterable[tuple[Change, str | None]]) -> list[tuple[Ref, str]]:
    """(record, note) for each field write among a page's changes, to note before sending."""
    return [(write.ref, to_json(Unchecked(write, ledger or write.field)))
            for change, ledger in changes_and_fields
            if (write := as_field_write(change)) is not None]


def still_ours(writes: Sequence[Unchecked], now: dict[Ref, dict[str, str | None]] | None
               ) -> list[Unchecked]:
    """The writes whose record holds leadpact's value now: only those can have landed on
    an edit (the others never reached the CRM, or someone changed the field since)."""
    if now is None:
        return []
    return [w for w in writes if w.change.ref in now
            and now[w.change.ref].get(w.change.field) == w.change.value]


@dataclass
class Resumed:
    """What the check of a run cut short found."""

    checked: int = 0
    kept: list[Overwritten] = field(default_factory=list)
    refused: list[tuple[Overwritten, str]] = field(default_factory=list)


def check_unfinished_writes(connector: Connector, state: State, run_id: str) -> Resumed:
    """Run the history check a killed run never ran for its last page on `connector`, put
    the persons' values back, and drop the notes (and the pending rows of each value put
    back: it is the person's now, not a write in doubt)."""
    done = Resumed()
    notes = state.unchecked(connector.system)
    find = getattr(connector, "overwritten", None)
    if not notes:
        return done
    writes = [from_json(text) for text in notes]
    log.info("%s: %d write(s) of a run cut short before their history check: checking",
             connector.system, len(writes))
    if find is not None:
        landed = still_ours(writes, current_values(connector,
                                                   sorted({w.change.ref for w in writes})))
        done.checked = len(landed)
        found: list[Overwritten] = find([w.change for w in landed], whole_history=True) \
            if landed else []

        def note(restores: Sequence[FieldWrite]) -> None:  # checked again if killed now
            with state.transaction():
                state.add_unchecked(run_id, noted((r, None) for r in restores))
        restored = put_back(connector, found, note)
        done.kept, done.refused = restored.kept, restored.refused
        ledger = {(w.change.ref, w.change.field): w.ledger_field for w in landed}
        with state.transaction():
            for edit in restored.kept:  # the person's value now, not a write in doubt
                state.clear_pending_field(edit.change.ref, ledger.get(
                    (edit.change.ref, edit.change.field), edit.change.field))
    with state.transaction():
        state.clear_unchecked_system(connector.system)
    return done
