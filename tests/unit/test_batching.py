"""Retry and refresh batches: kinds packed whole where they fit, big kinds cut."""

from __future__ import annotations

from leadpact.batching import batches_by_kind
from leadpact.model import Ref


def refs(kind: str, n: int) -> list[Ref]:
    return [Ref("salesforce", kind, f"{kind}{i:03}") for i in range(n)]


def sizes(batches: list[list[Ref]]) -> list[dict[str, int]]:
    out = []
    for batch in batches:
        count: dict[str, int] = {}
        for ref in batch:
            count[ref.kind] = count.get(ref.kind, 0) + 1
        out.append(count)
    return out


def test_given_kinds_that_fit_together_then_one_batch() -> None:
    assert sizes(batches_by_kind(refs("contact", 3) + refs("deal", 2), 5)) == \
        [{"contact": 3, "deal": 2}]


def test_given_a_kind_that_would_straddle_then_it_starts_a_batch_of_its_own() -> None:
    # cut in order every 5, the deals would go 2 + 1 into two batches
    assert sizes(batches_by_kind(refs("contact", 3) + refs("deal", 3) + refs("lead", 2), 5)) \
        == [{"contact": 3}, {"deal": 3, "lead": 2}]


def test_given_a_kind_bigger_than_a_batch_then_full_batches_and_a_rest_shared() -> None:
    found = batches_by_kind(refs("contact", 11) + refs("deal", 2) + refs("lead", 4), 5)
    assert sizes(found) == [{"contact": 5}, {"contact": 5}, {"contact": 1, "deal": 2},
                            {"lead": 4}]
    assert [r for batch in found for r in batch] == \
        refs("contact", 11) + refs("deal", 2) + refs("lead", 4)  # every ref once, in order
    assert batches_by_kind([], 5) == []
