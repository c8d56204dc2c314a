"""HubSpot CRM search semantics, pure: request validation, filters, sorting, paging.

Values are property strings. Two values compare as numbers when both parse as numbers, as
instants when either is a datetime (ISO-8601 or epoch milliseconds, the way HubSpot takes
datetime filter values), and as case-insensitive text otherwise.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Properties = Mapping[str, "str | None"]

MAX_LIMIT = 200
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
    "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}
_NEEDS_VALUE = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "CONTAINS_TOKEN",
                "NOT_CONTAINS_TOKEN"}
_TOKEN_SPLIT = re.compile(r"[^\w@.*-]+")


class SearchError(ValueError):
    """The request is one HubSpot would refuse with 400 (message says why)."""


@dataclass(frozen=True, slots=True)
class Filter:
    property: str
    operator: str
    value: str | None = None
    high_value: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sort:
    property: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class SearchRequest:
    groups: tuple[tuple[Filter, ...], ...] = ()
    sorts: tuple[Sort, ...] = ()
    query: str | None = None
    properties: tuple[str, ...] | None = None
    limit: int = 10
    after: int = 0


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _filter(raw: Mapping[str, Any]) -> Filter:
    operator = str(raw.get("operator", "EQ")).upper()
    name = raw.get("propertyName")
    if not name:
        raise SearchError("Each filter needs a propertyName.")
    if operator not in OPERATORS:
        raise SearchError(f"Unknown filter operator {operator}.")
    if operator in _NEEDS_VALUE and raw.get("value") is None:
        raise SearchError(f"The {operator} filter on {name} needs a value.")
    if operator == "BETWEEN" and raw.get("highValue") is None:
        raise SearchError(f"The BETWEEN filter on {name} needs a highValue.")
    if operator in ("IN", "NOT_IN") and not raw.get("values"):
        raise SearchError(f"The {operator} filter on {name} needs values.")
    return Filter(str(name), operator, _str(raw.get("value")), _str(raw.get("highValue")),
                  tuple(_str(v) or "" for v in raw.get("values") or ()))


def _sort(raw: Any) -> Sort:
    if isinstance(raw, str):  # the client's model types sorts as strings: "prop" / "-prop"
        return Sort(raw.lstrip("-"), raw.startswith("-"))
    direction = str(raw.get("direction", "ASCENDING")).upper()
    return Sort(str(raw["propertyName"]), direction.startswith("DESC"))


def parse_request(body: Any, window: int = 10_000) -> SearchRequest:
    """A validated search request; SearchError for what HubSpot answers 400 to."""
    body = body or {}
    if not isinstance(body, Mapping):
        raise SearchError("Invalid input JSON.")
    raw_groups = body.get("filterGroups") or []
    if len(raw_groups) > MAX_GROUPS:
        raise SearchError(f"Too many filter groups ({len(raw_groups)}); the limit is {MAX_GROUPS}.")
    groups = tuple(tuple(_filter(f) for f in g.get("filters") or []) for g in raw_groups)
    if any(len(g) > MAX_FILTERS_PER_GROUP for g in groups) or sum(map(len, groups)) > MAX_FILTERS:
        raise SearchError(f"Too many filters: at most {MAX_FILTERS_PER_GROUP} per group and "
                          f"{MAX_FILTERS} in all.")
    limit = int(body.get("limit") or 10)
    if not 0 < limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}.")
    try:
        after = int(body.get("after") or 0)
    except ValueError:
        raise SearchError(f"after must be a number, got {body.get('after')!r}.") from None
    if after + limit > window:
        raise SearchError(f"The search window is limited to {window} results: after ({after}) "
                          f"plus limit ({limit}) is past it.")
    properties = body.get("properties")
    return SearchRequest(
        groups=groups, sorts=tuple(_sort(s) for s in body.get("sorts") or []),
        query=_str(body.get("query")) or None,
        properties=tuple(properties) if properties else None, limit=limit, after=after,
    )


# -- comparing values ----------------------------------------------------------------------
def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _instant(text: str) -> float | None:
    """Epoch milliseconds of an ISO-8601 datetime or date; None if it is not one."""
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1)


def typed(a: str, b: str) -> tuple[Any, Any]:
    """The two values in the form they compare in."""
    a_num, b_num = _number(a), _number(b)
    if a_num is not None and b_num is not None:
        return a_num, b_num
    a_time, b_time = _instant(a), _instant(b)
    if (a_time is not None or a_num is not None) and (b_time is not None or b_num is not None) \
            and (a_time is not None or b_time is not None):
        return (a_time if a_time is not None else a_num), (b_time if b_time is not None else b_num)
    return a.casefold(), b.casefold()


def compare(a: str, b: str) -> int:
    left, right = typed(a, b)
    return int(left > right) - int(left < right)


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text.casefold()) if t]


def _contains_token(value: str, token: str) -> bool:
    token = token.casefold()
    candidates = [value.casefold(), *_tokens(value)]
    if "*" in token:
        return any(fnmatch.fnmatchcase(c, token) for c in candidates)
    return token in candidates


def _in(value: str, values: Sequence[str]) -> bool:
    parts = [value, *value.split(";")] if ";" in value else [value]
    return any(compare(p, v) == 0 for p in parts for v in values)


def filter_matches(flt: Filter, props: Properties) -> bool:
    value = props.get(flt.property)
    present = value is not None and value != ""
    op = flt.operator
    if op == "HAS_PROPERTY":
        return present
    if op == "NOT_HAS_PROPERTY":
        return not present
    if op in ("NEQ", "NOT_IN", "NOT_CONTAINS_TOKEN") and not present:
        return True
    if not present:
        return False
    assert value is not None
    if op in ("IN", "NOT_IN"):
        return _in(value, flt.values) == (op == "IN")
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return _contains_token(value, flt.value or "") == (op == "CONTAINS_TOKEN")
    order = compare(value, flt.value or "")
    if op == "BETWEEN":
        return order >= 0 and compare(value, flt.high_value or "") <= 0
    return {
        "EQ": order == 0, "NEQ": order != 0, "LT": order < 0, "LTE": order <= 0,
        "GT": order > 0, "GTE": order >= 0,
    }[op]


def matches(request: SearchRequest, props: Properties, searchable: Sequence[str] = ()) -> bool:
    """filterGroups are ORed, the filters inside a group ANDed; no groups: everything.
    `query` needs every word to start a token of one of the searchable properties."""
    if request.groups and not any(all(filter_matches(f, props) for f in g)
                                  for g in request.groups):
        return False
    if request.query:
        tokens = [t for name in searchable for t in _tokens(props.get(name) or "")]
        return all(any(t.startswith(word) for t in tokens) for word in _tokens(request.query))
    return True


def _sort_key(value: str | None) -> tuple[int, int, Any]:
    """Missing values last; numbers and instants before text."""
    if value is None or value == "":
        return (1, 0, 0)
    number = _number(value)
    if number is not None:
        return (0, 0, number)
    instant = _instant(value)
    if instant is not None:
        return (0, 0, instant)
    return (0, 1, value.casefold())


def _id_key(id_: str) -> tuple[int, Any]:
    return (0, int(id_)) if id_.isdigit() else (1, id_)


def run(
    request: SearchRequest, records: Sequence[tuple[str, Properties]],
    searchable: Sequence[str] = (),
) -> tuple[list[tuple[str, Properties]], int, int | None]:
    """(this page, total matches, next `after` or None) over (id, properties) pairs.
    Ties (and requests without sorts) fall back to ascending id."""
    found = sorted((r for r in records if matches(request, r[1], searchable)),
                   key=lambda r: _id_key(r[0]))
    for sort in reversed(request.sorts):  # stable sorts: the first sort decides last
        present = [r for r in found if r[1].get(sort.property) not in (None, "")]
        missing = [r for r in found if r[1].get(sort.property) in (None, "")]
        keyed = [(_sort_key(r[1].get(sort.property)), r) for r in present]
        keyed.sort(key=lambda pair: pair[0], reverse=sort.descending)
        found = [r for _, r in keyed] + missing
    page = found[request.after:request.after + request.limit]
    more = request.after + request.limit if request.after + request.limit < len(found) else None
    return page, len(found), more


MODIFIED = frozenset({"hs_lastmodifieddate", "lastmodifieddate"})


def modified_since(request: SearchRequest) -> datetime | None:
    """A last-modified lower bound every match meets (each filter group states one), so
    the sandbox can skip older rows before rendering them; None when there is none."""
    bounds = []
    for group in request.groups:
        found = [f for f in group if f.property in MODIFIED and f.value is not None
                 and f.operator in ("GT", "GTE", "EQ", "BETWEEN")]
        millis = [_epoch_millis(f.value) for f in found if f.value is not None]
        known = [m for m in millis if m is not None]
        if not known:
            return None
        bounds.append(max(known))
    if not bounds:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=min(bounds))


def _epoch_millis(text: str) -> float | None:
    return float(text) if text.isdigit() else _instant(text)
