"""Before a sync writes anything: every configured CRM must accept the credentials, have
every field leadpact writes, and let this user edit them. One failing CRM stops the run
before the first write to either, so a bad HubSpot token no longer leaves a run half done."""

from __future__ import annotations

from collections.abc import Sequence

from leadpact.connectors.base import CheckProblem, Connector
from leadpact.errors import ConfigError, QuotaExhausted, UnreachableError

_QUOTA_WORDS = ("API limit", "API usage")  # the check's wording for an exhausted allowance


def problems_before_writing(connectors: Sequence[Connector]
                            ) -> list[tuple[str, CheckProblem]]:
    """(CRM, problem) for every CRM; all are asked, so one run reports everything."""
    return [(c.system, problem) for c in connectors for problem in c.check()]


def preflight(connectors: Sequence[Connector]) -> None:
    """Raise (exit 2, or 75 when only an API allowance is used up) naming each CRM, what is
    wrong and the fix; return quietly when the run may write."""
    found = problems_before_writing(connectors)
    if not found:
        return
    text = "; ".join(f"{system}: {p.what} — {p.fix}" for system, p in found)
    message = f"preflight failed, nothing was written to any CRM: {text}"
    if all(any(word in p.what for word in _QUOTA_WORDS) for _, p in found):
        raise QuotaExhausted(message)
    if all(p.transient for _, p in found):  # nothing to fix: the CRM did not answer
        raise UnreachableError(message)
    raise ConfigError(message)
