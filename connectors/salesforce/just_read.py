"""leadpact's values on the page of records the change read yielded last, as read: the
values the write right after it would otherwise read again (pipeline.still_ours).

Why the re-read can be left out there: a person's edit between the page's read (seconds
before) and the write is found afterwards in the field history, which starts before the
page was read, and put back (leadpact/person_edits.py), as one landing between a re-read
and the write is. That holds only where Salesforce keeps history for leadpact's fields, so
the connector uses this only once `check` found them all tracked. Contact roles keep no
history: they are always read again (leadpact/contact_role_recheck.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from leadpact.connectors.salesforce.queries import LEAD_STATUS
from leadpact.model import LEAD, Person, Record, Ref

Values = dict[str, str | None]


class JustRead:
    def __init__(self) -> None:
        self._values: dict[Ref, Values] = {}
        self.read_at: datetime | None = None  # a Salesforce time before the page's answer

    def hold(self, records: Sequence[Record], read_at: datetime) -> None:
        self._values = {r.ref: as_read(r) for r in records if not r.deleted}
        self.read_at = read_at

    def clear(self) -> None:
        self._values, self.read_at = {}, None

    def take(self, refs: Sequence[Ref]) -> dict[Ref, Values]:
        """The values as read of those of `refs` on the page."""
        return {ref: dict(self._values[ref]) for ref in refs if ref in self._values}


def as_read(record: Record) -> Values:
    """What a re-read before writing would answer, had nothing changed: leadpact's fields
    and, on a lead, its Status."""
    values: Values = dict(record.leadpact)
    if record.ref.kind == LEAD and isinstance(record, Person):
        values[LEAD_STATUS] = record.native.get(LEAD_STATUS) or None
    return values
