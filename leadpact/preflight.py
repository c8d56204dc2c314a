"""Before a sync writes anything: every configured CRM must accept the credentials, have
every field leadpact writes, and let this user edit them. One failing CRM stops the run
before the first write to either, so a bad HubSpot token no longer leaves a run half done."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from leadpact.connectors.base import CheckProblem, Connector
from leadpact.errors import ConfigError

log = logging.getLogger(__name__)


def problems_before_writing(connectors: Sequence[Connector]
                            ) -> list[tuple[str, CheckProblem]]:
    """(CRM, problem) for every CRM; all are asked, so one run reports everything."""
    return [(c.system, problem) for c in connectors for problem in c.check()]


def preflight(connectors: Sequence[Connector]) -> None:
    """Raise (exit 2) naming each CRM, what is wrong and the fix; return quietly when the run
    may write. A CRM that only did not answer, or is out of quota, is no setup problem: the
    run then meets it itself, stops with 75 and is recorded (so `runs` and alerts see it)."""
    found = problems_before_writing(connectors)
    for system, problem in found:
        if problem.advisory:
            log.warning("%s: %s — %s", system, problem.what, problem.fix)
    if all(p.transient or p.advisory for _, p in found):
        return
    found = [(system, p) for system, p in found if not p.advisory]
    text = "; ".join(f"{system}: {p.what} — {p.fix}" for system, p in found)
    raise ConfigError(f"preflight failed, nothing was written to any CRM: {text}")

