"""The job-title lexicons (lexicon/*.yaml), loaded once and indexed for fast matching.

Four families of cues are matched independently over the same words, each with its own
longest-match pass, so "Account Manager" is both a rank ("manager") and a function
("account manager" → sales):

- rank: seniority cues (ranks.yaml) and chief officers (chief_officers.yaml)
- function: the 15 functions in four strengths (functions.yaml)
- role: role-specific cues: top finance job, finance sub-area, advisory, bank (roles.yaml)
- place: regions and business units (noise.yaml)

Words no lexicon knows are corrected when they are one typo away from a known word, and
the last word of a truncated title ("Head of Marketi") is completed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import yaml

from leadpact.enrichment.title_normalise import Normaliser, fold

FUNCTION_STRENGTHS = {"job": 3, "area": 2, "noun": 1, "weak": 0}
_CONTEXT_LISTS = ("owner_role_prefixes", "partner_role_prefixes", "partner_role_suffixes")
_MIN_FUZZY_LENGTH = 5
_MIN_COMPLETION_LENGTH = 4
_TOKEN_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Cue:
    """What a term says: family "rank" (label = cue kind, detail = function for chief
    officers), "function" (label = function, detail = strength), "role" or "place"."""

    family: str
    label: str
    detail: str = ""


class Hit(NamedTuple):
    """One cue found at words[start:end]. A named tuple rather than a frozen dataclass:
    hundreds of thousands are made per second and tuples build several times faster."""

    cue: Cue
    start: int  # word index, inclusive
    end: int  # word index, exclusive
    term: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What the lexicons found in one piece of a title."""

    words: tuple[str, ...]
    hits: tuple[Hit, ...]
    unknown: tuple[int, ...]  # indexes of content words no lexicon knows
    corrected: int  # words fixed as typos or completed after truncation
    rank_kinds: frozenset[str]  # labels of the rank cues found
    role_labels: frozenset[str]  # labels of the role cues found


class _Family:
    """Phrases and compound stems of one cue family, matched longest first."""

    __slots__ = ("name", "phrases", "longest_from", "_stems", "_stem_pattern", "_stem_cache")

    def __init__(self, name: str) -> None:
        self.name = name
        self.phrases: dict[tuple[str, ...], list[Cue]] = {}
        self.longest_from: dict[str, int] = {}
        self._stems: dict[str, tuple[str, list[Cue]]] = {}
        self._stem_pattern: re.Pattern[str] | None = None
        self._stem_cache: dict[str, tuple[tuple[str, tuple[Cue, ...]], ...]] = {}

    def add(self, words: tuple[str, ...], cue: Cue) -> None:
        cues = self.phrases.setdefault(words, [])
        if cue not in cues:
            cues.append(cue)
        first = words[0]
        self.longest_from[first] = max(self.longest_from.get(first, 0), len(words))

    def add_stem(self, stem: str, anchor: str, cue: Cue) -> None:
        _, cues = self._stems.setdefault(stem, (anchor, []))
        if cue not in cues:
            cues.append(cue)

    def compile(self) -> None:
        alternatives = []
        for stem, (anchor, _) in sorted(self._stems.items(), key=lambda kv: -len(kv[0])):
            text = re.escape(stem)
            alternatives.append({"prefix": "^" + text, "suffix": text + "$"}.get(anchor, text))
        self._stem_pattern = re.compile("|".join(alternatives)) if alternatives else None

    def stems_in(self, word: str) -> tuple[tuple[str, tuple[Cue, ...]], ...]:
        """Compound parts of one word ("einkaufsleiterin" → einkauf, leiter)."""
        found = self._stem_cache.get(word)
        if found is None:
            found = ()
            if self._stem_pattern is not None and len(word) > 2:
                found = tuple(
                    (m.group(), tuple(self._stems[m.group()][1]))
                    for m in self._stem_pattern.finditer(word)
                )
            if len(self._stem_cache) > _TOKEN_CACHE_LIMIT:
                self._stem_cache.clear()
            self._stem_cache[word] = found
        return found

    def match(self, words: Sequence[str], hits: list[Hit]) -> None:
        """Append the hits of this family, longest phrase first, left to right."""
        phrases, longest_from = self.phrases, self.longest_from
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            longest = longest_from.get(word, 0)
            for length in range(min(longest, n - i), 0, -1):
                span = (word,) if length == 1 else tuple(words[i : i + length])
                cues = phrases.get(span)
                if cues:
                    term = word if length == 1 else " ".join(span)
                    for cue in cues:
                        hits.append(Hit(cue, i, i + length, term))
                    i += length
                    break
            else:
                for stem, stem_cues in self.stems_in(word):
                    for cue in stem_cues:
                        hits.append(Hit(cue, i, i + 1, stem))
                i += 1


