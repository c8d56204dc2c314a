"""The quota plan's read budget holds to the call: a change read that runs out of budget
in the middle of a page stops before the next request, not after the page's enriching
reads. Real connectors against a seeded sandbox whose day allows few calls."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadpact.connectors.base import Connector
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.quota_run import RunQuota
from leadpact.state import State
from tests import hs_builders
from tests.sf_builders import connect

NOW = datetime.now(UTC).replace(microsecond=0)
# Calls left today: a read budget of 10 (Salesforce) or 22 (HubSpot, whose first page of
# contacts takes more), well short of a first sync.
ALLOWED = {"salesforce": 24, "hubspot": 50}


@pytest.mark.parametrize("system", ["salesforce", "hubspot"])
def test_given_a_small_allowance_when_a_first_read_runs_out_then_it_stops_at_the_budget(
        sandbox: Sandbox, tmp_path: Path, system: str) -> None:
    seed_demo_org(sandbox.store, seed=5, people=120, now=NOW)
    connector: Connector = connect(sandbox) if system == "salesforce" \
        else hs_builders.connector(sandbox)
    setattr(sandbox, f"{system}_daily_limit", sandbox.store.calls(system) + ALLOWED[system])
    state = State(tmp_path / "state.sqlite3")
    try:
        quotas = RunQuota.before_run([connector], state, NOW, full=False)
    finally:
        state.close()
    budget = quotas.plans[system].read_budget
    assert budget is not None and 0 < budget < ALLOWED[system]
    before = sandbox.store.calls(system)

    pages = list(quotas.pages(connector, connector.read_changes(None)))

    assert system in quotas.deferred and pages  # some read, the rest left for later
    assert sandbox.store.calls(system) - before == budget  # not a call past it
