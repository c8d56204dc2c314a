"""Hostile values found by fuzzing, kept as table tests: state paths no run can open, URLs
the HTTP client cannot use or that carry credentials, control characters in values the
CRMs show, and the rules' length limits against the CRM fields they are written to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.config import HUBSPOT_TOKEN, load_config
from leadpact.connectors.salesforce.mapping import SUBJECT_MAX
from leadpact.crm_schema import salesforce_fields
from leadpact.errors import ConfigError
from leadpact.exit_codes import exit_code
from leadpact.rules.check import check_file
from leadpact.rules.engine import default_rules_text
from leadpact.state import State

ENV = {HUBSPOT_TOKEN: "hs-token-0123456789"}
SCHEMA = json.loads((Path(__file__).parents[2] / "rules" / "schema.json").read_text())


def config_with(tmp_path: Path, state: str = "state.sqlite3",
                host: str = "https://api.hubapi.com") -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text(f'[leadpact]\nstate = "{state}"\n[hubspot]\nhost = "{host}"\n')
    return path


@pytest.mark.parametrize("state", ["/proc/1/nope/state.sqlite3", "/sys/state.sqlite3",
                                   "/dev/null", "notdb.sqlite3"])
def test_given_a_state_no_run_can_open_then_one_line_naming_it_and_the_key_exit_2(
        tmp_path: Path, state: str) -> None:
    (tmp_path / "notdb.sqlite3").write_bytes(b"\x13" * 300)
    config = load_config(config_with(tmp_path, state), ENV)
    with pytest.raises(ConfigError) as raised:
        State(config.state_path)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(config.state_path))
    assert "[leadpact] `state`" in message and exit_code(raised.value) == 2
    assert not Path("/dev/null.lock").exists()


def test_given_an_unusable_state_when_syncing_then_exit_2_not_unexpected(tmp_path: Path) -> None:
    config = config_with(tmp_path, "/proc/1/nope/state.sqlite3", "http://127.0.0.1:1")
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=ENV)
    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("host", ["https://exa%00mple.com", "https://a..b", "https://",
                                  "http://[::1"])
def test_given_a_host_the_http_client_cannot_use_then_refused_at_load(
        tmp_path: Path, host: str) -> None:
    with pytest.raises(ConfigError, match=r"\[hubspot\] `host` must be a URL") as raised:
        load_config(config_with(tmp_path, host=host), ENV)
    assert "\n" not in str(raised.value)


def test_given_credentials_in_a_url_then_refused_without_showing_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="user name or password") as raised:
        load_config(config_with(tmp_path, host="https://admin:pa55w0rd-XYZ@a..b"), ENV)
    assert "pa55w0rd-XYZ" not in str(raised.value) and "admin" not in str(raised.value)


@pytest.mark.parametrize(("old", "new"), [
    ('version: "2026.12.2"', 'version: "2026\\u0000"'),
    ("name: nurture", 'name: "nur\\u0000ture"'),
    ('subject: "Sales-ready: {name} ({title})"', 'subject: "Sales-ready:\\n{name}"'),
    ('subject: "Sales-ready: {name} ({title})"', 'subject: "Sales-ready:\\t{name}"'),
])
def test_given_a_control_character_in_a_value_the_crm_shows_then_refused_at_its_line(
        tmp_path: Path, old: str, new: str) -> None:
    rules = tmp_path / "rules.yaml"
    text = default_rules_text()
    assert old in text
    rules.write_text(text.replace(old, new, 1))
    problems = [str(p) for p in check_file(rules)]
    assert len(problems) == 1 and "control character" in problems[0], problems
    assert problems[0].startswith(f"{rules}:")


def test_given_the_rules_limits_then_every_value_fits_the_crm_field_it_is_written_to() -> None:
    lengths = {(f.sobject, f.name): f.length for f in salesforce_fields()}
    definitions = SCHEMA["definitions"]
    stage = definitions["stage"]["properties"]["name"]["maxLength"]
    version = SCHEMA["properties"]["version"]["maxLength"]
    subjects = [definitions[name]["properties"]["subject"]["maxLength"]
                for name in ("lead_task", "deal_task", "committee_task")]
    assert stage <= lengths[("Lead", "Leadpact_Lead_Stage__c")]
    assert version <= lengths[("Opportunity", "Leadpact_Rules_Version__c")]
    assert max(subjects) <= SUBJECT_MAX  # the placeholders' text is cut at SUBJECT_MAX
