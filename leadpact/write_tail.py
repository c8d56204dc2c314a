"""Which records of a change-feed page to hold back to the refresh pass, so the page's
writes fill whole write calls (pure).

Each page's field writes ended in a part-filled write call: on a 3,000-person first sync
the Lead, Contact and Opportunity pages and the refresh pass made 4 such calls of
Salesforce's 25 (bench/scale.py --detail). The records of that last call are judged and
saved with their page but written in the refresh pass at the run's end, with the
records it writes anyway, so their tails share write calls. They are kept in the
`failed` list until then (as a refused write is), so a run cut short before its refresh
pass writes them in the next run's retry pass: nothing is lost, only delayed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from leadpact.changes import SetDealContactRole, record_of
from leadpact.judging import Step
from leadpact.model import Ref

HELD = "held back to the refresh pass (fuller write calls)"


def write_target(step: Step) -> Hashable:
    """The CRM record a step's write goes to: writes to one record share a record of the
    write call (a deal contact's role is a record of its own)."""
    change = step.change
    if isinstance(change, SetDealContactRole):
        return (change.deal, change.person)
    return record_of(change)


def held_back(steps: Sequence[Step], per_call: int) -> set[Ref]:
    """The records (step sources) whose writes would go in the page's last, part-filled
    write call of `per_call` records; none when the writes fill whole calls, or fill no
    whole call at all (a small page, as in most incremental runs: the refresh pass may
    have nothing to send with it, and would read it again before writing). A record
    whose writes straddle the last full call is not held (it would split)."""
    if per_call <= 0 or not steps:
        return set()
    order: dict[Hashable, int] = {}
    for step in steps:
        order.setdefault(write_target(step), len(order))
    tail = len(order) % per_call
    if tail == 0 or len(order) < per_call:
        return set()
    first_held = len(order) - tail
    sources: dict[Ref, bool] = {}  # source -> all its writes are in the tail
    for step in steps:
        inside = order[write_target(step)] >= first_held
        sources[step.source] = sources.get(step.source, True) and inside
    return {source for source, inside in sources.items() if inside}
