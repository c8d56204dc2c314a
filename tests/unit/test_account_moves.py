"""Which contacts an account edit re-judges, from state alone: those whose saved
firmographics differ from the account's current ones."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from leadpact.account_moves import (
    judged_with_other_values,
    rejudge_people_of_changed_accounts,
)
from leadpact.model import Account, Ref
from leadpact.state import State
from leadpact.state_rows import verdict_from_data
from tests.builders import NOW
from tests.known_builders import known_person

ACME = Ref("salesforce", "account", "001A")
ANN = Ref("salesforce", "contact", "003A")
LEAD = Ref("salesforce", "lead", "00QA")
SAVED = {"industry": "Retail", "employees": "500"}


def account(fields: dict[str, str | None], deleted: bool = False) -> Account:
    return Account(ACME, NOW, "Acme", fields=fields, deleted=deleted)


@pytest.mark.parametrize(("now", "saved", "expected"), [
    ({"industry": "Retail", "employees": "500"}, SAVED, False),   # only leadpact's fields moved
    ({"industry": "Software", "employees": "500"}, SAVED, True),  # industry edited
    ({"industry": "Retail", "employees": "501"}, SAVED, True),
    ({"industry": "Retail", "employees": "500", "icp_tier": "1"}, SAVED, True),  # new value
    ({"industry": "Retail"}, SAVED, True),                        # a value emptied
    ({"industry": "Retail", "employees": None}, {"industry": "Retail", "employees": ""},
     False),                                                      # empty is missing
    ({"industry": "Retail"}, {"industry": "Retail", "employees": None}, False),
])
def test_a_contact_is_judged_again_when_its_firmographics_moved(
        now: dict[str, str | None], saved: dict[str, str | None], expected: bool) -> None:
    ann = known_person(ANN, account=ACME.id, verdict={"stage": "nurture", "own_fields": saved})
    assert judged_with_other_values([account(now)], {ACME.id: [ann]}) == \
        ([ANN] if expected else [])


def test_unjudged_contacts_leads_and_deleted_accounts_are_left_out() -> None:
    edited = {"industry": "Software", "employees": "500"}
    ann = known_person(ANN, account=ACME.id, verdict={"stage": "nurture", "own_fields": SAVED})
    lead = known_person(LEAD, account=ACME.id, verdict={"stage": "nurture", "own_fields": SAVED})
    unjudged = known_person(Ref("salesforce", "contact", "003B"), account=ACME.id)
    people = {ACME.id: [ann, lead, unjudged]}
    assert judged_with_other_values([account(edited)], people) == [ANN]
    assert judged_with_other_values([account(edited, deleted=True)], people) == []


def test_given_many_accounts_then_their_contacts_streamed_in_account_order() -> None:
    """A first sync reads every account: each one's contacts are streamed from state (a
    lead there carries its own firmographics and is left out), and the contacts re-read
    are those of the whole list, in order."""
    state = State(":memory:")
    accounts = []
    for n in range(450):
        ref = Ref("salesforce", "account", f"001{n:05d}")
        edited = n % 3 == 0
        accounts.append(Account(ref, NOW, f"Acme {n}", fields={
            "industry": "Software" if edited else "Retail", "employees": "500"}))
        state.save_person(Ref("salesforce", "contact", f"003{n:05d}"), f"id-{n}", None, None,
                          NOW, verdict_from_data({"stage": "nurture", "own_fields": SAVED}),
                          ref.id)
        state.save_person(Ref("salesforce", "lead", f"00Q{n:05d}"), f"lead-{n}", None, None,
                          NOW, verdict_from_data({"stage": "nurture", "own_fields": SAVED}),
                          ref.id)
    asked: list[Ref] = []

    class Crm:
        system = "salesforce"

        def read_changed_accounts(self, since: object) -> tuple[list[Account], None]:
            return accounts, None

    class Run:
        def __init__(self) -> None:
            self.state = state

        def read_and_handle(self, connector: object, refs: Sequence[Ref]) -> None:
            asked.extend(refs)

    rejudge_people_of_changed_accounts(Run(), Crm())  # type: ignore[arg-type]
    assert asked == [Ref("salesforce", "contact", f"003{n:05d}")
                     for n in range(len(accounts)) if n % 3 == 0]
