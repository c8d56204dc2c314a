"""Which records are one person: the cross-CRM ids a record carries (HubSpot's Salesforce
integration stores them on the contact), links seen earlier, and the normalised email.

Email joins records in any CRM (a duplicate lead of a contact is the same person), except
shared mailboxes, which many people use.
"""

from __future__ import annotations

from collections.abc import Iterable

from leadpact.known import Known, KnownPerson
from leadpact.model import Ref

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


def identity_members(known: Known, ref: Ref, email: str | None,
                     links: Iterable[Ref] = ()) -> list[KnownPerson]:
    """The other known records of the same person (not `ref` itself). `links` are the
    cross-CRM ids the record carries, which may not be in state yet."""
    members = set(known.linked(ref))
    for link in links:
        members.add(link)
        members |= known.linked(link)
    if email is not None and joins_by_email(email):
        for same in known.persons_with_email(email):
            members.add(same.ref)
            members |= known.linked(same.ref)
    members.discard(ref)
    found = [known.person(m) for m in sorted(members)]
    return [p for p in found if p is not None]
