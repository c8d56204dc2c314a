"""How leadpact logs in to each CRM: the `auth` keys of [salesforce] and [hubspot], and the
secrets each flow takes from the environment (or the secrets file).

Salesforce (`[salesforce] auth = ...`):
- "token" (default): LEADPACT_SALESFORCE_TOKEN, a session/access token (expires; no renewal).
- "jwt": OAuth 2.0 JWT bearer. LEADPACT_SALESFORCE_CONSUMER_KEY, `username`, and the
  connected app's private key: `private_key_file` or LEADPACT_SALESFORCE_PRIVATE_KEY (PEM).
- "client_credentials": LEADPACT_SALESFORCE_CONSUMER_KEY + LEADPACT_SALESFORCE_CONSUMER_SECRET.
- "refresh_token": LEADPACT_SALESFORCE_CONSUMER_KEY + LEADPACT_SALESFORCE_REFRESH_TOKEN
  (+ LEADPACT_SALESFORCE_CONSUMER_SECRET when the connected app requires it).
Tokens are requested from `login_url` (default: the instance URL, i.e. your My Domain).

HubSpot (`[hubspot] auth = ...`):
- "private_app" (default): LEADPACT_HUBSPOT_TOKEN.
- "oauth": LEADPACT_HUBSPOT_CLIENT_ID + LEADPACT_HUBSPOT_CLIENT_SECRET +
  LEADPACT_HUBSPOT_REFRESH_TOKEN; access tokens come from `<host>/oauth/v1/token`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.config_text import config_text
from leadpact.errors import ConfigError
from leadpact.secrets import check_secret, remember, require_tls

SF_CONSUMER_KEY = "LEADPACT_SALESFORCE_CONSUMER_KEY"
SF_CONSUMER_SECRET = "LEADPACT_SALESFORCE_CONSUMER_SECRET"
SF_REFRESH_TOKEN = "LEADPACT_SALESFORCE_REFRESH_TOKEN"
SF_PRIVATE_KEY = "LEADPACT_SALESFORCE_PRIVATE_KEY"
HS_CLIENT_ID = "LEADPACT_HUBSPOT_CLIENT_ID"
HS_CLIENT_SECRET = "LEADPACT_HUBSPOT_CLIENT_SECRET"
HS_REFRESH_TOKEN = "LEADPACT_HUBSPOT_REFRESH_TOKEN"

SALESFORCE_FLOWS = ("token", "jwt", "client_credentials", "refresh_token")
HUBSPOT_FLOWS = ("private_app", "oauth")
SALESFORCE_KEYS = {"auth", "login_url", "username", "private_key_file", "jwt_audience"}
HUBSPOT_KEYS = {"auth"}
DEFAULT_AUDIENCE = "https://login.salesforce.com"
HUBSPOT_TOKEN_PATH = "/oauth/v1/token"
SALESFORCE_TOKEN_PATH = "/services/oauth2/token"


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    """One OAuth flow's settings; secrets never show in a repr."""

    flow: str  # jwt | client_credentials | refresh_token
    token_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    username: str = ""
    private_key: str = field(default="", repr=False)  # PEM text
    audience: str = ""


def salesforce_flow(section: Mapping[str, Any], path: Path) -> str:
    return _flow(section, path, "salesforce", SALESFORCE_FLOWS)


def hubspot_flow(section: Mapping[str, Any], path: Path) -> str:
    return _flow(section, path, "hubspot", HUBSPOT_FLOWS)


def salesforce_oauth(section: Mapping[str, Any], env: Mapping[str, str], path: Path,
                     instance_url: str) -> OAuthSettings:
    """The settings of [salesforce] auth = jwt | client_credentials | refresh_token."""
    flow = salesforce_flow(section, path)
    login = config_text(section, "login_url", path, "salesforce") or instance_url
    require_tls(login, "[salesforce] login_url")
    token_url = login.rstrip("/") + SALESFORCE_TOKEN_PATH
    key = _secret(env, SF_CONSUMER_KEY, f"[salesforce] auth = \"{flow}\"")
    if flow == "jwt":
        username = config_text(section, "username", path, "salesforce")
        if not username:
            raise ConfigError(f"{path}: [salesforce] auth = \"jwt\" needs `username` (the "
                              "integration user's Salesforce username)")
        audience = config_text(section, "jwt_audience", path, "salesforce") or DEFAULT_AUDIENCE
        return OAuthSettings(flow, token_url, key, username=username,
                             private_key=_private_key(section, env, path), audience=audience)
    if flow == "client_credentials":
        secret = _secret(env, SF_CONSUMER_SECRET, "[salesforce] auth = \"client_credentials\"")
        return OAuthSettings(flow, token_url, key, client_secret=secret)
    refresh = _secret(env, SF_REFRESH_TOKEN, "[salesforce] auth = \"refresh_token\"")
    secret = _secret(env, SF_CONSUMER_SECRET, "", required=False)
    return OAuthSettings(flow, token_url, key, client_secret=secret, refresh_token=refresh)


def hubspot_oauth(env: Mapping[str, str], host: str) -> OAuthSettings:
    """The settings of [hubspot] auth = "oauth" (refresh-token flow)."""
    why = "[hubspot] auth = \"oauth\""
    return OAuthSettings("refresh_token", host.rstrip("/") + HUBSPOT_TOKEN_PATH,
                         _secret(env, HS_CLIENT_ID, why),
                         client_secret=_secret(env, HS_CLIENT_SECRET, why),
                         refresh_token=_secret(env, HS_REFRESH_TOKEN, why))


def _flow(section: Mapping[str, Any], path: Path, name: str, flows: tuple[str, ...]) -> str:
    value = section.get("auth", flows[0])
    if value not in flows:
        raise ConfigError(f"{path}: [{name}] `auth` must be one of "
                          f"{', '.join(repr(f) for f in flows)}, not {value!r}")
    return str(value)


def _secret(env: Mapping[str, str], var: str, why: str, required: bool = True) -> str:
    value = env.get(var, "")
    if not value.strip():
        if not required:
            return ""
        raise ConfigError(f"{why} needs {var}: export it (or put it in the secrets file)")
    return check_secret(var, value)


def _private_key(section: Mapping[str, Any], env: Mapping[str, str], path: Path) -> str:
    """The PEM text of the JWT signing key, from `private_key_file` or the environment."""
    file = config_text(section, "private_key_file", path, "salesforce")
    if file:
        key_path = path.parent / Path(file).expanduser()
        try:
            pem = key_path.read_text("ascii")
        except OSError as exc:
            raise ConfigError(f"{path}: [salesforce] private_key_file {key_path} cannot be "
                              f"read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: [salesforce] private_key_file {key_path} is not a PEM "
                              "file") from None
    else:
        pem = env.get(SF_PRIVATE_KEY, "")
        if not pem.strip():
            raise ConfigError(f"[salesforce] auth = \"jwt\" needs the connected app's private "
                              f"key: set `private_key_file` in {path} or {SF_PRIVATE_KEY}")
    remember(pem.strip())
    if "PRIVATE KEY-----" not in pem:
        raise ConfigError("[salesforce] private key for auth = \"jwt\" is not a PEM private "
                          "key (-----BEGIN PRIVATE KEY-----): its text is not shown")
    return pem
