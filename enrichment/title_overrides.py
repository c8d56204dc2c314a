"""Org title overrides compiled once into an index, so thousands of them stay fast.

An override pattern is plain text (matched as a substring, ignoring case and accents) or
a case-insensitive regular expression (searched in the title as written and folded).
Checking every pattern on every title costs as many regex searches as there are
overrides, and patterns passed to `re` as strings go through its cache of 512 compiled
patterns, which thrashes past that many. Here each pattern is compiled once and indexed
by a piece of text every title it matches must contain (a "key": the pattern itself when
plain, else a literal run the regex requires, found with the regex parser). All keys go
into one Aho-Corasick automaton (pyahocorasick): one pass over a folded title finds every
key in it, so a title costs about the same with 5 overrides or 5,000, and only regexes
whose key is there are searched (a plain pattern whose key is there has matched).
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

# Aho-Corasick: finds all override keys in a title in one pass (C extension, no stubs).
import ahocorasick

from leadpact.enrichment.title_normalise import fold

# The regex parser of `re` itself (private, but the same since Python 3.11): what a regex
# requires is read from its parse tree rather than guessed from its text.
_parser: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

_REGEX_CHARS = frozenset("\\.^$*+?{}[]|()")
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]")
_SHORT_KEY = 4  # keys shorter than this ("it", "vp") are in many titles: a last resort
# Zero-width items: the characters on either side of them are adjacent in the title.
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class Pattern:
    """One override pattern, compiled once. Raises re.error for an invalid regex."""

    __slots__ = ("text", "plain", "regex", "key_options", "case_blind")

    def __init__(self, text: str) -> None:
        self.text = text
        # Plain text: the substring test on folded text ("geschäftsführer" also matches
        # "Geschaftsfuhrer"). Anything with a regex character stays a regular expression.
        self.plain: str | None = None if _REGEX_CHARS.intersection(text) else fold(text)
        self.regex = re.compile(text, re.IGNORECASE)
        # No inline flags ("(?-i:CFO)" is case-sensitive again): the regex ignores case
        # everywhere.
        self.case_blind = _INLINE_FLAGS.search(text) is None
        # Each option: texts one of which is in the folded form of every title this
        # pattern matches (the index picks the option that narrows the candidates most).
        self.key_options: tuple[tuple[str, ...], ...] = (
            ((self.plain,),) if self.plain else _required_keys(text))

    def matches(self, title: str, folded: str) -> bool:
        """Whether the pattern matches a title, given its folded form (fold(title))."""
        if self.plain is not None:
            return self.plain in folded
        if self.regex.search(folded) is not None:
            return True
        # An ASCII title folds to its lower case, which a regex that ignores case
        # throughout cannot tell from the title: searching it as written finds no more.
        if self.case_blind and title.isascii():
            return False
        return self.regex.search(title) is not None


class OverrideIndex:
    """The position of the first pattern (in the given order) that matches a title."""

    __slots__ = ("patterns", "_keys", "_automaton", "_always", "_searched")

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = tuple(patterns)
        # Rarity among all patterns stands in for rarity in titles, which is unknown here:
        # "norvex" narrows "\bnorvex\b.*\bfinance\b" down better than "finance" does.
        key_counts = Counter(k for p in self.patterns for option in p.key_options
                             for k in option)
        self._keys: list[tuple[str, ...]] = [
            min(p.key_options, default=(), key=lambda option: (
                min(map(len, option)) < _SHORT_KEY, sum(key_counts[k] for k in option),
                -min(map(len, option))))
            for p in self.patterns]
        by_key: dict[str, list[int]] = {}
        always = []
        for position, keys in enumerate(self._keys):
            if not keys or not all(keys):  # nothing to look for: tried on every title
                always.append(position)
                continue
            for key in keys:
                positions = by_key.setdefault(key, [])
                if not positions or positions[-1] != position:
                    positions.append(position)
        self._automaton: Any = None
        if by_key:
            self._automaton = ahocorasick.Automaton()
            for key, positions in by_key.items():
                self._automaton.add_word(key, tuple(positions))
            self._automaton.make_automaton()
        self._always = tuple(always)
        # A plain pattern whose key is in the folded title has matched: its key is its
        # folded text. Only regexes are searched.
        self._searched = tuple(p.plain is None for p in self.patterns)

    def first_match(self, title: str, folded: str) -> int | None:
        """Position of the first pattern matching `title` (folded: fold(title)), or None."""
        candidates = set(self._always)
        if self._automaton is not None:
            for _, positions in self._automaton.iter(folded):
                candidates.update(positions)
        if not candidates:
            return None
        searched = self._searched
        for position in sorted(candidates):
            if not searched[position] or self.patterns[position].matches(title, folded):
                return position
        return None


def _required_keys(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Options of literal texts (lower-case ASCII): every match of the regex contains
    one text of each option. () when none can be told: the pattern is then tried on
    every title.

    Sound for IGNORECASE: an ASCII letter only matches characters that fold to it
    (including "ſ", "ı", "İ" and the Kelvin sign), and titles are indexed folded."""
    try:
        parsed = _parser.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return ()
    return tuple(_options(list(parsed)))


def _options(items: list[tuple[Any, Any]]) -> list[tuple[str, ...]]:
    """Each literal run of a sequence is one option; so is each group or required
    repeat with an option of its own, and each alternation whose every branch has one
    (its option: the union of one option per branch)."""
    found: list[tuple[str, ...]] = []
    run = ""
    for op, arg in items:
        if op is sre.LITERAL and arg < 128:
            run += chr(arg).lower()
            continue
        if op in _ZERO_WIDTH:
            continue
        if op is sre.BRANCH:  # (None, [items of each branch])
            branches = [list(branch) for branch in arg[1]]
            per_branch = [_options(branch) for branch in branches]
            if all(per_branch):
                picked = [max(options, key=_strength) for options in per_branch]
                found.append(tuple(sorted({k for option in picked for k in option})))
            # re factors a common prefix out ("bri(?:tekmar|xix)" for "britekmar|brixix"):
            # the run goes on into each branch's own leading text.
            leads = [_leading_run(branch) for branch in branches]
            if run and all(leads):
                found.append(tuple(sorted({run + lead for lead in leads})))
        elif op is sre.SUBPATTERN:  # (group, add_flags, del_flags, items)
            found += _options(list(arg[3]))
        elif op is sre.ATOMIC_GROUP:
            found += _options(list(arg))
        elif op in _REPEATS and arg[0] >= 1:  # (min, max, items)
            found += _options(list(arg[2]))
        if run:
            found.append((run,))
            run = ""
    if run:
        found.append((run,))
    return found


def _leading_run(items: list[tuple[Any, Any]]) -> str:
    run = ""
    for op, arg in items:
        if op is sre.LITERAL and arg < 128:
            run += chr(arg).lower()
        elif op not in _ZERO_WIDTH:
            break
    return run


def _strength(option: tuple[str, ...]) -> tuple[int, int]:
    """Within one branch, the option that narrows most: long texts, few alternatives."""
    return min(len(k) for k in option), -len(option)
