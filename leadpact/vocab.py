"""Reading a closed vocabulary (a StrEnum) from text that came from outside: a CRM, the
state file, a rules file. Unknown text is an error naming the accepted words, never a
silent string that slips past every comparison."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def parse_label(vocabulary: type[E], text: str, what: str) -> E:
    """`vocabulary(text)`, or a ValueError that says which words `what` may be."""
    try:
        return vocabulary(text)
    except ValueError:
        words = ", ".join(member.value for member in vocabulary)
        raise ValueError(f"{text!r} is not a {what}; use one of {words}") from None
