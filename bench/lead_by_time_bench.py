"""How long finding the people whose lead verdict moved with time takes, and how many move
in a day: seeds the demo org, syncs it once, then runs the state-only check (no CRM call)
as of the same day and as of the next day.

    .venv/bin/python bench/lead_by_time_bench.py --people 3000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leadpact.connect import title_classifier
from leadpact.demo import run_demo
from leadpact.model import SYSTEMS
from leadpact.rules.engine import load_rules
from leadpact.state import State
from leadpact.time_moves import persons_moved_by_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        run_demo(Path(folder), people=args.people, seed=args.seed, runs=1, now=now)
        state = State(Path(folder) / "state.sqlite3")
        rules = load_rules(None)
        classify = title_classifier(rules)
        records = sum(1 for s in SYSTEMS for r in state.known_records(s) if r.kind != "deal")
        print(f"{args.people} people seeded, {records} person records in state")
        for days in (0, 1, 7):
            started = time.perf_counter()
            moved = list(persons_moved_by_time(state, rules, classify,
                                               now + timedelta(days=days), SYSTEMS, ()))
            took = time.perf_counter() - started
            print(f"as of +{days} day(s): {len(moved)} records moved with time; check took "
                  f"{took:.2f} s ({took / records * 1000:.2f} ms per record)")
        state.close()


if __name__ == "__main__":
    main()
