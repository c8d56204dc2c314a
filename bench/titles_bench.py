"""Speed of the job-title classifier on one core: prints figures, asserts nothing.

    .venv/bin/python bench/titles_bench.py [--distinct 30000] [--repeats 200000]

1. distinct titles, cold: every cache is emptied first (titles.clear_caches()), then each
   title is classified once with classify_uncached, so every title is new to the title
   caches and each word's memo is filled as the word is first met (only the lexicon
   tables compiled at import are ready);
2. distinct titles, warm: as many other titles, equally new to the title caches, after
   the first pass has warmed the per-word memos (a long-running sync);
3. repeated titles: a CRM's few hundred common titles asked again and again, served from
   the cache on the raw title (classify_title).

Titles are built by combining rank words, function words and real-world noise in several
languages; the first pass gets the same titles whatever --distinct is above it.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import random
import time

RANKS = ["Head of", "VP", "Senior Vice President", "Director", "Leiter", "Leiterin",
         "Directeur", "Directrice", "Responsable", "Jefe de", "Gerente de", "Responsabile",
         "Hoofd", "Diretor de", "Manager", "Teamleiter", "Chef de projet", "Senior",
         "Junior", "Lead", "Chief", "Coordinator", "Specialist", "Analyst", "Interim",
         "Deputy", "Associate", "Assistant", "Stagiaire", "Werkstudent"]
AREAS = ["Finance", "Procurement", "Einkauf", "Achats", "Compras", "Legal", "Datenschutz",
         "IT", "Informatique", "Sistemas", "Security", "Cyber Security", "Marketing",
         "Vertrieb", "Ventes", "Ventas", "Sales", "Customer Success", "Kundenservice",
         "Operations", "Logistik", "Supply Chain", "HR", "Ressources Humaines",
         "Recursos Humanos", "Risorse Umane", "Data Science", "Engineering", "Software",
         "Product", "Treasury", "Tax", "Controlling", "Strategy", "Quality", "Payroll"]
NOUNS = ["", "Manager", "Engineer", "Director", "Officer", "Consultant", "Lead", "Partner",
         "Specialist", "Analyst", "Buyer", "Developer"]
NOISE = ["", " (m/w/d)", " H/F", " @ Acme", " bei Beispiel GmbH", " chez Exemple SA",
         " - EMEA", " | DACH", " 🚀", ", Berlin", " (Interim)", " - Global"]


def distinct_titles(count: int, seed: int = 7) -> list[str]:
    """`count` different titles, deterministic for a seed; a longer list starts with the
    shorter one."""
    rng = random.Random(seed)
    combos = list(itertools.product(RANKS, AREAS, NOUNS, NOISE))
    rng.shuffle(combos)
    seen: set[str] = set()
    titles: list[str] = []
    for rank, area, noun, noise in combos:
        title = " ".join(w for w in (rank, area, noun) if w) + noise
        if rng.random() < 0.15:
            title = title.upper()
        if title not in seen:
            seen.add(title)
            titles.append(title)
        if len(titles) == count:
            break
    return titles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=30_000)
    parser.add_argument("--repeats", type=int, default=200_000)
    args = parser.parse_args()

    # Timed here rather than imported at the top: loading and compiling the lexicons is
    # part of what a process pays before its first title.
    start = time.perf_counter()
    titles_module = importlib.import_module("leadpact.enrichment.titles")
    import_seconds = time.perf_counter() - start
    classify_uncached = titles_module.classify_uncached

    titles = distinct_titles(2 * args.distinct)
    first, second = titles[: args.distinct], titles[args.distinct :]

    titles_module.clear_caches()
    start = time.perf_counter()
    for title in first:
        classify_uncached(title)
    elapsed = time.perf_counter() - start
    print(f"distinct titles:  {len(first):>8,} in {elapsed:6.2f} s = "
          f"{len(first) / elapsed:>10,.0f} titles/s (no title cache; first pass; cold: "
          "every cache cleared before it)")

    start = time.perf_counter()
    for title in second:
        classify_uncached(title)
    elapsed = time.perf_counter() - start
    print(f"distinct titles:  {len(second):>8,} in {elapsed:6.2f} s = "
          f"{len(second) / elapsed:>10,.0f} titles/s (no title cache; other new titles; "
          "warm: word caches filled by the first pass)")

    common = first[:300]
    for title in common:
        titles_module.classify_title(title)
    start = time.perf_counter()
    for i in range(args.repeats):
        titles_module.classify_title(common[i % len(common)])
    elapsed = time.perf_counter() - start
    print(f"repeated titles:  {args.repeats:>8,} in {elapsed:6.2f} s = "
          f"{args.repeats / elapsed:>10,.0f} titles/s (served from the cache)")
    print(f"classifier import: {import_seconds:.2f} s (lexicons read and compiled)")


if __name__ == "__main__":
    main()
