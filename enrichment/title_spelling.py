"""Typos and cut-off words in job titles, against the lexicon's vocabulary.

"Marketing Manger" has a word one typo away from "manager"; "Head of Marketi" was cut off
by a CRM field limit. Lexicon._resolve asks this module only about words no lexicon knows
and memoises the answer per word.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

_MIN_FUZZY_LENGTH = 5
_MIN_COMPLETION_LENGTH = 4


class Speller:
    """Finds the known word meant by a misspelt or truncated one."""

    __slots__ = ("vocabulary", "_known", "_by_deletion")

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = sorted(set(vocabulary))
        self._known = frozenset(self.vocabulary)
        # Symmetric-deletion index: a word and a typo of it share a one-letter deletion.
        self._by_deletion: dict[str, list[str]] = {}
        for word in self.vocabulary:
            if len(word) >= _MIN_FUZZY_LENGTH - 1:
                for deleted in _deletions(word):
                    self._by_deletion.setdefault(deleted, []).append(word)

    def correct(self, word: str) -> str | None:
        """The known word one typo away (missing, extra, swapped or wrong letter)."""
        if len(word) < _MIN_FUZZY_LENGTH or not word.isalpha():
            return None
        candidates = set(self._by_deletion.get(word, ()))
        # Set operations rather than a loop over the deletions: most words asked about
        # (company names) share none with the vocabulary.
        deletions = _deletions(word)
        candidates.update(self._known.intersection(deletions))
        for deleted in self._by_deletion.keys() & deletions:
            candidates.update(self._by_deletion[deleted])
        matches = sorted(c for c in candidates if c[0] == word[0] and _one_edit_apart(word, c))
        return min(matches, key=len) if matches else None

    def complete(self, prefix: str) -> str | None:
        """The shortest known word a truncated last word starts ("marketi" → marketing)."""
        if len(prefix) < _MIN_COMPLETION_LENGTH or not prefix.isalpha():
            return None
        start = bisect.bisect_left(self.vocabulary, prefix)
        found = []
        for word in self.vocabulary[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return min(found, key=lambda w: (len(w), w)) if found else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """Damerau distance exactly one (one letter missing, extra, wrong or swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]
