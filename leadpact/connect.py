"""Builds the connectors and the title classifier from config (the edge where config
meets the real client libraries)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from leadpact.config import Config
from leadpact.connectors.base import Connector
from leadpact.connectors.retry import RetryPolicy
from leadpact.errors import ConfigError
from leadpact.rules.engine import Rules


def connectors_for(config: Config, now: datetime | None = None, *,
                   retry: RetryPolicy | None = None) -> list[Connector]:
    """The configured connectors. `now`: the run's one "now" (activity windows, next
    steps), so the connectors and the judging agree on the time. `retry`: the retry
    policy (default: each connector's own)."""
    extra: dict[str, Any] = {"clock": lambda: now} if now is not None else {}
    if retry is not None:
        extra["retry"] = retry
    timeout = read_timeout(os.environ)
    if timeout is not None:
        extra["timeout"] = timeout
    found: list[Connector] = []
    if config.salesforce is not None:
        from leadpact.connectors.salesforce.bulk_reads import settings_for
        from leadpact.connectors.salesforce.connector import SalesforceConnector

        sf = config.salesforce
        found.append(SalesforceConnector(sf.instance_url, sf.token, api_version=sf.api_version,
                                         max_api_share=sf.max_api_share, oauth=sf.oauth,
                                         bulk=settings_for(sf.instance_url, sf.bulk_threshold),
                                         fields=config.fields, native=config.native,
                                         **extra))
    if config.hubspot is not None:
        from leadpact.connectors.hubspot.connector import HubSpotConnector

        found.append(HubSpotConnector(config.hubspot.host, config.hubspot.token,
                                      oauth=config.hubspot.oauth, fields=config.fields,
                                      native=config.native,
                                      max_api_share=config.hubspot.max_api_share, **extra))
    return found


READ_TIMEOUT = "LEADPACT_READ_TIMEOUT"


def read_timeout(environ: Mapping[str, str]) -> float | None:
    """Seconds to wait for a CRM's answer, from LEADPACT_READ_TIMEOUT (default: each
    connector's own, 120 s Salesforce, 60 s HubSpot). The fault harness shortens it so a
    slow answer outlives the client in seconds, not minutes."""
    raw = environ.get(READ_TIMEOUT, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise ConfigError(f"{READ_TIMEOUT} must be a number of seconds above 0 and at most "
                          f"3600, not '{raw[:20]}'; unset it to use the defaults")
    return seconds


def title_classifier(rules: Rules) -> Callable[[str], Any]:
    """The title classifier with the org's overrides from the rules file applied
    (their index is built here, once per run)."""
    from leadpact.enrichment.titles import TitleClassifier

    return TitleClassifier(rules.title_overrides).classify
