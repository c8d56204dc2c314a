"""The sync's side of echo recognition (connectors/echo.py): which rows that came back
hold nothing new since they were judged, answered from leadpact's state.

A row is an echo when its fingerprint and the rules version are those of its last
judgement, and leadpact's fields on it hold what they held then, overwritten by what the
ledger says leadpact wrote since. Anything else (a person's edit, a failed or interrupted
write, new rules) makes it a change, judged as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from leadpact import fields
from leadpact.connectors.echo import OWN_NATIVE, RoleSeen, Seen, own_values
from leadpact.model import Record, Ref
from leadpact.state import State


def _same(expected: Mapping[str, str | None], found: Mapping[str, str | None]) -> bool:
    names = set(expected) | set(found)
    return all((expected.get(n) or None) == (found.get(n) or None) for n in names)


class LedgerEchoes:
    def __init__(self, state: State, rules_version: str):
        self._state = state
        self._rules_version = rules_version

    def unchanged(self, seen: Sequence[Seen]) -> set[Ref]:
        found = set()
        for ref, print_, values in seen:
            known = self._state.judged(ref) if print_ else None
            if known is None or known[0] != print_ or known[2] != self._rules_version:
                continue
            if self._state.pending(ref):
                continue  # a write whose outcome is unknown: judge again
            written = {name: value for name, value in self._state.last_written(ref).items()
                       if name in fields.BY_NAME or name in OWN_NATIVE}
            if _same({**known[1], **written}, values):
                found.add(ref)
        return found

    def own_contact_roles(self, seen: Sequence[RoleSeen]) -> set[str]:
        """A contact role is leadpact's echo when its deal was judged with that role record
        on the same person, the ledger's last write to it is the role it
        holds now, and no write to the deal is in doubt."""
        found = set()
        for deal, field, role in seen:
            if role.id is None or role.role is None or self._state.pending(deal):
                continue
            if self._state.last_written(deal).get(field) != role.role:
                continue
            saved = self._state.deal(deal)
            before = [c for c in saved.deal.contacts if c.id == role.id] if saved else []
            if before and before[0].person == role.person:  # (IsPrimary judges nothing)
                found.add(role.id)
        return found


def attach_echoes(connectors: Iterable[object], state: State, rules_version: str) -> None:
    """Give each connector that can skip echoes the state's answer (others ignore it)."""
    echoes = LedgerEchoes(state, rules_version)
    for connector in connectors:
        if hasattr(connector, "echoes"):
            setattr(connector, "echoes", echoes)  # noqa: B010 - not on the protocol


def remember_judged(state: State, records: Iterable[Record], failed: set[Ref],
                    rules_version: str) -> None:
    """Record how the judged records looked; a record whose writes failed is forgotten,
    so it is judged again when it comes back."""
    state.forget_judged(r.ref for r in records if r.ref in failed)
    state.save_judged((r.ref, r.fingerprint, own_values(r), rules_version) for r in records
                      if r.fingerprint and r.ref not in failed)
