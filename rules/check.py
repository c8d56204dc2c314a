"""`leadpact rules check`: everything wrong with a rules file, one line each.

Driven by the shipped JSON Schema (rules/schema.json): what keys exist, their types and
limits, the allowed roles, which fields are regular expressions (`format: regex`) and which
placeholders a task subject may use (`x-placeholders`) all live there, so a new key is a
schema edit. On top of the schema come the checks a schema cannot express: duplicate keys,
`{placeholder}` typos named with the closest valid one, and stages that can never match
(decided by running the engine's own first-match evaluation on every role × seniority).

`parse_rules` runs the same check first, so a sync stops on the same message before it
reads or writes anything.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import string
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators

from leadpact.rules.check_definition import definition_problems
from leadpact.rules.lead_parse import NEW_SECTIONS
from leadpact.rules.strict_yaml import (
    Loaded,
    Path_,
    Problem,
    Unreadable,
    clip,
    load,
    one_line,
    read_text,
    short,
)

__all__ = ["Problem", "check_file", "check_text", "schema", "summary"]


@cache
def schema() -> dict[str, Any]:
    """The shipped JSON Schema of a rules file."""
    text = resources.files("leadpact.rules").joinpath("schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def check_file(path: Path) -> list[Problem]:
    try:
        text = read_text(path)
    except Unreadable as exc:
        return [exc.problem]
    return check_text(text, str(path))


def check_text(text: str, source: str) -> list[Problem]:
    """Every problem in a rules file's text, ordered by line; empty when it is valid."""
    try:
        loaded = load(text, source)
    except Unreadable as exc:
        return [exc.problem]
    if not isinstance(loaded.data, dict):
        return [Problem(source, 1, (), "the rules file must be a mapping with `version`, "
                        "`fit`, `stages`, `deals` and `titles`; start from the shipped "
                        "rules/default.yaml")]
    found = list(loaded.problems)
    semantic = [*_placeholder_problems(loaded, source)]
    covered = {p.path for p in semantic}
    for error in _validator().iter_errors(loaded.data):
        found.extend(p for p in _translate(error, loaded, source) if p.path not in covered)
    found.extend(semantic)
    if "lead" in loaded.data and not any(p.path[:1] == ("lead",) for p in found):
        found.extend(_stage_problems(loaded, source))
    if not any(p.path[:1] in DEFINITION_ROOTS for p in found):  # once its shape is right
        found.extend(definition_problems(loaded, source))
    unique = {str(p): p for p in found}
    return sorted(unique.values(), key=lambda p: (p.line, str(p)))


def summary(problems: list[Problem], source: str) -> str:
    """One line for an error: the first problem, and how many more `rules check` lists."""
    more = len(problems) - 1
    return str(problems[0]) + (one_line(f" (and {more} more: run `leadpact rules check "
                                        f"{source}`)") if more else "")


# -- the schema ---------------------------------------------------------------------------

def _is_integer(_: Any, value: Any) -> bool:  # 30.0 is not a whole number here: the engine
    return isinstance(value, int) and not isinstance(value, bool)  # takes int only


def _is_number(_: Any, value: Any) -> bool:  # .nan and .inf pass every minimum/maximum test
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


_TYPES = Draft7Validator.TYPE_CHECKER.redefine_many(
    {"integer": _is_integer, "number": _is_number})
_Validator = validators.extend(Draft7Validator, type_checker=_TYPES)
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("regex", raises=(re.error, RecursionError, OverflowError))
def _is_regex(value: object) -> bool:
    if isinstance(value, str):
        re.compile(value, re.IGNORECASE)  # as enrichment.titles compiles override patterns
    return True


@cache
def _validator() -> Any:
    # References inlined: the same validation, without resolving "$ref"s on every value.
    return _Validator(_inline(schema()), format_checker=_FORMATS)


def _inline(spec: Any) -> Any:
    if isinstance(spec, dict):
        if spec.get("$ref") == CONDITION_REF:  # recursive: rules/conditions.py checks these
            return {}
        return {k: _inline(v) for k, v in _resolve(spec).items() if k != "definitions"}
    if isinstance(spec, list):
        return [_inline(v) for v in spec]
    return spec


