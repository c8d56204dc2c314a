"""Bad input gets one line naming the path and the fix, exit 2; a fault that should pass
gets exit 75. Never "unexpected …", never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from leadpact.cli import main
from leadpact.config import load_config
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Fault, Sandbox
from leadpact.errors import (
    AuthError,
    Busy,
    ConfigError,
    QuotaExhausted,
    RecordRejected,
    RuleError,
    ServerError,
    UnreachableError,
)
from leadpact.exit_codes import exit_code
from leadpact.rules.engine import default_rules_text, load_rules

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"
ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}
NO_SLEEP = RetryPolicy(attempts=2, sleep=lambda seconds: None)


def one_line(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "unexpected" not in lines[0] and "Traceback" not in result.output
    return lines[0]


def config(tmp_path: Path, url: str, extra: str = "") -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text(f'[leadpact]\n{extra}\n[salesforce]\ninstance_url = "{url}"\n')
    return path


@pytest.mark.parametrize(("error", "code"), [
    (ConfigError("x"), 2), (RuleError("x"), 2), (AuthError("x"), 2),
    (UnreachableError("x"), 75), (ServerError("x", status=503), 75),
    (QuotaExhausted("x"), 75), (Busy("x"), 75), (RecordRejected("x"), 1),
])
def test_exit_codes_are_decided_at_the_edge_by_kind(error: Exception, code: int) -> None:
    assert exit_code(error) == code  # type: ignore[arg-type]


def test_errors_carry_facts_not_just_text() -> None:
    error = ServerError("kept failing", system="hubspot", operation="search contacts",
                        status=503, retry_after=2.0)
    assert (error.system, error.operation, error.status, error.retry_after) == (
        "hubspot", "search contacts", 503, 2.0)
    assert str(error) == "kept failing"


def test_given_a_crm_that_keeps_answering_5xx_then_exit_75(
        sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.faults.add(Fault(system="salesforce", status=503, times=1000))
    result = CliRunner().invoke(main, ["sync", "--config", str(config(tmp_path, sandbox.url))],
                                env=ENV, obj=NO_SLEEP)
    assert result.exit_code == 75, result.output
    assert "Salesforce" in one_line(result) and "run again later" in result.output


def test_file_errors_carry_the_path_and_line(tmp_path: Path) -> None:
    config_file = tmp_path / "leadpact.toml"
    config_file.write_bytes(b"[leadpact]\n# caf\xe9\n")
    with pytest.raises(ConfigError) as bad_config:
        load_config(config_file)
    assert (bad_config.value.path, bad_config.value.line) == (config_file, 2)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(default_rules_text().replace("silent_days: 14", "silent_days: -1"))
    with pytest.raises(RuleError) as bad_rules:
        load_rules(rules_file)
    assert bad_rules.value.path == rules_file
    line = bad_rules.value.line
    assert line is not None and "silent_days: -1" in rules_file.read_text().splitlines()[line - 1]


def test_given_a_folder_as_config_then_exit_2_naming_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sync", "--config", str(tmp_path)], env=ENV)
    assert result.exit_code == 2
    assert str(tmp_path) in one_line(result) and "is a folder" in result.output


def test_given_a_config_that_is_not_utf8_then_exit_2_naming_file_and_line(
        tmp_path: Path) -> None:
    path = tmp_path / "leadpact.toml"
    path.write_bytes(b"[leadpact]\n# caf\xe9\n")
    result = CliRunner().invoke(main, ["sync", "--config", str(path)], env=ENV)
    assert result.exit_code == 2
    assert f"{path}:2" in one_line(result) and "save the file as UTF-8" in result.output


def test_given_a_rules_file_that_is_not_utf8_then_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_bytes(b"version: 1\n\xff\n")
    path = config(tmp_path, "http://127.0.0.1:9", 'rules = "rules.yaml"')
    result = CliRunner().invoke(main, ["sync", "--config", str(path)], env=ENV)
    assert result.exit_code == 2
    assert "rules.yaml" in one_line(result) and "UTF-8" in result.output


def test_given_a_file_where_the_state_folder_should_be_then_exit_2(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a folder")
    path = config(tmp_path, "http://127.0.0.1:9", 'state = "state/leadpact.sqlite3"')
    result = CliRunner().invoke(main, ["sync", "--config", str(path)], env=ENV)
    assert result.exit_code == 2
    assert "state" in one_line(result) and "is a file" in result.output


def test_given_a_fixture_that_is_not_utf8_then_exit_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "org.json"
    bad.write_bytes(b'{"salesforce": "\xff"}')
    result = CliRunner().invoke(main, ["sandbox", "--port", "0", "--data", str(tmp_path / "d"),
                                       "--load", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in one_line(result) and "save the file as UTF-8" in result.output


def test_given_the_sandbox_port_is_taken_then_exit_2_saying_pick_another(
        sandbox: Sandbox, tmp_path: Path) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    result = CliRunner().invoke(main, ["sandbox", "--port", port, "--data", str(tmp_path),
                                       "--load", str(FIXTURE)])
    assert result.exit_code == 2, result.output
    line = result.output.strip().splitlines()[-1]  # after "loaded <fixture>"
    assert f"port {port}" in line and "--port" in line and "Traceback" not in result.output
