"""How the HubSpot connector walks a stream with the CRM search API. Pure: request bodies
and the next-window decision, no I/O.

HubSpot search pages by offset (`after`) and refuses to go past 10,000 results. Offsets also
skip records when the result set shifts under them, and it does during a sync: leadpact's
own writes after each page move those records to the end of a last-modified sort. So a
stream never pages by offset. Every request restarts from the last timestamp seen (keyset
paging on the modified property), inside a fixed upper bound taken when the stream starts
(the newest modification at that moment), so records modified during the read wait for the
next run instead of being chased forever.

When a whole page shares one timestamp, restarting from it cannot move on (a bulk update
can stamp more than 10,000 records with the same millisecond). The window then pins that
timestamp and pages by `hs_object_id GT last id`, sorted by id, until the timestamp is
exhausted, and goes on from the next millisecond. Each step moves strictly forward, so the
walk always ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

SEARCH_LIMIT = 200  # HubSpot's page size cap for search
MAX_IN_VALUES = 100  # values per IN filter the connector sends


@dataclass(frozen=True, slots=True)
class Stream:
    """One searchable object type read incrementally."""

    name: str  # key in the connector's cursor
    object_type: str  # path segment: contacts, deals
    modified_property: str  # contacts: lastmodifieddate; everything else hs_lastmodifieddate
    properties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Window:
    """What the next search request asks for. Timestamps are epoch milliseconds.

    since: inclusive lower bound (None: from the beginning); until: inclusive upper bound.
    tie: when set, only records modified exactly then, after `after_id` by hs_object_id."""

    since: int | None
    until: int
    tie: int | None = None
    after_id: int | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result as the planner needs it."""

    id: int
    modified: int


def _filter(name: str, operator: str, value: object) -> dict[str, Any]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def high_water_body(stream: Stream, since: int | None, page: int | None = None
                    ) -> dict[str, Any]:
    """The newest modification right now: the stream's upper bound for this run. With a
    `page` size, the newest page of changes with the stream's properties: when the
    answer's total fits in it, it is the whole read (a sync with few changes)."""
    filters = [_filter(stream.modified_property, "GTE", since)] if since is not None else []
    return {
        "filterGroups": [{"filters": filters}] if filters else [],
        "sorts": [{"propertyName": stream.modified_property, "direction": "DESCENDING"}],
        "properties": [stream.modified_property] if page is None else list(stream.properties),
        "limit": 1 if page is None else min(page, SEARCH_LIMIT),
    }


def window_body(stream: Stream, window: Window, limit: int,
                left_out: Sequence[str] = ()) -> dict[str, Any]:
    """The search request for one page of `window` (never an `after` offset), without the
    records in `left_out` (leadpact's own writes: own_writes.py)."""
    prop = stream.modified_property
    if window.tie is not None:
        filters = [_filter(prop, "GTE", window.tie), _filter(prop, "LTE", window.tie)]
        if window.after_id is not None:
            filters.append(_filter("hs_object_id", "GT", window.after_id))
        sort = "hs_object_id"
    else:
        filters = [_filter(prop, "LTE", window.until)]
        if window.since is not None:
            filters.insert(0, _filter(prop, "GTE", window.since))
        sort = prop
    filters += [{"propertyName": "hs_object_id", "operator": "NOT_IN",
                 "values": list(left_out[i:i + MAX_IN_VALUES])}
                for i in range(0, len(left_out), MAX_IN_VALUES)]
    return {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": list(stream.properties), "limit": min(limit, SEARCH_LIMIT),
    }


def next_window(window: Window, hits: Sequence[Hit], limit: int) -> Window | None:
    """The window after a page came back with `hits`; None when the stream is done."""
    full = len(hits) >= min(limit, SEARCH_LIMIT)
    if window.tie is not None:
        if full:
            return replace(window, after_id=max(h.id for h in hits))
        after_tie = window.tie + 1  # timestamps are whole milliseconds
        return Window(after_tie, window.until) if after_tie <= window.until else None
    if not full:
        return None
    last = max(h.modified for h in hits)
    if window.since is not None and last <= window.since:
        # A full page at the lower bound itself: pin that millisecond and page by id.
        return Window(window.since, window.until, tie=window.since)
    return Window(last, window.until)


def key_search_bodies(
    property_name: str, keys: Sequence[str], properties: Sequence[str],
) -> list[dict[str, Any]]:
    """Searches for records whose `property_name` is one of `keys` (IN, chunked).
    Values go lower-case: HubSpot matches IN on string properties case-insensitively only
    for lower-case values."""
    unique = list(dict.fromkeys(k.lower() for k in keys))
    return [
        {"filterGroups": [{"filters": [{"propertyName": property_name, "operator": "IN",
                                        "values": unique[i:i + MAX_IN_VALUES]}]}],
         "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
         "properties": list(properties), "limit": SEARCH_LIMIT}
        for i in range(0, len(unique), MAX_IN_VALUES)
    ]
