"""Incremental-read cursors: a closed lower bound, a small lookback, and a boundary dedupe.

Each stream (an object type) keeps the newest modification time it has handled and the
(id, modified) pairs seen inside the lookback window. The next read asks for everything
modified at or after `since - lookback` (a late-committed record with an older stamp is
still caught) and drops pairs already seen (so the window is not handled twice). A record
modified again has a new pair and is handled again, as it should be.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class StreamCursor:
    since: datetime | None = None
    seen: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def query_from(self, lookback: timedelta) -> datetime | None:
        """Closed lower bound for the next query (None: read everything)."""
        return None if self.since is None else self.since - lookback

    def is_new(self, record_id: str, modified: datetime) -> bool:
        return (record_id, _iso(modified)) not in self.seen

    def advance(self, handled: Iterable[tuple[str, datetime]], lookback: timedelta) -> StreamCursor:
        """The cursor after `handled` (id, modified) pairs were processed."""
        pairs = {(rid, _iso(ts)) for rid, ts in handled}
        stamps = [datetime.fromisoformat(ts) for _, ts in pairs]
        if self.since is not None:
            stamps.append(self.since)
        if not stamps:
            return self
        since = max(stamps)
        floor = _iso(since - lookback)
        # ISO strings in one timezone (UTC) sort like the instants they name.
        seen = frozenset(p for p in self.seen | pairs if p[1] >= floor)
        return StreamCursor(since, seen)


def dump(streams: Mapping[str, StreamCursor]) -> str:
    """Serialise a connector's cursors (one per stream) to the opaque page cursor."""
    return json.dumps(
        {
            name: {"since": _iso(c.since) if c.since else None, "seen": sorted(c.seen)}
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
        )
        for name, v in raw.items()
    }
