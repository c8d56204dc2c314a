"""The sandbox's clocks. The store stamps every record it writes (Salesforce CreatedDate,
LastModifiedDate, SystemModstamp; HubSpot createdAt, updatedAt, hs_lastmodifieddate) with
the clock it was given: the real time by default (`store.utcnow`), or `starting_at(moment)`
for `leadpact sandbox --now`, so an org can be replayed as of a fixed day.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def starting_at(moment: datetime,
                elapsed: Callable[[], float] = time.monotonic) -> Callable[[], datetime]:
    """A clock that reads `moment` when made and then moves on with real elapsed time
    (`elapsed`: seconds from any fixed origin). It moves so that writes a second apart still
    get different stamps, as incremental reads and HubSpot's rolling rate window expect."""
    start = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    origin = elapsed()

    def now() -> datetime:
        return start + timedelta(seconds=elapsed() - origin)

    return now
