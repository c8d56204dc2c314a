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
from collections.abc import Sequence
from dataclasses import dataclass, field

from leadpact.changes import Change
from leadpact.connectors.base import Connector
from leadpact.connectors.overwritten import Overwritten

log = logging.getLogger(__name__)


@dataclass
class Restored:
    """The person's values put back, and those the CRM refused to take back."""

    kept: list[Overwritten] = field(default_factory=list)
    refused: list[tuple[Overwritten, str]] = field(default_factory=list)


def restore_person_edits(connector: Connector, written: Sequence[Change]) -> Restored:
    """Ask the CRM which of `written` (changes it applied) landed on a person's edit and
    write those values back. Connectors without a history to ask (a plan's rehearsal, an
    in-memory test double) are left alone."""
    find = getattr(connector, "overwritten", None)
    done = Restored()
    if find is None or not written:
        return done
    found: list[Overwritten] = find(written)
    if not found:
        return done
    results = connector.apply([edit.restore() for edit in found])
    for edit, result in zip(found, results, strict=True):
        if result.ok:
            done.kept.append(edit)
            log.info("%s %s was edited while leadpact wrote it: the edit (%r) is put back",
                     edit.change.ref, edit.change.field, edit.value)
        else:
            done.refused.append((edit, result.error or "refused"))
    return done
