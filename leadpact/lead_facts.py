"""What the lead definition reads about a person, merged over their records in both CRMs
so that twins get one verdict whichever record is judged first. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leadpact.known import KnownPerson
from leadpact.model import Person
from leadpact.verdicts import PersonFacts

OWN_FIELDS = "own_fields"  # where a saved verdict keeps its record's own firmographics


def person_facts(p: Person, members: Sequence[KnownPerson]) -> PersonFacts:
    """Each firmographic field from the record with the lowest reference that has a value
    (the same pick from every record); sales feedback likewise."""
    sources: list[tuple[str, Mapping[str, Any]]] = [(str(p.ref), p.fields)]
    sources += [(str(m.ref), (m.verdict or {}).get(OWN_FIELDS) or {}) for m in members]
    merged: dict[str, str | None] = {}
    for _, fields in sorted(sources, key=lambda s: s[0]):
        for key, value in fields.items():
            if value not in (None, "") and key not in merged:
                merged[key] = str(value)
    feedback = [(str(p.ref), p.leadpact.get("sales_feedback"))]
    feedback += [(str(m.ref), (m.verdict or {}).get("sales_feedback")) for m in members]
    said = sorted((ref, value) for ref, value in feedback if value)
    return PersonFacts(name=p.name, email=p.email, firmographics=merged,
                       sales_feedback=said[0][1] if said else None)


def saved_verdict(verdict: dict[str, Any], p: Person) -> dict[str, Any]:
    """The verdict as state keeps it: plus this record's own inputs, for its twins."""
    return verdict | {OWN_FIELDS: dict(p.fields),
                      "sales_feedback": p.leadpact.get("sales_feedback")}


def shared(verdict: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a saved verdict both twins must agree on."""
    if verdict is None:
        return None
    return {k: v for k, v in verdict.items() if k not in (OWN_FIELDS, "sales_feedback")}
