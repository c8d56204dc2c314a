"""leadpact against seeded sandbox orgs of growing size: API calls, CPU, memory. Prints
figures, asserts nothing.

    .venv/bin/python bench/scale.py                 # 3,000 and 30,000 people
    .venv/bin/python bench/scale.py --sizes 3000    # any sizes
    .venv/bin/python bench/scale.py --300k --1m     # add 300,000 / 1,000,000 people
    .venv/bin/python bench/scale.py --sizes 300000 --seeded old/300000/sandbox.sqlite3

Per size: seed a fresh sandbox org (seed 7), serve it on loopback from this process, and
run `leadpact sync --json` three times in a child process: the first sync; a rerun, after
--pause seconds as between scheduled syncs (nobody else changed anything, so only
leadpact's own writes come back); and a no-change rerun right after. With --plan, a
`leadpact plan` (a rehearsal of the first sync, its writes unsent) runs before them. The
sandbox sees every request, so the calls are counted there, per CRM and kind: reads
(queries, searches, batch and association reads), writes, look-ups (task keys read before
creating tasks) and other (limits, describes, properties, token checks). Beside each kind,
"min" is the fewest calls the rows it moved needed at each endpoint's maximum batch
(bench/call_minimum.py). CPU (os.wait4) and peak RSS (its VmHWM, sampled every 0.1 s;
ru_maxrss would count this process's memory at fork time) are the child's own, so the
sandbox's work is not in them; the sandbox's CPU (this process) is printed apart.
records/CPU s = records read (both CRMs) per CPU second of the sync process. At the end,
one table row per size and sync, ready for the README: calls per CRM as reads / writes /
look-ups, each with its minimum.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from call_minimum import Tally

from leadpact.connectors.sandbox.seed import SEED_META, seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Request, Response, Sandbox
from leadpact.connectors.sandbox.store import Store

KINDS = ("reads", "writes", "look-ups", "other")
TABLE: list[str] = []  # the summary's rows, printed at the end
RUNS = ("first", "rerun", "rerun 2")
_RECORD_GET = re.compile(r"/sobjects/\w+/(deleted|updated|[0-9A-Za-z]{15,18})$")


def kind_of(system: str, request: Request) -> str:
    """What one API request is for, from its method, path and body."""
    path, method = request.path, request.method
    if system == "salesforce":
        if "/query" in path and "/tooling/" not in path:
            soql = " ".join(request.args("q"))
            return "look-ups" if "Leadpact_Task_Key__c IN" in soql else "reads"
        if "/composite/" in path or method in ("POST", "PATCH", "DELETE"):
            return "writes"
        if method == "GET" and _RECORD_GET.search(path):
            return "reads"
        return "other"
    if path.endswith("/search"):
        return "look-ups" if b"leadpact_task_key" in request.body and b'"IN"' in request.body \
            else "reads"
    if "/batch/read" in path and b'"idProperty": "leadpact_task_key"' in request.body:
        return "look-ups"  # task keys read before creating tasks
    if "/batch/read" in path or (method == "GET" and "/objects/" in path):
        return "reads"
    if method in ("POST", "PATCH", "PUT", "DELETE") and "/crm/" in path \
            and "/properties/" not in path:
        return "writes"
    return "other"


class CountingSandbox(Sandbox):
    """The sandbox, counting each metered request by CRM and kind."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.tally = Tally()  # rows moved per endpoint: the fewest calls they needed
        self._more: dict[str, str] = {}  # a query's nextRecordsUrl -> the query's endpoint

    def handle(self, request: Request) -> Response | None:
        system = self.system_of(request.path)
        answer = super().handle(request)
        if system is not None and not self.oauth.serves(request.path):
            kind = kind_of(system, request)
            # A further page counts with the query it continues.
            what = self._more.pop(request.path, None) or what_of(request)
            following = answer.body.get("nextRecordsUrl") \
                if answer is not None and isinstance(answer.body, dict) else None
            if following:
                self._more[following] = what
            self.counts[(system, kind)] += 1
            if answer is not None and answer.status < 300:
                self.tally.add(system, kind, what, request.method, request.path,
                               request.body, answer.body)
        return answer


