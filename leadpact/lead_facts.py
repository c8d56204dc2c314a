"""What the lead definition reads about a person, merged over their records in both CRMs
so that twins get one verdict whichever record is judged first. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from leadpact.known import KnownPerson
from leadpact.model import Person
from leadpact.state_rows import SavedVerdict
from leadpact.verdicts import PersonFacts, PersonVerdict

OWN_FIELDS = "own_fields"  # where a saved verdict's JSON keeps its record's own firmographics


def person_facts(p: Person, members: Sequence[KnownPerson]) -> PersonFacts:
    """Each firmographic field from the record with the lowest reference that has a value
    (the same pick from every record); sales feedback likewise."""
    sources: list[tuple[str, Mapping[str, str | None]]] = [(str(p.ref), p.fields)]
    sources += [(str(m.ref), m.verdict.own_fields if m.verdict else {}) for m in members]
    merged: dict[str, str | None] = {}
    for _, fields in sorted(sources, key=_record_first):
        for key, value in fields.items():
            if value not in (None, "") and key not in merged:
                merged[key] = str(value)
    feedback = [(str(p.ref), p.leadpact.get("sales_feedback"))]
    feedback += [(str(m.ref), m.verdict.sales_feedback if m.verdict else None) for m in members]
    said = sorted((ref, value) for ref, value in feedback if value)
    return PersonFacts(name=p.name, email=p.email, firmographics=merged,
                       sales_feedback=said[0][1] if said else None)


def _record_first(source: tuple[str, Mapping[str, str | None]]) -> str:
    return source[0]


def saved_verdict(verdict: PersonVerdict, p: Person) -> SavedVerdict:
    """The verdict as state keeps it: plus this record's own inputs, for its twins."""
    return SavedVerdict(verdict, dict(p.fields), p.leadpact.get("sales_feedback"))


def shared(verdict: SavedVerdict | None) -> PersonVerdict | None:
    """The part of a saved verdict both twins must agree on."""
    return verdict.judged if verdict is not None else None
