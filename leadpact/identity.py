"""Which records are one person: the cross-CRM ids a record carries (HubSpot's Salesforce
integration stores them on the contact), links seen earlier, and the normalised email.

Email joins records in any CRM (a duplicate lead of a contact is the same person), except
shared mailboxes, which many people use.
"""

from __future__ import annotations

from collections.abc import Iterable

from leadpact.model import Ref
from leadpact.state import KnownPerson, State

SHARED_MAILBOXES = frozenset({
    "info", "sales", "contact", "hello", "office", "admin", "support", "team", "marketing",
    "kontakt", "vertrieb", "bureau", "ventas", "vendite", "verkoop", "noreply", "no-reply",
})


def normalise_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().casefold()


def joins_by_email(email: str | None) -> bool:
    return email is not None and email.split("@", 1)[0] not in SHARED_MAILBOXES


def identity_members(state: State, ref: Ref, email: str | None,
                     links: Iterable[Ref] = ()) -> list[KnownPerson]:
    """The other known records of the same person (not `ref` itself). `links` are the
    cross-CRM ids the record carries, which may not be in state yet."""
    members = set(state.linked(ref))
    for link in links:
        members.add(link)
        members |= state.linked(link)
    if joins_by_email(email):
        for known in state.persons_with_email(email):  # type: ignore[arg-type]
            members.add(known.ref)
            members |= state.linked(known.ref)
    members.discard(ref)
    found = [state.person(m) for m in sorted(members)]
    return [p for p in found if p is not None]
