"""`leadpact demo`'s promise: a first run that does real work, a second that writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.demo import run_demo
from leadpact.state import State


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
        # tasks are decided once per run on final verdicts: none made and closed in one run
        assert done["tasks_closed"] == 0
        again = second["systems"][system]
        assert again["changes_applied"] == 0 and again["tasks_created"] == 0
        assert again["changes_planned"] == 0 and again["tasks_updated"] == 0
        # the buying groups' stage lands on the accounts once
        assert done["account_fields_written"] > 0 and again["account_fields_written"] == 0
        assert again["stale_deals"] == done["stale_deals"]
    assert sum(s["stale_deals"] for s in second["systems"].values()) > 0
    # the totals count stale deals as they stand, not summed over the two runs
    assert result.as_dict()["systems"]["salesforce"]["stale_deals"] == \
        second["systems"]["salesforce"]["stale_deals"]
    stories = result.stale_by_story
    assert stories["silently_dead"]["stale"] > stories["pushed"]["stale"]
    # how the lead definition staged people and accounts, per CRM: every person once
    state = State(tmp_path / "state.sqlite3")
    for system, stats in result.as_dict()["systems"].items():
        stages = stats["leads_by_stage"]
        assert stages.get("sales_ready", 0) > 0 and stages.get("disqualified", 0) > 0
        assert stats["accounts_sales_ready"] > 0
        people = [r for r in state.known_records(system) if r.kind != "deal"]
        assert sum(stages.values()) == len(people)
    state.close()


def test_given_demo_json_then_last_line_is_the_summary(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["demo", "--json", "--people", "120", "--data",
                                    str(tmp_path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert len(data["runs"]) == 2
    assert set(data["systems"]) == {"salesforce", "hubspot"}
    assert data["systems"]["salesforce"]["api_calls"] > 0
    assert set(data["stale_by_story"]) <= {"silently_dead", "stuck", "pushed", "healthy"}
    for stats in data["systems"].values():
        assert isinstance(stats["leads_by_stage"], dict)
        assert isinstance(stats["accounts_sales_ready"], int)
        assert stats["account_fields_written"] > 0
