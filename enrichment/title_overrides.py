"""Org title overrides compiled once into an index, so thousands of them stay fast.

An override pattern is plain text (matched as a substring, ignoring case and accents) or
a case-insensitive regular expression (searched in the title as written and folded).
Checking every pattern on every title costs as many regex searches as there are
overrides, and patterns passed to `re` as strings go through its cache of 512 compiled
patterns, which thrashes past that many. Here each pattern is compiled once and indexed
by a piece of text every title it matches must contain (a "key": the pattern itself when
plain, else a literal run the regex requires, found with the regex parser), filed under
one four-letter piece of it. A title looks up the pieces of its words (once per distinct
word) and verifies only the few overrides they point to.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from leadpact.enrichment.title_normalise import fold

# The regex parser of `re` itself (private, but the same since Python 3.11): what a regex
# requires is read from its parse tree rather than guessed from its text.
_parser: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

_REGEX_CHARS = frozenset("\\.^$*+?{}[]|()")
_GRAM = 4  # keys are indexed by one gram of this many characters (or a shorter word)
_WORD_MEMO_LIMIT = 100_000
# Zero-width items: the characters on either side of them are adjacent in the title.
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class Pattern:
    """One override pattern, compiled once. Raises re.error for an invalid regex."""

    __slots__ = ("text", "plain", "regex", "key_options")

    def __init__(self, text: str) -> None:
        self.text = text
        # Plain text: the substring test on folded text ("geschäftsführer" also matches
        # "Geschaftsfuhrer"). Anything with a regex character stays a regular expression.
        self.plain: str | None = None if _REGEX_CHARS.intersection(text) else fold(text)
        self.regex = re.compile(text, re.IGNORECASE)
        # Each option: texts one of which is in the folded form of every title this
        # pattern matches (the index picks the option that narrows the candidates most).
        self.key_options: tuple[tuple[str, ...], ...] = (
            ((self.plain,),) if self.plain else _required_keys(text))

    def matches(self, title: str, folded: str) -> bool:
        """Whether the pattern matches a title, given its folded form (fold(title))."""
        if self.plain is not None:
            return self.plain in folded
        return self.regex.search(title) is not None or self.regex.search(folded) is not None


class OverrideIndex:
    """The position of the first pattern (in the given order) that matches a title."""

    __slots__ = ("patterns", "_keys", "_by_gram", "_gram_sizes", "_always", "_by_word")

    def __init__(self, patterns: Sequence[Pattern], title_words: Iterable[str] = ()) -> None:
        """`title_words`: words titles are commonly made of (the lexicon's vocabulary);
        pieces of them ("head", "ager") make poor index entries, being in most titles."""
        self.patterns = tuple(patterns)
        # Rarity among all patterns stands in for rarity in titles, which is unknown here:
        # "norvex" narrows "\bnorvex\b.*\bfinance\b" down better than "finance" does.
        key_counts = Counter(k for p in self.patterns for option in p.key_options
                             for k in option)
        self._keys: list[tuple[str, ...]] = [
            min(p.key_options, default=(), key=lambda option: (
                any(len(max(k.split() or [""], key=len)) < _GRAM for k in option),
                sum(key_counts[k] for k in option), -min(map(len, option))))
            for p in self.patterns]
        # Each key is filed under its rarest gram, so common letter runs ("head", "ager")
        # do not make every title a candidate for many overrides: rare among the keys and
        # among the words of titles.
        gram_counts = Counter(g for keys in self._keys for k in keys for g in set(_grams(k)))
        for word in set(title_words):
            gram_counts.update({word[i : i + n] for n in range(1, _GRAM + 1)
                                for i in range(len(word) - n + 1)} & gram_counts.keys())
        buckets: dict[str, list[int]] = {}
        always = []
        for position, keys in enumerate(self._keys):
            if not keys or not all(_grams(k) for k in keys):  # nothing to file it under
                always.append(position)
                continue
            for key in keys:
                gram = min(_grams(key), key=lambda g: (gram_counts[g], -len(g), g))
                bucket = buckets.setdefault(gram, [])
                if not bucket or bucket[-1] != position:
                    bucket.append(position)
        self._by_gram = {gram: tuple(positions) for gram, positions in buckets.items()}
        self._gram_sizes = tuple(sorted({len(gram) for gram in self._by_gram}))
        self._always = tuple(always)
        # Grams hold no whitespace, so each lies within one word of a title: the
        # candidates are worked out once per word (titles share most of their words).
        self._by_word: dict[str, tuple[int, ...]] = {}

    def first_match(self, title: str, folded: str) -> int | None:
        """Position of the first pattern matching `title` (folded: fold(title)), or None."""
        candidates = set(self._always)
        by_word = self._by_word
        for word in folded.split():
            found = by_word.get(word)
            if found is None:
                found = self._candidates_in(word)
            if found:
                candidates.update(found)
        for position in sorted(candidates):
            keys = self._keys[position]  # a gram matched; the whole key may not be there
            if len(keys) == 1:
                if keys[0] not in folded:
                    continue
            elif keys and not any(k in folded for k in keys):
                continue
            if self.patterns[position].matches(title, folded):
                return position
        return None

    def _candidates_in(self, word: str) -> tuple[int, ...]:
        found: set[int] = set()
        for size in self._gram_sizes:
            for start in range(len(word) - size + 1):
                found.update(self._by_gram.get(word[start : start + size], ()))
        if len(self._by_word) >= _WORD_MEMO_LIMIT:  # bounded: start again, never grow
            self._by_word.clear()
        result = self._by_word[word] = tuple(found)
        return result


def _grams(key: str) -> list[str]:
    """Pieces of a key that every text containing it contains: its runs of non-space
    characters, or their GRAM-character pieces when longer."""
    grams = []
    for run in key.split():
        if len(run) <= _GRAM:
            grams.append(run)
        else:
            grams.extend(run[i : i + _GRAM] for i in range(len(run) - _GRAM + 1))
    return grams


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
