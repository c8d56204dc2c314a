"""Title classifier speed of this checkout against another commit, runs alternated: prints
figures, asserts nothing.

    .venv/bin/python bench/titles_ab.py [--ref main] [--titles 200000] [--runs 3]

On a shared machine one run of a speed bench swings by ±15 % with the neighbours' load,
more than most single changes to the classifier gain or lose. Alternating the two sides
(theirs, ours, theirs, ours...) exposes both to the same load, and the best and median of
each are compared. Each run is bench/titles_scale_bench.py in a child process (the other
commit's package laid out as in titles_same_as.py), so both sides start cold; CPU seconds
and the garbage collector's share are taken from its output.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

from titles_same_as import package_of

BENCH = pathlib.Path(__file__).resolve().parent
_CPU = re.compile(r"classified in:\s+([\d.]+) s CPU .*\(([\d.]+) s of it in the garbage")


def run(titles: int, pythonpath: str | None) -> tuple[float, float]:
    """CPU and garbage-collector seconds of one scale bench run."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, str(BENCH / "titles_scale_bench.py"),
                          "--titles", str(titles)], env=env, check=True,
                         capture_output=True, text=True).stdout
    found = _CPU.search(out)
    if found is None:
        raise SystemExit(f"titles_scale_bench.py printed no CPU figure:\n{out}")
    return float(found.group(1)), float(found.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="commit to compare with (default main)")
    parser.add_argument("--titles", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    sides: dict[str, list[tuple[float, float]]] = {args.ref: [], "here": []}
    with tempfile.TemporaryDirectory(prefix="titles-ab-") as folder:
        theirs = str(package_of(args.ref, pathlib.Path(folder)))
        for _ in range(max(1, args.runs)):
            sides[args.ref].append(run(args.titles, theirs))
            sides["here"].append(run(args.titles, None))
    print(f"titles:  {args.titles:,} per run (title_corpus.noisy_titles), {args.runs} runs "
          "per side, alternated")
    medians = {}
    for name, runs in sides.items():
        cpu = [c for c, _ in runs]
        medians[name] = statistics.median(cpu)
        print(f"{name:<8} {min(cpu):6.1f} s CPU best, {medians[name]:6.1f} s median "
              f"({args.titles / min(cpu):,.0f} titles/s best; garbage collector "
              f"{statistics.median(g for _, g in runs):.1f} s median)")
    print(f"here / {args.ref}: {medians['here'] / medians[args.ref]:.2f} of the CPU time "
          "(median against median)")


if __name__ == "__main__":
    main()
