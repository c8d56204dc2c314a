"""Secrets: the dotenv secrets file, what a token may contain, where it may be sent, the
redaction of messages, and the `auth` settings of each CRM."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from leadpact.auth_config import (
    HS_CLIENT_ID,
    HS_CLIENT_SECRET,
    HS_REFRESH_TOKEN,
    SF_CONSUMER_KEY,
    SF_CONSUMER_SECRET,
    SF_PRIVATE_KEY,
    SF_REFRESH_TOKEN,
)
from leadpact.config import HUBSPOT_TOKEN, SALESFORCE_TOKEN, STARTER, load_config
from leadpact.errors import ConfigError
from leadpact.secrets import (
    REDACTED,
    RedactingFilter,
    check_secret,
    read_secrets_file,
    redact,
    remember,
    require_tls,
)

SANDBOXED = STARTER.replace("https://YOUR-DOMAIN.my.salesforce.com", "http://127.0.0.1:1")
ENV = {SALESFORCE_TOKEN: "sf-secret", HUBSPOT_TOKEN: "hs-secret"}
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"


def config_file(tmp_path: Path, salesforce: str = "", hubspot: str = "",
                secrets_file: Path | None = None) -> Path:
    text = SANDBOXED.replace('api_version = "59.0"', f'api_version = "59.0"\n{salesforce}')
    text = text.replace('host = "https://api.hubapi.com"',
                        f'host = "https://api.hubapi.com"\n{hubspot}')
    if secrets_file is not None:
        text = text.replace('# secrets_file = "~/.config/leadpact/secrets.env"',
                            f'secrets_file = "{secrets_file}"')
    path = tmp_path / "leadpact.toml"
    path.write_text(text)
    return path


# -- the secrets file -------------------------------------------------------------------------
def test_given_a_dotenv_file_with_export_quotes_and_comments_then_values_are_clean(
        tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("# leadpact\n"
                    "export LEADPACT_SALESFORCE_TOKEN=00Dx!AQ.abc   # rotated monthly\n"
                    "LEADPACT_HUBSPOT_TOKEN='pat-na1-1234'\n"
                    'LEADPACT_HUBSPOT_CLIENT_SECRET="s3cr#t"  # a hash inside quotes stays\n'
                    "\n"
                    "DOLLAR=abc$HOME\n")
    assert read_secrets_file(path, tmp_path / "leadpact.toml") == {
        "LEADPACT_SALESFORCE_TOKEN": "00Dx!AQ.abc", "LEADPACT_HUBSPOT_TOKEN": "pat-na1-1234",
        "LEADPACT_HUBSPOT_CLIENT_SECRET": "s3cr#t", "DOLLAR": "abc$HOME"}


@pytest.mark.parametrize("line", ["supersecretvalue", "  00Dx!AQ.pasted-alone-secret",
                                  "KEY='unterminated"])
def test_given_a_line_that_is_not_key_value_then_error_has_line_number_not_text(
        tmp_path: Path, line: str) -> None:
    path = tmp_path / "secrets.env"
    path.write_text(f"A=1\n{line}\n")
    with pytest.raises(ConfigError, match=r"secrets.env:2: expected KEY=value") as raised:
        read_secrets_file(path, tmp_path / "leadpact.toml")
    assert line.strip().strip("'KEY=") not in str(raised.value)


def test_given_tokens_in_the_secrets_file_and_environment_then_environment_wins(
        tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"export {SALESFORCE_TOKEN}=from-file # note\n{HUBSPOT_TOKEN}=hs-file\n")
    config = load_config(config_file(tmp_path, secrets_file=secrets),
                         {HUBSPOT_TOKEN: "hs-env"})
    assert config.salesforce and config.salesforce.token == "from-file"
    assert config.hubspot and config.hubspot.token == "hs-env"


# -- what a token may contain ----------------------------------------------------------------
@pytest.mark.parametrize(("value", "kind"), [
    ("lpNEWLINE-a1b2c3\nlpNEWLINE-d4e5f6", "line break"),
    ('lpQUOTE-a1b2"c3d4', "quote"),
    ("lpQUOTE-a1b2'c3d4", "quote"),
    ("lpEURO-a1b2€c3d4", "non-ASCII"),
    ("lpSPACE-a1b2 c3d4", "space"),
    ("lpCTRL-a1b2\x07c3d4", "control"),
])
def test_given_a_malformed_token_then_refused_naming_the_variable_never_the_value(
        value: str, kind: str) -> None:
    with pytest.raises(ConfigError, match=kind) as raised:
        check_secret(HUBSPOT_TOKEN, value)
    message = str(raised.value)
    assert HUBSPOT_TOKEN in message
    assert "lp" not in message.replace(HUBSPOT_TOKEN, "")
    assert "a1b2" not in message and "c3d4" not in message


def test_given_a_token_with_surrounding_whitespace_then_it_is_stripped() -> None:
    assert check_secret(SALESFORCE_TOKEN, "  00Dx!AQ.abc\n") == "00Dx!AQ.abc"


def test_given_remembered_secrets_then_every_printed_form_is_redacted() -> None:
    secret = "lpREDACT-77ab\nlpREDACT-88cd"
    remember(secret)
    for text in (f"header b'Bearer {secret!r}'", f"raw {secret}",
                 str(f"Bearer {secret}".encode()), "first line only: lpREDACT-77ab"):
        assert "lpREDACT" not in redact(text), text
    assert redact("nothing secret here") == "nothing secret here"


def test_given_a_log_record_with_a_secret_then_the_filter_redacts_it() -> None:
    remember("lpLOGGED-5e6f7a")
    record = logging.LogRecord("leadpact", logging.INFO, __file__, 1,
                               "calling with %s", ("lpLOGGED-5e6f7a",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"calling with {REDACTED}"


# -- where a token may be sent -----------------------------------------------------------------
@pytest.mark.parametrize("url", ["https://api.hubapi.com", "http://127.0.0.1:8080",
                                 "http://localhost:1", "http://[::1]:9"])
def test_given_https_or_loopback_http_then_allowed(url: str) -> None:
    assert require_tls(url, "[hubspot] host") == url


@pytest.mark.parametrize("url", ["http://192.0.2.2:18391", "http://0.0.0.0", "http://api.hubapi.com"])
def test_given_plain_http_to_another_host_then_refused_naming_the_key(url: str) -> None:
    with pytest.raises(ConfigError, match=r"\[hubspot\] host must use https://"):
        require_tls(url, "[hubspot] host")


def test_given_a_hubspot_host_over_plain_http_then_config_refuses_it(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    path.write_text(path.read_text().replace("https://api.hubapi.com", "http://192.0.2.2:18391"))
    with pytest.raises(ConfigError, match=r"\[hubspot\] `host` must use https://") as raised:
        load_config(path, ENV)
    assert "\n" not in str(raised.value)


def test_given_a_salesforce_login_url_over_plain_http_then_refused(tmp_path: Path) -> None:
    path = config_file(tmp_path, 'auth = "client_credentials"\n'
                                 'login_url = "http://login.example.com"')
    env = {HUBSPOT_TOKEN: "hs", SF_CONSUMER_KEY: "key", SF_CONSUMER_SECRET: "secret"}
    with pytest.raises(ConfigError, match=r"\[salesforce\] login_url must use https://"):
        load_config(path, env)


# -- auth settings -------------------------------------------------------------------------
def test_given_jwt_auth_then_settings_come_from_config_and_environment(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    key.write_text(PEM)
    path = config_file(tmp_path, 'auth = "jwt"\nusername = "int@acme.example"\n'
                                 f'private_key_file = "{key.name}"\n'
                                 'jwt_audience = "https://test.salesforce.com"')
    config = load_config(path, {HUBSPOT_TOKEN: "hs", SF_CONSUMER_KEY: "3MVG9-key"})
    sf = config.salesforce
    assert sf is not None and sf.oauth is not None and sf.token == ""
    assert (sf.oauth.flow, sf.oauth.client_id, sf.oauth.username, sf.oauth.audience) == (
        "jwt", "3MVG9-key", "int@acme.example", "https://test.salesforce.com")
    assert sf.oauth.token_url == "http://127.0.0.1:1/services/oauth2/token"
    assert sf.oauth.private_key == PEM
    assert "MIIEvQ" not in repr(config) and "3MVG9-key" not in repr(config)


def test_given_jwt_auth_with_the_key_in_the_environment_then_it_is_used(tmp_path: Path) -> None:
    path = config_file(tmp_path, 'auth = "jwt"\nusername = "int@acme.example"')
    config = load_config(path, {HUBSPOT_TOKEN: "hs", SF_CONSUMER_KEY: "k", SF_PRIVATE_KEY: PEM})
    assert config.salesforce and config.salesforce.oauth
    assert config.salesforce.oauth.private_key == PEM


@pytest.mark.parametrize(("settings", "env", "message"), [
    ('auth = "jwt"', {SF_CONSUMER_KEY: "k"}, "needs `username`"),
    ('auth = "jwt"\nusername = "u@x.example"', {SF_CONSUMER_KEY: "k"}, SF_PRIVATE_KEY),
    ('auth = "jwt"\nusername = "u@x.example"', {SF_CONSUMER_KEY: "k", SF_PRIVATE_KEY: "nope"},
     "not a PEM private key"),
    ('auth = "client_credentials"', {SF_CONSUMER_KEY: "k"}, SF_CONSUMER_SECRET),
    ('auth = "refresh_token"', {SF_CONSUMER_KEY: "k"}, SF_REFRESH_TOKEN),
    ('auth = "refresh_token"', {SF_REFRESH_TOKEN: "r"}, SF_CONSUMER_KEY),
    ('auth = "password"', {}, "`auth` must be one of 'token', 'jwt'"),
])
def test_given_an_incomplete_salesforce_login_then_error_says_what_is_missing(
        tmp_path: Path, settings: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(config_file(tmp_path, settings), {HUBSPOT_TOKEN: "hs", **env})


def test_given_hubspot_oauth_then_refresh_settings_and_no_private_app_token_needed(
        tmp_path: Path) -> None:
    env = {SALESFORCE_TOKEN: "sf", HS_CLIENT_ID: "cid", HS_CLIENT_SECRET: "csecret",
           HS_REFRESH_TOKEN: "na1-refresh"}
    config = load_config(config_file(tmp_path, hubspot='auth = "oauth"'), env)
    hs = config.hubspot
    assert hs is not None and hs.oauth is not None and hs.token == ""
    assert hs.oauth.token_url == "https://api.hubapi.com/oauth/v1/token"
    assert (hs.oauth.client_id, hs.oauth.client_secret, hs.oauth.refresh_token) == (
        "cid", "csecret", "na1-refresh")
    with pytest.raises(ConfigError, match=HS_REFRESH_TOKEN):
        load_config(config_file(tmp_path, hubspot='auth = "oauth"'),
                    {k: v for k, v in env.items() if k != HS_REFRESH_TOKEN})


def test_given_a_malformed_oauth_secret_then_refused_without_echo(tmp_path: Path) -> None:
    env = {SALESFORCE_TOKEN: "sf", HS_CLIENT_ID: "cid", HS_CLIENT_SECRET: "cs\"ecret-99zz",
           HS_REFRESH_TOKEN: "r"}
    with pytest.raises(ConfigError, match=HS_CLIENT_SECRET) as raised:
        load_config(config_file(tmp_path, hubspot='auth = "oauth"'), env)
    assert "99zz" not in str(raised.value)