CONDITION_REF = "#/definitions/condition"
# The lead definition's sections: conditions and stages are checked once these hold no
# problem of shape (rules/check_definition.py reads them as values).
DEFINITION_ROOTS = {(key,) for key in NEW_SECTIONS} | {("lead",)}

_WORDS = {"integer": "a whole number", "number": "a number", "string": "a text",
          "object": "a mapping (key: value lines)", "array": "a list (lines starting with '- ')",
          "boolean": "true or false", "null": "empty"}


def _kind(spec: dict[str, Any]) -> str:
    types = spec.get("type", [])
    words = " or ".join(_WORDS.get(t, t) for t in ([types] if isinstance(types, str) else types)
                        if t != "null")
    if "minimum" in spec and "maximum" in spec:
        words += f" from {spec['minimum']} to {spec['maximum']}"
    elif "minimum" in spec:
        words += f" ≥ {spec['minimum']}"
    return words or "a valid value"


def _translate(error: ValidationError, loaded: Loaded, source: str) -> Iterator[Problem]:
    path: Path_ = tuple(error.absolute_path)
    spec = error.schema if isinstance(error.schema, dict) else {}
    # Set on every error a validation yields (the stubs also allow jsonschema's "unset").
    value: Any = error.instance
    expected: Any = error.validator_value
    kind = error.validator

    def at(where: Path_, detail: str) -> Problem:
        return Problem(source, loaded.line(where), where, detail)

    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = [str(k) for k in spec.get("properties", {})]
        for key in value:
            if str(key) not in allowed:
                yield at((*path, key), f"unknown `{_short_text(key)}`; {_suggest(key, allowed)}")
    elif kind == "required" and isinstance(value, dict):
        for key in expected:
            if key not in value:
                yield at(path, f"missing `{key}`; add it (the shipped rules/default.yaml shows "
                               "every key with its meaning)")
    elif kind in ("type", "minimum", "maximum", "exclusiveMinimum"):
        texts = "string" in spec.get("type", ())
        fix = " (quote it to make it a text)" if isinstance(value, date) and texts else ""
        yield at(path, f"must be {_kind(spec)}, not {short(value)}{fix}")
    elif kind == "enum":
        choices = [str(c) for c in expected if c is not None]
        label = spec.get("title", "value")
        yield at(path, f"unknown {label} {short(value)}; {_suggest(value, choices)}")
    elif kind == "format":
        yield at(path, f"is not a valid regular expression ({_regex_error(value)}); escape "
                       "special characters, e.g. \\( for a literal (")
    elif kind == "pattern" and isinstance(value, str) and not value.strip():
        yield at(path, "must not be empty")
    elif kind == "pattern" and isinstance(value, str) and _CONTROL.search(value):
        yield at(path, "holds a control character (a line break, tab or NUL); remove it: "
                       "the CRMs show this value on one line")
    elif kind == "maxLength":
        yield at(path, f"is {len(value):,} characters long; shorten it to at most "
                       f"{expected}")
    elif kind == "minItems":
        yield at(path, f"needs at least {expected} entry")
    elif kind == "maxItems":
        yield at(path, f"has {len(value):,} entries; at most {expected} are allowed")
    else:
        yield at(path, f"{clip(error.message, 120)}; see rules/schema.json")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _regex_error(value: str) -> str:
    try:
        re.compile(value, re.IGNORECASE)
    except re.error as exc:
        return str(exc)
    except (RecursionError, OverflowError):
        return "nested too deeply"
    return "rejected"


