"""Recognising leadpact's own writes when they come back as changes.

Every write moves a record's modification stamp, so the next read sees it again. Before a
changed row is enriched (associations, activities: the costly reads), the connector asks
its echo filter whether the row holds anything new: its fingerprint (every field read,
leadpact's own and the stamps left out) and leadpact's values on it, as read. The filter
(leadpact/echoes.py) answers from what the sync judged last time and the ledger of what it
wrote since, so an echo costs neither enrichment reads nor a new judgement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from leadpact.connectors.native_fields import PERSON_FIELDS
from leadpact.model import HUBSPOT, ContactRole, Person, Record, Ref

# (record, fingerprint of the row, leadpact's values on it as read)
Seen = tuple[Ref, str, Mapping[str, "str | None"]]
# (the deal, the ledger field of one contact's role on it, that contact role as read)
RoleSeen = tuple[Ref, str, ContactRole]


class EchoFilter(Protocol):
    def unchanged(self, seen: Sequence[Seen]) -> set[Ref]:
        """The records among `seen` that hold nothing new since leadpact judged them."""
        ...

    def own_contact_roles(self, seen: Sequence[RoleSeen]) -> set[str]:
        """Ids of the contact roles among `seen` that hold nothing but the role leadpact
        wrote in them: its own write coming back, so the deal need not be read again."""
        ...


class _NoEchoes:
    def unchanged(self, seen: Sequence[Seen]) -> set[Ref]:
        return set()

    def own_contact_roles(self, seen: Sequence[RoleSeen]) -> set[str]:
        return set()


NO_ECHOES: EchoFilter = _NoEchoes()


# The CRM's own fields leadpact fills (ledger names): compared like leadpact's fields.
# (hubspot/roles.py BUYING_ROLE_FIELD: not imported, the hubspot package imports this module)
BUYING_ROLE_FIELD = "hs_buying_role"
OWN_NATIVE = (BUYING_ROLE_FIELD, *(name for names in PERSON_FIELDS.values() for name in names))


def own_values(record: Record) -> dict[str, str | None]:
    """What leadpact writes on this record, as it holds it: leadpact's fields, and a
    HubSpot contact's buying role."""
    values = dict(record.leadpact)
    if isinstance(record, Person) and record.ref.system == HUBSPOT:
        values[BUYING_ROLE_FIELD] = record.buying_role
    if isinstance(record, Person):
        values.update(record.native)  # the lead-status fields [native] may write
    return values


def fingerprint(fields: Mapping[str, Any], leave_out: Collection[str]) -> str:
    """A short stable digest of a row's fields, without those in `leave_out`."""
    kept = {name: value for name, value in fields.items() if name not in leave_out}
    text = json.dumps(kept, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def with_fingerprints(records: Sequence[Record], prints: Mapping[str, str]) -> list[Record]:
    """The records, each carrying its row's fingerprint (by record id)."""
    return [replace(r, fingerprint=prints[r.ref.id]) if r.ref.id in prints else r
            for r in records]
