"""A contact role a person set while the run was under way is left as it is.

`OpportunityContactRole.Role` keeps no field history, so the check after a write
(leadpact/person_edits.py) cannot see an edit under it. Instead the roles a page is about
to fill are re-read right before the write (one query per 200 roles) and any that no
longer holds what the page read is not written: the edit window shrinks from the whole
page to the moment between that re-read and the write. What lands inside that moment is
not detected (README, Guarantees).
"""

from __future__ import annotations

from collections.abc import Iterable

from leadpact.changes import Change, SetDealContactRole


def moved_contact_roles(connector: object, changes: Iterable[Change]) -> set[SetDealContactRole]:
    """The role fills whose role record no longer holds the role read when planned
    (gone records included). Connectors that cannot re-read roles move nothing."""
    fills = [c for c in changes if isinstance(c, SetDealContactRole) and c.role_record_id]
    read = getattr(connector, "current_contact_roles", None)
    if read is None or not fills:
        return set()
    now: dict[str, str | None] = read([c.role_record_id for c in fills])
    return {c for c in fills
            if c.role_record_id not in now or now[c.role_record_id] != c.previous_value}
