"""leadpact.toml: which CRMs to sync, where they are, where state and rules live.

Secrets never live in this file: tokens come from the environment
(LEADPACT_SALESFORCE_TOKEN, LEADPACT_HUBSPOT_TOKEN, or the OAuth variables in auth_config.py)
or from a dotenv secrets file named by `secrets_file` (see leadpact/secrets.py).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.auth_config import (
    HUBSPOT_KEYS,
    SALESFORCE_KEYS,
    OAuthSettings,
    hubspot_flow,
    hubspot_oauth,
    salesforce_flow,
    salesforce_oauth,
)
from leadpact.errors import ConfigError
from leadpact.secrets import check_secret, read_secrets_file, require_tls

SALESFORCE_TOKEN = "LEADPACT_SALESFORCE_TOKEN"
HUBSPOT_TOKEN = "LEADPACT_HUBSPOT_TOKEN"
DEFAULT_PATH = Path("leadpact.toml")

STARTER = '''# leadpact configuration. Tokens are NOT kept here: export them in the environment
#   LEADPACT_SALESFORCE_TOKEN   a Salesforce access/session token
#   LEADPACT_HUBSPOT_TOKEN      a HubSpot private app token (crm.objects.contacts/deals/companies
#                               read+write, crm.schemas.*.read, crm.objects.owners.read)
# or name a secrets file below (dotenv: KEY=value lines, readable only by you).
# Unattended Salesforce logins (auth = "jwt" | "client_credentials" | "refresh_token") and
# HubSpot OAuth (auth = "oauth") are described in the README, section "Authentication".

[leadpact]
state = ".leadpact/state.sqlite3"   # cursors, ledger of every value written, task keys
# rules = "lead-definition.yaml"    # your copy of the lead definition (default: built in)
# secrets_file = "~/.config/leadpact/secrets.env"

[salesforce]
enabled = true
instance_url = "https://YOUR-DOMAIN.my.salesforce.com"
api_version = "59.0"
max_api_share = 0.9   # stop at 90% of the org's daily API allowance (the rest is others')

[hubspot]
enabled = true
host = "https://api.hubapi.com"
'''


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    instance_url: str
    api_version: str
    token: str = field(repr=False)  # never in a repr, a traceback or a log
    max_api_share: float = 0.9  # of the org's daily API allowance leadpact may use
    oauth: OAuthSettings | None = None  # set for auth = jwt | client_credentials | refresh_token


@dataclass(frozen=True, slots=True)
class HubSpotConfig:
    host: str
    token: str = field(repr=False)
    oauth: OAuthSettings | None = None  # set for auth = "oauth"


@dataclass(frozen=True, slots=True)
class Config:
    source: Path
    state_path: Path
    rules_path: Path | None
    salesforce: SalesforceConfig | None
    hubspot: HubSpotConfig | None


_KNOWN = {
    "leadpact": {"state", "rules", "secrets_file"},
    "salesforce": {"enabled", "instance_url", "api_version", "max_api_share", *SALESFORCE_KEYS},
    "hubspot": {"enabled", "host", *HUBSPOT_KEYS},
}


def load_config(path: Path, environ: Mapping[str, str] | None = None, *,
                credentials: bool = True) -> Config:
    """The config; with credentials=False (read-only commands) no token or secrets file is
    needed and the tokens are left empty."""
    env = dict(os.environ if environ is None else environ)
    data = _read(path)
    base = path.parent
    core = data.get("leadpact", {})
    secrets_file = _text(core, "secrets_file", path, "leadpact", required=False)
    if secrets_file and credentials:
        env = {**read_secrets_file(base / Path(secrets_file).expanduser(), path), **env}
    rules = _text(core, "rules", path, "leadpact", required=False)
    sf = data.get("salesforce", {})
    hs = data.get("hubspot", {})
    salesforce = hubspot = None
    for name, section in (("salesforce", sf), ("hubspot", hs)):
        if not isinstance(section.get("enabled", True), bool):
            raise ConfigError(f"{path}: [{name}] `enabled` must be true or false (no quotes)")
    if sf.get("enabled", bool(sf)):
        instance_url = _url(sf, "instance_url", path, "salesforce")
        static = salesforce_flow(sf, path) == "token" or not credentials
        salesforce = SalesforceConfig(
            instance_url,
            _text(sf, "api_version", path, "salesforce", required=False) or "59.0",
            _token(env, SALESFORCE_TOKEN, "Salesforce") if static and credentials else "",
            _share(sf.get("max_api_share", 0.9), path),
            None if static else salesforce_oauth(sf, env, path, instance_url))
    if hs.get("enabled", bool(hs)):
        host = _url(hs, "host", path, "hubspot")
        static = hubspot_flow(hs, path) == "private_app" or not credentials
        token = _token(env, HUBSPOT_TOKEN, "HubSpot") if static and credentials else ""
        hubspot = HubSpotConfig(host, token,
                                None if static else hubspot_oauth(env, host))
    if salesforce is None and hubspot is None:
        raise ConfigError(f"{path}: neither [salesforce] nor [hubspot] is enabled; "
                          "enable at least one")
    return Config(
        source=path,
        state_path=_state_path(core, path),
        rules_path=(base / rules) if rules else None,
        salesforce=salesforce, hubspot=hubspot)


def state_path_of(path: Path) -> Path:
    """Where the state file of this config is, without needing any CRM token (for commands
    that only read leadpact's own state)."""
    core = _read(path).get("leadpact", {})
    return _state_path(core, path)


def _read(path: Path) -> dict[str, Any]:
    """The config file's sections, checked for unknown sections and keys."""
    if not path.exists():
        raise ConfigError(f"{path}: no config file; run `leadpact init` to write a starter one")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    for section, values in data.items():
        if section not in _KNOWN or not isinstance(values, dict):
            raise ConfigError(f"{path}: unknown section [{section}]; "
                              f"expected {', '.join(f'[{s}]' for s in _KNOWN)}")
        for key in values:
            if key not in _KNOWN[section]:
                raise ConfigError(f"{path}: [{section}] has unknown key `{key}`; expected "
                                  f"one of {', '.join(sorted(_KNOWN[section]))}")
    return data


def _state_path(core: dict[str, Any], path: Path) -> Path:
    return path.parent / (_text(core, "state", path, "leadpact", required=False)
                          or ".leadpact/state.sqlite3")


def _text(section: dict[str, Any], key: str, path: Path, name: str, required: bool = True) -> str:
    value = section.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: [{name}] `{key}` must be a non-empty string")
    return value.strip()


def _url(section: dict[str, Any], key: str, path: Path, name: str) -> str:
    value = _text(section, key, path, name)
    if not value.startswith(("https://", "http://")) or "YOUR-DOMAIN" in value:
        raise ConfigError(f"{path}: [{name}] `{key}` must be your {name} base URL "
                          f"(https://…), not {value!r}")
    require_tls(value, f"{path}: [{name}] `{key}`")
    return value.rstrip("/")


def _share(value: object, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ConfigError(f"{path}: [salesforce] `max_api_share` must be a number above 0 and "
                          f"at most 1 (0.9 = stop at 90% of the daily API allowance), not "
                          f"{value!r}")
    return float(value)


def _token(env: Mapping[str, str], var: str, crm: str) -> str:
    token = env.get(var, "").strip()
    if not token:
        raise ConfigError(f"{crm} is enabled but {var} is not set: export it (or put it in "
                          "the secrets file), or set enabled = false")
    return check_secret(var, token)
