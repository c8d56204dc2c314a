"""How long `leadpact report html` takes and how large the page is, on a demo org synced
twice (the sandbox, no network). Prints figures; asserts nothing.

    .venv/bin/python bench/report_html_bench.py [PEOPLE]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from leadpact.demo import run_demo
from leadpact.html_report import render_html
from leadpact.report_data import read_report_inputs, report_data

BAR = 'class="bar"'


def main(people: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        started = time.perf_counter()
        run_demo(work, people=people, seed=7, now=datetime.now(UTC))
        synced = time.perf_counter() - started
        started = time.perf_counter()
        inputs = read_report_inputs(work / "state.sqlite3")
        assert inputs is not None
        read = time.perf_counter() - started
        started = time.perf_counter()
        page = render_html(report_data(inputs, datetime.now(UTC)))
        rendered = time.perf_counter() - started
        print(f"people={people} open_deals={len(inputs.open_deals)} "
              f"persons={len(inputs.person_stages)} runs={len(inputs.runs)}")
        print(f"demo sync x2: {synced:.1f}s  read state: {read * 1000:.0f} ms  "
              f"render: {rendered * 1000:.0f} ms  page: {len(page.encode()) / 1024:.0f} KiB  "
              f"bars: {page.count(BAR)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
