"""`leadpact schedule`, `leadpact runs` and `leadpact check --json` from the command line.

Installing for real is tested in a temporary HOME; the schedulers' own tools (systemctl,
crontab, kubectl) are small stand-in programs on PATH that record what they were asked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.builders import NOW, person
from tests.e2e.test_cli import ENV, last_json, loaded, write_config  # noqa: F401
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import classify

NO_TOKENS = {"LEADPACT_SALESFORCE_TOKEN": None, "LEADPACT_HUBSPOT_TOKEN": None}

FAKE_CRONTAB = """#!/bin/sh
table="$HOME/crontab.txt"
case "$1" in
  -l) if [ -f "$table" ]; then cat "$table"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$table" ;;
  *) exit 2 ;;
esac
"""
FAKE_RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$HOME/calls.log"
if [ "$1" = "apply" ]; then cat > "$HOME/applied.yaml"; echo "cronjob.batch/x created"; fi
"""


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str | None]:
    """HOME in tmp, with stand-in systemctl, crontab and kubectl first on PATH."""
    home, tools = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    tools.mkdir()
    for name, text in (("crontab", FAKE_CRONTAB), ("systemctl", FAKE_RECORDER),
                       ("kubectl", FAKE_RECORDER)):
        (tools / name).write_text(text)
        (tools / name).chmod(0o755)
    return {"HOME": str(home), "PATH": f"{tools}:{os.environ['PATH']}", **NO_TOKENS}


def invoke(*args: str, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env or NO_TOKENS)


