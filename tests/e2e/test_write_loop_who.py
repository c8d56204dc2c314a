"""A write loop fought for real on the sandbox, on both CRMs: leadpact's connector writes a
field, another integration (its own token) sets it back, three runs in a row. The alert
that reaches a local webhook, the `frozen` table, `leadpact frozen` and `leadpact runs
show` say who fights it; `leadpact frozen clear` lets leadpact write it again.

The runs' ledger rows are recorded here as the pipeline records its writes: the planner
never overwrites a value someone else set, so a real sync only sees such a loop when a
value it was writing is set back (see leadpact/alerting.py); what is under test is what
happens once one is found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from leadpact.alerting import after_run
from leadpact.alerts_config import AlertsConfig
from leadpact.changes import SetField
from leadpact.cli import main
from leadpact.connectors.base import Connector
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.actors import Actor
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Ref
from leadpact.state import State
from tests import hs_builders as hs
from tests.e2e.test_alerts import Receiver
from tests.sf_builders import ManualClock, SalesforceOrg, connect

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver([])
    yield found
    found.stop()


def set_back(sandbox: Sandbox, token: str, ref: Ref) -> None:
    """The other integration puts the field back to "nurture"."""
    if ref.system == "hubspot":
        method, path = "PATCH", f"/crm/v3/objects/contacts/{ref.id}"
        body: dict[str, object] = {"properties": {"leadpact_lead_stage": "nurture"}}
    else:
        method, path = "PATCH", f"/services/data/v59.0/sobjects/Lead/{ref.id}"
        body = {"Leadpact_Lead_Stage__c": "nurture"}
    answer = requests.request(method, sandbox.url + path, json=body, timeout=10,
                              headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code < 300, answer.text


def fight(state: State, sandbox: Sandbox, targets: list[tuple[Connector, Ref]], token: str
          ) -> datetime:
    """Three runs: each writes sales_ready over the nurture it finds, in both CRMs; the
    other integration sets it back after each. Returns when the last run started."""
    at = START
    for n in range(3):
        at = START + timedelta(hours=n)
        run_id = f"run{n}"
        state.start_run(run_id, at)
        for connector, ref in targets:
            change = SetField(ref, "lead_stage", "sales_ready", "nurture")
            assert connector.apply([change])[0].ok
            state.record_write(run_id, ref, "lead_stage", "nurture", "sales_ready", at)
        state.finish_run(run_id, at, "ok", {"systems": {}})
        for _, ref in targets if n < 2 else ():
            set_back(sandbox, token, ref)
    return at


def test_given_an_integration_fights_hubspot_and_salesforce_then_alerts_name_it(
        sandbox: Sandbox, receiver: Receiver, tmp_path: Path) -> None:
    store = sandbox.store
    hubspot_schema.ensure_schema(store)
    salesforce_schema.ensure_schema(store)
    org = SalesforceOrg(store, ManualClock(START))
    zapier = sandbox.add_actor(Actor("Zapier Integration", hubspot_source_type="INTEGRATION",
                                     hubspot_source_id="3311", hubspot_source_label="Zapier"))
    contact = Ref("hubspot", "contact", hs.contact(store, at=START,
                                                   leadpact_lead_stage="nurture"))
    lead = Ref("salesforce", "lead", org.lead("Ng", Leadpact_Lead_Stage__c="nurture"))
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n\n[salesforce]\n'
                      f'instance_url = "{sandbox.url}"\n\n[hubspot]\nhost = "{sandbox.url}"\n')
    state = State(tmp_path / "state.sqlite3")
    try:
        with connect(sandbox) as salesforce:
            hubspot = hs.connector(sandbox)
            both: list[Connector] = [salesforce, hubspot]
            last = fight(state, sandbox, [(hubspot, contact), (salesforce, lead)], zapier)
            alerts = after_run(state, AlertsConfig(webhook_url=receiver.url), last,
                               datetime.now(UTC), both)
            again = after_run(state, None, last, datetime.now(UTC), both)
        assert state.frozen_fields(contact) == {"lead_stage"} == state.frozen_fields(lead)
    finally:
        state.close()
    zapier_user = next(r.id for r in store.scan("salesforce", "User")
                       if r.fields.get("LastName") == "Integration"
                       and r.fields.get("FirstName") == "Zapier")
    sf_who = f"Zapier Integration (Salesforce user {zapier_user})"
    assert [a.kind for a in alerts] == ["write_loop", "write_loop"]
    texts = [str(body["text"]) for body in receiver.bodies]
    assert any("froze lead_stage on hubspot:contact:" in t and
               "changed back by integration Zapier" in t for t in texts), texts
    assert any(f"froze lead_stage on {lead}" in t and f"changed back by {sf_who}" in t
               for t in texts), texts
    assert again == []  # frozen and alerted once

    runner = CliRunner()
    listed = runner.invoke(main, ["frozen", "--config", str(config), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["record"]: r for r in json.loads(listed.output)["frozen"]}
    assert rows[str(contact)]["changed_by"] == "integration Zapier"
    assert rows[str(lead)]["changed_by"] == sf_who
    assert rows[str(lead)]["run_id"] == "run2"
    shown = runner.invoke(main, ["runs", "--config", str(config), "show", "run2"])
    assert f"froze lead_stage on {lead}: changed back by {sf_who}" in shown.output

    cleared = runner.invoke(main, ["frozen", "--config", str(config), "clear", str(lead),
                                   "lead_stage"])
    assert cleared.exit_code == 0, cleared.output
    twice = runner.invoke(main, ["frozen", "--config", str(config), "clear", str(lead),
                                 "lead_stage"])
    assert twice.exit_code == 2 and "is not frozen" in twice.output
    left = runner.invoke(main, ["frozen", "--config", str(config)])
    assert str(contact) in left.output and str(lead) not in left.output
    everything = runner.invoke(main, ["frozen", "--config", str(config), "clear", "--all"])
    assert "unfroze 1 field(s)" in everything.output
    assert "no frozen fields" in runner.invoke(main, ["frozen", "--config",
                                                      str(config)]).output
    usage = runner.invoke(main, ["frozen", "--config", str(config), "clear", str(lead)])
    assert usage.exit_code == 2
