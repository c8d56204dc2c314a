"""The labelling guide's rules: seniority (B), function (C) and role (D) of one title part.

A component is one job title inside a possibly multi-role title ("CEO" in "CEO & Founder"),
with the lexicon hits found in it. `label_component` applies section B and C to it and
`decide_role` applies section D, first matching step wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from leadpact.enrichment.title_lexicon import FUNCTION_STRENGTHS, Hit

SENIORITY_ORDER = ("unknown", "entry", "ic", "senior_ic", "manager", "director", "vp", "c_level")
RANK = {name: i for i, name in enumerate(SENIORITY_ORDER)}
CONTROL_FUNCTIONS = frozenset({"procurement", "legal", "security"})
TECHNICAL_FUNCTIONS = frozenset({"it", "engineering", "data"})
# Rank cue kinds that only modify another word: a piece made of them is not a job title.
MODIFIER_KINDS = frozenset(
    {"senior", "junior", "interim", "deputy", "level_low", "level_high", "former", "not_rank"}
)
# Whose assistant an assistant is does not make the assistant senior ("PA to the CEO").
BOSS_KINDS = frozenset({"ceo_like", "head_of_org", "c_level_title", "executive_director", "board",
                        "general_counsel", "partner", "partner_c_level", "cxo", "vp", "director"})
_NOUN_KINDS = frozenset({"ic", "senior_ic", "manager", "admin", "owner"})
_STEP_DOWN = {"c_level": "vp", "vp": "director", "director": "manager"}
# "Talent Acquisition Partner", "Sales Partner": a partnering job, not a partner of the firm.
_PARTNERING_FUNCTIONS = frozenset({"hr", "sales", "marketing", "customer_success", "it", "data",
                                   "product", "operations", "procurement", "engineering"})


# Named tuples, not frozen dataclasses: one of each is made per title, and tuples build
# several times faster.
class Component(NamedTuple):
    """One job title within a title, as lexicon words and hits."""

    words: tuple[str, ...]
    hits: tuple[Hit, ...]
    home_unknown: int  # content words of its own piece no lexicon knows
    corrected: int
    text: str  # as written, for reasons only


class Traits(NamedTuple):
    """Facts beyond seniority and function that the role steps need."""

    not_current: bool = False
    non_executive: bool = False
    advisory: bool = False
    influencer_area: bool = False
    top_finance: bool = False
    finance_subarea: bool = False


class Labels(NamedTuple):
    seniority: str
    function: str | None  # None: the component names no function
    traits: Traits
    rank_term: str
    function_term: str
    certainty: float  # 1.0 for clear cues, lower for inferred ones


class _Candidate(NamedTuple):  # a named tuple: made for every rank word, on the hot path
    seniority: str
    function: str | None
    hit: Hit
    certainty: float = 1.0


_NO_TRAITS = Traits()
# Rank kinds whose reading does not depend on the words around them:
# kind → (seniority, function or None, certainty). The others are read in _in_context.
_FIXED_CANDIDATES: dict[str, tuple[str, str | None, float]] = {
    "ceo_like": ("c_level", "executive", 1.0),
    "head_of_org": ("c_level", "executive", 1.0),
    "partner_c_level": ("c_level", "executive", 1.0),
    "board": ("c_level", "executive", 1.0),
    "general_counsel": ("c_level", "legal", 1.0),
    "c_level_title": ("c_level", None, 1.0),
    "executive_director": ("c_level", None, 1.0),
    "director": ("director", None, 1.0),
    "craft_director": ("ic", None, 1.0),
    "manager": ("manager", None, 1.0),
    "senior_ic": ("senior_ic", None, 1.0),
    "ic": ("ic", None, 1.0),
    "entry": ("entry", None, 1.0),
    "clerical": ("ic", "other", 0.9),
    "associate": ("ic", None, 0.8),
    "assistant": ("ic", None, 0.8),
}
# The same with the seniority's rank first: picking the best rank word compares ranks
# without making a candidate for every rank word.
_FIXED_RANKED = {kind: (RANK[s], s, f, c) for kind, (s, f, c) in _FIXED_CANDIDATES.items()}
_CONTEXT_KINDS = frozenset({"cxo", "owner", "partner", "vp", "avp", "lead", "chief"})


def _rank_of(candidate: _Candidate) -> int:
    return RANK[candidate.seniority]


def label_component(
    component: Component, context: Mapping[str, frozenset[str]], *, bank: bool, other_vp: bool
) -> Labels:
    """Seniority and function of one component (guide sections B and C)."""
    ranks: list[Hit] = []
    functions: list[Hit] = []
    places: list[Hit] = []
    role_cues: set[str] | None = None  # most components have no role cue
    for hit in component.hits:  # one pass sorting the hits by family
        family = hit.cue.family
        if family == "rank":
            if hit.cue.label != "not_rank":
                ranks.append(hit)
        elif family == "function":
            functions.append(hit)
        elif family == "role":
            if role_cues is None:
                role_cues = set()
            role_cues.add(hit.cue.label)
        else:
            places.append(hit)
    if "to" in component.words:
        boss_from = component.words.index("to")
        if any(h.end <= boss_from for h in ranks):  # "X to the CEO": the CEO is not X
            ranks = [h for h in ranks if h.start < boss_from]
            functions = [h for h in functions if h.start < boss_from]
    kinds: dict[str, Hit] = {}
    for hit in ranks:
        kinds.setdefault(hit.cue.label, hit)
    traits = _NO_TRAITS
    if role_cues:
        traits = Traits(
            advisory="advisory" in role_cues, influencer_area="influencer" in role_cues,
            top_finance="top_finance" in role_cues,
            finance_subarea="finance_subarea" in role_cues,
        )
    named = _best_function(functions)
    named_term = named.term if named else ""

    not_current = kinds.get("former") or (
        kinds.get("not_employed") if "entry" not in kinds else None
    )
    if not_current is None and "self_employed" in kinds and not (
        set(kinds) - MODIFIER_KINDS - {"self_employed"}
    ):
        not_current = kinds["self_employed"]
    if not_current is not None:
        held = _candidates(component, ranks, functions, context, bank)
        led = [c for c in held if c.function]
        function = led[0].function if led else (named.cue.label if named else None)
        if function is None and held:  # "Ehemaliger Geschäftsführer": general management
            function = default_function(max(held, key=_rank_of).seniority)
        return Labels("unknown", function, traits._replace(not_current=True), not_current.term,
                      named_term, 1.0)

    if "admin" in kinds or ("assistant" in kinds and not BOSS_KINDS.isdisjoint(kinds)):
        helper = kinds.get("admin") or kinds["assistant"]
        seniority = "entry" if "entry" in kinds or "junior" in kinds else "ic"
        # ... unless the word is part of a longer job name ("Company Secretary" is legal).
        job = next((f for f in functions if f.cue.detail == "job" and f.start <= helper.start
                    and f.end >= helper.end and f.end - f.start > helper.end - helper.start),
                   None)
        if job is not None:
            return Labels(seniority, job.cue.label, traits, helper.term, job.term, 1.0)
        return Labels(seniority, "other", traits, helper.term, helper.term, 1.0)

    best = _best_candidate(component, ranks, functions, context, bank)
    if best is None:
        function = named.cue.label if named else None
        return Labels("unknown", function, traits, "", named_term, 0.6 if named else 0.2)
    seniority, function, certainty = best.seniority, best.function, best.certainty
    function_term = best.hit.term if function is not None else None
    kind = best.hit.cue.label
    qualifier = None
    if kind in ("head_of_org", "executive_director"):  # only these two look at it
        # What the title names beside the rank words themselves ("Executive" in "Executive
        # Director" is part of the rank, "Finance" in "Executive Director, Finance" is not).
        qualifier = _best_function(
            [f for f in functions if f.end <= best.hit.start or f.start >= best.hit.end]
        )
    if kind == "head_of_org" and (qualifier or places or component.home_unknown or other_vp):
        seniority, certainty = "vp", certainty * 0.95  # head of a unit, not of the company
    elif kind == "executive_director":
        if qualifier and qualifier.cue.detail != "weak":
            seniority, function, function_term = "director", None, None
        elif places or component.home_unknown or other_vp:
            seniority = "vp"
    if "deputy" in kinds and seniority in _STEP_DOWN:
        seniority = _STEP_DOWN[seniority]
    if _is_entry_level(kinds, seniority, ranks, named is not None):
        seniority = "entry"
    elif seniority == "ic" and ("senior" in kinds or "level_high" in kinds):
        seniority = "senior_ic"
    if kind == "board":
        traits = traits._replace(non_executive=True)
    source = qualifier if kind == "executive_director" else named
    if function is None and source is not None:
        function, function_term = source.cue.label, source.term
    if function_term is None:
        function_term = named_term
    return Labels(seniority, function, traits, best.hit.term, function_term, certainty)


def decide_role(seniority: str, function: str, traits: Traits,
                advisory_excluded: frozenset[str]) -> tuple[str, str]:
    """Buying role and the rule that gave it (guide section D, first match wins)."""
    if traits.not_current:
        return "unknown", "not a current job"
    if function in CONTROL_FUNCTIONS:
        return "blocker", f"{function} can stall or veto"
    if seniority == "unknown":
        return "unknown", "no rank in the title"
    if function == "finance":
        if seniority in ("c_level", "vp"):
            return "economic_buyer", f"finance at {seniority.replace('_', '-')}"
        if seniority == "director" and traits.top_finance and not traits.finance_subarea:
            return "economic_buyer", "top finance job"
    if seniority == "c_level":
        if traits.non_executive:
            return "influencer", "non-executive board role"
        return "executive_sponsor", "c-level"
    if traits.influencer_area:
        return "influencer", "strategy or transformation role"
    if traits.advisory and function not in advisory_excluded:
        return "influencer", "advisory role"
    if seniority in ("vp", "director"):
        return "decision_maker", f"{seniority} rank"
    if function in TECHNICAL_FUNCTIONS and seniority in ("manager", "senior_ic", "ic"):
        return "technical_evaluator", f"hands-on {function}"
    return "user", "does the work"


def default_function(seniority: str) -> str:
    """Function of a title that names none: general management from director up."""
    return "executive" if RANK[seniority] >= RANK["director"] else "other"


def _candidates(component: Component, ranks: list[Hit], functions: list[Hit],
                context: Mapping[str, frozenset[str]], bank: bool) -> list[_Candidate]:
    """Seniority (and function, when the rank word names one) each rank word suggests;
    modifiers ("senior", "interim") suggest none."""
    found: list[_Candidate] = []
    for hit in ranks:
        kind = hit.cue.label
        fixed = _FIXED_CANDIDATES.get(kind)
        if fixed is not None:
            found.append(_Candidate(fixed[0], fixed[1], hit, fixed[2]))
        elif kind in _CONTEXT_KINDS:
            found.append(_in_context(hit, component.words, ranks, functions, context, bank))
    return found


def _best_candidate(component: Component, ranks: list[Hit], functions: list[Hit],
                    context: Mapping[str, frozenset[str]], bank: bool) -> _Candidate | None:
    """The first of _candidates that is most senior and, among chief officers, spelled
    out rather than abbreviated, which may stand for several ("CPO (Chief Procurement
    Officer)": procurement, not product). Fixed readings are compared by rank without
    making a candidate for each: only the winner is made."""
    best: _Candidate | None = None
    fixed_best: tuple[int, str, str | None, float] | None = None
    fixed_hit: Hit | None = None
    best_rank, best_spelled = -1, 0
    for hit in ranks:
        kind = hit.cue.label
        fixed = _FIXED_RANKED.get(kind)
        if fixed is not None:
            if fixed[0] > best_rank:  # never spelled out: only a higher rank wins
                fixed_best, fixed_hit, best = fixed, hit, None
                best_rank, best_spelled = fixed[0], 0
        elif kind in _CONTEXT_KINDS:
            candidate = _in_context(hit, component.words, ranks, functions, context, bank)
            rank = RANK[candidate.seniority]
            spelled = hit.end - hit.start if kind == "cxo" and hit.end - hit.start > 1 else 0
            if rank > best_rank or (rank == best_rank and spelled > best_spelled):
                best, fixed_best = candidate, None
                best_rank, best_spelled = rank, spelled
    if fixed_best is not None and fixed_hit is not None:
        return _Candidate(fixed_best[1], fixed_best[2], fixed_hit, fixed_best[3])
    return best


def _in_context(hit: Hit, words: tuple[str, ...], ranks: list[Hit], functions: list[Hit],
                context: Mapping[str, frozenset[str]], bank: bool) -> _Candidate:
    """A rank word whose reading depends on the words around it or on a bank context."""
    kind = hit.cue.label
    if kind == "cxo":
        return _Candidate("c_level", hit.cue.detail, hit)
    if kind == "vp":
        return _Candidate("manager" if bank else "vp", None, hit)
    if kind == "avp":
        return _Candidate("senior_ic" if bank else "vp", None, hit)
    if kind == "lead":
        before_noun = _precedes_noun(hit, ranks)
        return _Candidate("senior_ic" if before_noun else "manager", None, hit, 0.9)
    if kind == "chief":
        return _chief(hit, words, ranks, functions)
    before = words[hit.start - 1] if hit.start > 0 else ""
    if kind == "owner":
        corporate = before in context.get("owner_role_prefixes", frozenset())
        return (_Candidate("ic", None, hit, 0.8) if corporate
                else _Candidate("c_level", "executive", hit, 0.9))
    after = words[hit.end] if hit.end < len(words) else ""  # kind == "partner"
    role_like = (before in context.get("partner_role_prefixes", frozenset())
                 or after in context.get("partner_role_suffixes", frozenset())
                 or any(f.start < hit.start <= f.end
                        and f.cue.label in _PARTNERING_FUNCTIONS for f in functions))
    return (_Candidate("ic", None, hit, 0.8) if role_like
            else _Candidate("c_level", "executive", hit, 0.9))


def _chief(hit: Hit, words: tuple[str, ...], ranks: list[Hit], functions: list[Hit]) -> _Candidate:
    """"Chief ... Officer" is c-level in the function named between; "Chief Engineer" is a
    senior IC; a bare "Chief" leads the organisation."""
    officer = next((i for i in range(hit.end, len(words)) if words[i].startswith("officer")), None)
    if officer is not None:
        between = [f for f in functions if hit.end <= f.start < officer]
        named = _best_function(between)
        return _Candidate("c_level", named.cue.label if named else "executive", hit)
    if _precedes_noun(hit, ranks):
        return _Candidate("senior_ic", None, hit, 0.9)
    after = [f for f in functions if f.start >= hit.end]
    named = _best_function(after)
    return _Candidate("c_level", named.cue.label if named else "executive", hit, 0.8)


def _best_function(functions: list[Hit]) -> Hit | None:
    """Strongest function cue; among equals the first mentioned (guide: "first mentioned").
    "IT" right before a security word only says which security ("IT-Sicherheit")."""
    if len(functions) < 2:
        return functions[0] if functions else None
    best = None
    for hit in functions:
        if best is None or FUNCTION_STRENGTHS[hit.cue.detail] > FUNCTION_STRENGTHS[best.cue.detail]:
            best = hit
    if best is not None and best.cue.label == "it":
        security = next((f for f in functions if f.cue.label == "security"
                         and f.start == best.end and f.cue.detail == best.cue.detail), None)
        best = security or best
    return best


def _is_entry_level(kinds: Mapping[str, Hit], seniority: str, ranks: list[Hit],
                    names_function: bool) -> bool:
    """Intern/trainee/junior up to manager; "Associate <IC or manager title>";
    "Assistant <IC job>" and "<Function> Assistant" (guide B, entry)."""
    if "entry" in kinds or "junior" in kinds:
        return RANK[seniority] <= RANK["manager"]
    if "associate" in kinds and seniority in ("ic", "senior_ic", "manager"):
        return _precedes_noun(kinds["associate"], ranks)
    if "assistant" in kinds and seniority == "ic":
        return names_function or _has_other_noun(ranks)
    return False


def _precedes_noun(hit: Hit, ranks: list[Hit]) -> bool:
    return any(r.start >= hit.end and r.cue.label in _NOUN_KINDS for r in ranks)


def _has_other_noun(ranks: list[Hit]) -> bool:
    return any(r.cue.label in ("ic", "senior_ic") for r in ranks)
