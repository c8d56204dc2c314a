"""Alerts delivered for real: a Slack-style receiver on a loopback port (http.server in a
thread), an email command reading stdin, and `leadpact sync` against the sandbox."""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.alert_rules import Alert
from leadpact.alert_send import send_alerts
from leadpact.alerting import after_run
from leadpact.alerts_config import AlertsConfig
from leadpact.cli import main
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import classify

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"
ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}
ALERT = Alert("failed", "r1", "leadpact sync r1 failed: HubSpot rejected the token")


class Receiver:
    """A webhook endpoint: answers each POST with the next planned status (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, object]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers["Content-Length"])
                receiver.paths.append(self.path)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/s3cr3tpath"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver([])
    yield found
    found.stop()


def test_given_a_webhook_then_slack_json_with_the_text_arrives(receiver: Receiver) -> None:
    assert send_alerts([ALERT], AlertsConfig(webhook_url=receiver.url)) == 1
    assert receiver.bodies == [{"text": ALERT.text}]
    assert receiver.paths == ["/services/T000/B000/s3cr3tpath"]


def test_given_a_503_then_retried_and_delivered(receiver: Receiver) -> None:
    receiver.statuses = [503]
    assert send_alerts([ALERT], AlertsConfig(webhook_url=receiver.url)) == 1
    assert len(receiver.bodies) == 2


def test_given_a_rejecting_webhook_then_logged_without_the_secret_and_not_raised(
        receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    receiver.statuses = [404]
    with caplog.at_level(logging.WARNING, logger="leadpact.alerts"):
        assert send_alerts([ALERT], AlertsConfig(webhook_url=receiver.url)) == 0
    assert len(receiver.bodies) == 1  # a 4xx is not retried
    assert "HTTP 404" in caplog.text and "127.0.0.1" in caplog.text
    assert "s3cr3tpath" not in caplog.text


def test_given_nobody_listening_then_logged_and_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="leadpact.alerts"):
        sent = send_alerts([ALERT], AlertsConfig(webhook_url=f"http://127.0.0.1:{port}/x",
                                                 timeout_seconds=1))
    assert sent == 0 and "could not send the failed alert" in caplog.text


def test_given_an_email_command_then_it_reads_the_message_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "mail.txt"
    command = f"{sys.executable} -c \"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())\""
    assert send_alerts([ALERT], AlertsConfig(email_command=command)) == 1
    assert out.read_text() == ALERT.text


def test_given_a_failing_email_command_then_logged_and_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="leadpact.alerts"):
        assert send_alerts([ALERT], AlertsConfig(email_command=f"{sys.executable} -c "
                                                 "\"raise SystemExit(3)\"")) == 0
    assert "exit 3" in caplog.text


def test_given_quota_stops_in_a_row_when_syncing_then_the_second_posts_one_alert(
        sandbox: Sandbox, receiver: Receiver, tmp_path: Path) -> None:
    load_fixture(sandbox.store, FIXTURE)
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n\n[salesforce]\n'
                      f'instance_url = "{sandbox.url}"\n\n[hubspot]\nenabled = false\n'
                      f'host = "{sandbox.url}"\n\n[alerts]\nwebhook_url = "{receiver.url}"\n'
                      'quota_repeats = 2\n')
    runner = CliRunner()
    for expected in (0, 1):
        sandbox.salesforce_daily_limit = sandbox.store.calls("salesforce") + 3
        stopped = runner.invoke(main, ["sync", "--config", str(config)], env=ENV)
        assert stopped.exit_code == 75, stopped.output  # the alert does not change it
        assert len(receiver.bodies) == expected
        assert "s3cr3tpath" not in stopped.output
    text = str(receiver.bodies[0]["text"])
    assert "API quota 2 runs in a row" in text


def test_given_a_field_fought_over_three_runs_then_frozen_alerted_and_not_written_again(
        receiver: Receiver, tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    try:
        fought_over(state, receiver)
    finally:
        state.close()


def fought_over(state: State, receiver: Receiver) -> None:
    ref = Ref("hubspot", "contact", "1")
    for n, found in enumerate((None, "nurture", "nurture")):
        run_id, at = f"r{n}", NOW + timedelta(hours=n)
        state.start_run(run_id, at)
        state.record_write(run_id, ref, "lead_stage", found, "sales_ready", at)
        state.finish_run(run_id, at, "ok", {"systems": {}})
    last = NOW + timedelta(hours=2)
    assert after_run(state, None, NOW, datetime.now(UTC)) == []  # not the newest run
    alerts = after_run(state, AlertsConfig(webhook_url=receiver.url), last, datetime.now(UTC))
    assert [a.kind for a in alerts] == ["write_loop"]
    assert state.frozen_fields(ref) == {"lead_stage"}
    assert "froze lead_stage on hubspot:contact:1" in str(receiver.bodies[0]["text"])
    assert after_run(state, None, last, datetime.now(UTC)) == []  # frozen once, alerted once
    # the planner now leaves that field alone on this record, and only there
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO", email="a@x.com"))
    hs.put(person("2", title="CFO", email="b@x.com"))
    run_sync([hs], state, load_rules(None), classify, NOW + timedelta(days=1))
    assert "lead_stage" not in hs.records[ref].leadpact
    assert "role" in hs.records[ref].leadpact
    assert "lead_stage" in hs.records[Ref("hubspot", "contact", "2")].leadpact


def test_given_a_run_whose_writes_are_mostly_refused_then_the_refused_alert_arrives(
        receiver: Receiver, tmp_path: Path) -> None:
    hs = MemoryConnector("hubspot")
    for n in ("1", "2", "3"):
        hs.put(person(n, title="CFO", email=f"{n}@x.com"))
    hs.refuse = {Ref("hubspot", "contact", "1"), Ref("hubspot", "contact", "2")}
    state = State(tmp_path / "state.sqlite3")
    try:
        summary, _ = run_sync([hs], state, load_rules(None), classify, NOW)
        alerts = after_run(state, AlertsConfig(webhook_url=receiver.url), NOW,
                           datetime.now(UTC))
    finally:
        state.close()
    stats = summary.systems["hubspot"]
    assert stats.changes_failed > 0.2 * (stats.changes_failed + stats.changes_applied) > 0
    assert [a.kind for a in alerts] == ["refused"]
    text = str(receiver.bodies[0]["text"])
    total = stats.changes_failed + stats.changes_applied
    assert f"refused {stats.changes_failed} of {total} writes" in text
