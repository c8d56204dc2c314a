"""Incremental-read cursors: a timestamp, the ids at that boundary, and a lookback.

Each stream (an object type) keeps `since`: how far it has been read. While a read goes on,
that is the newest modification handled, with the (id, modified) pairs stamped exactly then
(so a page boundary inside one millisecond does not handle them twice). Once the read has
reached the end of the stream, `since` moves on to the read time the CRM reported (its
`Date` header when the read began): nothing older is left unread. The next read asks for
everything modified at or after `since - lookback`, so a late-committed record with an older
stamp is still caught; records read again inside the lookback cost little (leadpact's own
writes are recognised as such, connectors/echo.py), and after a pause longer than the
lookback a read with nothing changed returns nothing at all.

A stream may also carry `own`: leadpact's own writes of this run that were checked to hold
nothing else (connectors/hubspot/own_writes.py), as ranges of (newest stamp in epoch ms, ids).
The next read leaves those ids out of the matching time range instead of reading them back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds")


# (newest modification of the range in epoch ms, ids written last inside it)
OwnRange = tuple[int, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class StreamCursor:
    since: datetime | None = None
    seen: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    own: tuple[OwnRange, ...] = ()

    def query_from(self, lookback: timedelta) -> datetime | None:
        """Closed lower bound for the next query (None: read everything)."""
        return None if self.since is None else self.since - lookback

    def is_new(self, record_id: str, modified: datetime) -> bool:
        return (record_id, _iso(modified)) not in self.seen

    def advance(self, handled: Iterable[tuple[str, datetime]]) -> StreamCursor:
        """The cursor after `handled` (id, modified) pairs were processed."""
        pairs = {(rid, _iso(ts)) for rid, ts in handled}
        stamps = [datetime.fromisoformat(ts) for _, ts in pairs]
        if self.since is not None:
            stamps.append(self.since)
        if not stamps:
            return self
        since = max(stamps)
        # ISO strings in one timezone (UTC) compare like the instants they name.
        boundary = _iso(since)
        return StreamCursor(since, frozenset(p for p in self.seen | pairs if p[1] == boundary),
                            self.own)

    def read_through(self, read_at: datetime | None) -> StreamCursor:
        """The cursor once the whole stream was read, as of `read_at` (CRM time, taken
        before the read began); unchanged when that time is unknown or not later."""
        if read_at is None or (self.since is not None and read_at <= self.since):
            return self
        return StreamCursor(read_at, own=self.own)

    def with_own(self, own: tuple[OwnRange, ...]) -> StreamCursor:
        return replace(self, own=own)


def dump(streams: Mapping[str, StreamCursor]) -> str:
    """Serialise a connector's cursors (one per stream) to the opaque page cursor."""
    return json.dumps(
        {
            name: {"since": _iso(c.since) if c.since else None, "seen": sorted(c.seen),
                   **({"own": [[hi, list(ids)] for hi, ids in c.own]} if c.own else {})}
            for name, c in sorted(streams.items())
        },
        separators=(",", ":"),
    )


def load(text: str | None) -> dict[str, StreamCursor]:
    if not text:
        return {}
    raw = json.loads(text)
    return {
        name: StreamCursor(
            datetime.fromisoformat(v["since"]) if v.get("since") else None,
            frozenset((rid, ts) for rid, ts in v.get("seen", [])),
            tuple((int(hi), tuple(str(i) for i in ids)) for hi, ids in v.get("own", [])),
        )
        for name, v in raw.items()
    }


def server_time(date_header: str | None) -> datetime | None:
    """A response's `Date` header (RFC 7231, whole seconds) as an aware UTC datetime."""
    if not date_header:
        return None
    try:
        parsed = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
