"""Owner names learnt during a sync against the sandbox, both CRMs: one call per CRM for
the owner ids state has not looked up, none when every owner is known."""

from __future__ import annotations

from pathlib import Path

from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import DEAL, SALESFORCE, Deal, Ref
from leadpact.owner_names import learn_owner_names
from leadpact.pipeline import run_sync
from leadpact.report_data import read_report_inputs
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests import hs_builders as hs
from tests.sf_builders import T0, ManualClock, SalesforceOrg, connect
from tests.unit.test_pipeline import classify


def test_given_deals_with_owners_when_syncing_then_names_kept_and_asked_once(
        sandbox: Sandbox, tmp_path: Path) -> None:
    store = sandbox.store
    salesforce_schema.ensure_schema(store)
    hubspot_schema.ensure_schema(store)
    org = SalesforceOrg(store, ManualClock(T0))
    ann = org.user("Ames")
    org.opportunity("Acme renewal", OwnerId=ann)
    rae = hs.owner(store)
    hs.deal(store, at=T0, hubspot_owner_id=rae)
    hs.deal(store, at=T0, dealname="Unowned")
    state = State(tmp_path / "state.sqlite3")
    try:
        with connect(sandbox) as salesforce:
            hubspot = hs.connector(sandbox)
            run_sync([salesforce, hubspot], state, load_rules(None), classify, T0)
            assert state.known_owner_ids("salesforce") == {ann}
            assert state.known_owner_ids("hubspot") == {rae}
            before = (salesforce.api_calls, hubspot.api_calls)
            assert learn_owner_names([salesforce, hubspot], state) == {}  # all known
            assert (salesforce.api_calls, hubspot.api_calls) == before
            bo = org.user("Bell")  # a new owner, of a deal the next sync saw
            new = Ref(SALESFORCE, DEAL, "006000000000009AAA")
            state.save_deal(new, True, Deal(new, T0, owner_id=bo), None, ())
            gone = Ref(SALESFORCE, DEAL, "006000000000010AAA")
            state.save_deal(gone, True, Deal(gone, T0, owner_id="005000000000777AAA"), None,
                            ())  # no such user
            assert learn_owner_names([salesforce, hubspot], state) == {"salesforce": 1}
            assert (salesforce.api_calls, hubspot.api_calls) == (before[0] + 1, before[1])
            assert learn_owner_names([salesforce, hubspot], state) == {}  # unknown: asked once
    finally:
        state.close()
    inputs = read_report_inputs(tmp_path / "state.sqlite3")
    assert inputs is not None
    names = inputs.owner_names
    assert names == {("salesforce", ann): "Olivia Ames", ("salesforce", bo): "Olivia Bell",
                     ("hubspot", rae): "Rae Patel"}
