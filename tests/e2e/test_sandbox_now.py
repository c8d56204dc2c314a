"""`leadpact sandbox --now` as a user starts it: records created over HTTP carry the given
day, not today's."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hubspot
import urllib3
from hubspot.crm.contacts import SimplePublicObjectInputForCreate

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"


def test_given_now_when_a_client_creates_a_contact_then_stamped_from_that_moment(
        tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "leadpact", "sandbox", "--port", "0", "--data", str(tmp_path),
         "--load", str(FIXTURE), "--now", "2026-10-12T09:30:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # the command prints its URL once it listens
            lines.append(line)
            if "sandbox on" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, "".join(lines)
        assert "clock: starts at 2026-10-12T09:30:00+00:00" in "".join(lines)
        client = hubspot.HubSpot(access_token="sandbox-token", host=url.group(0),
                                 retry=urllib3.Retry(0))
        created = client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(
            properties={"email": "new@example.com"}))
        start = datetime(2026, 10, 12, 9, 30, tzinfo=UTC)
        # the clock moves on with real time from the moment given (a slow machine: minutes)
        assert start <= created.created_at < start + timedelta(minutes=10)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
