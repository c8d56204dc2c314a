"""Does a new lead definition have to reach every record? Pure.

A sync remembers the rules it last finished with (their `version` and a hash of what they
mean). When the meaning changes, every person and open deal state knows is judged again in
the next sync, touched or not; a version bump alone changes no verdict and rewrites
nothing; a new meaning under an old version is refused, so one version never has two
meanings in the CRMs.
"""

from __future__ import annotations

import json

from leadpact.errors import RuleError
from leadpact.rules.engine import Rules

STATE_KEY = "rules"  # where state keeps the last finished run's rules


def remembered(rules: Rules) -> str:
    return json.dumps({"version": rules.version, "meaning": rules.meaning}, sort_keys=True)


def must_rejudge(last: str | None, rules: Rules, knows_records: bool) -> bool:
    """True when every known record must be judged again under `rules`. `last`: what
    state remembered (None: nothing yet, e.g. a state from before it was kept)."""
    if last is None:
        return knows_records
    before = json.loads(last)
    if before.get("meaning") == rules.meaning:
        return False
    if before.get("version") == rules.version:
        raise RuleError(
            f"{rules.source}: the rules changed since the last sync but `version` is still "
            f"{rules.version!r}; give them a new version (e.g. {rules.version}.1) so records "
            "judged under the old and the new meaning can be told apart",
            path=rules.source)
    return True
