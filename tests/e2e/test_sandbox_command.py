"""`leadpact sandbox` as a user starts it: a separate process serving both APIs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests


def test_given_a_fresh_data_dir_when_started_then_it_seeds_and_serves_both_apis(
        tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "leadpact", "sandbox", "--port", "0", "--data", str(tmp_path),
         "--people", "40"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # the command prints its URL once it listens
            lines.append(line)
            if "sandbox on" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, "".join(lines)
        headers = {"Authorization": "Bearer sandbox-token"}
        sf = requests.get(url.group(0) + "/services/data/v59.0/query/",
                          params={"q": "SELECT Id FROM Contact LIMIT 5"}, headers=headers,
                          timeout=10)
        hs = requests.get(url.group(0) + "/crm/v3/objects/contacts", params={"limit": 5},
                          headers=headers, timeout=10)
        assert sf.status_code == 200 and sf.json()["records"]
        assert hs.status_code == 200 and hs.json()["results"]
        assert (tmp_path / "sandbox.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_given_bare_when_started_then_neither_crm_has_leadpacts_fields(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "leadpact", "sandbox", "--port", "0", "--data", str(tmp_path),
         "--people", "20", "--bare"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "sandbox on" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, "".join(lines)
        headers = {"Authorization": "Bearer sandbox-token"}
        described = requests.get(url.group(0) + "/services/data/v59.0/sobjects/Lead/describe",
                                 headers=headers, timeout=10).json()
        names = [f["name"] for f in described["fields"]]
        assert "LastName" in names and not [n for n in names if n.startswith("Leadpact_")]
        properties = requests.get(url.group(0) + "/crm/v3/properties/contacts",
                                  headers=headers, timeout=10).json()["results"]
        assert "email" in {p["name"] for p in properties}
        assert not [p["name"] for p in properties if p["name"].startswith("leadpact_")]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
