"""The job-title lexicons (lexicon/*.yaml), loaded once and indexed for fast matching.

Four families of cues are matched independently over the same words, each with its own
longest-match pass, so "Account Manager" is both a rank ("manager") and a function
("account manager" → sales):

- rank: seniority cues (ranks.yaml) and chief officers (chief_officers.yaml)
- function: the 15 functions in four strengths (functions.yaml)
- role: role-specific cues: top finance job, finance sub-area, advisory, bank (roles.yaml)
- place: regions and business units (noise.yaml)

Words no lexicon knows are corrected when they are one typo away from a known word, and
the last word of a truncated title ("Head of Marketi") is completed (title_spelling).

For speed, what each word says to every family is worked out once, when the word is first
met (memoised, bounded). A piece is then matched word by word unless two of its words may
start a phrase of several words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import yaml

from leadpact.enrichment.title_normalise import Normaliser, fold
from leadpact.enrichment.title_spelling import Speller

FUNCTION_STRENGTHS = {"job": 3, "area": 2, "noun": 1, "weak": 0}
_CONTEXT_LISTS = ("owner_role_prefixes", "partner_role_prefixes", "partner_role_suffixes")
_TOKEN_CACHE_LIMIT = 100_000
_HEAD = 3  # compound stems are at least this long (checked when the lexicon loads)
_PRESET_POSITIONS = 8  # a word's hits are made ahead for its first positions in a piece
# libyaml's loader when PyYAML has it: the same data, parsed ten times faster at import.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NOTHING: frozenset[str] = frozenset()
_UNKNOWN_FIRST = (0,)


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


class Reading(NamedTuple):
    """What the lexicons found in one piece of a title (a named tuple: one per piece)."""

    words: tuple[str, ...]
    hits: tuple[Hit, ...]
    unknown: tuple[int, ...]  # indexes of content words no lexicon knows
    corrected: int  # words fixed as typos or completed after truncation
    rank_kinds: frozenset[str]  # labels of the rank cues found
    role_labels: frozenset[str]  # labels of the role cues found


class _WordCues(NamedTuple):
    """What one word says to each family (in Lexicon.families order), worked out once
    per word: the phrases that may start with it and the cues it has on its own."""

    longest: tuple[int, ...]  # per family: words in the longest phrase starting with it
    own: tuple[tuple[tuple[Cue, str], ...], ...]  # per family: (cue, term) of the word alone
    at: tuple[tuple[Hit, ...], ...]  # its own cues (all families) as hits at position 0, 1...
    lone: bool  # no cue of its own, not filler, not a number: an unknown content word
    rank_kinds: frozenset[str]  # labels of its own rank cues
    role_labels: frozenset[str]  # labels of its own role cues

    def hits_at(self, i: int) -> tuple[Hit, ...]:
        if i < len(self.at):
            return self.at[i]
        return tuple(Hit(hit.cue, i, i + 1, hit.term) for hit in self.at[0])


class _Stem(NamedTuple):
    """A compound stem ("leiter" in "einkaufsleiterin") and where in a word it may be."""

    text: str
    anywhere: bool
    at_start: bool
    at_end: bool
    cues: tuple[Cue, ...]


class _Family:
    """Phrases and compound stems of one cue family, matched longest first."""

    __slots__ = ("name", "phrases", "longest_from", "_stems", "_stems_by_head", "stem_heads")

    def __init__(self, name: str) -> None:
        self.name = name
        self.phrases: dict[tuple[str, ...], list[Cue]] = {}
        self.longest_from: dict[str, int] = {}
        self._stems: dict[str, tuple[set[str], list[Cue]]] = {}
        self._stems_by_head: dict[str, tuple[_Stem, ...]] = {}
        self.stem_heads: frozenset[str] = frozenset()

    def add(self, words: tuple[str, ...], cue: Cue) -> None:
        cues = self.phrases.setdefault(words, [])
        if cue not in cues:
            cues.append(cue)
        first = words[0]
        self.longest_from[first] = max(self.longest_from.get(first, 0), len(words))

    def add_stem(self, stem: str, anchor: str, cue: Cue) -> None:
        # One stem may be written with several anchors ("vorstand*" and "*vorstand"):
        # each of them counts.
        anchors, cues = self._stems.setdefault(stem, (set(), []))
        anchors.add(anchor)
        if cue not in cues:
            cues.append(cue)

    def compile(self) -> None:
        if any(len(stem) < _HEAD for stem in self._stems):
            raise ValueError(f"lexicon: compound stems need at least {_HEAD} letters")
        # Stems by their first _HEAD letters, longest first: at each position of a word
        # only the stems starting with the letters there are tried, and the longest wins.
        by_head: dict[str, list[_Stem]] = {}
        for stem, (anchors, cues) in self._stems.items():
            by_head.setdefault(stem[:_HEAD], []).append(
                _Stem(stem, "infix" in anchors, "prefix" in anchors, "suffix" in anchors,
                      tuple(cues)))
        self._stems_by_head = {head: tuple(sorted(stems, key=lambda s: -len(s.text)))
                               for head, stems in by_head.items()}
        # A word with none of the heads at any position holds no stem, and most unknown
        # words (company names, typos) are such words.
        self.stem_heads = frozenset(self._stems_by_head)

    def stems_in(self, word: str, heads: frozenset[str] | set[str] | None = None
                 ) -> tuple[tuple[str, tuple[Cue, ...]], ...]:
        """Compound parts of one word ("einkaufsleiterin" → einkauf, leiter), left to
        right without overlap; at each position the longest stem that may stand there
        (a prefix only at the start, a suffix only at the end). `heads`: the word's runs
        of _HEAD letters, when the caller has them. Not cached here: callers memoise per
        word (Lexicon.stems_of)."""
        if not self._stems_by_head or len(word) < _HEAD:
            return ()
        if heads is None:
            heads = _heads(word)
        if self.stem_heads.isdisjoint(heads):
            return ()
        found: list[tuple[str, tuple[Cue, ...]]] = []
        size = len(word)
        i = 0
        while i <= size - _HEAD:
            step = 1
            for stem in self._stems_by_head.get(word[i : i + _HEAD], ()):
                if word.startswith(stem.text, i) and (
                        stem.anywhere or (stem.at_start and i == 0)
                        or (stem.at_end and i + len(stem.text) == size)):
                    found.append((stem.text, stem.cues))
                    step = len(stem.text)
                    break
            i += step
        return tuple(found)

    def own_cues(self, word: str) -> tuple[tuple[Cue, str], ...]:
        """(cue, term) of the word when no longer phrase starting with it matches: its
        one-word phrase, else the stems inside it."""
        cues = self.phrases.get((word,))
        if cues:
            return tuple((cue, word) for cue in cues)
        return tuple((cue, stem) for stem, stem_cues in self.stems_in(word) for cue in stem_cues)

    def phrase_at(self, words: tuple[str, ...], i: int, longest: int) -> int:
        """Words in the longest phrase of two or more words at words[i] (0: none)."""
        for length in range(min(longest, len(words) - i), 1, -1):
            if words[i : i + length] in self.phrases:
                return length
        return 0


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
        self._family_list = tuple(self.families.values())
        for family in self._family_list:
            family.compile()
        self.vocabulary = sorted(
            {w for f in self.families.values() for key in f.phrases for w in key}
        )
        self._known = frozenset(self.vocabulary)
        # First two words of every phrase of several words → the families it is in: a piece
        # without one of these pairs is matched word by word.
        self._phrase_pairs: dict[tuple[str, ...], tuple[int, ...]] = {}
        for index, family in enumerate(self._family_list):
            for key in family.phrases:
                in_families = self._phrase_pairs.get(key[:2], ())
                if len(key) > 1 and index not in in_families:
                    self._phrase_pairs[key[:2]] = (*in_families, index)
        self._speller = Speller(self.vocabulary)
        # What a word no family knows says (company names, numbers), shared rather than
        # built per word; indexed by `lone`.
        nothing = tuple(() for _ in self._family_list)
        self._no_cues = tuple(
            _WordCues((0,) * len(self._family_list), nothing, ((),) * _PRESET_POSITIONS, lone,
                      frozenset(), frozenset())
            for lone in (False, True))
        self._no_stems = nothing
        self._stem_heads = frozenset().union(*(f.stem_heads for f in self._family_list))
        # Per-word memos, filled as words are met (bounded by _TOKEN_CACHE_LIMIT).
        self._word_cues: dict[str, _WordCues] = {}
        # _resolve's answers, one memo per value of last_of_title (no key tuple to build).
        self._resolved: tuple[dict[str, tuple[str, bool]], ...] = ({}, {})
        self._stems_memo: dict[str, tuple[tuple[tuple[str, tuple[Cue, ...]], ...], ...]] = {}

    def clear_caches(self) -> None:
        """Forget every word met so far (benchmarks measure a cold start with this)."""
        self._word_cues.clear()
        for memo in self._resolved:
            memo.clear()
        self._stems_memo.clear()

    def read(self, words: tuple[str, ...], *, may_be_truncated: bool = False) -> Reading:
        """Match every family over the words of one piece: longest phrase first, left to
        right, each family on its own. Not memoised per piece: the costly part is per
        word (word_cues, _resolve), and a cache of hit objects costs more in
        garbage-collector passes over it than it saves."""
        fixed = words
        corrected = 0
        if not self._known.issuperset(words):
            better = list(words)
            last = len(words) - 1
            for i, word in enumerate(words):
                if word not in self._known:
                    better[i], is_fix = self._resolve(word, may_be_truncated and i == last)
                    corrected += is_fix
            fixed = tuple(better)
        cached = self._word_cues
        if len(fixed) == 1:  # one word: everything about it is known in advance
            entry = cached.get(fixed[0]) or self.word_cues(fixed[0])
            return Reading(fixed, entry.at[0], _UNKNOWN_FIRST if entry.lone else (), corrected,
                           entry.rank_kinds, entry.role_labels)
        entries = [cached.get(w) or self.word_cues(w) for w in fixed]
        if not self._phrase_pairs.keys().isdisjoint(zip(fixed, fixed[1:], strict=False)):
            return self._read_phrases(fixed, entries, corrected)
        # The usual case: no phrase of several words, every word stands alone in every
        # family. Hits come position by position; only their order within one family
        # matters (the rules filter by family). One plain loop, no method call per word:
        # this is the classifier's hottest spot.
        hits: list[Hit] = []
        unknown: list[int] = []
        rank_kinds = role_labels = _NOTHING
        for i, entry in enumerate(entries):
            at = entry.at
            if at[0]:
                hits += at[i] if i < _PRESET_POSITIONS else entry.hits_at(i)
                if entry.rank_kinds:
                    rank_kinds = rank_kinds | entry.rank_kinds
                if entry.role_labels:
                    role_labels = role_labels | entry.role_labels
            elif entry.lone:
                unknown.append(i)
        return Reading(fixed, tuple(hits), tuple(unknown), corrected, rank_kinds, role_labels)

    def _read_phrases(self, words: tuple[str, ...], entries: list[_WordCues],
                      corrected: int) -> Reading:
        """read() when some pair of words may start a phrase of several words: in each
        family where one may start, left to right, a phrase first, else the word's own
        cues; then the hits in word order, as read() makes them, each phrase in place of
        its words' own cues in its family."""
        n = len(words)
        starting = [self._phrase_pairs.get(pair, ()) for pair in zip(words, words[1:],
                                                                       strict=False)]
        phrases: dict[int, list[tuple[str, int, list[Hit]]]] = {}  # by first word
        for f in sorted(frozenset().union(*starting)):
            family = self._family_list[f]
            i = 0
            while i < n - 1:
                length = 0
                if f in starting[i]:
                    length = family.phrase_at(words, i, entries[i].longest[f])
                if length:
                    span = words[i : i + length]
                    term = " ".join(span)
                    phrases.setdefault(i, []).append(
                        (family.name, length, [Hit(cue, i, i + length, term)
                                               for cue in family.phrases[span]]))
                    i += length
                else:
                    i += 1
        hits: list[Hit] = []
        unknown: list[int] = []
        covered: dict[int, set[str]] = {}  # word → the families a phrase over it is in
        for i, entry in enumerate(entries):
            for name, length, phrase_hits in phrases.get(i, ()):
                hits += phrase_hits
                for j in range(i, i + length):
                    covered.setdefault(j, set()).add(name)
            own = entry.at[i] if i < _PRESET_POSITIONS else entry.hits_at(i)
            skip = covered.get(i)
            if skip:
                hits += [hit for hit in own if hit.cue.family not in skip]
            else:
                hits += own
                if entry.lone:
                    unknown.append(i)
        rank_kinds = frozenset([h.cue.label for h in hits if h.cue.family == "rank"])
        role_labels = frozenset([h.cue.label for h in hits if h.cue.family == "role"])
        return Reading(words, tuple(hits), tuple(unknown), corrected, rank_kinds, role_labels)

    def word_cues(self, word: str) -> _WordCues:
        """What one word says to every family (memoised per word)."""
        found = self._word_cues.get(word)
        if found is None:
            found = self._cues_of(word)
            if len(self._word_cues) > _TOKEN_CACHE_LIMIT:
                self._word_cues.clear()
            self._word_cues[word] = found
        return found

    def _cues_of(self, word: str) -> _WordCues:
        if word not in self._known and self.stems_of(word) is self._no_stems:
            # No phrase has it and no stem is in it (most company names): the shared entry.
            return self._no_cues[word not in self.filler and not word.isdigit()]
        longest = tuple(f.longest_from.get(word, 0) for f in self._family_list)
        own = tuple(self._own_cues(word))
        flat = [cue_term for cues in own for cue_term in cues]
        if not flat and not any(longest):  # most words met: one shared entry for them all
            return self._no_cues[word not in self.filler and not word.isdigit()]
        at = tuple(tuple(Hit(cue, i, i + 1, term) for cue, term in flat)
                   for i in range(_PRESET_POSITIONS))
        lone = not flat and word not in self.filler and not word.isdigit()
        return _WordCues(longest, own, at, lone,
                         frozenset(cue.label for cue, _ in flat if cue.family == "rank"),
                         frozenset(cue.label for cue, _ in flat if cue.family == "role"))

    def _own_cues(self, word: str) -> list[tuple[tuple[Cue, str], ...]]:
        """Per family, _Family.own_cues, with the stems worked out once for all families."""
        own: list[tuple[tuple[Cue, str], ...]] = []
        stems = None
        for index, family in enumerate(self._family_list):
            cues = family.phrases.get((word,))
            if cues:
                own.append(tuple((cue, word) for cue in cues))
                continue
            if stems is None:
                stems = self.stems_of(word)
            own.append(tuple((cue, stem) for stem, stem_cues in stems[index] for cue in stem_cues))
        return own

    def stems_of(self, word: str) -> tuple[tuple[tuple[str, tuple[Cue, ...]], ...], ...]:
        """Per family, the compound stems in one word (memoised per word: a word no
        lexicon knows is asked about when it is resolved and again for its cues)."""
        found = self._stems_memo.get(word)
        if found is None:
            heads = _heads(word)
            found = self._no_stems  # shared: most words hold no stem
            if not self._stem_heads.isdisjoint(heads):  # any family's stem may be in it
                found = tuple(f.stems_in(word, heads) for f in self._family_list)
                if not any(found):
                    found = self._no_stems
            if len(self._stems_memo) > _TOKEN_CACHE_LIMIT:
                self._stems_memo.clear()
            self._stems_memo[word] = found
        return found

    def _resolve(self, word: str, last_of_title: bool) -> tuple[str, bool]:
        """The word to match for an unknown word, and whether it was a fix (memoised)."""
        memo = self._resolved[last_of_title]
        found = memo.get(word)
        if found is None:
            found = (word, False)
            plain = self.normaliser.umlaut_form(word)
            if word.isdigit() or word in self.filler:
                pass  # noise words are known too: no typo, no truncated job word
            elif plain != word and (plain in self._known or self._stems(plain) > self._stems(word)):
                found = (plain, False)  # "Geschaeftsfuehrer" typed without umlauts
            elif not self._stems(word):
                better = self._speller.correct(word)
                if better is None and last_of_title:
                    better = self._speller.complete(word)
                if better is not None:
                    found = (better, True)
            if len(memo) > _TOKEN_CACHE_LIMIT:
                memo.clear()
            memo[word] = found
        return found

    def _stems(self, word: str) -> int:
        return sum(map(len, self.stems_of(word)))

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
        data[name] = yaml.load(text, Loader=_YAML_LOADER)
    return Lexicon(data)


def _heads(word: str) -> set[str]:
    """The word's runs of _HEAD letters (every compound stem starts with one)."""
    return {word[i : i + _HEAD] for i in range(len(word) - _HEAD + 1)}


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
