"""The lead definition sections of a rules file (fit, engagement, buying_group,
disqualifiers, stages) read into rules/lead_model values. Pure.

Files in the earlier format (`lead.score` points + `lead.stages` with `min_score`/`roles`)
keep working: `translate_legacy` turns them into the same model (fit = the role and
seniority points, no engagement, each stage "score ≥ min_score and role in roles"), so an
org's verdicts do not move until it chooses to adopt the new sections.
"""

from __future__ import annotations

from typing import Any

from leadpact.rules.conditions import (
    ALWAYS,
    BadCondition,
    Condition,
    Path_,
    always,
    days,
    parse,
    role_list,
)
from leadpact.rules.lead_model import (
    DEFAULT_STEP,
    BuyingGroup,
    Decay,
    Engagement,
    LeadDefinition,
    Signal,
    Stage,
    TaskTemplate,
)

NEW_SECTIONS = ("fit", "engagement", "buying_group", "disqualifiers", "stages")
DEFAULT_POWER = ("economic_buyer", "decision_maker", "executive_sponsor")
DEFAULT_USERS = ("user", "unknown")
PERSON_PLACEHOLDERS = ("name", "title", "stage", "why")
ACCOUNT_PLACEHOLDERS = ("account", "stage", "why")


def translate_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """A rules file in the `lead.score`/`lead.stages` format, as the new sections."""
    lead = data.get("lead") or {}
    score = lead.get("score") or {}
    stages = []
    for stage in lead.get("stages") or []:
        tests: list[dict[str, Any]] = [{"field": "score", "gte": stage.get("min_score", 0)}]
        if stage.get("roles") is not None:
            # an empty list matches nobody, as before
            tests.append({"field": "role", "in": stage["roles"]} if stage["roles"]
                         else {"not": {"all": []}})
        found = {"name": stage.get("name"), "when": {"all": tests}}
        if stage.get("task") is not None:
            found["task"] = stage["task"]
        stages.append(found)
    rest = {k: v for k, v in data.items() if k != "lead"}
    return rest | {"fit": {"person": {"role": score.get("role") or {},
                                      "seniority": score.get("seniority") or {}}},
                   "stages": {"person": stages}}


def parse_definition(data: dict[str, Any], roles: tuple[str, ...]) -> LeadDefinition:
    """BadCondition names the key path of the first thing wrong."""
    if "lead" in data:
        data = translate_legacy(data)
    fit = _mapping(data, ("fit",))
    person = _mapping(fit, ("fit", "person"))
    stages = _mapping(data, ("stages",))
    grades = _mapping(fit, ("fit", "grades"), required=False)
    return LeadDefinition(
        role_points=_points(person, ("fit", "person", "role")),
        seniority_points=_points(person, ("fit", "person", "seniority")),
        function_points=_points(person, ("fit", "person", "function")),
        person_signals=_signals(person.get("signals"), ("fit", "person", "signals"), roles),
        account_signals=_signals(fit.get("account"), ("fit", "account"), roles),
        grades=tuple(sorted(((str(g), float(v)) for g, v in grades.items()),
                            key=lambda gv: -gv[1])),
        engagement=_engagement(_mapping(data, ("engagement",), required=False)),
        buying_group=_buying_group(_mapping(data, ("buying_group",), required=False), roles),
        disqualifiers=tuple(
            Signal(str(d["name"]), 0, parse(d.get("when"), ("disqualifiers", i, "when"), roles))
            for i, d in enumerate(_list(data, ("disqualifiers",)))),
        person_stages=_stages(stages.get("person"), ("stages", "person"), roles),
        account_stages=_stages(stages.get("account"), ("stages", "account"), roles),
    )


def unreachable_stages(stages: tuple[Stage, ...]) -> list[tuple[int, str]]:
    """(index, why) for each stage that can never match: a catch-all above it, or an
    earlier stage with the very same condition, takes every such record first."""
    found = []
    for index, stage in enumerate(stages):
        for earlier in stages[:index]:
            if always(earlier.when):
                found.append((index, f"stage `{stage.name}` can never match: stage "
                                     f"`{earlier.name}` above it has no condition and takes "
                                     f"everyone first; move `{earlier.name}` to the end or "
                                     "give it a `when`"))
                break
            if earlier.when == stage.when:
                found.append((index, f"stage `{stage.name}` can never match: stage "
                                     f"`{earlier.name}` above it has the same `when`; change "
                                     "one of them or remove the second"))
                break
    return found


# -- pieces --------------------------------------------------------------------------------

def _mapping(parent: dict[str, Any], path: Path_, required: bool = True) -> dict[str, Any]:
    value = parent.get(path[-1])
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise BadCondition(path, "must be a mapping (key: value lines)")
    return value


def _list(parent: dict[str, Any], path: Path_) -> list[Any]:
    value = parent.get(path[-1])
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadCondition(path, "must be a list (lines starting with '- ')")
    return value


def _points(parent: dict[str, Any], path: Path_) -> dict[str, float]:
    return {str(k): float(v) for k, v in _mapping(parent, path, required=False).items()}


def _signals(value: Any, path: Path_, roles: tuple[str, ...]) -> tuple[Signal, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadCondition(path, "must be a list of {label, points, when} entries")
    return tuple(Signal(str(s["label"]), float(s["points"]),
                        parse(s.get("when"), (*path, i, "when"), roles))
                 for i, s in enumerate(value))


def _engagement(spec: dict[str, Any]) -> Engagement:
    kinds = {}
    for kind, decay in (spec.get("kinds") or {}).items():
        kinds[str(kind)] = Decay(float(decay["points"]), decay.get("half_life_days"),
                                 decay.get("window_days"))
    window = spec.get("window_days", 90)
    cap = spec.get("marketing_cap")
    return Engagement(kinds, days(window, ("engagement", "window_days")),
                      float(cap) if cap is not None else None,
                      float(spec.get("step", DEFAULT_STEP)))


def _buying_group(spec: dict[str, Any], roles: tuple[str, ...]) -> BuyingGroup:
    at = ("buying_group",)
    return BuyingGroup(
        days(spec.get("engaged_days", 30), (*at, "engaged_days")),
        frozenset(role_list(spec.get("power_roles", list(DEFAULT_POWER)),
                            (*at, "power_roles"), roles)),
        frozenset(role_list(spec.get("user_roles", list(DEFAULT_USERS)),
                            (*at, "user_roles"), roles)))


def _stages(value: Any, path: Path_, roles: tuple[str, ...]) -> tuple[Stage, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadCondition(path, "must be a list of stages (lines starting with '- ')")
    found = []
    for i, spec in enumerate(value):
        when: Condition = ALWAYS if spec.get("when") is None \
            else parse(spec["when"], (*path, i, "when"), roles)
        task = spec.get("task")
        found.append(Stage(str(spec["name"]), when,
                           TaskTemplate(str(task["subject"]), int(task["due_in_days"]))
                           if task else None))
    return tuple(found)
