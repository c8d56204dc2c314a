"""Fields leadpact stopped writing because something kept changing them back (a write
loop, see leadpact/alerting.py): listing them from a read-only snapshot of the state, as
`leadpact frozen` and `leadpact runs show` do. Clearing them is State.unfreeze."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Freeze:
    record: str
    field: str
    run_id: str  # the sync that found the loop
    changed_by: str | None  # who the CRM said set it back (None: it did not say)
    frozen_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        who = self.changed_by or "someone the CRM did not name"
        return (f"{self.record} {self.field}: frozen by run {self.run_id} at "
                f"{self.frozen_at[:19].replace('T', ' ')}; changed back by {who}")


def read_frozen(db: sqlite3.Connection, run_id: str | None = None) -> list[Freeze]:
    """Every frozen field (or those frozen by one run), in record order; none in a state
    file from before freezes were kept."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='frozen'"
                      ).fetchone():
        return []
    sql = "SELECT record, field, run_id, changed_by, frozen_at FROM frozen"
    rows = (db.execute(sql + " WHERE run_id=? ORDER BY record, field", (run_id,))
            if run_id is not None else db.execute(sql + " ORDER BY record, field"))
    return [Freeze(*row) for row in rows]
