"""leadpact.toml: which CRMs to sync, where they are, where state and rules live.

Secrets never live in this file: tokens come from the environment
(LEADPACT_SALESFORCE_TOKEN, LEADPACT_HUBSPOT_TOKEN, or the OAuth variables in auth_config.py)
or from a dotenv secrets file named by `secrets_file` (see leadpact/secrets.py).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.alerts_config import ALERT_KEYS, AlertsConfig, alerts_config
from leadpact.auth_config import (
    HUBSPOT_KEYS,
    SALESFORCE_KEYS,
    OAuthSettings,
    hubspot_flow,
    hubspot_oauth,
    salesforce_flow,
    salesforce_oauth,
)
from leadpact.config_text import config_text
from leadpact.connectors.native_fields import TARGETS as NATIVE_TARGETS
from leadpact.errors import ConfigError
from leadpact.field_map import DEFAULT_FIELDS, FIELDS_KEYS, FieldMap, field_map
from leadpact.native_stage import NO_NATIVE, NativeMap, native_map
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
# keep_refused_runs = 50            # refused records (`leadpact runs show`) of the last 50 runs

[salesforce]
enabled = true
instance_url = "https://YOUR-DOMAIN.my.salesforce.com"
api_version = "59.0"
max_api_share = 0.9   # stop at 90% of the org's daily API allowance (the rest is others')
permission_set = "Leadpact_Integration"  # `leadpact setup` grants field access in it
# bulk_threshold = 10000  # reads expecting more rows go through Bulk API 2.0 (0: never)

[hubspot]
enabled = true
host = "https://api.hubapi.com"
# max_api_share = 0.75  # stop at 75% of the portal's daily API allowance (default 90%)

# [alerts]                 # tell someone when a run needs them (README: "Alerts")
# email_command = "mail -s 'leadpact alert' revops@example.com"
# webhook_url: a Slack-style incoming webhook; keep it in LEADPACT_ALERTS_WEBHOOK_URL

# Opt-in: lead stages onto the CRMs' own status fields (README: "Using it with your CRMs").
# [native.hubspot_lifecyclestage]   # only ever moved forward
# sales_ready = "salesqualifiedlead"
# [native.hubspot_lead_status]
# disqualified = "UNQUALIFIED"
# [native.salesforce_lead_status]   # Lead Status
# sales_ready = "Working - Contacted"
'''


@dataclass(frozen=True, slots=True)
class SalesforceConfig:
    instance_url: str
    api_version: str
    token: str = field(repr=False)  # never in a repr, a traceback or a log
    max_api_share: float = 0.9  # of the org's daily API allowance leadpact may use
    oauth: OAuthSettings | None = None  # set for auth = jwt | client_credentials | refresh_token
    permission_set: str = "Leadpact_Integration"  # `leadpact setup` grants field access here
    bulk_threshold: int = 10_000  # change reads expecting more rows use Bulk API 2.0; 0: never


@dataclass(frozen=True, slots=True)
class HubSpotConfig:
    host: str
    token: str = field(repr=False)
    oauth: OAuthSettings | None = None  # set for auth = "oauth"
    max_api_share: float = 0.9  # of the portal's daily API allowance leadpact may use


@dataclass(frozen=True, slots=True)
class Config:
    source: Path
    state_path: Path
    rules_path: Path | None
    salesforce: SalesforceConfig | None
    hubspot: HubSpotConfig | None
    alerts: AlertsConfig | None = None  # [alerts]: see leadpact/alerts_config.py
    keep_refused_runs: int = 50  # refused records are kept for the newest N runs
    fields: FieldMap = DEFAULT_FIELDS  # [fields.*]: firmographics read, see field_map.py
    native: NativeMap = NO_NATIVE  # [native.*]: stages onto native fields, native_stage.py


_KNOWN = {
    "leadpact": {"state", "rules", "secrets_file", "keep_refused_runs"},
    "salesforce": {"enabled", "instance_url", "api_version", "max_api_share", "permission_set",
                   "bulk_threshold",
                   *SALESFORCE_KEYS},
    "hubspot": {"enabled", "host", "max_api_share", *HUBSPOT_KEYS},
    "alerts": ALERT_KEYS,
    "fields": FIELDS_KEYS,  # [fields.salesforce] / [fields.hubspot]: field_map.py checks them
    "native": set(NATIVE_TARGETS),  # [native.*]: native_stage.py checks them
}


def load_config(path: Path, environ: Mapping[str, str] | None = None, *,
                credentials: bool = True) -> Config:
    """The config; with credentials=False (read-only commands) no token or secrets file is
    needed and the tokens are left empty."""
    env = dict(os.environ if environ is None else environ)
    data = _read(path)
    base = path.parent
    core = data.get("leadpact", {})
    secrets_file = config_text(core, "secrets_file", path, "leadpact")
    if secrets_file and credentials:
        _check_secrets_file(base / Path(secrets_file).expanduser(), path)
        env = {**read_secrets_file(base / Path(secrets_file).expanduser(), path), **env}
    rules = config_text(core, "rules", path, "leadpact")
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
            config_text(sf, "api_version", path, "salesforce") or "59.0",
            _token(env, SALESFORCE_TOKEN, "Salesforce") if static and credentials else "",
            _share(sf.get("max_api_share", 0.9), path),
            None if static else salesforce_oauth(sf, env, path, instance_url),
            _permission_set(sf, path),
            _bulk_threshold(sf.get("bulk_threshold", 10_000), path))
    if hs.get("enabled", bool(hs)):
        host = _url(hs, "host", path, "hubspot")
        static = hubspot_flow(hs, path) == "private_app" or not credentials
        token = _token(env, HUBSPOT_TOKEN, "HubSpot") if static and credentials else ""
        hubspot = HubSpotConfig(host, token,
                                None if static else hubspot_oauth(env, host),
                                _share(hs.get("max_api_share", 0.9), path, "hubspot"))
    if salesforce is None and hubspot is None:
        raise ConfigError(f"{path}: neither [salesforce] nor [hubspot] is enabled; "
                          "enable at least one")
    return Config(
        source=path,
        state_path=_state_path(core, path),
        rules_path=(base / rules) if rules else None,
        salesforce=salesforce, hubspot=hubspot,
        alerts=alerts_config(data.get("alerts", {}), env, path),
        keep_refused_runs=_keep_runs(core.get("keep_refused_runs", 50), path),
        fields=field_map(data.get("fields"), path, _text_of(path)),
        native=native_map(data.get("native"), path))


def _text_of(path: Path) -> str:
    """The config's text (already read and checked once), to name a bad line."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def state_path_of(path: Path) -> Path:
    """Where the state file of this config is, without needing any CRM token (for commands
    that only read leadpact's own state)."""
    core = _read(path).get("leadpact", {})
    return _state_path(core, path)


