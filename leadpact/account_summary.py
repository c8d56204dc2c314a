"""The lead definition's end-of-run counts, read from state at the edge (the verdicts
themselves: leadpact/account_verdicts.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from leadpact.account_verdicts import lead_definition_counts
from leadpact.known import KnownPerson
from leadpact.rules.lead_model import LeadDefinition
from leadpact.state import State


def all_persons(state: State, systems: Iterable[str]) -> list[KnownPerson]:
    """Every person state knows in these CRMs (deals left out)."""
    found = []
    for system in systems:
        for ref in state.known_records(system):
            if ref.kind != "deal" and (known := state.person(ref)) is not None:
                found.append(known)
    return found


def lead_definition_summary(state: State, definition: LeadDefinition, now: datetime,
                            systems: Iterable[str]) -> dict[str, dict[str, object]]:
    """Per CRM: people per lead stage, and accounts whose buying group is sales-ready."""
    systems = list(systems)
    return lead_definition_counts(all_persons(state, systems), definition, now, systems)
