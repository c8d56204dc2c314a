"""Accounts and the firmographics the lead definition reads, from both real connectors over
HTTP (the sandbox) and from the in-memory connector held to the same contract."""

from __future__ import annotations

import pytest

from leadpact.connectors.base import AccountReader
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Person
from tests.contract.orgs import EVERY_CRM, Org, open_org


@pytest.fixture(params=EVERY_CRM)
def org(request: pytest.FixtureRequest, sandbox: Sandbox) -> Org:
    return open_org(request.param, sandbox)


def test_given_accounts_when_read_by_id_then_firmographics_under_canonical_names(
        org: Org) -> None:
    acme = org.account("Acme Fabrication", "Manufacturing", 500, "Germany")
    globex = org.account("Globex Bank", "Banking", 12000, "France")
    connector = org.connector()
    assert isinstance(connector, AccountReader)
    accounts = connector.read_accounts([globex, "unknown-id", acme, globex])
    assert [a.ref.id for a in accounts] == [globex, acme]  # asked order, unknown left out
    assert accounts[1].ref.kind == "account" and accounts[1].name == "Acme Fabrication"
    assert dict(accounts[1].fields) == {"industry": "Manufacturing", "employees": "500",
                                        "country": "Germany"}
    assert accounts[0].fields["employees"] == "12000" and accounts[0].owner_id
    assert not accounts[0].deleted


def test_given_a_person_at_an_account_when_read_then_it_names_the_account(org: Org) -> None:
    acme = org.account("Acme Fabrication", "Manufacturing", 500, "Germany")
    ref = org.person_at("CFO", "cfo@acme.example", acme)
    [person] = org.connector().read_records([ref])
    assert isinstance(person, Person) and person.account_id == acme
    changed = [r for page in org.connector().read_changes(None) for r in page.records
               if r.ref == ref]
    assert changed and changed[0].account_id == acme


def test_given_no_ids_then_no_call_is_needed(org: Org) -> None:
    connector = org.connector()
    assert isinstance(connector, AccountReader)
    assert connector.read_accounts([]) == []
