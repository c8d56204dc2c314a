"""`leadpact demo`'s promise: a first run that does real work, a second that writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.demo import run_demo


def test_given_a_fresh_demo_org_when_synced_twice_then_the_second_run_writes_nothing(
        tmp_path: Path) -> None:
    # One fixed "now" for both runs: the promise is about nothing changing, not about a
    # deal crossing a day boundary in the seconds between two runs.
    result = run_demo(tmp_path, people=300, seed=3, now=datetime.now(UTC))
    first, second = result.runs
    for system in ("salesforce", "hubspot"):
        done = first["systems"][system]
        assert done["records_read"] > 0 and done["changes_applied"] > 0
        assert done["changes_failed"] == 0
        assert done["contacts_tagged"] > 0 and done["tasks_created"] > 0
        again = second["systems"][system]
        assert again["changes_applied"] == 0 and again["tasks_created"] == 0
        assert again["changes_planned"] == 0


def test_given_demo_json_then_last_line_is_the_summary(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["demo", "--json", "--people", "120", "--data",
                                    str(tmp_path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert len(data["runs"]) == 2
    assert set(data["systems"]) == {"salesforce", "hubspot"}
    assert data["systems"]["salesforce"]["api_calls"] > 0
