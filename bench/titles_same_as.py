"""Do this checkout's title labels equal another commit's? Diffs every output, prints the
count of differences and the first few; exits 1 when any differ.

    .venv/bin/python bench/titles_same_as.py [--ref main] [--titles 300000] [--scale-titles N]

For a speed change to the classifier, which must not move a single label, reason or
confidence. The other commit's classifier (its leadpact/ and enrichment/, from `git
archive`) is laid out as the installed package in a temporary folder and run in a child
process, which writes its outputs there; nothing large is committed. Both sides classify
the same seeded titles through `classify_title`, as a sync does, in one order with warm
caches, so the title caches, per-word memos and override index are exercised too:

- `--titles` mostly-distinct noisy titles (title_corpus.noisy_titles, another seed than the
  speed benches), then the first of them again (served from the caches);
- the project bench's 30,000 distinct titles and the labelled dev set's titles;
- 20,000 of the noisy titles with 5,000 synthetic org overrides (title_corpus);
- with `--scale-titles N`, the first N titles of the speed benches' own corpus (the
  default seed of noisy_titles, as titles_scale_bench.py makes them), after emptying the
  caches, so a speed change is checked on the very titles it is timed on.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
DEV_SET = pathlib.Path("/work/shared/data/titles_dev.csv")
# Folders of the repository that make up the classifier, and where the package puts them.
_LAYOUT = {"leadpact": "leadpact", "enrichment": "leadpact/enrichment"}


def title_sets(count: int, scale_count: int = 0
               ) -> Iterator[tuple[str, list[str], list[dict[str, str]]]]:
    """(name, titles, override entries) in the order both sides classify them."""
    sys.path.insert(0, str(BENCH))
    from title_corpus import noisy_titles, synthetic_overrides
    from titles_bench import distinct_titles

    noisy = noisy_titles(count, seed=23)
    yield "noisy", noisy, []
    yield "noisy again", noisy[: count // 10], []
    dev = []
    if DEV_SET.exists():
        with DEV_SET.open(encoding="utf-8", newline="") as handle:
            dev = [row["title"] for row in csv.DictReader(handle)]
    yield "bench and dev set", distinct_titles(30_000) + dev, []
    yield "with 5,000 overrides", noisy[:20_000], synthetic_overrides(5_000)
    if scale_count:
        yield "scale bench corpus", noisy_titles(scale_count), []


def write_outputs(count: int, into: pathlib.Path, scale_count: int = 0) -> None:
    """Classify every set with the leadpact this process imports; one JSON line a title."""
    from leadpact.enrichment import titles as module
    from leadpact.enrichment.titles import classify_title, parse_overrides

    print(f"classifying with {module.__file__}", file=sys.stderr)
    with into.open("w", encoding="utf-8") as out:
        for name, titles, entries in title_sets(count, scale_count):
            if name == "scale bench corpus":
                module.clear_caches()  # as the scale bench runs them: cold
            overrides = parse_overrides(entries)
            for title in titles:
                got = classify_title(title, overrides)
                out.write(json.dumps([name, title, got.seniority, got.function, got.role,
                                      got.confidence, got.because], ensure_ascii=False))
                out.write("\n")


def package_of(ref: str, into: pathlib.Path) -> pathlib.Path:
    """The classifier of commit `ref`, laid out as the installed package under `into`."""
    archive = into / "ref.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", ref, *_LAYOUT], cwd=ROOT, stdout=handle, check=True)
    source = into / "source"
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    package = into / "package"
    for folder, target in _LAYOUT.items():
        shutil.copytree(source / folder, package / target)
    return package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="commit to compare with (default main)")
    parser.add_argument("--titles", type=int, default=300_000)
    parser.add_argument("--scale-titles", type=int, default=0,
                        help="also compare the first N titles of the speed benches' corpus")
    parser.add_argument("--write", type=pathlib.Path, help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.write:
        write_outputs(args.titles, args.write, args.scale_titles)
        return

    with tempfile.TemporaryDirectory(prefix="titles-same-as-") as folder:
        work = pathlib.Path(folder)
        theirs, ours = work / "theirs.jsonl", work / "ours.jsonl"
        # The child imports the other commit's package first: sys.path comes before the
        # editable install's finder.
        env = {**os.environ, "PYTHONPATH": str(package_of(args.ref, work))}
        start = time.perf_counter()
        child = [sys.executable, __file__, "--titles", str(args.titles),
                 "--scale-titles", str(args.scale_titles)]
        subprocess.run([*child, "--write", str(theirs)], env=env, check=True)
        subprocess.run([*child, "--write", str(ours)], check=True)
        differ, total = [], 0
        with theirs.open(encoding="utf-8") as a, ours.open(encoding="utf-8") as b:
            for left, right in zip(a, b, strict=True):
                total += 1
                if left != right:
                    differ.append((json.loads(left), json.loads(right)))
        print(f"compared:  {total:,} outputs with {args.ref} in "
              f"{time.perf_counter() - start:.0f} s")
        print(f"differ:    {len(differ):,}")
        for left, right in differ[:10]:
            print(f"  {left[0]}: {left[1]!r}\n    {args.ref}: {left[2:]}\n    here: {right[2:]}")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
