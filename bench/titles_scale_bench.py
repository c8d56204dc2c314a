"""The title classifier over a CRM-sized batch of noisy titles, on one core: prints
figures, asserts nothing.

    .venv/bin/python bench/titles_scale_bench.py [--titles 1000000]

The titles (title_corpus.noisy_titles, seeded) are mostly distinct: job words with
employers, places, levels, gender marks, emoji, typos and cut-offs around them, as a
million contacts' titles are. Each is classified once with classify_title, as a sync does,
after every cache is emptied. The process is pinned to one CPU where the OS allows it.

The headline figure is CPU seconds of this process (time.process_time), not wall time:
on a shared machine wall time also counts the time other processes hold the core. CPU
time is still inflated by neighbours (shared caches, frequency), so the bench also prints
the spread of per-chunk rates (a steady classifier gives chunks of similar cost; a wide
spread means the machine was busy) and the yardstick, for comparing machines only: it is
a 1 ms loop and must not be used to rescale the figure.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import time

from title_corpus import noisy_titles
from titles_overrides_bench import yardstick

from leadpact.enrichment import titles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=1_000_000)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    batch = noisy_titles(args.titles)
    distinct = len(set(batch))
    titles.clear_caches()
    collector = [0.0, 0.0]  # seconds in the garbage collector, start of the current pass

    def timed(phase: str, _: dict[str, int]) -> None:
        if phase == "start":
            collector[1] = time.process_time()
        else:
            collector[0] += time.process_time() - collector[1]

    gc.callbacks.append(timed)
    chunk = max(1, len(batch) // 20)
    rates = []
    start, wall = time.process_time(), time.perf_counter()
    for first in range(0, len(batch), chunk):
        began = time.process_time()
        for title in batch[first : first + chunk]:
            titles.classify_title(title)
        rates.append(min(chunk, len(batch) - first) / max(time.process_time() - began, 1e-9))
    elapsed = time.process_time() - start
    wall = time.perf_counter() - wall
    gc.callbacks.remove(timed)

    n = len(batch)
    raw, cleaned = titles._classify_raw.cache_info(), titles._classify_cleaned.cache_info()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"titles:           {n:>10,} ({distinct:,} distinct as written)")
    print(f"classified in:    {elapsed:10.1f} s CPU = {n / elapsed:,.0f} titles/s "
          f"({collector[0]:.1f} s of it in the garbage collector)")
    print(f"wall time:        {wall:10.1f} s ({elapsed / wall:.0%} of it on the CPU for this "
          "process)")
    print(f"per-chunk rate:   {statistics.median(rates):10,.0f} titles/s median of "
          f"{len(rates)} chunks (min {min(rates):,.0f}, max {max(rates):,.0f}); "
          f"1M at the median: {1e6 / statistics.median(rates):.1f} s CPU")
    print(f"cache hits:       {raw.hits / n:10.1%} on the title as written, "
          f"{cleaned.hits / max(1, cleaned.hits + cleaned.misses):.1%} on the cleaned title")
    print(f"peak memory:      {peak_mib:10.0f} MiB (the titles themselves included)")
    print(f"yardstick:        {yardstick() * 1e3:10.0f} ms (1,000 × sum(range(1000)); "
          "lower is a faster machine)")


if __name__ == "__main__":
    main()
