"""A person's edit made while leadpact writes the same field survives the run.

leadpact re-reads a page's records right before writing (pipeline.still_ours), but neither
CRM's batch update is conditional: an edit landing between that re-read and the write is
written over. So after each page, the CRM's own change history is asked which writes
started from a value other than the one re-read (connectors/overwritten.py), and the
person's value is written back. The ledger keeps leadpact's write as leadpact's, so the
field now holds a value leadpact did not write: the person's, which no later run
overwrites (leadpact/plan.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from leadpact.changes import Change
from leadpact.connectors.base import Connector
from leadpact.connectors.overwritten import FieldWrite, Overwritten

log = logging.getLogger(__name__)


@dataclass
class Restored:
    """The person's values put back, and those the CRM refused to take back."""

    kept: list[Overwritten] = field(default_factory=list)
    refused: list[tuple[Overwritten, str]] = field(default_factory=list)


Note = Callable[[Sequence[FieldWrite]], None]
ROUNDS = 3  # write-backs checked in turn; a person racing each one is not expected


def restore_person_edits(connector: Connector, written: Sequence[Change],
                         note: Note | None = None) -> Restored:
    """Ask the CRM which of `written` (changes it applied) landed on a person's edit and
    write those values back (put_back). Connectors without a history to ask (a plan's
    rehearsal, an in-memory test double) are left alone."""
    find = getattr(connector, "overwritten", None)
    if find is None or not written:
        return Restored()
    return put_back(connector, find(written), note)


def put_back(connector: Connector, found: Sequence[Overwritten],
             note: Note | None = None) -> Restored:
    """Write the persons' values back. A write-back is a write like any other: an edit can
    land inside it too, so each is noted first (`note`: a kill then leaves it to be checked,
    leadpact/unchecked_writes.py) and its history checked after, a few rounds at most."""
    done = Restored()
    find = getattr(connector, "overwritten", None)
    for _ in range(ROUNDS):
        if not found:
            break
        restores = [edit.restore() for edit in found]
        if note is not None:
            note(restores)
        applied: list[FieldWrite] = []
        for edit, restore, result in zip(found, restores, connector.apply(restores),
                                         strict=True):
            if not result.ok:
                done.refused.append((edit, result.error or "refused"))
                continue
            done.kept.append(edit)
            applied.append(restore)
            log.info("%s %s was edited while leadpact wrote it: the edit (%r) is put back",
                     edit.change.ref, edit.change.field, edit.value)
        found = find(applied, whole_history=True) if find is not None and applied else []
    return done
