"""A sync killed mid-run (SIGKILL: no `finally`, no finish_run) against the sandbox: the
run history must not show it as running forever."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox.server import Fault, Sandbox
from leadpact.state import State
from tests.builders import NOW
from tests.e2e.test_cli import ENV, last_json, loaded, write_config  # noqa: F401


def runs_json(config: Path) -> list[dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["runs", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["runs"]  # type: ignore[no-any-return]


def test_given_a_sync_killed_mid_write_then_runs_shows_it_died_and_the_next_sync_marks_it(
        loaded: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    config = write_config(tmp_path, loaded.url)
    hold = Fault(system="salesforce", method="PATCH", path_contains="composite",
                 kind="hold")
    loaded.faults.add(hold)
    sync = subprocess.Popen([sys.executable, "-m", "leadpact", "sync", "--config", str(config),
                             "--json"], env={**os.environ, **ENV},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert hold.arrived.wait(timeout=60), "the sync never reached its first write"
        [live] = runs_json(config)  # while it holds the lock, it is running
        assert live["status"] == "running" and live["error"] is None
        sync.send_signal(signal.SIGKILL)
        assert sync.wait(timeout=30) == -signal.SIGKILL
    finally:
        hold.release.set()
        if sync.poll() is None:
            sync.kill()
        sync.communicate()

    [dead] = runs_json(config)
    assert dead["run_id"] == live["run_id"]
    assert dead["status"] == "died" and dead["finished_at"] is None
    assert "killed or crashed" in dead["error"]
    listed = CliRunner().invoke(main, ["runs", "--config", str(config)])
    assert f"{live['run_id']}  sync  died" in listed.output and "never finished" in listed.output
    page = tmp_path / "report.html"
    reported = CliRunner().invoke(main, ["report", "html", str(page), "--config", str(config)])
    assert reported.exit_code == 0, reported.output
    assert '<td class="died">died</td>' in page.read_text()
    assert '<td class="running">' not in page.read_text()

    again = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=ENV)
    assert again.exit_code == 0, again.output
    newest, older = runs_json(config)
    assert newest["run_id"] == last_json(again.output)["run_id"] and newest["status"] == "ok"
    assert older["run_id"] == live["run_id"] and older["status"] == "died"


def test_given_a_run_row_left_running_then_the_next_run_records_it_as_died(
        tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    state = State(path)
    state.start_run("r1", NOW)
    state.close()  # as after a kill: the row says running, nobody holds the lock
    state = State(path)
    try:
        state.start_run("r2", NOW)
    finally:
        state.close()
    with sqlite3.connect(path) as db:  # stored so, not only shown so
        stored = dict(db.execute("SELECT run_id, status FROM runs").fetchall())
        summary = db.execute("SELECT summary FROM runs WHERE run_id='r1'").fetchone()[0]
    assert stored == {"r1": "died", "r2": "running"}
    assert "killed or crashed" in json.loads(summary)["error"]
