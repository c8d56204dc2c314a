"""Every condition mistake in a lead definition, not only the first: each `when` of the
file is parsed on its own, and inside a failing `all` / `any` / `not` each item is, so two
mistakes in one stage are both named. The engine's own parser decides (rules/conditions.py),
so the checker and a sync can never disagree on what is valid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from leadpact.rules.conditions import BadCondition, parse
from leadpact.rules.strict_yaml import Path_


def condition_problems(data: dict[str, Any], roles: tuple[str, ...]) -> list[BadCondition]:
    """The mistakes of every condition in the file, in file order of their places."""
    return [problem for path, condition in _conditions(data)
            for problem in _problems(condition, path, roles)]


def _conditions(data: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    """(key path, value) of each `when` the lead definition holds. Places of the wrong
    shape are left to the schema, which names them."""
    fit, stages = _table(data, "fit"), _table(data, "stages")
    person = _table(fit, "person")
    places: list[tuple[Path_, Any]] = [
        (("fit", "person", "signals"), person.get("signals")),
        (("fit", "account"), fit.get("account")),
        (("disqualifiers",), data.get("disqualifiers")),
        (("stages", "person"), stages.get("person")),
        (("stages", "account"), stages.get("account")),
    ]
    for path, entries in places:
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and entry.get("when") is not None:
                yield (*path, index, "when"), entry["when"]


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _problems(condition: Any, path: Path_, roles: tuple[str, ...]) -> list[BadCondition]:
    try:
        parse(condition, path, roles)
        return []
    except BadCondition as first:
        if not isinstance(condition, dict) or len(condition) != 1:
            return [first]
        (key, value), = condition.items()
        if key in ("all", "any") and isinstance(value, list):
            inner = [problem for index, item in enumerate(value)
                     for problem in _problems(item, (*path, key, index), roles)]
            return inner or [first]
        if key == "not":
            return _problems(value, (*path, key), roles) or [first]
        return [first]
