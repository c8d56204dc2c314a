"""Evaluating parsed SOQL (see soql.py) over records: type check, filter, order. Pure.

Records are mappings keyed by lower-cased field name holding Python values (datetime and
date objects for those types). Like SOQL, text compares case-insensitively and null is a
value (`Field != 'x'` matches rows where Field is null).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from leadpact.connectors.sandbox.soql import (
    Compare,
    Condition,
    InSet,
    Junction,
    Like,
    Not,
    OrderKey,
    Query,
    SoqlError,
    Value,
)

# -- type check -----------------------------------------------------------------------------
_SOQL_TYPE = {"datetime": "dateTime", "date": "date", "boolean": "boolean", "number": "double",
              "string": "string"}


def _kind_of(value: Value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def check_types(cond: Condition, kind_of_field: Callable[[str], str]) -> None:
    """Refuse a literal of the wrong type for its field (e.g. a quoted datetime), the way
    Salesforce does. kind_of_field: datetime | date | boolean | number | string."""
    if isinstance(cond, Junction):
        for operand in cond.operands:
            check_types(operand, kind_of_field)
        return
    if isinstance(cond, Not):
        check_types(cond.operand, kind_of_field)
        return
    expected = kind_of_field(cond.field)
    values = cond.values if isinstance(cond, InSet) else (
        (cond.pattern,) if isinstance(cond, Like) else (cond.value,))
    if isinstance(cond, Like) and expected != "string":
        raise SoqlError(f"invalid operator on field '{cond.field}': LIKE needs a text field",
                        "INVALID_QUERY_FILTER_OPERATOR")
    for value in values:
        if value is not None and _kind_of(value) != expected:
            quoted = " and should not be enclosed in quotes" if isinstance(value, str) else ""
            raise SoqlError(
                f"value of filter criterion for field '{cond.field}' must be of type "
                f"{_SOQL_TYPE[expected]}{quoted}", "INVALID_QUERY_FILTER_OPERATOR")


# -- evaluation -----------------------------------------------------------------------------
def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


@lru_cache(maxsize=256)
def _folded_set(values: tuple[Value, ...]) -> frozenset[Any]:
    """IN lists run against every row: fold them once into a set (ids lists are long)."""
    return frozenset(_fold(v) for v in values)


def _like_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "%_":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _compare(actual: Any, op: str, expected: Value) -> bool:
    if actual is None or expected is None:
        equal = actual is None and expected is None
        return equal if op == "=" else (not equal) if op == "!=" else False
    a, b = _fold(actual), _fold(expected)
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def matches(cond: Condition, record: Mapping[str, Any]) -> bool:
    """Does a record (keyed by lower-cased field name) satisfy the condition?"""
    if isinstance(cond, Junction):
        results = (matches(operand, record) for operand in cond.operands)
        return all(results) if cond.op == "AND" else any(results)
    if isinstance(cond, Not):
        return not matches(cond.operand, record)
    actual = record[cond.field.lower()]
    if isinstance(cond, InSet):
        return (_fold(actual) in _folded_set(tuple(cond.values))) != cond.negated
    if isinstance(cond, Like):
        return actual is not None and bool(_like_regex(cond.pattern).fullmatch(str(actual)))
    return _compare(actual, cond.op, cond.value)


def _folded(name: str, record: Mapping[str, Any]) -> Any:
    return _fold(record[name])


def sort_records(records: Sequence[Mapping[str, Any]], order_by: Sequence[OrderKey]
                 ) -> list[Mapping[str, Any]]:
    """Stable multi-key sort with SOQL's null placement and case-insensitive text."""
    rows = list(records)
    for key in reversed(order_by):  # stable passes, least significant key first
        name = key.field.lower()
        nulls = [r for r in rows if r[name] is None]
        values = sorted((r for r in rows if r[name] is not None),
                        key=partial(_folded, name), reverse=key.descending)
        rows = nulls + values if key.nulls_first else values + nulls
    return rows


def execute(query: Query, records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Filter, order, offset and limit records keyed by lower-cased field names."""
    chosen = [r for r in records if query.where is None or matches(query.where, r)]
    ordered = sort_records(chosen, query.order_by)[query.offset:]
    return ordered if query.limit is None else ordered[: query.limit]


def lower_bound(cond: Condition | None, field: str) -> datetime | None:
    """A `field >= t` (or `>`) every match must satisfy, if the condition states one at its
    top level: lets the store skip older rows. None when there is none."""
    if isinstance(cond, Compare) and cond.field.lower() == field.lower() and \
            cond.op in (">=", ">") and isinstance(cond.value, datetime):
        return cond.value
    if isinstance(cond, Junction) and cond.op == "AND":
        bounds = [b for o in cond.operands if (b := lower_bound(o, field)) is not None]
        return max(bounds) if bounds else None
    return None


def required_texts(cond: Condition | None) -> dict[str, frozenset[str]]:
    """Text values some field must take for any row to match (`F = 'x'`, `F IN (...)` at
    the top level of the WHERE, casefolded): lets the sandbox skip rows before typing them.
    Keyed by lower-cased field name."""
    found: dict[str, frozenset[str]] = {}
    operands = cond.operands if isinstance(cond, Junction) and cond.op == "AND" else (cond,)
    for operand in operands:
        values: tuple[Value, ...] | None = None
        if isinstance(operand, InSet) and not operand.negated:
            values = operand.values
        elif isinstance(operand, Compare) and operand.op == "=":
            values = (operand.value,)
        if values is not None and all(isinstance(v, str) for v in values):
            key = operand.field.lower()  # type: ignore[union-attr]
            allowed = frozenset(str(v).casefold() for v in values)
            found[key] = found[key] & allowed if key in found else allowed
    return found