def _read(path: Path) -> dict[str, Any]:
    """The config file's sections, checked for unknown sections and keys."""
    if not path.exists():
        raise ConfigError(f"{path}: no config file; run `leadpact init` to write a starter one")
    data = _parse_toml(path)
    for section, values in data.items():
        if section in _KNOWN and not isinstance(values, dict):
            raise ConfigError(f"{path}: `{_clip(section)}` must be a [{_clip(section)}] section "
                              "(a header line followed by key = value lines)")
        if section not in _KNOWN:
            raise ConfigError(f"{path}: unknown section [{_clip(section)}]; "
                              f"expected {', '.join(f'[{s}]' for s in _KNOWN)}")
        for key in values:
            if key not in _KNOWN[section]:
                raise ConfigError(f"{path}: [{section}] has unknown key `{_clip(key)}`; expected "
                                  f"one of {', '.join(sorted(_KNOWN[section]))}")
    _refuse_unusable_values(data, path)
    return data


def _state_path(core: dict[str, Any], path: Path) -> Path:
    return path.parent / (config_text(core, "state", path, "leadpact")
                          or ".leadpact/state.sqlite3")


MAX_BYTES = 1_000_000  # a config, or a secrets file, is a dozen lines


def _parse_toml(path: Path) -> dict[str, Any]:
    """The config's TOML, or a ConfigError naming the file (and line) and the fix."""
    try:
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder; name the leadpact.toml file itself",
                              path=path)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}); check the "
                          "path and its permissions") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than 1 MB; a config is a dozen key = value lines "
                          "(start again with `leadpact init`)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x}); save "
                          "the file as UTF-8", path=path, line=line) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({_clip(str(exc), 120)}); fix that line "
                          "(quotes, brackets, one key = value per line)") from None
    except (RecursionError, ValueError):  # nesting past the stack; a 5,000-digit number
        raise ConfigError(f"{path}: not valid TOML (values nested too deeply or numbers too "
                          "long); a leadpact config holds short plain values only") from None


