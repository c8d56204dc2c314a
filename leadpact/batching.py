"""The batches the retry and refresh passes read and handle records in (pure).

Each batch's re-read before writing, contact-role re-check and history check go per
object, so a kind split across two batches pays each of those queries twice, with two
part-filled id lists (a 10,000-person first sync's deals, split between two refresh
batches, cost three more Salesforce reads). Mixing kinds in one batch costs nothing
there and shares its write calls. So kinds are packed whole into batches where they fit;
only a kind bigger than a batch is cut, into full batches and a rest packed like the
others.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadpact.model import Ref


def batches_by_kind(refs: Sequence[Ref], size: int) -> list[list[Ref]]:
    """`refs` in batches of at most `size`, each kind's records (in their order) split
    across batches only where the kind is bigger than a batch; kinds in order of first
    appearance."""
    kinds: dict[str, list[Ref]] = {}
    for ref in refs:
        kinds.setdefault(ref.kind, []).append(ref)
    pieces = [group[start:start + size] for group in kinds.values()
              for start in range(0, len(group), size)]
    batches: list[list[Ref]] = []
    for piece in pieces:
        if batches and len(batches[-1]) + len(piece) <= size:
            batches[-1].extend(piece)
        else:
            batches.append(list(piece))
    return batches
