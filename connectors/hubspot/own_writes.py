"""leadpact's own HubSpot writes, left out of the next read instead of read back. Pure.

Every batch update moves the records' modification stamps, so the next incremental search
would list them all again, only to find leadpact's own writes (connectors/echo.py); HubSpot
search cannot filter by who made a change. But right after a page's writes, the history
check (property_history.py) reads every written record anyway: it also reads their current
properties (no extra call). A record whose `updatedAt` is still the one the write answered,
and whose properties are those read before the write with leadpact's values laid over,
holds nothing but leadpact's write. Its id goes into the stream's cursor with the stamps it
lies among, and the next read leaves it out of that range (`hs_object_id NOT_IN`).

Why no one else's edit is missed:
- an edit before the check shows in the properties or `updatedAt`: the record is not left
  out, it is read back and judged as before;
- an edit after the check stamps the record after the check, so after its range, which ends
  at the newest stamp the check saw: the record turns up in a later range (left out there
  only if a later write of it was checked in turn) or after all of them, and is read;
- records leadpact did not write are never left out, whatever their stamp.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadpact.connectors.cursor import OwnRange
from leadpact.connectors.hubspot.search import MAX_IN_VALUES, Stream, Window, window_body

# Ids left out per search: a filter group holds 10 filters, of which up to 3 bound the
# range (a pinned millisecond paged by id), so 7 NOT_IN filters of 100.
MAX_LEFT_OUT = 7 * MAX_IN_VALUES

# Ids kept per stream until the next read: past this a write is read back as before, so
# the cursor and the run's memory stay bounded whatever the org's size (about 1 MB of
# cursor; leaving 50,000 ids out takes ~25 searches, reading them back ~250).
MAX_KEPT = 50_000


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a read: stamps in [since, until] (epoch ms, inclusive; since None: from
    the beginning), leaving out the ids in `left_out`."""

    since: int | None
    until: int
    left_out: tuple[str, ...] = ()


def ranges(checked: Sequence[tuple[str, int]]) -> list[OwnRange]:
    """(id, stamp in ms) of the records one check found holding only leadpact's write, as
    ranges of at most MAX_LEFT_OUT ids, oldest first, each with its newest stamp."""
    ordered = sorted(checked, key=lambda item: (item[1], item[0]))
    return [(chunk[-1][1], tuple(id_ for id_, _ in chunk))
            for chunk in (ordered[i:i + MAX_LEFT_OUT]
                          for i in range(0, len(ordered), MAX_LEFT_OUT))]


def segments(since: int | None, until: int, own: Sequence[OwnRange]) -> list[Segment]:
    """[since, until] cut after each own range's newest stamp: each piece up to a range's
    end leaves out that range's ids (theirs are the only stamps of it that can be skipped);
    the rest is read whole."""
    out: list[Segment] = []
    lower = since
    for newest, ids in sorted(own):
        if since is not None and newest < since:
            continue  # all before this read
        top = min(newest, until)
        if lower is None or lower <= top:
            out.append(Segment(lower, top, ids))
            lower = top + 1  # stamps are whole milliseconds
        if top == until:
            return out
    return out + [Segment(lower, until)]


# HubSpot's caps on one search (api-notes: since 2024-08-26).
MAX_GROUPS = 5
MAX_FILTERS = 25


def _filters(piece: Segment) -> int:
    return (piece.since is not None) + 1 + -(-len(piece.left_out) // MAX_IN_VALUES)


def pack(pieces: Sequence[Segment]) -> list[Segment]:
    """The leading pieces one search can ask for together (one filter group each, within
    HubSpot's caps on groups and filters); at least the first."""
    out: list[Segment] = []
    used = 0
    for piece in pieces:
        if out and (len(out) == MAX_GROUPS or used + _filters(piece) > MAX_FILTERS):
            break
        out.append(piece)
        used += _filters(piece)
    return out


def searches(pieces: Sequence[Segment]) -> int:
    """How many searches the pieces take when nothing but own writes is in them."""
    count, rest = 0, list(pieces)
    while rest:
        del rest[:len(pack(rest)) if rest[0].left_out else 1]
        count += 1
    return count


def union_body(stream: Stream, pieces: Sequence[Segment], limit: int) -> dict[str, Any]:
    """One search for several pieces: a filter group each (ORed), in last-modified order."""
    groups = [window_body(stream, Window(p.since, p.until), limit, p.left_out)["filterGroups"][0]
              for p in pieces]
    return {**window_body(stream, Window(None, 0), limit), "filterGroups": groups}


def after_full_page(pieces: Sequence[Segment], last: int) -> list[Segment]:
    """What is left of packed pieces once a full page ended at stamp `last`: everything
    before it came back; its own millisecond may hold more."""
    return [Segment(last if p.since is None else max(p.since, last), p.until, p.left_out)
            for p in pieces if p.until >= last]


def holds_only_ours(written_at: datetime | None, updated_at: datetime | None, read_print: str,
                    print_now: str, expected: Mapping[str, str | None],
                    own_now: Mapping[str, str | None]) -> bool:
    """Whether a record checked after leadpact's write holds nothing else: not changed
    since the write (its `updatedAt` is the one the write answered), its other properties
    as read before the write, and leadpact's as read with the write laid over."""
    return (written_at is not None and written_at == updated_at and read_print == print_now
            and dict(expected) == dict(own_now))
