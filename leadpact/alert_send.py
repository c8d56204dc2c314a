"""Sending alerts: a Slack-compatible webhook (JSON `{"text": …}`) and/or an email command
that reads the message on stdin. Sending never raises: an alert that cannot be delivered
is logged, and the sync's outcome stays what it was."""

from __future__ import annotations

import logging
import shlex
import subprocess
from collections.abc import Callable, Sequence
from functools import partial
from urllib.parse import urlsplit

import requests
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from leadpact.alert_rules import Alert
from leadpact.alerts_config import AlertsConfig

log = logging.getLogger("leadpact.alerts")


class _Retryable(Exception):
    """A 429/5xx or a connection problem: worth another try."""


def send_alerts(alerts: Sequence[Alert], config: AlertsConfig) -> int:
    """Deliver each alert to every destination; returns how many deliveries succeeded."""
    delivered = 0
    for alert in alerts:
        if config.webhook_url:
            delivered += _deliver(partial(post_webhook, config.webhook_url, alert.text,
                                          config.timeout_seconds),
                                  f"webhook at {_host(config.webhook_url)}", alert)
        if config.email_command:
            delivered += _deliver(partial(run_email_command, config.email_command, alert.text,
                                          config.timeout_seconds), "email command", alert)
    return delivered


def _deliver(send: Callable[[], None], where: str, alert: Alert) -> int:
    try:
        send()
    except Exception as exc:  # noqa: BLE001 - an alert must never fail the sync
        log.warning("could not send the %s alert for run %s to the %s: %s", alert.kind,
                    alert.run_id, where, exc)
        return 0
    log.info("sent the %s alert for run %s to the %s", alert.kind, alert.run_id, where)
    return 1


@retry(retry=retry_if_exception_type(_Retryable), stop=stop_after_attempt(3),
       wait=wait_exponential(multiplier=0.25, max=2) + wait_random(0, 0.25), reraise=True)
def post_webhook(url: str, text: str, timeout: float) -> None:
    try:
        response = requests.post(url, json={"text": text}, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retryable(f"no answer ({type(exc).__name__})") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise _Retryable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        # the body may echo the URL's secret path; say only the status
        raise RuntimeError(f"HTTP {response.status_code}; check the webhook URL")


def run_email_command(command: str, text: str, timeout: float) -> None:
    done = subprocess.run(shlex.split(command), input=text, text=True, capture_output=True,
                          timeout=max(timeout, 30), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[:200]}")


def _host(url: str) -> str:
    return urlsplit(url).hostname or "(no host)"