def what_of(request: Request) -> str:
    """A short name for --detail: the SOQL's object and filter, or the method and path."""
    soql = " ".join(request.args("q"))
    if soql:
        found = re.search(r"FROM (\w+)(?: WHERE (\w+))?", soql)
        return f"SOQL {found.group(1)} by {found.group(2)}" if found else "SOQL"
    path = re.sub(r"/v\d+\.\d+|/\d{3,}|[0-9A-Za-z]{15,18}(-\d+)?$", "", request.path)
    history = b'"propertiesWithHistory": ["' in request.body  # a property-history read
    return f"{request.method} {path}{' (with history)' if history else ''}"


def write_config(folder: Path, url: str) -> Path:
    config = folder / "leadpact.toml"
    config.write_text(
        '[leadpact]\nstate = "state.sqlite3"\n\n'
        f'[salesforce]\nenabled = true\ninstance_url = "{url}"\napi_version = "59.0"\n\n'
        f'[hubspot]\nenabled = true\nhost = "{url}"\n', "utf-8")
    return config


def high_water_kb(pid: int) -> int:
    """VmHWM: the peak RSS of the process's current program. Not ru_maxrss: Linux folds
    the pre-exec memory into it, i.e. this benchmark's own (the sandbox's) at fork time."""
    try:  # before its exec the child is a copy of this process: not its figure yet
        if b"-m\0leadpact\0" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return 0
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def run_sync(config: Path, command: tuple[str, ...] = ("sync",)) -> dict[str, Any]:
    """One `leadpact sync --json` (or `command`) in a child process: its summary, CPU s,
    peak RSS, wall."""
    env = dict(os.environ, LEADPACT_SALESFORCE_TOKEN=SANDBOX_TOKEN,
               LEADPACT_HUBSPOT_TOKEN=SANDBOX_TOKEN)
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "leadpact", *command, "--config",
                                  str(config), "--json"], stdout=out, stderr=err, env=env)
        peak_kb = 0
        while True:  # the child's own high-water mark, sampled until it exits
            done, status, usage = os.wait4(child.pid, os.WNOHANG)
            if done:
                break
            peak_kb = max(peak_kb, high_water_kb(child.pid))
            time.sleep(0.1)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode(), err.read().decode()
    if child.returncode not in (0, 1):
        raise SystemExit(f"sync exited {child.returncode}: {problem.strip()[-2000:]}")
    summary = json.loads(text.strip().splitlines()[-1])  # a plan's --limit 0: the summary
    return {"summary": summary, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": peak_kb / 1024, "wall": wall}


def measure(people: int, seed: int, workdir: Path, detail: bool, pause: float,
            seeded: Path | None = None, plan: bool = False) -> None:
    folder = workdir / f"{people}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.sqlite3*"):
        old.unlink()
    started = time.monotonic()
    if seeded is not None:  # an org seeded before: a copy, so it stays as seeded
        with sqlite3.connect(seeded) as source, \
                sqlite3.connect(folder / "sandbox.sqlite3") as copy:
            source.backup(copy)
        store = Store(folder / "sandbox.sqlite3")
        # The org's own size and date, not --sizes: a copy is measured for what it is.
        made = json.loads(store.get_meta(SEED_META) or "{}")
        people = int(made.get("people", people))
        how = f"copied from {seeded}, seeded as of {made.get('now', 'an unknown date')}"
    else:
        store = Store(folder / "sandbox.sqlite3")
        seed_demo_org(store, seed=seed, people=people, now=datetime.now(UTC))
        how = "seeded"
    print(f"\n== {people:,} people (seed {seed}; {how} in {time.monotonic() - started:.1f} s)",
          flush=True)
    box = CountingSandbox(store)
    config = write_config(folder, box.serve(0))
    try:
        for name in ("plan", *RUNS) if plan else RUNS:
            if name == RUNS[1] and pause:
                print(f"  (pausing {pause:.0f} s, past the sync's 5-minute lookback)", flush=True)
                time.sleep(pause)
            box.counts.clear()
            box.tally.clear()
            serving = time.process_time()  # this process's CPU: the sandbox's work
            run = run_sync(config, ("plan", "--limit", "0") if name == "plan" else ("sync",))
            run["sandbox_cpu"] = time.process_time() - serving
            report(name, run, box.counts, box.tally)
            TABLE.append(table_row(people, name, run, box.counts, box.tally))
            if detail:
                print_detail(box.tally)
    finally:
        box.stop()
        store.close()