class Lexicon:
    """All cue families plus the context word lists the rules need."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        noise = _section(data, "noise")
        self.normaliser = Normaliser(noise)
        self.families = {name: _Family(name) for name in ("rank", "function", "role", "place")}
        self.context: dict[str, frozenset[str]] = {}
        ranks = _section(data, "ranks")
        for kind, terms in ranks.items():
            if kind in _CONTEXT_LISTS:
                self.context[kind] = frozenset(self._phrase_key(t) for t in _terms(kind, terms))
            else:
                self._add_all("rank", kind, "", terms)
        for function, terms in _section(data, "chief_officers").items():
            self._add_all("rank", "cxo", function, terms)
        for function, strengths in _section(data, "functions").items():
            for strength, terms in dict(strengths).items():
                if strength not in FUNCTION_STRENGTHS:
                    raise ValueError(f"lexicon functions.yaml: {function}.{strength}: "
                                     f"strength must be one of {sorted(FUNCTION_STRENGTHS)}")
                self._add_all("function", function, strength, terms)
        for label, terms in _section(data, "roles").items():
            if label == "advisory_excluded_functions":
                self.context[label] = frozenset(_terms(label, terms))
            else:
                self._add_all("role", label, "", terms)
        for label in ("regions", "units"):
            self._add_all("place", label.rstrip("s"), "", noise.get(label, []))
        self.filler = frozenset(
            w for t in list(noise.get("filler", [])) + list(noise.get("company_suffixes", []))
            for w in self.normaliser.words(fold(t))
        )
        for family in self.families.values():
            family.compile()
        self.vocabulary = sorted(
            {w for f in self.families.values() for key in f.phrases for w in key}
        )
        self._known = frozenset(self.vocabulary)
        self._by_deletion: dict[str, list[str]] = {}
        for word in self.vocabulary:
            if len(word) >= _MIN_FUZZY_LENGTH - 1:
                for deleted in _deletions(word):
                    self._by_deletion.setdefault(deleted, []).append(word)
        self._corrections: dict[str, str | None] = {}
        self._readings: dict[tuple[tuple[str, ...], bool], Reading] = {}
        self._resolved: dict[tuple[str, bool], tuple[str, bool]] = {}
        self._family_list = tuple(self.families.values())

    def read(self, words: tuple[str, ...], *, may_be_truncated: bool = False) -> Reading:
        """Match every family over the words of one piece (memoised: pieces recur)."""
        key = (words, may_be_truncated)
        reading = self._readings.get(key)
        if reading is None:
            reading = self._read(words, may_be_truncated)
            if len(self._readings) > _TOKEN_CACHE_LIMIT:
                self._readings.clear()
            self._readings[key] = reading
        return reading

    def _read(self, words: Sequence[str], may_be_truncated: bool) -> Reading:
        fixed = list(words)
        corrected = 0
        last = len(fixed) - 1
        for i, word in enumerate(fixed):
            if word not in self._known:
                better, is_fix = self._resolve(word, may_be_truncated and i == last)
                fixed[i] = better
                corrected += is_fix
        hits: list[Hit] = []
        for family in self._family_list:
            family.match(fixed, hits)
        covered = [False] * len(fixed)
        for hit in hits:
            for i in range(hit.start, hit.end):
                covered[i] = True
        unknown = tuple(
            i for i, w in enumerate(fixed)
            if not covered[i] and w not in self.filler and not w.isdigit()
        )
        rank_kinds = frozenset(h.cue.label for h in hits if h.cue.family == "rank")
        role_labels = frozenset(h.cue.label for h in hits if h.cue.family == "role")
        return Reading(tuple(fixed), tuple(hits), unknown, corrected, rank_kinds, role_labels)

    def _resolve(self, word: str, last_of_title: bool) -> tuple[str, bool]:
        """The word to match for an unknown word, and whether it was a fix (memoised)."""
        key = (word, last_of_title)
        found = self._resolved.get(key)
        if found is None:
            found = (word, False)
            plain = self.normaliser.umlaut_form(word)
            if word.isdigit():
                pass
            elif plain != word and (plain in self._known or self._stems(plain) > self._stems(word)):
                found = (plain, False)  # "Geschaeftsfuehrer" typed without umlauts
            elif not self._stems(word):
                better = self._correct(word)
                if better is None and last_of_title:
                    better = self._complete(word)
                if better is not None:
                    found = (better, True)
            if len(self._resolved) > _TOKEN_CACHE_LIMIT:
                self._resolved.clear()
            self._resolved[key] = found
        return found

    def _stems(self, word: str) -> int:
        return sum(len(f.stems_in(word)) for f in self.families.values())

    def _correct(self, word: str) -> str | None:
        """The known word one typo away (missing, extra, swapped or wrong letter)."""
        if word in self._corrections:
            return self._corrections[word]
        best = None
        if len(word) >= _MIN_FUZZY_LENGTH and word.isalpha():
            candidates = set(self._by_deletion.get(word, ()))
            for deleted in _deletions(word):
                if deleted in self._known:
                    candidates.add(deleted)
                candidates.update(self._by_deletion.get(deleted, ()))
            matches = sorted(
                c for c in candidates if c[0] == word[0] and _one_edit_apart(word, c)
            )
            best = min(matches, key=len) if matches else None
        if len(self._corrections) > _TOKEN_CACHE_LIMIT:
            self._corrections.clear()
        self._corrections[word] = best
        return best

    def _complete(self, prefix: str) -> str | None:
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

    def _add_all(self, family: str, label: str, detail: str, terms: object) -> None:
        cue = Cue(family, label, detail)
        index = self.families[family]
        for term in _terms(f"{family}.{label}", terms):
            if "*" in term:
                stem = fold(term.strip("*"))
                if " " in stem or not stem.isalnum():
                    raise ValueError(f"lexicon term {term!r}: '*' only on a single word")
                anchor = {(True, True): "infix", (False, True): "prefix"}.get(
                    (term.startswith("*"), term.endswith("*")), "suffix"
                )
                index.add_stem(stem, anchor, cue)
            else:
                words = self.normaliser.words(fold(term).replace("-", " ").replace(".", " "))
                if words:
                    index.add(words, cue)

    def _phrase_key(self, term: str) -> str:
        return " ".join(self.normaliser.words(fold(term)))


def load_lexicon() -> Lexicon:
    """Read the shipped lexicon files (package data of leadpact.enrichment)."""
    folder = resources.files("leadpact.enrichment").joinpath("lexicon")
    data = {}
    for name in ("noise", "ranks", "chief_officers", "functions", "roles"):
        text = folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        data[name] = yaml.safe_load(text)
    return Lexicon(data)


def _section(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise ValueError(f"lexicon {name}.yaml must be a mapping")
    return section


def _terms(where: str, terms: object) -> list[str]:
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        bad = [t for t in terms if not isinstance(t, str)] if isinstance(terms, list) else terms
        raise ValueError(f"lexicon {where}: terms must be strings (quote {bad!r})")
    return terms


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


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