# -- schedule --------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["systemd", "cron", "k8s", "github"])
def test_given_dir_then_each_target_writes_its_files_and_installs_nothing(
        tmp_path: Path, target: str, home: dict[str, str | None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    out = tmp_path / "out"
    secrets = tmp_path / "secrets.env"
    secrets.write_text("LEADPACT_HUBSPOT_TOKEN=pat-na1-distinctive-4242\n")
    result = invoke("schedule", "install", "--every", "15m", "--target", target,
                    "--config", str(config), "--dir", str(out), "--env-file", str(secrets),
                    env=home)
    assert result.exit_code == 0, result.output
    assert all("distinctive-4242" not in p.read_text() for p in out.iterdir())
    written = sorted(p.name for p in out.iterdir())
    assert written == {"systemd": ["leadpact-sync.service", "leadpact-sync.timer"],
                       "cron": ["leadpact-sync.crontab", "leadpact-sync.sh"],
                       "k8s": ["leadpact-sync.yaml"], "github": ["leadpact-sync.yml"]}[target]
    for path in out.glob("*.y*ml"):
        assert list(yaml.safe_load_all(path.read_text()))
    if target == "github":  # the env file's keys, as repository secrets
        flow = yaml.safe_load((out / "leadpact-sync.yml").read_text())
        sync = next(s for s in flow["jobs"]["sync"]["steps"] if "sync" in s.get("run", ""))
        assert sync["env"] == {"LEADPACT_HUBSPOT_TOKEN":
                               "${{ secrets.LEADPACT_HUBSPOT_TOKEN }}"}
    if target == "k8s":  # the Secret is made from the env file
        assert (f"--from-env-file={secrets.resolve()}"
                in (out / "leadpact-sync.yaml").read_text())
    assert not (tmp_path / "home" / "calls.log").exists()
    assert not (tmp_path / "home" / ".config").exists()
    shown = invoke("schedule", "show", "--dir", str(out), env=home)
    assert all(name in shown.output for name in written)
    removed = invoke("schedule", "remove", "--dir", str(out), env=home)
    assert removed.exit_code == 0 and list(out.iterdir()) == []


@pytest.mark.parametrize(("args", "says"), [
    (["--every", "45m"], "leadpact: --every '45m': cron cannot repeat evenly"),
    (["--cron", "*/15 * * *"], "leadpact: --cron '*/15 * * *': expected 5 fields"),
    (["--cron", "61 * * * *"], "minute '61' is not a number from 0 to 59"),
    ([], "give one of --every"),
    (["--every", "15m", "--cron", "* * * * *"], "give one of --every"),
    (["--every", "15m", "--name", "Bad Name"], "--name 'Bad Name'"),
    (["--every", "1m", "--target", "github"], "at most every 5 minutes"),
])
def test_given_a_bad_schedule_then_one_line_and_exit_2(
        tmp_path: Path, args: list[str], says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    result = invoke("schedule", "install", *args, "--config", str(config),
                    "--dir", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    # one message (the shared error console still hard-wraps it at 80 columns: issue 11.7)
    assert says in " ".join(result.output.split()) and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_given_no_config_then_nothing_is_scheduled(tmp_path: Path) -> None:
    result = invoke("schedule", "install", "--every", "15m", "--config",
                    str(tmp_path / "none.toml"), "--dir", str(tmp_path / "out"))
    assert result.exit_code == 2 and "leadpact init" in result.output


def test_given_systemd_then_units_go_to_the_users_folder_and_the_timer_is_enabled(
        tmp_path: Path, home: dict[str, str | None]) -> None:
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    result = invoke("schedule", "install", "--every", "1h", "--config", str(config), env=home)
    assert result.exit_code == 0, result.output
    units = tmp_path / "home" / ".config" / "systemd" / "user"
    assert "OnCalendar=*-*-* *:00:00" in (units / "leadpact-sync.timer").read_text()
    assert f"--config {config.resolve()}" in (units / "leadpact-sync.service").read_text()
    calls = (tmp_path / "home" / "calls.log").read_text().splitlines()
    assert calls == ["systemctl --user daemon-reload",
                     "systemctl --user enable --now leadpact-sync.timer"]
    assert "OnCalendar" in invoke("schedule", "show", env=home).output
    removed = invoke("schedule", "remove", env=home)
    assert removed.exit_code == 0, removed.output
    assert list(units.iterdir()) == []
    assert "systemctl --user disable --now leadpact-sync.timer" in \
        (tmp_path / "home" / "calls.log").read_text()


def test_given_cron_then_the_users_crontab_gets_one_entry_and_keeps_its_others(
        tmp_path: Path, home: dict[str, str | None]) -> None:
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    table = tmp_path / "home" / "crontab.txt"
    table.write_text("MAILTO=ops@example.com\n0 3 * * * /usr/local/bin/backup\n")
    for every in ("15m", "30m"):  # installing twice replaces, never duplicates
        result = invoke("schedule", "install", "--every", every, "--target", "cron",
                        "--config", str(config), env=home)
        assert result.exit_code == 0, result.output
    lines = table.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.com", "0 3 * * * /usr/local/bin/backup"]
    assert len(lines) == 4 and lines[3].startswith("*/30 * * * * flock -n ")
    script = tmp_path / "home" / ".config" / "leadpact" / "schedule" / "leadpact-sync.sh"
    assert os.access(script, os.X_OK) and lines[3].endswith(str(script))
    assert "*/30 * * * *" in invoke("schedule", "show", "--target", "cron", env=home).output
    assert invoke("schedule", "remove", "--target", "cron", env=home).exit_code == 0
    assert table.read_text().splitlines() == lines[:2] and not script.exists()


def test_given_k8s_then_the_manifest_is_applied_with_kubectl(
        tmp_path: Path, home: dict[str, str | None]) -> None:
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    result = invoke("schedule", "install", "--cron", "0 */2 * * *", "--target", "k8s",
                    "--config", str(config), env=home)
    assert result.exit_code == 0, result.output
    kinds = [d["kind"] for d in
             yaml.safe_load_all((tmp_path / "home" / "applied.yaml").read_text())]
    assert kinds == ["CronJob", "ConfigMap", "PersistentVolumeClaim"]
    assert invoke("schedule", "remove", "--target", "k8s", env=home).exit_code == 0
    calls = (tmp_path / "home" / "calls.log").read_text().splitlines()
    assert calls == ["kubectl apply -f -", "kubectl delete cronjob,configmap -l "
                     "app.kubernetes.io/instance=leadpact-sync"]  # the state's claim stays


def test_given_github_then_the_workflow_goes_into_the_repository(
        tmp_path: Path, home: dict[str, str | None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    result = invoke("schedule", "install", "--every", "30m", "--target", "github",
                    "--config", str(config), env=home)
    assert result.exit_code == 0, result.output
    flow = yaml.safe_load((tmp_path / ".github" / "workflows" / "leadpact-sync.yml").read_text())
    assert "leadpact sync --config leadpact.toml --json" in flow["jobs"]["sync"]["steps"][4]["run"]
    assert flow["jobs"]["sync"]["steps"][3]["with"]["path"] == "state/leadpact.sqlite3*"
    assert invoke("schedule", "remove", "--target", "github", env=home).exit_code == 0
    assert not (tmp_path / ".github" / "workflows" / "leadpact-sync.yml").exists()


# -- runs ------------------------------------------------------------------------------
def _synced(tmp_path: Path) -> Path:
    """A config whose state holds one partial run (a refused record), made without HTTP."""
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    config.write_text(config.read_text().replace(  # a secrets file that is not there
        "[leadpact]\n", '[leadpact]\nsecrets_file = "missing-secrets.env"\n'))
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    hs.put(person("2", title="Software Engineer"))
    hs.refuse.add(Ref("hubspot", "contact", "2"))
    state = State(tmp_path / "state" / "leadpact.sqlite3")
    try:
        run_sync([hs], state, load_rules(None), classify, NOW, run_id="20261123T120000-abc123")
    finally:
        state.close()
    return config


def test_given_no_runs_yet_then_runs_says_so_without_tokens(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://x.my.salesforce.com")
    result = invoke("runs", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "no runs recorded yet" in result.output
    assert not (tmp_path / "state").exists()  # reading never creates the state


def test_given_runs_then_counts_rules_and_errors_show_without_tokens_or_secrets(
        tmp_path: Path) -> None:
    config = _synced(tmp_path)
    listed = invoke("runs", "--config", str(config))
    assert listed.exit_code == 0, listed.output
    assert "20261123T120000-abc123  sync  partial" in listed.output
    assert "rules " in listed.output and "hubspot: read 2 · applied" in listed.output
    assert "error: hubspot:contact:2: refused by test" in listed.output
    data = json.loads(invoke("runs", "--config", str(config), "--json").output)
    (run,) = data["runs"]
    assert run["status"] == "partial" and run["systems"]["hubspot"]["records_read"] == 2
    assert run["rules_version"] == load_rules(None).version
    shown = invoke("runs", "--config", str(config), "show", "20261123T120000-abc")
    assert shown.exit_code == 0, shown.output
    assert "hubspot:contact:2: refused by test" in shown.output
    full = json.loads(invoke("runs", "show", "20261123T120000-abc123", "--config",
                             str(config), "--json").output)
    assert full["refused"] and {r["record"] for r in full["refused"]} == {"hubspot:contact:2"}
    assert invoke("runs", "show", "nope", "--config", str(config)).exit_code == 2
    assert invoke("runs", "--config", str(config), "--limit", "0").exit_code == 2


def test_given_a_sync_holding_the_state_then_runs_still_answers(tmp_path: Path) -> None:
    config = _synced(tmp_path)
    holder = State(tmp_path / "state" / "leadpact.sqlite3")  # the lock a running sync holds
    try:
        holder.start_run("20261123T130000-def456", NOW)
        result = invoke("runs", "--config", str(config))
    finally:
        holder.close()
    assert result.exit_code == 0, result.output
    assert "20261123T130000-def456  sync  running" in result.output


def test_given_an_undo_through_the_cli_then_runs_lists_it(loaded: Sandbox,  # noqa: F811
                                                           tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url, hubspot=False)
    run_id = last_json(invoke("sync", "--config", str(config), "--json", env=ENV).output)[
        "run_id"]
    undone = invoke("undo", run_id, "--config", str(config), "--json", env=ENV)
    assert undone.exit_code == 0, undone.output
    assert last_json(undone.output)["undo_id"] == f"undo-{run_id}"
    runs = json.loads(invoke("runs", "--config", str(config), "--json").output)["runs"]
    assert [(r["run_id"], r["kind"]) for r in runs] == [(f"undo-{run_id}", "undo"),
                                                        (run_id, "sync")]
    assert runs[0]["undoes"] == run_id
    assert runs[0]["systems"]["salesforce"]["changes_applied"] == \
        last_json(undone.output)["restored"]


# -- check --json ----------------------------------------------------------------------
def test_given_check_json_then_one_line_per_crm_problems(sandbox: Sandbox,
                                                         tmp_path: Path) -> None:
    from leadpact.connectors.sandbox import hubspot_schema

    hubspot_schema.ensure_schema(sandbox.store, with_leadpact_properties=False)
    config = write_config(tmp_path, sandbox.url)
    found = invoke("check", "--config", str(config), "--json", env=ENV)
    assert found.exit_code == 2
    data = json.loads(found.output)
    assert data["ok"] is False and data["systems"]["salesforce"] == {"ok": True, "problems": []}
    (problem, *_) = data["systems"]["hubspot"]["problems"]
    assert "leadpact_role" in problem["what"] and "leadpact setup" in problem["fix"]
    fixed = invoke("check", "--config", str(config), "--json", "--fix", env=ENV)
    assert fixed.exit_code == 0 and json.loads(fixed.output)["ok"] is True
    assert ENV["LEADPACT_HUBSPOT_TOKEN"] not in fixed.output
