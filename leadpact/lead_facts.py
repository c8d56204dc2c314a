"""What the lead definition reads about a person, merged over their records in both CRMs
so that twins get one verdict whichever record is judged first. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from leadpact.known import KnownPerson
from leadpact.model import Person
from leadpact.state_rows import SavedVerdict
from leadpact.verdicts import PersonFacts, PersonVerdict

OWN_FIELDS = "own_fields"  # where a saved verdict's JSON keeps its record's own firmographics


def person_facts(p: Person, members: Sequence[KnownPerson]) -> PersonFacts:
    """What the definition reads about `p`, merged with its twins as state holds them."""
    return merged_facts(p.name, p.email,
                        [(str(p.ref), p.fields)] + _saved_fields(members),
                        [(str(p.ref), p.leadpact.get("sales_feedback"))] + _feedback(members))


def saved_facts(person: KnownPerson, members: Sequence[KnownPerson]) -> PersonFacts:
    """The same from state alone (`members`: every record of the identity, `person`'s
    too), as the time-moves check judges a person nobody read (lead_by_time.py)."""
    return merged_facts(person.name, person.email, _saved_fields(members), _feedback(members))


def merged_facts(name: str, email: str | None,
                 sources: Sequence[tuple[str, Mapping[str, str | None]]],
                 feedback: Sequence[tuple[str, str | None]]) -> PersonFacts:
    """Each firmographic field from the record with the lowest reference that has a value
    (the same pick from every record); sales feedback likewise. Sources: (record, values)."""
    merged: dict[str, str | None] = {}
    for _, fields in sorted(sources, key=_record_first):
        for key, value in fields.items():
            if value not in (None, "") and key not in merged:
                merged[key] = str(value)
    said = sorted((ref, value) for ref, value in feedback if value)
    return PersonFacts(name=name, email=email, firmographics=merged,
                       sales_feedback=said[0][1] if said else None)


def identity_title(candidates: Iterable[tuple[datetime, str | None]],
                   fallback: str | None) -> str | None:
    """The identity's title: the most recently *changed* non-empty one among its records,
    so both CRMs agree (record modification times would not do: our write-backs bump
    them). Equal stamps (twins created together) give the same pick whichever is judged."""
    titled = [c for c in candidates if c[1] and c[1].strip()]
    return max(titled)[1] if titled else fallback


def _saved_fields(members: Sequence[KnownPerson]
                  ) -> list[tuple[str, Mapping[str, str | None]]]:
    return [(str(m.ref), m.verdict.own_fields if m.verdict else {}) for m in members]


def _feedback(members: Sequence[KnownPerson]) -> list[tuple[str, str | None]]:
    return [(str(m.ref), m.verdict.sales_feedback if m.verdict else None) for m in members]


def _record_first(source: tuple[str, Mapping[str, str | None]]) -> str:
    return source[0]


def saved_verdict(verdict: PersonVerdict, p: Person) -> SavedVerdict:
    """The verdict as state keeps it: plus this record's own inputs, for its twins."""
    return SavedVerdict(verdict, dict(p.fields), p.leadpact.get("sales_feedback"))


def shared(verdict: SavedVerdict | None) -> PersonVerdict | None:
    """The part of a saved verdict both twins must agree on."""
    return verdict.judged if verdict is not None else None
