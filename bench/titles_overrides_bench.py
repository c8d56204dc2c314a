"""Speed of the title classifier with many org overrides, on one core: prints figures,
asserts nothing.

    .venv/bin/python bench/titles_overrides_bench.py [--overrides 5000] [--titles 20000]
                                                     [--runs 3]

N synthetic overrides (seeded: plain job names with company names, word-bounded and
anchored regexes, alternations; a few match common titles) are parsed and indexed once,
then M distinct noisy titles (seeded) are classified once each, cold (every title cache
emptied first), without and with the overrides, in turn, --runs times; the best and the
median run are printed. Times are CPU seconds of this process (time.process_time), so
other work on a shared machine inflates them less.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from title_corpus import noisy_titles, synthetic_overrides

from leadpact.enrichment.titles import TitleClassifier, clear_caches, parse_overrides


def yardstick() -> float:
    """CPU seconds of a fixed pure-Python loop: compares machines (and moments on a
    shared one) without a reference machine."""
    start = time.process_time()
    for _ in range(1_000):
        sum(range(1_000))
    return time.process_time() - start


def distinct(titles: list[str], count: int) -> list[str]:
    return list(dict.fromkeys(titles))[:count]


def classify_all(classify: Callable[[str], object], titles: list[str]) -> float:
    clear_caches()
    start = time.process_time()
    for title in titles:
        classify(title)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overrides", type=int, default=5_000)
    parser.add_argument("--titles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    titles = distinct(noisy_titles(args.titles * 2), args.titles)
    entries = synthetic_overrides(args.overrides)

    start = time.process_time()
    classifier = TitleClassifier(parse_overrides(entries))
    build = time.process_time() - start
    plain = TitleClassifier()

    # Alternated: a shared machine's load comes and goes.
    withouts, withs = [], []
    for _ in range(max(1, args.runs)):
        withouts.append(classify_all(plain.classify, titles))
        withs.append(classify_all(classifier.classify, titles))
    fired = sum(classifier.classify(t).because.startswith("org override") for t in titles)

    n = len(titles)
    print(f"overrides:        {args.overrides:>8,} parsed and indexed in {build:.2f} s")
    for name, times, note in (("with overrides:", withs, f"{fired:,} took an override"),
                              ("without:", withouts, "the same titles, no overrides")):
        best, median = min(times), statistics.median(times)
        print(f"{name:<17} {n:>8,} distinct titles in {best:6.2f} s = {n / best:>8,.0f} "
              f"titles/s best, {n / median:,.0f} median of {len(times)} ({note})")
    medians = statistics.median(withs) - statistics.median(withouts)
    print(f"override cost:    {(min(withs) - min(withouts)) / n * 1e6:.1f} µs per title "
          f"(best against best), {medians / n * 1e6:.1f} µs (median against median)")
    print(f"yardstick:        {yardstick() * 1e3:.0f} ms (1,000 × sum(range(1000)); "
          "lower is a faster machine)")


if __name__ == "__main__":
    main()