def report(name: str, run: dict[str, Any], counts: Counter[tuple[str, str]],
           tally: Tally) -> None:
    systems = run["summary"]["systems"]
    records = sum(s["records_read"] for s in systems.values())
    rate = records / run["cpu"] if run["cpu"] else 0.0
    print(f"  {name:8} records read {records:>9,}  leadpact CPU {run['cpu']:7.1f} s "
          f"({rate:,.0f} records/CPU s)  peak RSS {run['rss_mb']:6.0f} MB  "
          f"wall {run['wall']:6.1f} s  sandbox CPU {run['sandbox_cpu']:6.1f} s  "
          f"status {run['summary']['status']}")
    for system in ("salesforce", "hubspot"):
        split = "  ".join(
            f"{kind} {counts[(system, kind)]:>6,} (min {tally.minimum(system, kind):,})"
            if kind != "other" else f"{kind} {counts[(system, kind)]:>4,}" for kind in KINDS)
        total = sum(counts[(system, kind)] for kind in KINDS)
        applied = systems.get(system, {}).get("changes_applied", 0)
        print(f"    {system:10} calls {total:>6,}: {split}   changes applied {applied:,}")
    sys.stdout.flush()


def table_row(people: int, name: str, run: dict[str, Any],
              counts: Counter[tuple[str, str]], tally: Tally) -> str:
    """One markdown row: size, sync, calls per CRM (reads / writes / look-ups, minimum in
    brackets; other calls apart), CPU, records per CPU second, peak RSS."""
    systems = run["summary"]["systems"]
    records = sum(s["records_read"] for s in systems.values())
    cells = []
    for system in ("salesforce", "hubspot"):
        split = " / ".join(f"{counts[(system, kind)]:,} ({tally.minimum(system, kind):,})"
                           for kind in KINDS[:3])
        cells.append(f"{split} + {counts[(system, 'other')]:,}")
    rate = f"{records / run['cpu']:,.0f}" if run["cpu"] and records else "–"
    return (f"| {people:,} | {name} | {cells[0]} | {cells[1]} | {run['cpu']:.1f} s | {rate} "
            f"| {run['rss_mb']:.0f} MB |")


def print_detail(tally: Tally) -> None:
    """Calls, rows (or ids sent) and the minimum per endpoint, grouped by CRM and kind."""
    for system, kind, what in sorted(tally.calls):
        key = (system, kind, what)
        print(f"      {system:10} {kind:8} {tally.calls[key]:>6,} calls (min "
              f"{tally.minimum_of(key):>5,}, {tally.units[key]:>8,} rows)  {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,30000",
                        help="people per org, comma-separated (default 3000,30000)")
    parser.add_argument("--300k", dest="big", action="store_true", help="add 300,000 people")
    parser.add_argument("--1m", dest="huge", action="store_true", help="add 1,000,000 people")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--detail", action="store_true", help="calls per endpoint too")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds to wait after the first sync, as between scheduled "
                             "syncs (310 passes the 5-minute lookback)")
    parser.add_argument("--seeded", type=Path, default=None,
                        help="a sandbox.sqlite3 seeded before (one size only): run on a "
                             "copy of it instead of seeding (seeding 300,000 people takes "
                             "most of an hour on a busy 2-core machine)")
    parser.add_argument("--plan", action="store_true",
                        help="run `leadpact plan` before the first sync (a first plan: "
                             "everything the first sync will write, rehearsed)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the orgs and state here (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    sizes += [300_000] * args.big + [1_000_000] * args.huge
    with tempfile.TemporaryDirectory(prefix="leadpact-scale-") as scratch:
        workdir = args.workdir or Path(scratch)
        for people in sizes:
            measure(people, args.seed, workdir, args.detail, args.pause, args.seeded,
                    args.plan)
    print("\n| people | sync | Salesforce reads / writes / look-ups (min) + other "
          "| HubSpot reads / writes / look-ups (min) + other | leadpact CPU "
          "| records/CPU s | peak RSS |\n|---|---|---|---|---|---|---|")
    print("\n".join(TABLE))


if __name__ == "__main__":
    main()
