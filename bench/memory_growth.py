"""What a first sync holds in memory that grows with the org's size. Prints figures,
asserts nothing.

    .venv/bin/python bench/memory_growth.py --sizes 1000,3000

Per size: a seeded demo org (seed 7) served by `leadpact sandbox` in its own process, and
one first sync in this process under tracemalloc (the sandbox's memory is not in it).
The traced memory is sampled after every page; at its highest, a snapshot is kept. Then
the allocation sites whose memory grew most between the smallest and the largest size
are printed, per 1,000 people: what to stream or spill first.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import leadpact
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, child: subprocess.Popen[bytes]) -> None:
    while True:
        if child.poll() is not None:
            raise SystemExit("the sandbox stopped before serving")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)


def measure(people: int, folder: Path) -> tuple[int, tracemalloc.Snapshot]:
    """(peak traced bytes, the snapshot taken at the highest sample) of one first sync."""
    port = free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "leadpact", "sandbox", "--port", str(port), "--people",
         str(people), "--data", str(folder / "sandbox")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, sandbox)
        url = f"http://127.0.0.1:{port}"
        config = folder / "leadpact.toml"
        config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n[salesforce]\n'
                          f'instance_url = "{url}"\n[hubspot]\nhost = "{url}"\n')
        os.environ["LEADPACT_SALESFORCE_TOKEN"] = SANDBOX_TOKEN
        os.environ["LEADPACT_HUBSPOT_TOKEN"] = SANDBOX_TOKEN
        best: list[tuple[int, tracemalloc.Snapshot | None]] = [(0, None)]

        def sample(system: str, handled: int) -> None:
            current, _ = tracemalloc.get_traced_memory()
            if current > best[0][0] * 1.02:  # a snapshot costs: only on a new high
                best[0] = (current, tracemalloc.take_snapshot())

        tracemalloc.start(8)
        lp = leadpact.open(config)
        lp.sync(progress=sample, keep_changes=False)  # as `leadpact sync` runs
        sample("", 0)  # the end of the run, before letting go
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        snapshot = best[0][1]
        assert snapshot is not None
        return peak, snapshot
    finally:
        sandbox.terminate()
        sandbox.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    snapshots = {}
    with tempfile.TemporaryDirectory(prefix="leadpact-memory-") as scratch:
        for people in sizes:
            folder = Path(scratch) / str(people)
            folder.mkdir()
            peak, snapshots[people] = measure(people, folder)
            held = sum(s.size for s in snapshots[people].statistics("filename"))
            print(f"{people:>9,} people: traced peak {peak / 2**20:7.1f} MB, "
                  f"{held / 2**20:7.1f} MB at the highest sample", flush=True)
    small, big = snapshots[sizes[0]], snapshots[sizes[-1]]
    per = (sizes[-1] - sizes[0]) / 1000
    print(f"\ngrowth per 1,000 people ({sizes[0]:,} -> {sizes[-1]:,}), by allocation site:")
    for stat in big.compare_to(small, "traceback")[:args.top]:
        frames = [f"{f.filename.split('site-packages/')[-1].split('wt-scale/')[-1]}:{f.lineno}"
                  for f in stat.traceback[:4]]
        print(f"  {stat.size_diff / per / 1024:9.1f} KB  {' <- '.join(frames)}")


if __name__ == "__main__":
    main()