def _refuse_unusable_values(data: dict[str, Any], path: Path) -> None:
    """Values of the right type that no file system or HTTP client can use, refused with
    a one-line error before anything is opened, read or created."""
    core = data.get("leadpact", {})
    for key in ("state", "rules", "secrets_file"):
        value = core.get(key)
        if isinstance(value, str) and (len(value) > 1024 or any(
                ord(char) < 32 or char == "\x7f" for char in value)):
            raise ConfigError(f"{path}: [leadpact] `{key}` must be a file path (at most 1,024 "
                              f"characters, no control characters), not '{_clip(value)}'")
    state = core.get("state")
    if isinstance(state, str) and state.strip():
        where = path.parent / state.strip()
        if where.is_dir():
            raise ConfigError(f"{path}: [leadpact] `state` is the folder {where}; name a file "
                              "in it, e.g. .leadpact/state.sqlite3")
        for parent in where.parents:
            if parent.exists() and not parent.is_dir():
                raise ConfigError(f"{path}: [leadpact] `state` lies under {parent}, which is "
                                  "a file; point `state` at a path inside a folder")
    for name, key in (("salesforce", "instance_url"), ("hubspot", "host")):
        section = data.get(name, {})
        url = section.get(key)
        if section.get("enabled", bool(section)) is True and isinstance(url, str):
            _check_url_shape(url.strip(), path, name, key)


def _check_secrets_file(secrets: Path, config: Path) -> None:
    """A secrets file that is a folder, endless (/dev/zero) or not text. Never echoes it."""
    try:
        if secrets.is_dir():
            raise ConfigError(f"{config}: secrets_file {secrets} is a folder; name the file")
        with secrets.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"{config}: secrets_file {secrets} cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{config}: secrets_file {secrets} is larger than 1 MB; it holds "
                          "KEY=value lines")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{config}: secrets_file {secrets} is not UTF-8 text; save it as "
                          "UTF-8 KEY=value lines") from None


def _check_url_shape(value: str, path: Path, name: str, key: str) -> None:
    from urllib.parse import urlsplit

    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        parse_url(value)  # what the HTTP client will make of it (e.g. %00 in the host)
        if parts.hostname and ":" not in parts.hostname:
            parts.hostname.encode("idna")  # empty or over-long labels: a..b
    except (ValueError, LocationParseError):
        parts = None
    if "@" in value.split("//", 1)[-1].split("/", 1)[0]:  # user:password@host
        raise ConfigError(f"{path}: [{name}] `{key}` holds a user name or password (not "
                          "shown); remove the part before @: leadpact sends the token itself")
    if (parts is None or not parts.hostname or len(value) > 2048
            or any(char.isspace() or ord(char) < 32 for char in value)):
        raise ConfigError(f"{path}: [{name}] `{key}` must be a URL like https://host[:port], "
                          f"not '{_clip(value)}'")


def _clip(value: object, limit: int = 40) -> str:
    """Text from the file as it may appear in a one-line message."""
    text = str(value).encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _url(section: dict[str, Any], key: str, path: Path, name: str) -> str:
    value = config_text(section, key, path, name, required=True)
    if not value.startswith(("https://", "http://")) or "YOUR-DOMAIN" in value:
        raise ConfigError(f"{path}: [{name}] `{key}` must be your {name} base URL "
                          f"(https://…), not {value!r}")
    require_tls(value, f"{path}: [{name}] `{key}`")
    return value.rstrip("/")


def _share(value: object, path: Path, section: str = "salesforce") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ConfigError(f"{path}: [{section}] `max_api_share` must be a number above 0 and "
                          f"at most 1 (0.9 = stop at 90% of the daily API allowance), not "
                          f"{value!r}")
    return float(value)


def _keep_runs(value: object, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{path}: [leadpact] `keep_refused_runs` must be a whole number of "
                          f"runs, at least 1 (e.g. 50), not {value!r}")
    return value


def _token(env: Mapping[str, str], var: str, crm: str) -> str:
    token = env.get(var, "").strip()
    if not token:
        raise ConfigError(f"{crm} is enabled but {var} is not set: export it (or put it in "
                          "the secrets file), or set enabled = false")
    return check_secret(var, token)


def _bulk_threshold(value: object, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{path}: [salesforce] `bulk_threshold` must be a whole number of "
                          f"rows (10000 = read through Bulk API 2.0 above 10,000 rows; 0 = "
                          f"never), not {value!r}")
    return value


def _permission_set(section: Mapping[str, object], path: Path) -> str:
    """The permission set's API name: letters, digits and single underscores."""
    name = section.get("permission_set", "Leadpact_Integration")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*", name) \
            or name.endswith("_") or len(name) > 80:
        raise ConfigError(f"{path}: [salesforce] `permission_set` must be an API name such as "
                          f"\"Leadpact_Integration\" (letters, digits, single underscores), "
                          f"not {name!r}")
    return name
