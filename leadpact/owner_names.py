"""Names for the owner ids of deals, so reports for sales leaders say "Ann Ames", not
"005000000000001AAA". Learnt during a sync, once per id: each CRM is asked only about
owner ids state has not looked up before (Salesforce: one User query per 200 ids;
HubSpot: the owners list, 500 per page). A CRM that does not answer costs nothing but the
names: reports show the id, as before, and the next sync asks again."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from leadpact.connectors.base import OwnerNames
from leadpact.state import State

log = logging.getLogger(__name__)


def learn_owner_names(connectors: Iterable[object], state: State) -> dict[str, int]:
    """Look up the names of new deal owners; {system: names learnt}."""
    learnt: dict[str, int] = {}
    for connector in connectors:
        system = str(getattr(connector, "system", ""))
        if not isinstance(connector, OwnerNames):
            continue
        wanted = sorted(state.deal_owner_ids(system) - state.known_owner_ids(system))
        if not wanted:
            continue
        try:
            names = connector.owner_names(wanted)
        except Exception as exc:  # noqa: BLE001 - names are a nicety; the sync stands
            log.warning("could not read %s owner names (reports show their ids): %s",
                        system, exc)
            continue
        # Ids the CRM does not know are kept unnamed, so they are not asked about again.
        state.save_owner_names(system, {owner: names.get(owner) for owner in wanted})
        learnt[system] = len(names)
        log.info("%s: learnt %d owner name(s)", system, len(names))
    return learnt

