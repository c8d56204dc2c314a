"""Job title → seniority, function and buying role, with a confidence and a reason.

Pure: the lexicons (lexicon/*.yaml) are read once at import; classifying does no I/O.
The labelling guide's order is followed: split multi-role titles (section A), then
seniority (B), function (C) and role (D); see title_rules for B-D.

    >>> classify_title("VP, Finance").role
    'economic_buyer'

RevOps can map title patterns to roles for their org with `Override`s, e.g. when selling
to security teams the CISO is the executive sponsor, not a blocker. A `TitleClassifier`
compiles its overrides once into an index (title_overrides), so thousands cost about as
much as a few.

Speed (bench/titles_bench.py): results are cached per raw and per cleaned title; below
that only small per-word memos are kept (title_lexicon), since caches of per-piece objects
cost more in garbage-collector scans than they saved, and the answer for a title of one
job per its labels (a few thousand of those occur in a million titles).
`clear_caches()` empties them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from leadpact.enrichment.labels import TITLE_ROLES, BuyingRole, Function, Seniority
from leadpact.enrichment.title_lexicon import Hit, Lexicon, Reading, load_lexicon
from leadpact.enrichment.title_normalise import MAX_TITLE_CHARS, Piece, fold
from leadpact.enrichment.title_overrides import OverrideIndex, Pattern
from leadpact.enrichment.title_rules import (
    MODIFIER_KINDS,
    RANK,
    Component,
    Labels,
    decide_role,
    default_function,
    label_component,
)

SENIORITIES = tuple(Seniority)
FUNCTIONS = tuple(Function)
ROLES = TITLE_ROLES
# Guide A: on a seniority tie the role decides, in this order.
ROLE_PRIORITY = (BuyingRole.ECONOMIC_BUYER, BuyingRole.EXECUTIVE_SPONSOR,
                 BuyingRole.DECISION_MAKER, BuyingRole.BLOCKER, BuyingRole.TECHNICAL_EVALUATOR,
                 BuyingRole.INFLUENCER, BuyingRole.USER, BuyingRole.UNKNOWN)
_CACHE_SIZE = 65_536
# Label text → enum member: a dict lookup costs a fraction of calling the enum class.
_SENIORITY_OF = {member.value: member for member in Seniority}
_FUNCTION_OF = {member.value: member for member in Function}
_ROLE_OF = {member.value: member for member in BuyingRole}
_ROLE_TEXT = {member.value: member.value.replace("_", " ") for member in BuyingRole}

LEXICON: Lexicon = load_lexicon()


@dataclass(frozen=True, slots=True)
class TitleRole:
    seniority: Seniority
    function: Function
    role: BuyingRole
    confidence: float  # 0-1: how much the title alone supports these labels
    because: str  # short human reason, e.g. "vp + finance → economic buyer (finance at vp)"


@dataclass(frozen=True, slots=True)
class Override:
    """An org's own mapping: titles matching `pattern` get `role`, and optionally
    `seniority` and `function`, instead of the defaults. Plain text matches as a
    substring, ignoring case and accents; a pattern with any of \\.^$*+?{}[]|() is a
    case-insensitive regular expression, searched in the title as written and folded."""

    pattern: str
    role: str
    seniority: str | None = None
    function: str | None = None
    # Compiled once here; never looked up in `re`'s cache by its text.
    compiled: Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.pattern, str) or not self.pattern.strip():
            raise ValueError("override pattern must be a non-empty string")
        _check_label("role", self.role, ROLES)
        if self.seniority is not None:
            _check_label("seniority", self.seniority, SENIORITIES)
        if self.function is not None:
            _check_label("function", self.function, FUNCTIONS)
        try:
            object.__setattr__(self, "compiled", Pattern(self.pattern))
        except re.error as exc:
            raise ValueError(
                f"override pattern {self.pattern!r} is not a valid regular expression ({exc}); "
                "escape special characters, e.g. \\( for a literal ("
            ) from None

    def matches(self, title: str) -> bool:
        return self.compiled.matches(title, fold(title))


def parse_overrides(entries: Iterable[Mapping[str, object]]) -> tuple[Override, ...]:
    """Overrides from config data, e.g. [{"pattern": "CISO", "role": "executive_sponsor"}].

    Raises ValueError naming the bad entry."""
    allowed = {"pattern", "role", "seniority", "function"}
    result = []
    for number, entry in enumerate(entries, start=1):
        where = f"override #{number} ({entry!r})"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be a mapping with 'pattern' and 'role'")
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}; "
                             f"allowed: {', '.join(sorted(allowed))}")
        missing = [k for k in ("pattern", "role") if k not in entry]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        values = {k: entry.get(k) for k in allowed}
        bad = [k for k, v in values.items() if v is not None and not isinstance(v, str)]
        if bad:
            raise ValueError(f"{where}: {', '.join(sorted(bad))} must be text")
        try:
            result.append(Override(str(values["pattern"]), str(values["role"]),
                                   _text_or_none(values["seniority"]),
                                   _text_or_none(values["function"])))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return tuple(result)


class TitleClassifier:
    """classify_title with an org's overrides applied first: the first override (in
    order) whose pattern matches wins. Build one per set of overrides and reuse it."""

    __slots__ = ("overrides", "_index")

    def __init__(self, overrides: Iterable[Override] = ()) -> None:
        self.overrides = tuple(overrides)
        self._index = OverrideIndex([o.compiled for o in self.overrides])

    def classify(self, title: object) -> TitleRole:
        if not isinstance(title, str):
            return _not_text(title)
        if not self.overrides or len(title) > MAX_TITLE_CHARS:
            return _classify_raw(title)
        position = self._index.first_match(title, fold(title))
        if position is None:
            return _classify_raw(title)
        override = self.overrides[position]
        seniority, function = override.seniority, override.function
        if seniority is None or function is None:  # the classifier fills in the rest
            default = _classify_raw(title)
            seniority, function = seniority or default.seniority, function or default.function
        return TitleRole(_SENIORITY_OF[seniority], _FUNCTION_OF[function], _ROLE_OF[override.role],
                         0.95,
                         f"org override '{override.pattern}' → {override.role}")


def classify_title(title: object, overrides: Iterable[Override] = ()) -> TitleRole:
    """Seniority, function and buying role of one job title. Never raises.

    With overrides, the classifier built for the last few override tuples is reused
    (pass the same tuple, e.g. Rules.title_overrides, to avoid rebuilding its index)."""
    overrides = tuple(overrides)
    if overrides:
        return _classifier_for(overrides).classify(title)
    return _classify_raw(title) if isinstance(title, str) else _not_text(title)


_RECENT_CLASSIFIERS: dict[int, TitleClassifier] = {}


def _classifier_for(overrides: tuple[Override, ...]) -> TitleClassifier:
    # Keyed by identity: hashing thousands of overrides on every call would cost more
    # than classifying. The classifier holds the tuple, so its id is not reused meanwhile.
    found = _RECENT_CLASSIFIERS.get(id(overrides))
    if found is None or found.overrides is not overrides:
        if len(_RECENT_CLASSIFIERS) >= 8:
            _RECENT_CLASSIFIERS.clear()
        found = _RECENT_CLASSIFIERS[id(overrides)] = TitleClassifier(overrides)
    return found


def classify_uncached(title: str) -> TitleRole:
    """classify_title without the title-level caches, so every call does the whole work
    (for benchmarks and tests of the caches); the per-word and per-labels memos still
    apply."""
    if len(title) > MAX_TITLE_CHARS:
        return _too_long(title)
    cleaned = LEXICON.normaliser.clean(title)
    if not cleaned and title.strip():
        return _only_noise()
    return _classify_cleaned.__wrapped__(cleaned)


def clear_caches() -> None:
    """Empty every cache: results per title, per cleaned title and per labels of a
    one-job title, the classifiers kept for recent override tuples and the lexicon's
    per-word memos (its tables compiled at import stay). Classifying never needs this;
    benchmarks call it to measure a cold start."""
    _classify_raw.cache_clear()
    _classify_cleaned.cache_clear()
    _ONE_JOB_ROLES.clear()
    _RECENT_CLASSIFIERS.clear()
    LEXICON.clear_caches()


@lru_cache(maxsize=_CACHE_SIZE)
def _classify_raw(title: str) -> TitleRole:
    if len(title) > MAX_TITLE_CHARS:
        return _too_long(title)
    cleaned = LEXICON.normaliser.clean(title)
    if not cleaned and title.strip():
        return _only_noise()
    return _classify_cleaned(cleaned)


@lru_cache(maxsize=_CACHE_SIZE)
def _classify_cleaned(cleaned: str) -> TitleRole:
    """The pure classifier, cached on the normalised title."""
    normaliser = LEXICON.normaliser
    if normaliser.is_placeholder(cleaned):
        return _unknown(f"'{cleaned[:40]}' is not a job title" if cleaned else "empty title", 0.2)
    pieces = normaliser.pieces(cleaned)
    # One plain loop over the pieces (no generator expressions: this runs per title).
    read = LEXICON.read
    last = len(pieces) - 1
    readings: list[Reading] = []
    ranked = bank = False
    for i, piece in enumerate(pieces):
        reading = read(piece.words, may_be_truncated=i == last)
        readings.append(reading)
        if reading.rank_kinds:
            ranked = True
        if reading.role_labels and "bank" in reading.role_labels:
            bank = True
    if not ranked:
        slogan_words = normaliser.slogan_words
        for piece in pieces:
            if not slogan_words.isdisjoint(piece.words):
                return _unknown(f"'{cleaned[:40]}' is a slogan, not a job title", 0.2)
    groups = _group(pieces, readings)
    if not groups:
        return _unknown(f"no job words recognised in '{cleaned[:40]}'", 0.15)
    if len(groups) > 1:
        groups = _without_abbreviations(groups)
    if len(groups) == 1:
        return _one_job(*_labelled(groups[0], bank, False))
    vp_parts = [any(_VP_KINDS & r.rank_kinds for r, _, _ in group) for group in groups]
    labelled = [
        _labelled(group, bank, any(v for j, v in enumerate(vp_parts) if j != i))
        for i, group in enumerate(groups)
    ]
    texts = [" ".join(text for _, text, _ in group) for group in groups]
    return _choose(labelled, texts)


_Group = list[tuple[Reading, str, bool]]  # readings of the pieces, their text, is-home
_VP_KINDS = frozenset({"vp", "avp"})


def _group(pieces: tuple[Piece, ...], readings: list[Reading]) -> list[_Group]:
    """Guide A: pieces that are job titles become components; qualifying pieces
    ("Finance" in "Director, Finance") join the title before them (or after, at the
    start); pieces with nothing known in them (companies, places) are dropped."""
    groups: list[_Group] = []
    pending: _Group = []
    for piece, reading in zip(pieces, readings, strict=True):
        if not reading.hits:
            continue
        if "former" in reading.rank_kinds and not reading.rank_kinds - MODIFIER_KINDS:
            continue  # "| ex-Google": a past employer, not this job
        if not piece.soft and reading.rank_kinds - MODIFIER_KINDS:
            groups.append([*pending, (reading, piece.text, True)])
            pending = []
        elif groups:
            if piece.tag and reading.role_labels and _names_function(groups[-1]):
                reading = _without_role_cues(reading)
            groups[-1].append((reading, piece.text, False))
        else:
            pending.append((reading, piece.text, False))
    if pending:
        groups.append(pending)
    return groups


def _without_abbreviations(groups: list[_Group]) -> list[_Group]:
    """An abbreviation next to its spelled-out title is the same job ("CCO – Chief
    Compliance Officer"): keep the spelled-out one, which says what the letters stand for."""
    homes = [_home(group) for group in groups]
    spelled = {"".join(word[0] for word in r.words): r.rank_kinds
               for r in homes if len(r.words) > 1}
    kept = [group for group, r in zip(groups, homes, strict=True)
            if not (len(r.words) == 1 and not r.rank_kinds.isdisjoint(
                spelled.get(r.words[0], ())))]
    return kept or groups


def _names_function(group: _Group) -> bool:
    """Whether the job title of a group names its own function ("IT Director")."""
    return any(hit.cue.family == "function" for hit in _home(group).hits)


def _home(group: _Group) -> Reading:
    """The reading of the job title a group is built around (its first piece if none)."""
    return next((reading for reading, _, is_home in group if is_home), group[0][0])


def _without_role_cues(reading: Reading) -> Reading:
    """A headline keyword after a job that names its function ("IT Director | Digital
    Transformation") is a specialty: it says nothing about the buying role."""
    kept = tuple(hit for hit in reading.hits if hit.cue.family != "role")
    return reading._replace(hits=kept, role_labels=frozenset())


def _labelled(group: _Group, bank: bool, other_vp: bool) -> tuple[Component, Labels]:
    # Not memoised: labelling is cheap next to the garbage-collector passes that a cache
    # of component objects costs once it holds tens of thousands of them.
    component = _merge(group)
    return component, label_component(component, LEXICON.context, bank=bank, other_vp=other_vp)


def _merge(group: _Group) -> Component:
    if len(group) == 1:
        reading, text, _ = group[0]
        return Component(reading.words, reading.hits, len(reading.unknown), reading.corrected,
                         text)
    words: list[str] = []
    hits: list[Hit] = []
    home, corrected = group[0][0], 0
    for reading, _, is_home in group:
        if is_home:
            home = reading
        corrected += reading.corrected
        if not words:  # the first piece's hits are where they are: no new ones
            words.extend(reading.words)
            hits.extend(reading.hits)
            continue
        words.append("|")  # nothing matches across pieces ("IT & Security Manager")
        offset = len(words)
        words.extend(reading.words)
        for cue, start, end, term in reading.hits:
            hits.append(Hit(cue, start + offset, end + offset, term))
    text = " ".join([t for _, t, _ in group])
    return Component(tuple(words), tuple(hits), len(home.unknown), corrected, text)


_ONE_JOB_ROLES: dict[tuple[Labels, int, int], TitleRole] = {}


def _one_job(component: Component, labels: Labels) -> TitleRole:
    """_choose for a title of one job, memoised: its answer depends only on the labels
    and the component's two counts, and far fewer of those occur than titles (bounded)."""
    key = (labels, component.corrected, component.home_unknown)
    found = _ONE_JOB_ROLES.get(key)
    if found is None:
        found = _choose([(component, labels)], [])
        if len(_ONE_JOB_ROLES) >= _CACHE_SIZE:
            _ONE_JOB_ROLES.clear()
        _ONE_JOB_ROLES[key] = found
    return found


def _choose(labelled: list[tuple[Component, Labels]], texts: list[str]) -> TitleRole:
    """Guide A: keep the most senior component; on a tie the role priority, then a
    specific function over executive, then the first mentioned."""
    order = [(0, 0, False, 0)]
    if len(labelled) > 1:
        scored = []
        for index, (_, labels) in enumerate(labelled):
            guess = labels.function or default_function(labels.seniority)
            role, _ = decide_role(labels.seniority, guess, labels.traits, _EXCLUDED)
            scored.append((-RANK[labels.seniority], ROLE_PRIORITY.index(role),
                           guess == "executive", index))
        order = sorted(scored)
    chosen = order[0][3]
    component, labels = labelled[chosen]
    function, borrowed = labels.function, ""
    if function is None:
        donor = next((other for _, other in labelled if other.function is not None), None)
        if donor is not None:
            function, borrowed = donor.function, donor.function_term
    function_defaulted = function is None
    function = function or default_function(labels.seniority)
    role, rule = decide_role(labels.seniority, function, labels.traits, _EXCLUDED)
    because = _because(labels, role, rule, borrowed or labels.function_term)
    confidence = labels.certainty * 0.92
    if len(labelled) > 1:
        tie = order[1][0] == order[0][0]
        confidence -= 0.1 if tie else 0.03
        because = f"{because}; kept '{texts[chosen]}' of {len(labelled)} roles" + (
            " (tie)" if tie else " (most senior)")
    if function_defaulted and labels.seniority != "unknown":
        confidence -= 0.15
    if labels.seniority == "unknown" and not labels.traits.not_current:
        confidence = min(confidence, 0.6 if role == "blocker" else 0.4)
    if component.corrected or component.home_unknown:
        confidence -= 0.1 * min(component.corrected, 3) + 0.03 * min(component.home_unknown, 5)
    return TitleRole(_SENIORITY_OF[labels.seniority], _FUNCTION_OF[function], _ROLE_OF[role],
                     round(max(0.05, min(0.99, confidence)), 2), because)


def _because(labels: Labels, role: str, rule: str, function_term: str) -> str:
    role_text = _ROLE_TEXT[role]
    rank_term = labels.rank_term
    if labels.traits.not_current:
        return f"'{rank_term}': not a current job → {role_text}"
    if not rank_term:
        evidence = function_term or "no rank word"
    elif function_term and function_term != rank_term:
        evidence = f"{rank_term} + {function_term}"
    else:
        evidence = rank_term
    return f"{evidence} → {role_text} ({rule})"


def _unknown(reason: str, confidence: float) -> TitleRole:
    return TitleRole(Seniority.UNKNOWN, Function.OTHER, BuyingRole.UNKNOWN, confidence, reason)


def _only_noise() -> TitleRole:
    return _unknown("only noise (company, gender mark, emoji or punctuation)", 0.1)


def _too_long(title: str) -> TitleRole:
    return _unknown(f"not a job title ({len(title)} characters)", 0.05)


def _not_text(title: object) -> TitleRole:
    return _unknown(f"not a job title ({type(title).__name__})", 0.05)


def _check_label(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


_EXCLUDED = LEXICON.context.get("advisory_excluded_functions", frozenset())
