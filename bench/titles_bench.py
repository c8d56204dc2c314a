"""Speed of the job-title classifier on one core: prints figures, asserts nothing.

    .venv/bin/python bench/titles_bench.py [--distinct 30000] [--repeats 200000]

1. distinct titles: every title is new to the title caches (classify_uncached), built by
   combining rank words, function words and real-world noise in several languages;
2. repeated titles: a CRM's few hundred common titles asked again and again, served from
   the cache on the raw title (classify_title).
"""

from __future__ import annotations

import argparse
import itertools
import random
import time

from leadpact.enrichment.titles import classify_title, classify_uncached

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
    """`count` different titles, deterministic for a seed."""
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

    titles = distinct_titles(args.distinct)
    start = time.perf_counter()
    for title in titles:
        classify_uncached(title)
    elapsed = time.perf_counter() - start
    print(f"distinct titles:  {len(titles):>8,} in {elapsed:6.2f} s = "
          f"{len(titles) / elapsed:>10,.0f} titles/s (no title cache; first pass)")

    start = time.perf_counter()
    for title in titles:
        classify_uncached(title)
    elapsed = time.perf_counter() - start
    print(f"distinct, again:  {len(titles):>8,} in {elapsed:6.2f} s = "
          f"{len(titles) / elapsed:>10,.0f} titles/s (no title cache; word caches warm)")

    common = titles[:300]
    for title in common:
        classify_title(title)
    start = time.perf_counter()
    for i in range(args.repeats):
        classify_title(common[i % len(common)])
    elapsed = time.perf_counter() - start
    print(f"repeated titles:  {args.repeats:>8,} in {elapsed:6.2f} s = "
          f"{args.repeats / elapsed:>10,.0f} titles/s (served from the cache)")


if __name__ == "__main__":
    main()
