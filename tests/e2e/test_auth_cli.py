"""Unattended auth through the `leadpact` command: a sync that outlives its sessions, the
refusal to send tokens in clear text, malformed tokens, and a faulted run whose every output
and state file is searched for the secrets it used."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from leadpact.auth_config import (
    HS_CLIENT_ID,
    HS_CLIENT_SECRET,
    HS_REFRESH_TOKEN,
    SF_CONSUMER_KEY,
    SF_CONSUMER_SECRET,
    SF_PRIVATE_KEY,
)
from leadpact.cli import main
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Fault, Sandbox
from leadpact.connectors.sandbox.store import Store
from tests.contract.test_oauth_logins import USER, key_pair

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"
STATIC = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}


def write_config(tmp_path: Path, url: str, salesforce: str = "", hubspot: str = "") -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text(f"""
[leadpact]
state = "state/leadpact.sqlite3"

[salesforce]
instance_url = "{url}"
{salesforce}

[hubspot]
host = "{url}"
{hubspot}
""")
    return path


def oauth_env(sandbox: Sandbox) -> dict[str, str]:
    apps = sandbox.oauth.apps
    return {SF_CONSUMER_KEY: apps.consumer_key, SF_CONSUMER_SECRET: apps.consumer_secret,
            HS_CLIENT_ID: apps.hubspot_client_id, HS_CLIENT_SECRET: apps.hubspot_client_secret,
            HS_REFRESH_TOKEN: apps.hubspot_refresh_token}


def one_line(result: Result) -> str:
    """The one error message on stderr (unwrapped: the console folds it at 80 columns when
    stderr is not a terminal)."""
    assert result.stderr.count("leadpact:") == 1, result.stderr
    return " ".join(result.stderr.split())


def summary(result: Result) -> dict[str, dict[str, int]]:
    return json.loads(result.stdout.strip().splitlines()[-1])["systems"]  # type: ignore[no-any-return]


@pytest.fixture
def loaded(sandbox: Sandbox) -> Sandbox:
    load_fixture(sandbox.store, FIXTURE)
    return sandbox


@pytest.fixture
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """What a sync of the fixture org does with fixed tokens that never expire."""
    box = Sandbox(Store(":memory:"))
    box.serve(0)
    try:
        load_fixture(box.store, FIXTURE)
        config = write_config(tmp_path_factory.mktemp("reference"), box.url)
        result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"],
                                    env=STATIC)
        assert result.exit_code == 0, result.output
        return summary(result)
    finally:
        box.stop()
        box.store.close()


COUNTS = ("records_read", "changes_planned", "changes_applied", "changes_failed",
          "tasks_created")


def test_given_sessions_expiring_every_few_calls_then_the_sync_logs_in_again_and_finishes(
        loaded: Sandbox, tmp_path: Path, reference: dict[str, dict[str, int]]) -> None:
    loaded.oauth.apps.session_calls = 4
    config = write_config(tmp_path, loaded.url, 'auth = "client_credentials"',
                          'auth = "oauth"')
    runner = CliRunner()
    first = runner.invoke(main, ["sync", "--config", str(config), "--json"],
                          env=oauth_env(loaded))
    assert first.exit_code == 0, first.output
    done = summary(first)
    for system in ("salesforce", "hubspot"):
        assert {k: done[system][k] for k in COUNTS} == {k: reference[system][k] for k in COUNTS}
        calls = done[system]["api_calls"]
        assert loaded.oauth.logins(system) >= 2, (system, calls)
    again = runner.invoke(main, ["sync", "--config", str(config), "--json"],
                          env=oauth_env(loaded))
    assert again.exit_code == 0, again.output
    assert all(s["changes_applied"] == 0 and s["tasks_created"] == 0
               for s in summary(again).values())


def test_given_a_jwt_login_then_sync_runs_with_a_key_from_the_environment(
        loaded: Sandbox, tmp_path: Path) -> None:
    private, certificate = key_pair()
    loaded.oauth.apps.jwt_public_key = certificate
    config = write_config(tmp_path, loaded.url, f'auth = "jwt"\nusername = "{USER}"')
    env = {**STATIC, SF_CONSUMER_KEY: loaded.oauth.apps.consumer_key, SF_PRIVATE_KEY: private}
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert loaded.oauth.logins("salesforce") == 1
    assert summary(result)["salesforce"]["changes_applied"] > 0


def test_given_a_refused_login_then_one_line_exit_2_naming_what_to_fix(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url, 'auth = "client_credentials"')
    env = {**oauth_env(loaded), **STATIC, SF_CONSUMER_SECRET: "lpWRONG-secret-0c0c"}
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=env)
    assert result.exit_code == 2
    message = one_line(result)
    assert "invalid_client" in message and SF_CONSUMER_SECRET in message
    assert "lpWRONG" not in result.output


def test_given_a_hubspot_host_over_plain_http_then_exit_2_naming_the_key_before_any_call(
        loaded: Sandbox, tmp_path: Path) -> None:
    config = write_config(tmp_path, loaded.url)
    config.write_text(config.read_text().replace(f'host = "{loaded.url}"',
                                                 'host = "http://192.0.2.2:18391"'))
    before = loaded.store.calls("salesforce")
    result = CliRunner().invoke(main, ["sync", "--config", str(config)], env=STATIC)
    assert result.exit_code == 2
    assert "[hubspot] `host` must use https://" in one_line(result)
    assert loaded.store.calls("salesforce") == before  # refused before anything was sent


@pytest.mark.parametrize("variable", ["LEADPACT_HUBSPOT_TOKEN", "LEADPACT_SALESFORCE_TOKEN"])
@pytest.mark.parametrize("token", ["lpNEWLINE-a1b2c3\nlpNEWLINE-d4e5f6",
                                   'lpQUOTE-a1b2c3"lpQUOTE-d4e5f6', "lpEURO-a1b2c3€d4e5f6"])
@pytest.mark.parametrize("debug", ["", "1"])
def test_given_a_malformed_token_then_exit_2_and_no_part_of_it_is_printed(
        loaded: Sandbox, tmp_path: Path, variable: str, token: str, debug: str) -> None:
    config = write_config(tmp_path, loaded.url)
    env = {**STATIC, variable: token, "LEADPACT_DEBUG": debug}
    for command in (["sync"], ["check"], ["plan"]):
        result = CliRunner().invoke(main, [*command, "--config", str(config)], env=env)
        assert result.exit_code == 2, result.output
        assert variable in one_line(result)
        assert "lpNEWLINE" not in result.output and "lpQUOTE" not in result.output
        assert "lpEURO" not in result.output and "a1b2c3" not in result.output


# -- a faulted run, searched for its secrets ------------------------------------------------
SECRETS = {
    "static_hubspot": "lpTOKEN-7f3a9c2e41d8-SECRET",
    "consumer_secret": "lpSECRET-sf-41d87f3a9c2e",
    "hubspot_client_secret": "lpSECRET-hs-9c2e41d87f3a",
    "hubspot_refresh": "lpREFRESH-hs-2e41d87f3a9c",
}


def everything_written(result: Result, tmp_path: Path) -> list[tuple[str, bytes]]:
    places = [("stdout", result.stdout.encode()), ("stderr", result.stderr.encode())]
    if result.exc_info is not None:
        places.append(("traceback", "".join(traceback.format_exception(
            *result.exc_info)).encode()))
    for path in sorted(tmp_path.rglob("*")):  # config, state db, WAL, lock, logs
        if path.is_file():
            places.append((str(path.relative_to(tmp_path)), path.read_bytes()))
    return places


def test_given_a_faulted_run_then_no_output_log_or_state_file_holds_a_secret(
        loaded: Sandbox, tmp_path: Path) -> None:
    apps = loaded.oauth.apps
    apps.consumer_secret = SECRETS["consumer_secret"]
    apps.hubspot_client_secret = SECRETS["hubspot_client_secret"]
    apps.hubspot_refresh_token = SECRETS["hubspot_refresh"]
    apps.session_calls = 3  # sessions expire all through the run
    loaded.token = SECRETS["static_hubspot"]
    now = {"Retry-After": "0"}  # retried at once: the test does not sleep on them
    for fault in (Fault("salesforce", "POST", "/oauth2/token", status=503, headers=now),
                  Fault("salesforce", "GET", "/query", status=500, times=2, headers=now),
                  Fault("salesforce", "PATCH", "/composite/sobjects", kind="drop_after"),
                  Fault("hubspot", "POST", "/search", kind="drop"),
                  Fault("hubspot", "POST", "/oauth/v1/token", status=502, headers=now),
                  Fault("hubspot", "POST", "/batch/update", status=429, headers=now)):
        loaded.faults.add(fault)
    oauth = write_config(tmp_path, loaded.url, 'auth = "client_credentials"', 'auth = "oauth"')
    env = {SF_CONSUMER_KEY: apps.consumer_key, SF_CONSUMER_SECRET: SECRETS["consumer_secret"],
           HS_CLIENT_ID: apps.hubspot_client_id,
           HS_CLIENT_SECRET: SECRETS["hubspot_client_secret"],
           HS_REFRESH_TOKEN: SECRETS["hubspot_refresh"]}
    runner = CliRunner()
    results = []
    for debug in ("", "1"):
        for command in (["sync", "--json"], ["sync"], ["check"], ["plan"], ["runs"]):
            results.append(runner.invoke(main, [*command, "--config", str(oauth)],
                                         env={**env, "LEADPACT_DEBUG": debug}))
    assert results[0].exit_code in (0, 1), results[0].output
    # the same org with the static HubSpot token and a wrong one
    (tmp_path / "static").mkdir()
    static = write_config(tmp_path / "static", loaded.url, 'auth = "client_credentials"')
    results.append(runner.invoke(main, ["sync", "--config", str(static)],
                                 env={**env, "LEADPACT_HUBSPOT_TOKEN": SECRETS["static_hubspot"]}))
    results.append(runner.invoke(main, ["sync", "--config", str(static)],
                                 env={**env, "LEADPACT_HUBSPOT_TOKEN": "lpWRONG-hs-5b5b5b5b"}))
    assert results[-1].exit_code == 2
    assert loaded.oauth.logins("salesforce") >= 3 and loaded.oauth.logins("hubspot") >= 3
    issued = loaded.oauth.issued_tokens()
    wanted = [*SECRETS.values(), "lpWRONG-hs-5b5b5b5b", *issued]
    places = [place for result in results for place in everything_written(result, tmp_path)]
    assert any(name.startswith("state/") for name, _ in places)
    leaks = [(name, secret) for name, data in places for secret in wanted
             if secret.encode() in data]
    assert leaks == []
