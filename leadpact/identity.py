"""Which records are one person: cross-CRM ids first (HubSpot's Salesforce integration
stores them on the contact), then the normalised email, across CRMs only."""

from __future__ import annotations

from collections.abc import Iterable

from leadpact.model import Ref
from leadpact.state import KnownPerson, State


def normalise_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().casefold()


def identity_members(state: State, ref: Ref, email: str | None,
                     links: Iterable[Ref] = ()) -> list[KnownPerson]:
    """The other known records of the same person (not `ref` itself). `links` are the
    cross-CRM ids the record carries, which may not be in state yet."""
    members = set(state.linked(ref))
    for link in links:
        members.add(link)
        members |= state.linked(link)
    members.discard(ref)
    linked_systems = {m.system for m in members}
    if email:
        for known in state.persons_with_email(email):
            # An explicit cross-CRM id wins: email only joins systems with no explicit link.
            if known.ref.system != ref.system and known.ref.system not in linked_systems:
                members.add(known.ref)
    found = [state.person(m) for m in sorted(members)]
    return [p for p in found if p is not None]
