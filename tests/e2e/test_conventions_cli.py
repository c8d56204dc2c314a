"""The small conventions every command follows: --config (and LEADPACT_CONFIG) wherever a
config is read, one name per concept (old names kept as hidden aliases), and one error
shape: a single `leadpact: ` line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env)


def test_given_init_with_config_then_the_file_is_written_and_old_path_still_works(
        tmp_path: Path) -> None:
    new = tmp_path / "new.toml"
    assert invoke("init", "--config", str(new)).exit_code == 0
    assert "LEADPACT_SALESFORCE_TOKEN" in new.read_text()
    old = tmp_path / "old.toml"
    result = invoke("init", "--path", str(old))
    assert result.exit_code == 0 and old.exists()
    assert "deprecated; use --config" in result.stderr
    assert "--path" not in invoke("init", "--help").stdout


def test_given_leadpact_config_then_it_is_the_default_and_config_still_wins(
        tmp_path: Path) -> None:
    from_env = tmp_path / "from-env.toml"
    env = {"LEADPACT_CONFIG": str(from_env)}
    assert invoke("init", env=env).exit_code == 0 and from_env.exists()
    for command in (["sync"], ["plan"], ["check"], ["runs"], ["report", "stale"]):
        result = invoke(*command, env={"LEADPACT_CONFIG": str(tmp_path / "nowhere.toml")})
        assert result.exit_code == 2, (command, result.output)
        assert "nowhere.toml" in result.stderr, command
    explicit = invoke("sync", "--config", str(tmp_path / "explicit.toml"),
                      env={"LEADPACT_CONFIG": str(tmp_path / "nowhere.toml")})
    assert "explicit.toml" in explicit.stderr and "nowhere.toml" not in explicit.stderr


@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_given_help_then_the_data_folder_is_called_data(command: str) -> None:
    shown = invoke(command, "--help").stdout
    assert "--data" in shown and "--dir" not in shown


def test_given_demo_with_the_old_dir_name_then_it_still_runs_there(tmp_path: Path) -> None:
    result = invoke("-v", "demo", "--json", "--people", "60", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "state.sqlite3").exists()
    assert json.loads(result.stdout.strip().splitlines()[-1])["runs"]
    assert "demo --dir is deprecated; use --data" in result.stderr
    # the demo's syncs report their reads too (not a terminal: as log lines)
    assert "leadpact.progress: salesforce Contact: reading " in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["sync", "--bogus"], "leadpact: No such option '--bogus'. (see `leadpact sync --help`)"),
    (["nosuchcommand"], "leadpact: No such command 'nosuchcommand'."),
    (["titles", "eval", "missing.csv"], "leadpact: missing.csv: no such file"),
    (["sync", "--config", "missing.toml"], "leadpact: "),
    (["--log-format", "xml", "runs"], "leadpact: Invalid value for '--log-format'"),
])
def test_given_any_error_then_one_line_prefixed_leadpact(
        args: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(says) and result.stderr.count("\n") == 1, result.stderr
    assert "Error:" not in result.stderr and "Usage:" not in result.stderr


def test_given_help_or_version_then_exit_0() -> None:
    assert invoke("--help").exit_code == 0
    version = invoke("--version")
    assert version.exit_code == 0 and "leadpact" in version.stdout
