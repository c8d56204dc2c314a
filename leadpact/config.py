"""leadpact.toml: which CRMs to sync, where they are, where state and rules live.

Secrets never live in this file: tokens come from the environment
(LEADPACT_SALESFORCE_TOKEN, LEADPACT_HUBSPOT_TOKEN) or from a secrets file named by
`secrets_file` holding KEY=value lines.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.errors import ConfigError

SALESFORCE_TOKEN = "LEADPACT_SALESFORCE_TOKEN"
HUBSPOT_TOKEN = "LEADPACT_HUBSPOT_TOKEN"
DEFAULT_PATH = Path("leadpact.toml")

STARTER = '''# leadpact configuration. Tokens are NOT kept here: export them in the environment
#   LEADPACT_SALESFORCE_TOKEN   a Salesforce access/session token
#   LEADPACT_HUBSPOT_TOKEN      a HubSpot private app token (crm.objects.contacts/deals/companies
#                               read+write, crm.schemas.*.read, crm.objects.owners.read)
# or name a secrets file below (KEY=value lines, readable only by you).

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


@dataclass(frozen=True, slots=True)
class HubSpotConfig:
    host: str
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Config:
    source: Path
    state_path: Path
    rules_path: Path | None
    salesforce: SalesforceConfig | None
    hubspot: HubSpotConfig | None


_KNOWN = {
    "leadpact": {"state", "rules", "secrets_file"},
    "salesforce": {"enabled", "instance_url", "api_version", "max_api_share"},
    "hubspot": {"enabled", "host"},
}


def load_config(path: Path, environ: Mapping[str, str] | None = None, *,
                credentials: bool = True) -> Config:
    """The config; with credentials=False (read-only commands) no token or secrets file is
    needed and the tokens are left empty."""
    env = dict(os.environ if environ is None else environ)
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
    base = path.parent
    core = data.get("leadpact", {})
    secrets_file = _text(core, "secrets_file", path, "leadpact", required=False)
    if secrets_file and credentials:
        env = {**_read_secrets(base / Path(secrets_file).expanduser(), path), **env}
    rules = _text(core, "rules", path, "leadpact", required=False)
    sf = data.get("salesforce", {})
    hs = data.get("hubspot", {})
    salesforce = hubspot = None
    for name, section in (("salesforce", sf), ("hubspot", hs)):
        if not isinstance(section.get("enabled", True), bool):
            raise ConfigError(f"{path}: [{name}] `enabled` must be true or false (no quotes)")
    if sf.get("enabled", bool(sf)):
        salesforce = SalesforceConfig(
            _url(sf, "instance_url", path, "salesforce"),
            _text(sf, "api_version", path, "salesforce", required=False) or "59.0",
            _token(env, SALESFORCE_TOKEN, "Salesforce") if credentials else "",
            _share(sf.get("max_api_share", 0.9), path))
    if hs.get("enabled", bool(hs)):
        hubspot = HubSpotConfig(_url(hs, "host", path, "hubspot"),
                                _token(env, HUBSPOT_TOKEN, "HubSpot") if credentials else "")
    if salesforce is None and hubspot is None:
        raise ConfigError(f"{path}: neither [salesforce] nor [hubspot] is enabled; "
                          "enable at least one")
    return Config(
        source=path,
        state_path=base / (_text(core, "state", path, "leadpact", required=False)
                           or ".leadpact/state.sqlite3"),
        rules_path=(base / rules) if rules else None,
        salesforce=salesforce, hubspot=hubspot)


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
    return token


def _read_secrets(path: Path, config: Path) -> dict[str, str]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(
            f"{config}: secrets_file {path} cannot be read ({exc.strerror})") from None
    secrets = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            # Never echo the line: it may hold a secret.
            raise ConfigError(f"{path}:{number}: expected KEY=value")
        key, value = line.split("=", 1)
        secrets[key.strip()] = value.strip().strip('"').strip("'")
    return secrets
