"""The sync right after a first sync, with nobody else changing anything, re-reads no
Salesforce record: the contact roles the first sync filled come back in the contact-role
stream as its own writes (the ledger says so), not as changes to their deals. A role
someone else changes still brings its deal back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import leadpact
from leadpact.changes import SetDealContactRole
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.demo import sandbox_config
from leadpact.model import SALESFORCE

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_given_a_first_sync_then_the_rerun_reads_no_salesforce_record(
        sandbox: Sandbox, tmp_path: Path) -> None:
    seed_demo_org(sandbox.store, seed=5, people=300, now=NOW)
    org = leadpact.open(sandbox_config(sandbox.url, tmp_path / "state.sqlite3"),
                        clock=lambda: NOW)
    first = org.sync()
    assert first.summary.systems["salesforce"].changes_applied > 0
    # It filled contact roles: they come back in the next read as changes.
    assert any(isinstance(c, SetDealContactRole) and c.deal.system == SALESFORCE
               for c in first.changes)
    rerun = org.sync()
    assert rerun.summary.systems["salesforce"].records_read == 0
    assert rerun.summary.systems["salesforce"].changes_planned == 0
