"""A person's edit that lands between leadpact's re-read of a record and its write (inside
the write request itself, so no re-read can see it) survives the sync: the real connectors
ask the CRM's change history over loopback HTTP, and the sync writes the person's value
back and leaves it alone from then on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadpact.changes import SetField
from leadpact.connectors.sandbox.server import Fault, Sandbox
from leadpact.fields import BY_NAME
from leadpact.model import ACCOUNT, Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.contract.orgs import HubSpotFace, SalesforceFace
from tests.sf_builders import ManualClock
from tests.unit.test_pipeline import classify

RULES = load_rules(None)
WRITE = {"salesforce": ("PATCH", "/composite/sobjects"), "hubspot": ("POST", "/batch/update")}
TYPES = {("salesforce", "contact"): "Contact", ("hubspot", "contact"): "contacts",
         ("salesforce", "account"): "Account", ("hubspot", "account"): "companies"}

Face = SalesforceFace | HubSpotFace


@pytest.fixture(params=["salesforce", "hubspot"])
def org(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Face]:
    face = SalesforceFace if request.param == "salesforce" else HubSpotFace
    yield face(sandbox, ManualClock())


def edit_inside_next_write(org: Face, ref: Ref, field: str, value: str) -> Fault:
    """The person's edit, applied by the sandbox when the next field write arrives."""
    method, path = WRITE[org.system]
    spec = BY_NAME[field]
    fault = Fault(org.system, method, path, kind="edit", edits=[{
        "system": org.system, "type": TYPES[(ref.system, ref.kind)], "id": ref.id,
        "fields": {spec.native(org.system): value}}])
    org.sandbox.faults.add(fault)
    return fault


def test_given_an_edit_inside_the_first_sync_write_then_it_survives_that_sync_and_the_next(
        org: Face) -> None:
    ann = org.person("CFO", "ann@acme.example")
    fault = edit_inside_next_write(org, ann, "role", "influencer")
    state = State(":memory:")
    summary, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert fault.times == 0  # the edit landed inside the write
    assert org.field(ann, "role") == "influencer"
    assert org.field(ann, "seniority") == "c_level"  # the rest of the write stands
    assert summary.systems[org.system].manual_values_kept >= 1
    org.clock.advance(minutes=10)
    org.set_title(ann, "Procurement Manager")  # the verdict moves: still the person's role
    run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert org.field(ann, "role") == "influencer"
    assert org.field(ann, "function") == "procurement"


def test_given_no_edit_then_checking_the_writes_finds_nothing_and_costs_one_read(
        org: Face) -> None:
    ann = org.person("CFO", "ann@acme.example")
    crm = org.connector()
    current = crm.current_values([ann])[ann]  # type: ignore[attr-defined]
    change = SetField(ann, "role", "economic_buyer", current.get("role"))
    assert crm.apply([change])[0].ok
    calls = crm.api_calls
    assert crm.overwritten([change]) == []  # type: ignore[attr-defined]
    assert crm.api_calls == calls + 1


def test_given_an_edit_inside_the_write_then_the_connector_names_the_persons_value(
        org: Face) -> None:
    ann = org.person("CFO", "ann@acme.example")
    crm = org.connector()
    current = crm.current_values([ann])[ann]  # type: ignore[attr-defined]
    changes = [SetField(ann, "role", "economic_buyer", current.get("role")),
               SetField(ann, "seniority", "c_level", current.get("seniority"))]
    edit_inside_next_write(org, ann, "role", "user")
    assert all(result.ok for result in crm.apply(changes))
    assert org.field(ann, "role") == "economic_buyer"  # the batch update wrote over it
    found = crm.overwritten(changes)  # type: ignore[attr-defined]
    assert [(o.change.field, o.value) for o in found] == [("role", "user")]
    assert found[0].restore() == SetField(ann, "role", "user", "economic_buyer")


def test_given_an_edit_of_an_account_field_inside_the_write_then_it_is_named_too(
        org: Face) -> None:
    acme = Ref(org.system, ACCOUNT, org.account("Acme", "Manufacturing", 500, "Germany"))
    crm = org.connector()
    current = crm.current_values([acme])[acme]  # type: ignore[attr-defined]
    changes = [SetField(acme, "group_stage", "sales_ready", current.get("group_stage")),
               SetField(acme, "engaged_roles", "economic_buyer, user",
                        current.get("engaged_roles"))]
    edit_inside_next_write(org, acme, "group_stage", "Working it")
    assert all(result.ok for result in crm.apply(changes))
    found = crm.overwritten(changes)  # type: ignore[attr-defined]
    assert [(o.change.field, o.value) for o in found] == [("group_stage", "Working it")]


def test_given_a_second_write_to_a_record_then_its_check_reads_only_the_new_history(
        sandbox: Sandbox) -> None:
    """Salesforce: the history window starts at the previous check's answer (less a
    margin), not at the re-read less the lookback, so the first write's history is not
    read again; an edit inside the second write is still found."""
    org = SalesforceFace(sandbox, ManualClock())
    ann = org.person("CFO", "ann@acme.example")
    crm = org.connector()
    rows_read: list[int] = []
    query = crm._query  # type: ignore[attr-defined]

    def counting(soql: str, include_deleted: bool, what: str) -> list[dict[str, object]]:
        rows = query(soql, include_deleted, what)
        if "field history" in what:
            rows_read.append(len(rows))
        return rows  # type: ignore[no-any-return]

    crm._query = counting  # type: ignore[attr-defined]
    first = [SetField(ann, "role", "economic_buyer", None),
             SetField(ann, "seniority", "c_level", None)]
    crm.current_values([ann])  # type: ignore[attr-defined]
    assert all(result.ok for result in crm.apply(first))
    org.clock.advance(seconds=30)  # other pages' work in between
    assert crm.overwritten(first) == []  # type: ignore[attr-defined]
    org.clock.advance(seconds=30)  # the refresh pass, a little later
    crm.current_values([ann])  # type: ignore[attr-defined]
    second = [SetField(ann, "role", "influencer", "economic_buyer")]
    edit_inside_next_write(org, ann, "role", "user")
    assert all(result.ok for result in crm.apply(second))
    found = crm.overwritten(second)  # type: ignore[attr-defined]
    assert [(o.change.field, o.value) for o in found] == [("role", "user")]
    assert rows_read == [2, 2]  # the second: the person's edit and ours, not the first's
