"""People whose fit moved because only their account changed: an edit of an Account's or a
company's industry, employee count, country or another mapped field reaches its contacts
in the next sync, though nobody touched them.

Each sync asks each CRM for the accounts modified since its last such read (one call when
none was). A contact's saved verdict keeps the firmographics it was judged with (its
`own_fields`, read from its account), so state tells, without a CRM call, which contacts
judged with other values than the account holds now; only those are read again and judged
as usual. leadpact's own writes on the account (the buying-group fields) change no
firmographic, so they re-read nobody. Salesforce leads carry their own firmographics and
are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from leadpact.connectors.base import Connector
from leadpact.known import KnownPerson
from leadpact.model import CONTACT, Account, Ref
from leadpact.state import State

STATE_KEY = "accounts_read_at:"  # + system: the CRM's time of the last changed-accounts read


def judged_with_other_values(accounts: Iterable[Account],
                             people_at: Mapping[str, Iterable[KnownPerson]]) -> list[Ref]:
    """The contacts whose saved firmographics differ from their account's current ones, in
    account order. Pure. An empty value and a missing one are the same. A contact read
    earlier in this run is among them only if the account changed after that read."""
    found: list[Ref] = []
    for account in accounts:
        if account.deleted:
            continue  # its contacts go with it and are read as deleted
        for person in people_at.get(account.ref.id, ()):
            if person.ref.kind != CONTACT or person.verdict is None:
                continue
            saved = person.verdict.own_fields
            if any((account.fields.get(name) or None) != (saved.get(name) or None)
                   for name in {*account.fields, *saved}):
                found.append(person.ref)
    return found


class Run(Protocol):
    state: State

    def read_and_handle(self, connector: Connector, refs: Sequence[Ref]) -> None: ...


def rejudge_people_of_changed_accounts(run: Run, connector: Connector,
                                       read_anyway: bool = False) -> None:
    """Read the accounts changed since the last sync on `connector`, then read again and
    judge the contacts there whose fit read other values. `read_anyway`: every record is
    judged again in this run anyway (a new definition): only the read time moves on."""
    read = getattr(connector, "read_changed_accounts", None)
    if read is None:
        return  # a CRM whose accounts cannot be listed: contacts move when next read
    key = STATE_KEY + connector.system
    last = run.state.get_meta(key)
    accounts, read_at = read(datetime.fromisoformat(last) if last else None)
    if not read_anyway:
        moved: list[Ref] = []
        for account in accounts:  # a first sync: every account; its contacts streamed
            people = run.state.contacts_at_account(connector.system, account.ref.id)
            moved += judged_with_other_values([account], {account.ref.id: people})
        if moved:
            run.read_and_handle(connector, moved)
    if read_at is not None:
        run.state.set_meta(key, read_at.isoformat())
