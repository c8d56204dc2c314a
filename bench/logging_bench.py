"""What logging and progress cost: `leadpact plan --json` on a seeded sandbox org, quiet
versus `-vv --log-file` (DEBUG, text) and `-v --log-format json --log-file`. Prints wall
time, API calls and log size per mode; API calls must be equal (progress adds no call).

    python bench/logging_bench.py [--people 1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store

MODES = {
    "quiet": ["--quiet"],
    "-vv text file": ["-vv", "--log-file", "{log}"],
    "-v json file": ["-v", "--log-format", "json", "--log-file", "{log}"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leadpact-logbench-"))
    store = Store(work / "sandbox.sqlite3")
    seed_demo_org(store, seed=7, people=args.people, now=datetime.now(UTC))
    box = Sandbox(store)
    box.serve(0)
    config = work / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n[salesforce]\ninstance_url = '
                      f'"{box.url}"\n[hubspot]\nhost = "{box.url}"\n', "utf-8")
    env = {**os.environ, "LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN,
           "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}
    print(f"plan over a seeded org of {args.people} people, best of {args.repeat}")
    try:
        for name, options in MODES.items():
            best, calls, size = float("inf"), None, 0
            for attempt in range(args.repeat):
                log = work / f"{name.replace(' ', '_')}-{attempt}.log"
                command = [sys.executable, "-m", "leadpact",
                           *(o.format(log=log) for o in options),
                           "plan", "--config", str(config), "--json"]
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, env=env,
                                      check=True)
                best = min(best, time.perf_counter() - started)
                systems = json.loads(done.stdout.strip().splitlines()[-1])["systems"]
                calls = {s: v["api_calls"] for s, v in systems.items()}
                size = log.stat().st_size if log.exists() else 0
            print(f"{name:>14}: {best:6.2f} s  api calls {calls}  log {size / 1024:7.1f} KiB")
    finally:
        box.stop()
        store.close()


if __name__ == "__main__":
    main()
