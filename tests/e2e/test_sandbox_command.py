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
