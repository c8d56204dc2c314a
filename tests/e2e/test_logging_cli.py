"""Logging from the command line: levels, --log-file, --log-format json, no secret in any
line, and plain unwrapped stderr when it is not a terminal."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.connectors.sandbox.store import Store
from tests.e2e.test_cli import FIXTURE, write_config

TOKEN = "lpLEAK-7f3a9c-distinctive-q8z"  # the one token this sandbox accepts


@pytest.fixture
def guarded() -> Iterator[Sandbox]:
    """The example org behind a sandbox that accepts only TOKEN."""
    box = Sandbox(Store(":memory:"), token=TOKEN)
    load_fixture(box.store, FIXTURE)
    box.serve(0)
    try:
        yield box
    finally:
        box.stop()
        box.store.close()


@pytest.fixture(autouse=True)
def quiet_root() -> Iterator[None]:
    """Leave the root logger as it was: the CLI installs handlers on it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


ENV = {"LEADPACT_SALESFORCE_TOKEN": TOKEN, "LEADPACT_HUBSPOT_TOKEN": TOKEN}


def test_given_a_distinctive_token_when_syncing_at_debug_to_a_log_file_then_no_line_holds_it(
        guarded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, guarded.url)
    log_file = tmp_path / "logs" / "sync.log"
    result = CliRunner().invoke(main, ["-vv", "--log-file", str(log_file), "sync", "--config",
                                       str(config), "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    text = log_file.read_text("utf-8")
    # the log is really there and detailed: run lines, CRM totals, each query's size
    assert " INFO leadpact.pipeline: run " in text and "finished: ok" in text
    assert "reading" in text and "changed row(s)" in text
    assert "DEBUG leadpact.connectors.salesforce.connector: reading" in text
    assert TOKEN not in text
    assert TOKEN not in result.stdout and TOKEN not in result.stderr


def test_given_json_format_then_every_log_line_is_one_json_object(
        guarded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, guarded.url)
    log_file = tmp_path / "sync.jsonl"
    result = CliRunner().invoke(main, ["--verbose", "--log-file", str(log_file),
                                       "--log-format", "json", "plan", "--config",
                                       str(config), "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in log_file.read_text("utf-8").splitlines()]
    assert entries and {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(e["logger"] == "leadpact.pipeline" and "plan only" in e["message"]
               for e in entries)
    assert TOKEN not in log_file.read_text("utf-8")


def test_given_quiet_then_info_is_not_on_stderr_and_verbose_shows_it(
        guarded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, guarded.url)
    quiet = CliRunner().invoke(main, ["--quiet", "plan", "--config", str(config), "--json"],
                               env=ENV)
    verbose = CliRunner().invoke(main, ["-v", "plan", "--config", str(config), "--json"],
                                 env=ENV)
    assert quiet.exit_code == verbose.exit_code == 0
    assert quiet.stderr == ""
    assert "leadpact.pipeline: run " in verbose.stderr
    # stdout keeps the command's own output only: one JSON line
    assert json.loads(verbose.stdout.splitlines()[0])["dry_run"] is True


def test_given_an_unwritable_log_file_then_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(main, ["--log-file", str(blocker / "x.log"), "runs"])
    assert result.exit_code == 2
    assert result.stderr.startswith("leadpact: --log-file ") and result.stderr.count("\n") == 1


def test_given_stderr_is_a_pipe_then_a_long_error_stays_on_one_line(tmp_path: Path) -> None:
    long_dir = tmp_path / ("a-rather-long-folder-name-" * 6)
    done = subprocess.run(
        [sys.executable, "-m", "leadpact", "sync", "--config", str(long_dir / "leadpact.toml")],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "40"},
        check=False)
    assert done.returncode == 2
    assert len(done.stderr) > 120  # long enough that a console would have folded it
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("leadpact: ")
    assert "\x1b[" not in done.stderr  # no colour codes either
