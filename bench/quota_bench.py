"""The quota plan against the calls runs really make, and a run under a small allowance.
Prints figures, asserts nothing.

    .venv/bin/python bench/quota_bench.py                  # 3,000 people
    .venv/bin/python bench/quota_bench.py --people 10000

Seeds a sandbox org (seed 7), serves it on loopback from this process and runs syncs
through `leadpact.open(...).sync()` with one fixed clock:
  first     a first sync (state knows nothing: no estimate, decision `guard`)
  full      `--full`: every record read again (estimated from the records state knows)
  rerun     nothing changed since (estimated from the cursor's age)
Per run and CRM: the plan's estimated calls, the calls the run made (the connector's count,
retries included), the decision, and how often HubSpot pacing waited. For the first sync,
which the plan cannot size, it also prints what the formula gives for the records that
sync turned out to read (state's known records afterwards): the check of the per-page and
per-batch figures in each connector's `call_costs`.

Then a fresh copy of the org gets a daily allowance of half the calls the first sync made
on each CRM; it syncs once per "day" (the sandbox's new_day) until a sync reads to the end,
and the days it took and the calls per day are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import leadpact
from leadpact import quota
from leadpact.config import load_config
from leadpact.connect import connectors_for
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.errors import QuotaExhausted
from leadpact.state import State

SYSTEMS = ("salesforce", "hubspot")


class Org:
    def __init__(self, seeded: Path, folder: Path):
        folder.mkdir(parents=True)
        shutil.copyfile(seeded, folder / "crm.sqlite3")
        self.store = Store(folder / "crm.sqlite3")
        self.box = Sandbox(self.store)
        url = self.box.serve(0)
        self.config = folder / "leadpact.toml"
        self.config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n[salesforce]\n'
                               f'instance_url = "{url}"\n[hubspot]\nhost = "{url}"\n')

    def sync(self, now: datetime, full: bool = False) -> dict[str, Any]:
        return leadpact.open(self.config, clock=lambda: now).sync(full=full).summary.as_dict()

    def close(self) -> None:
        self.box.stop()
        self.store.close()


def line(name: str, summary: dict[str, Any], seconds: float) -> None:
    print(f"  {name:<8} status {summary['status']:<7} wall {seconds:6.1f} s")
    for system in SYSTEMS:
        plan = summary["quota"].get(system, {})
        estimate = plan.get("estimated_calls")
        actual = summary["systems"][system]["api_calls"]
        ratio = f"{estimate / actual:5.2f}x" if estimate and actual else "    -"
        waits = plan.get("pacing_waits")
        print(f"    {system:<10} estimated {estimate if estimate is not None else '-':>6}  "
              f"actual {actual:>6}  estimate/actual {ratio}  decision {plan.get('decision')}"
              f"{'  deferred' if plan.get('deferred') else ''}"
              + (f"  pacing waits {waits}" if waits is not None else ""))


def afterwards(config: Path, actual: dict[str, int]) -> None:
    """The formula for the records the first sync read, against the calls it made."""
    loaded = load_config(config)
    state = State(loaded.state_path)
    try:
        for connector in connectors_for(loaded):
            assert isinstance(connector, quota.Metered)
            known = len(state.known_records(connector.system))
            estimate = quota.estimate_calls(known, connector.call_costs)
            print(f"    {connector.system:<10} sized by the {known} records it read: estimated "
                  f"{estimate}, actual {actual[connector.system]} "
                  f"({estimate / actual[connector.system]:.2f}x)")
    finally:
        state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-days", type=int, default=10)
    args = parser.parse_args()
    os.environ["LEADPACT_SALESFORCE_TOKEN"] = os.environ["LEADPACT_HUBSPOT_TOKEN"] = SANDBOX_TOKEN
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="leadpact-quota-") as tmp:
        seeded = Path(tmp) / "seeded.sqlite3"
        store = Store(seeded)
        seed_demo_org(store, seed=args.seed, people=args.people, now=now)
        store.close()
        print(f"== {args.people:,} people (seed {args.seed})")
        org = Org(seeded, Path(tmp) / "plain")
        first_calls: dict[str, int] = {}
        try:
            for name, full in (("first", False), ("full", True), ("rerun", False)):
                started = time.monotonic()
                summary = org.sync(now, full=full)
                line(name, summary, time.monotonic() - started)
                if name == "first":
                    first_calls = {s: summary["systems"][s]["api_calls"] for s in SYSTEMS}
                    afterwards(org.config, first_calls)
        finally:
            org.close()

        small = Org(seeded, Path(tmp) / "small")
        try:
            allowance = {s: max(1, first_calls[s] // 2) for s in SYSTEMS}
            small.box.salesforce_daily_limit = allowance["salesforce"]
            small.box.hubspot_daily_limit = allowance["hubspot"]  # type: ignore[attr-defined]
            print(f"  a day allows half the first sync's calls: {allowance}")
            for day in range(1, args.max_days + 1):
                small.box.new_day()
                try:
                    summary = small.sync(now)
                except QuotaExhausted as exc:  # exit 75: the next day resumes
                    print(f"    day {day}: stopped, exit 75 ({exc})")
                    continue
                calls = {s: summary["systems"][s]["api_calls"] for s in SYSTEMS}
                deferred = [s for s in SYSTEMS if summary["quota"].get(s, {}).get("deferred")]
                print(f"    day {day}: status {summary['status']}, calls {calls}, "
                      f"records read {sum(s['records_read'] for s in summary['systems'].values())}"
                      f", deferred {deferred or 'nothing'}")
                if summary["status"] == "ok" and not deferred:
                    break
        finally:
            small.close()


if __name__ == "__main__":
    main()
