"""The `[alerts]` section of leadpact.toml: where alerts go and when they are sent.

    [alerts]
    webhook_url = "https://hooks.slack.com/services/…"  # or LEADPACT_ALERTS_WEBHOOK_URL
    email_command = "mail -s 'leadpact alert' revops@example.com"  # message on stdin
    quota_repeats = 3        # alert on the 3rd quota stop in a row
    refused_share = 0.2      # alert when over 20% of a run's writes are refused
    write_loop_runs = 3      # freeze a field fought over this many runs in a row

A webhook URL is a secret (anyone holding it can post): it may come from the environment
or the secrets file instead, and only its host is ever logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.alert_rules import AlertSettings
from leadpact.config_text import config_text
from leadpact.errors import ConfigError

WEBHOOK_ENV = "LEADPACT_ALERTS_WEBHOOK_URL"
ALERT_KEYS = {"webhook_url", "email_command", "quota_repeats", "refused_share",
              "write_loop_runs", "timeout_seconds"}


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    webhook_url: str | None = field(default=None, repr=False)
    email_command: str | None = None
    settings: AlertSettings = AlertSettings()
    timeout_seconds: float = 5.0


def alerts_config(section: Mapping[str, Any], env: Mapping[str, str],
                  path: Path) -> AlertsConfig | None:
    """None when no alert destination is configured (nothing to send to)."""
    webhook = (env.get(WEBHOOK_ENV, "").strip()
               or config_text(section, "webhook_url", path, "alerts"))
    if webhook and not webhook.startswith(("https://", "http://")):
        raise ConfigError(f"{path}: [alerts] `webhook_url` must be an http(s) URL (a Slack "
                          "incoming-webhook URL, for instance)")
    command = config_text(section, "email_command", path, "alerts")
    settings = AlertSettings(
        quota_repeats=_whole(section, "quota_repeats", 3, 1, path),
        refused_share=_share(section, path),
        write_loop_runs=_whole(section, "write_loop_runs", 3, 2, path))
    timeout = section.get("timeout_seconds", 5)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 60:
        raise ConfigError(f"{path}: [alerts] `timeout_seconds` must be a number of seconds "
                          f"above 0 and at most 60, not {timeout!r}")
    if not webhook and not command:
        return None
    return AlertsConfig(webhook or None, command or None, settings, float(timeout))


def _whole(section: Mapping[str, Any], key: str, default: int, low: int, path: Path) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 1000:
        raise ConfigError(f"{path}: [alerts] `{key}` must be a whole number from {low} to "
                          f"1000, not {value!r}")
    return value


def _share(section: Mapping[str, Any], path: Path) -> float:
    value = section.get("refused_share", 0.2)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ConfigError(f"{path}: [alerts] `refused_share` must be a number from 0 to below "
                          f"1 (0.2 = alert when over 20% of a run's writes are refused), not "
                          f"{value!r}")
    return float(value)