def _suggest(value: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    listed = ", ".join(choices) if len(choices) <= 12 else ", ".join(choices[:12]) + ", …"
    if close:
        return f"did you mean `{close[0]}`? (allowed: {listed})"
    return f"use one of {listed}" if choices else "remove it"


def _short_text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


# -- what the schema cannot say -----------------------------------------------------------

def _annotated(data: Any, spec: dict[str, Any], keyword: str,
               path: Path_ = ()) -> Iterator[tuple[Path_, Any, dict[str, Any]]]:
    """(path, value, schema) for every value whose schema carries `keyword`."""
    spec = _resolve(spec)
    if keyword in spec:
        yield path, data, spec
    if isinstance(data, dict):
        props = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, value in data.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if isinstance(sub, dict):
                yield from _annotated(value, sub, keyword, (*path, key))
    elif isinstance(data, list) and isinstance(spec.get("items"), dict):
        for index, item in enumerate(data):
            yield from _annotated(item, spec["items"], keyword, (*path, index))


def _resolve(spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:  # local references only: "#/definitions/name"
        target: Any = schema()
        for part in spec["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        spec = {**target, **{k: v for k, v in spec.items() if k != "$ref"}}
    return spec


def _placeholder_problems(loaded: Loaded, source: str) -> Iterator[Problem]:
    for path, value, spec in _annotated(loaded.data, schema(), "x-placeholders"):
        if not isinstance(value, str):
            continue
        allowed = list(spec["x-placeholders"])
        usable = ", ".join(f"{{{name}}}" for name in allowed)
        detail = _placeholder_detail(value, allowed)
        if detail:
            yield Problem(source, loaded.line(path), path,
                          f"cannot fill {short(value, 60)}: {detail}; this subject can use "
                          f"{usable}, and {{{{ }}}} for literal braces")


def _placeholder_detail(subject: str, allowed: list[str]) -> str | None:
    try:
        fields = list(string.Formatter().parse(subject))
    except ValueError as exc:  # a lone { or }
        return str(exc)
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        if base not in allowed:
            close = difflib.get_close_matches(base, allowed, n=1, cutoff=0.5)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            return f"unknown placeholder {{{_short_text(name)}}}{hint}"
        if name != base or spec or conversion:
            return f"write {{{base}}} as it is, without attributes, formats or conversions"
    return None


def _stage_problems(loaded: Loaded, source: str) -> Iterator[Problem]:
    """Stages no person can ever reach, found by evaluating every role × seniority with
    the engine's own first-match rule."""
    from leadpact.enrichment.titles import SENIORITIES
    from leadpact.rules.engine import ROLES

    lead = loaded.data["lead"]
    stages = [SimpleNamespace(name=str(s["name"]), min_score=s["min_score"],
                              roles=None if s.get("roles") is None else frozenset(s["roles"]))
              for s in lead["stages"]]
    view = SimpleNamespace(role_points=lead["score"]["role"],
                           seniority_points=lead["score"]["seniority"])

    def first_match(role: str, seniority: str) -> str | None:
        score = view.role_points.get(role, 0) + view.seniority_points.get(seniority, 0)
        return next((s.name for s in stages if score >= s.min_score
                     and (s.roles is None or role in s.roles)), None)

    reached = {first_match(role, seniority) for role in ROLES for seniority in SENIORITIES}
    names: dict[str, int] = {}
    for index, stage in enumerate(stages):
        path: Path_ = ("lead", "stages", index)
        if stage.name in names:
            yield Problem(source, loaded.line((*path, "name")), (*path, "name"),
                          f"stage `{stage.name}` is already lead.stages.{names[stage.name]}; "
                          "give every stage its own name")
            continue
        names[stage.name] = index
        if stage.name not in reached:
            yield Problem(source, loaded.line(path), path,
                          _why_unreachable(stage, stages[:index], view, ROLES, SENIORITIES))


def _why_unreachable(stage: Any, above: list[Any], view: Any, roles: tuple[str, ...],
                     seniorities: tuple[str, ...]) -> str:
    mine = set(roles) if stage.roles is None else set(stage.roles)
    if not mine:
        return "stage can never match: `roles` is empty; list at least one role or remove it"
    for earlier in above:
        theirs = set(roles) if earlier.roles is None else set(earlier.roles)
        if earlier.min_score <= stage.min_score and mine <= theirs:
            who = "any role" if earlier.roles is None else "the same roles"
            return (f"stage `{stage.name}` can never match: stage `{earlier.name}` above it "
                    f"(min_score {earlier.min_score}, {who}) takes every such person first; "
                    f"move `{stage.name}` above `{earlier.name}`, or narrow `{earlier.name}` "
                    "(a higher min_score or fewer roles)")
    best = max(view.role_points.get(r, 0) + view.seniority_points.get(s, 0)
               for r in mine for s in seniorities)
    if best < stage.min_score:
        return (f"stage `{stage.name}` can never match: min_score {stage.min_score} is above "
                f"the highest score its roles can reach ({best}); lower it or raise the points")
    return (f"stage `{stage.name}` can never match: the stages above it take every person "
            f"who reaches min_score {stage.min_score}; reorder the stages or change min_score")
