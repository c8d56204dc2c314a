"""The `leadpact` command end to end: real connectors, sandbox over HTTP, real state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"
ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}


def write_config(tmp_path: Path, url: str, hubspot: bool = True) -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text(f"""
[leadpact]
state = "state/leadpact.sqlite3"

[salesforce]
instance_url = "{url}"

[hubspot]
enabled = {str(hubspot).lower()}
host = "{url}"
""")
    return path


def last_json(output: str) -> dict:  # type: ignore[type-arg]
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def loaded(sandbox: Sandbox) -> Sandbox:
    load_fixture(sandbox.store, FIXTURE)
    return sandbox


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name, command in main.commands.items():
        assert command.help, f"`leadpact {name}` has no help text"
        assert f"leadpact {name}" in readme, f"README does not mention `leadpact {name}`"


def test_given_no_config_when_syncing_then_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sync", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 2
    assert "leadpact init" in result.output and "Traceback" not in result.output


def test_given_init_twice_then_the_second_refuses_without_force(tmp_path: Path) -> None:
    path = tmp_path / "leadpact.toml"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--path", str(path)]).exit_code == 0
    assert "LEADPACT_SALESFORCE_TOKEN" in path.read_text()
    assert runner.invoke(main, ["init", "--path", str(path)]).exit_code == 2


def test_given_a_fixture_org_when_synced_twice_then_second_run_writes_nothing(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    runner = CliRunner()
    first = runner.invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert first.exit_code == 0, first.output
    data = last_json(first.output)
    for system in ("salesforce", "hubspot"):
        stats = data["systems"][system]
        assert set(stats) >= {"records_read", "changes_planned", "changes_applied",
                              "changes_failed", "tasks_created", "api_calls",
                              "contacts_tagged", "deals_with_committee_gaps"}
        assert stats["records_read"] > 0 and stats["changes_applied"] > 0
        assert stats["changes_failed"] == 0
    second = runner.invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert second.exit_code == 0, second.output
    again = last_json(second.output)["systems"]
    assert all(s["changes_applied"] == 0 and s["tasks_created"] == 0 for s in again.values())


def test_given_plan_then_changes_are_listed_and_nothing_is_written(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    result = CliRunner().invoke(main, ["plan", "--config", str(config)], env=ENV)
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ change\(s\) planned", result.output)
    assert "set   salesforce:contact:" in result.output
    after = CliRunner().invoke(main, ["plan", "--config", str(config), "--json"], env=ENV)
    lines = after.output.strip().splitlines()
    summary = json.loads(lines[0])  # the summary, then one object per planned change
    assert summary["systems"]["salesforce"]["changes_planned"] > 0
    changes = [json.loads(line) for line in lines[1:]]
    assert len(changes) == sum(s["changes_planned"] for s in summary["systems"].values())
    assert {"record", "change"} <= set(changes[0])
    stage = CliRunner().invoke(main, ["plan", "--config", str(config), "--json", "--only",
                                      "stage", "--limit", "2"], env=ENV)
    moves = [json.loads(line) for line in stage.output.strip().splitlines()[1:]]
    assert 0 < len(moves) <= 2 and all(m["field"] == "lead_stage" for m in moves)
    one = changes[0]["record"]
    mine = CliRunner().invoke(main, ["plan", "--config", str(config), "--json", "--record",
                                     one.rsplit(":", 1)[1]], env=ENV)
    assert {json.loads(line)["record"] for line in mine.output.strip().splitlines()[1:]} \
        == {one}


def test_given_a_wrong_token_then_exit_2_and_the_token_is_never_printed(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    env = {**ENV, "LEADPACT_SALESFORCE_TOKEN": "wrong-secret-123"}
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=env)
    assert result.exit_code == 2
    assert "LEADPACT_SALESFORCE_TOKEN" in result.output
    assert "wrong-secret-123" not in result.output


def test_given_an_unreachable_crm_then_exit_75_naming_the_host(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9", hubspot=False)
    waits: list[float] = []  # the injected policy records its backoff instead of sleeping
    policy = RetryPolicy(attempts=3, sleep=waits.append)
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=ENV, obj=policy)
    assert result.exit_code == 75, result.output
    assert "127.0.0.1" in result.output and "Traceback" not in result.output
    # three attempts, two backoffs, in the run's first read (which records the failure for
    # `runs` and alerts; the preflight waits for a first write): it retried, without sleeping
    assert len(waits) == 2


def test_given_the_salesforce_quota_runs_out_then_exit_75_and_resume_later(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url, hubspot=False)
    loaded.salesforce_daily_limit = loaded.store.calls("salesforce") + 3
    runner = CliRunner()
    stopped = runner.invoke(main, ["sync", "--config", str(config)], env=ENV)
    assert stopped.exit_code == 75, stopped.output
    assert "limit" in stopped.output
    loaded.salesforce_daily_limit = 100_000
    resumed = runner.invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert resumed.exit_code == 0, resumed.output
    final = runner.invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert last_json(final.output)["systems"]["salesforce"]["changes_applied"] == 0


def test_given_missing_hubspot_properties_then_check_names_them_and_fix_creates_them(
        sandbox: Sandbox, tmp_path: Path) -> None:
    from leadpact.connectors.sandbox import hubspot_schema

    hubspot_schema.ensure_schema(sandbox.store, with_leadpact_properties=False)
    config = write_config(tmp_path, sandbox.url)
    runner = CliRunner()
    found = runner.invoke(main, ["check", "--config", str(config)], env=ENV)
    assert found.exit_code == 2
    assert "leadpact_role" in found.output
    fixed = runner.invoke(main, ["check", "--config", str(config), "--fix"], env=ENV)
    assert fixed.exit_code == 0, fixed.output
    assert "hubspot: ok" in fixed.output


def test_given_a_run_when_undone_then_its_values_go_back_except_a_reps_edit(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    runner = CliRunner()
    untagged = {r.id for r in loaded.store.scan("salesforce", "Contact")
                if not r.fields.get("Leadpact_Role__c")}
    sync = runner.invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    run_id = last_json(sync.output)["run_id"]
    listed = runner.invoke(main, ["runs", "--config", str(config)], env=ENV)
    assert run_id in listed.output
    contacts = [r for r in loaded.store.scan("salesforce", "Contact")
                if r.id in untagged and r.fields.get("Leadpact_Role__c")]
    assert len(contacts) >= 2
    edited = contacts[0]
    assert loaded.store.update("salesforce", "Contact", edited.id,
                               {"Leadpact_Role__c": "set by a rep"})
    dry = runner.invoke(main, ["undo", run_id, "--config", str(config), "--dry-run", "--json"],
                        env=ENV)
    assert last_json(dry.output)["planned"] > 0
    assert loaded.store.get("salesforce", "Contact", contacts[1].id).fields.get(  # type: ignore[union-attr]
        "Leadpact_Role__c")
    done = runner.invoke(main, ["undo", run_id, "--config", str(config), "--json"], env=ENV)
    assert done.exit_code == 0, done.output
    result = last_json(done.output)
    assert result["restored"] > 0 and result["failed"] == 0
    assert any("changed since ('set by a rep')" in line for line in result["left_alone"]), result
    after = {r.id: r.fields for r in loaded.store.scan("salesforce", "Contact")}
    assert after[edited.id]["Leadpact_Role__c"] == "set by a rep"
    assert after[contacts[1].id].get("Leadpact_Role__c") is None
    open_tasks = [r for r in loaded.store.scan("salesforce", "Task")
                  if r.fields.get("Leadpact_Task_Key__c") and not r.fields.get("IsClosed")]
    assert open_tasks == []


def test_given_a_sync_holding_the_state_then_plan_still_runs_on_a_snapshot(
        loaded: Sandbox, tmp_path: Path) -> None:
    from leadpact.state import State

    config = write_config(tmp_path, loaded.url)
    first = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert first.exit_code == 0, first.output
    held = State(tmp_path / "state" / "leadpact.sqlite3")  # as a running sync holds it
    try:
        result = CliRunner().invoke(main, ["plan", "--config", str(config), "--json"], env=ENV)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.splitlines()[0])["dry_run"] is True
        busy = CliRunner().invoke(main, ["sync", "--config", str(config)], env=ENV)
        assert busy.exit_code == 75  # a second sync still waits its turn
    finally:
        held.close()


def test_given_a_sync_holding_the_state_then_undo_dry_run_still_answers(
        loaded: Sandbox, tmp_path: Path) -> None:
    from leadpact.state import State

    config = write_config(tmp_path, loaded.url)
    first = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    run_id = json.loads(first.output.strip().splitlines()[-1])["run_id"]
    held = State(tmp_path / "state" / "leadpact.sqlite3")  # as a running sync holds it
    try:
        result = CliRunner().invoke(main, ["undo", run_id, "--config", str(config),
                                           "--dry-run", "--json"], env=ENV)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.strip().splitlines()[-1])["planned"] > 0
        real = CliRunner().invoke(main, ["undo", run_id, "--config", str(config)], env=ENV)
        assert real.exit_code == 75  # the real undo waits for the sync to finish
    finally:
        held.close()


def test_given_a_limit_then_plan_lists_that_many_and_counts_the_rest(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    result = CliRunner().invoke(main, ["plan", "--config", str(config), "--limit", "3"],
                                env=ENV)
    assert result.exit_code == 0, result.output
    planned = int(re.findall(r"(\d+) change\(s\) planned", result.output)[0])
    listed = [line for line in result.output.splitlines()
              if re.match(r"(set|fill|task|role|close|retask) ", line)]
    assert len(listed) == 3 and planned > 3
    assert f"… {planned - 3} more not listed" in result.output
