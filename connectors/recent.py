"""Which of a person's activities a connector hands on: both CRMs use the same window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from leadpact.model import MARKETING_KINDS, Activity


def recent(activities: Iterable[Activity], now: datetime, days: int, cap: int
           ) -> tuple[Activity, ...]:
    """What happened in the last `days` (nothing after now), the `cap` newest, newest last."""
    start = now - timedelta(days=days)
    kept = sorted((a for a in activities if start <= a.at <= now),
                  key=lambda a: (a.at, a.kind, a.subject, a.inbound))
    return tuple(kept[-cap:]) if cap > 0 else ()


def recent_touches(activities: Iterable[Activity], now: datetime, days: int, cap: int
                   ) -> tuple[Activity, ...]:
    """recent() for two-way and for marketing touches apart, merged newest last: a heavy
    content consumer's page views and opens never push a reply or a meeting out."""
    items = list(activities)
    kept = (recent([a for a in items if a.kind not in MARKETING_KINDS], now, days, cap)
            + recent([a for a in items if a.kind in MARKETING_KINDS], now, days, cap))
    return tuple(sorted(kept, key=lambda a: (a.at, a.kind, a.subject, a.inbound)))


def upcoming(activities: Iterable[Activity], now: datetime, cap: int = 5
             ) -> tuple[Activity, ...]:
    """Meetings booked ahead of `now` (not cancelled), the `cap` soonest, soonest first:
    a buyer who booked the next meeting has not dropped the deal."""
    ahead = sorted((a for a in activities if a.at > now and a.kind == "meeting"
                    and a.outcome not in ("cancelled", "no_show")),
                   key=lambda a: (a.at, a.subject))
    return tuple(ahead[:cap])
