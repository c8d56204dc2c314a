"""The closed condition vocabulary of the rules file, and its pure evaluator.

A condition is one of:
  {all: [c, …]}   {any: [c, …]}   {not: c}
  {field: F, equals: V} | in: [V, …] | contains: V | matches: REGEX | gte: N | lte: N
                         | exists: true/false | within_days: N | older_than_days: N
  {activities: {kinds: [K, …], within_days: N, at_least: N}}
  {role_present: [ROLE, …]}   {role_engaged: [ROLE, …]}   (an account's people)
No code, no expressions: a file can only combine these. Text compares ignore case; a
missing value makes every test on it false except `exists: false`. Dates are compared in
UTC: a value without a zone is taken as UTC, a bare date as its midnight in UTC.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from leadpact.enrichment.titles import FUNCTIONS, SENIORITIES
from leadpact.model import ACTIVITY_KINDS, CONNECTED, NOT_REACHED, TWO_WAY_KINDS, Activity

FIELD_OPS = ("equals", "in", "contains", "matches", "gte", "lte", "exists", "within_days",
             "older_than_days")
COMBINATORS = ("all", "any", "not")
SPECIAL = ("activities", "role_present", "role_engaged")
KEYS = (*COMBINATORS, "field", *SPECIAL)
ACTIVITY_KEYS = ("kinds", "within_days", "at_least")
MAX_DAYS = 36_500

# Field names every snapshot may carry (rules/lead_model.py fills them); `person.X` and
# `account.X` also name any firmographic field mapped in config (industry, employees,
# country, …).
PERSON_FIELDS = ("name", "title", "email", "email_domain", "role", "title_role",
                 "seniority", "function", "sales_feedback", "rejection_reason", "fit",
                 "fit_grade", "engagement", "score", "disqualifier", "last_engaged_at")
ACCOUNT_FIELDS = ("engaged_roles", "engaged_people", "active_people", "people",
                  "power_engaged", "user_only", "sales_ready_people")
KNOWN_FIELDS = (*PERSON_FIELDS, *ACCOUNT_FIELDS, "account.name", "account.industry",
                "account.employees", "account.country", "person.industry",
                "person.employees", "person.country")
_EXTRA_FIELD = re.compile(r"^(person|account)\.[a-z][a-z0-9_]{0,60}$")

# Fields with a closed set of values: a test for a value outside it is a typo. `()`: the
# roles the rules file knows (passed in).
VOCABULARY: dict[str, tuple[str, ...]] = {"role": (), "title_role": (),
                                          "seniority": SENIORITIES, "function": FUNCTIONS}

Path_ = tuple[Any, ...]
Value = str | float | bool | datetime | None


class BadCondition(Exception):
    """A condition the vocabulary does not allow: where (key path) and what to write."""

    def __init__(self, path: Path_, detail: str):
        super().__init__(detail)
        self.path, self.detail = path, detail


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class FieldTest:
    field: str
    op: str  # one of FIELD_OPS
    value: Any  # str | float | bool | frozenset[str] | re.Pattern[str], by op


@dataclass(frozen=True, slots=True)
class ActivityCount:
    kinds: frozenset[str]
    within_days: int
    at_least: int


@dataclass(frozen=True, slots=True)
class RoleAt:
    engaged: bool  # False: present at the account; True: engaged there recently
    roles: frozenset[str]


Condition = All | AnyOf | Not | FieldTest | ActivityCount | RoleAt
ALWAYS: Condition = All(())


@dataclass(frozen=True, slots=True)
class Facts:
    """What a condition can look at: field values by canonical name, the activities, and
    for an account the roles present and engaged among its people."""

    now: datetime
    values: Mapping[str, Value]
    activities: tuple[Activity, ...] = ()
    roles_present: frozenset[str] = frozenset()
    roles_engaged: frozenset[str] = frozenset()


# -- evaluation -----------------------------------------------------------------------------

def holds(condition: Condition, facts: Facts) -> bool:
    if isinstance(condition, All):
        return all(holds(c, facts) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(c, facts) for c in condition.items)
    if isinstance(condition, Not):
        return not holds(condition.item, facts)
    if isinstance(condition, ActivityCount):
        return count_activities(facts.activities, condition.kinds, condition.within_days,
                                facts.now) >= condition.at_least
    if isinstance(condition, RoleAt):
        found = facts.roles_engaged if condition.engaged else facts.roles_present
        return bool(found & condition.roles)
    return _field_holds(condition, facts.values.get(condition.field), facts.now)


def counts_as_buyer(activity: Activity) -> bool:
    """The buyer acted: a reply they wrote, a meeting held, a call that connected, or a
    marketing touch (always the buyer's own). The rep's own emails and calls that did not
    connect do not count."""
    if activity.kind == "meeting":
        return activity.happened
    if activity.kind == "call":
        return activity.outcome == CONNECTED or (activity.inbound and
                                                 activity.outcome != NOT_REACHED)
    if activity.kind in TWO_WAY_KINDS:
        return activity.inbound
    return True


def count_activities(activities: tuple[Activity, ...], kinds: frozenset[str], days: int,
                     now: datetime) -> int:
    since = now - timedelta(days=days)
    return sum(1 for a in activities
               if a.kind in kinds and since <= a.at <= now and counts_as_buyer(a))


def _field_holds(test: FieldTest, value: Value, now: datetime) -> bool:
    if test.op == "exists":
        return _present(value) is bool(test.value)
    if not _present(value):
        return False
    op, wanted = test.op, test.value
    if op in ("gte", "lte"):
        number = as_number(value)
        if number is None:
            return False
        limit = float(wanted)
        return number >= limit if op == "gte" else number <= limit
    if op in ("within_days", "older_than_days"):
        at = as_datetime(value)
        if at is None:
            return False
        cutoff = now - timedelta(days=wanted)
        return cutoff <= at <= now if op == "within_days" else at < cutoff
    if op == "equals" and isinstance(wanted, bool):
        return _as_bool(value) is wanted
    if op == "equals" and isinstance(wanted, float):
        return as_number(value) == wanted
    text = _text(value)
    if op == "equals":
        return text == str(wanted).casefold()
    if op == "in":
        return text in wanted
    if op == "contains":
        return str(wanted).casefold() in text
    if op == "matches":
        return wanted.search(str(value)) is not None
    raise AssertionError(op)  # the parser admits no other operator


def _present(value: Value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).strip().casefold()


def _as_bool(value: Value) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "yes": True, "1": True, "false": False, "no": False,
            "0": False}.get(_text(value))


def as_number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None or isinstance(value, datetime):
        return None
    if isinstance(value, float | int):
        return float(value)
    try:  # CRM text: "1,200" from a formatted export reads as 1200
        return float(value.replace(",", "").strip())
    except ValueError:
        return None


def as_datetime(value: Value) -> datetime | None:
    """A CRM date or timestamp as an aware UTC datetime (None when it is not one)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


# -- parsing --------------------------------------------------------------------------------

def parse(data: Any, path: Path_, roles: tuple[str, ...]) -> Condition:
    """A condition from its YAML value; BadCondition names the key path at fault."""
    if not isinstance(data, dict) or not data:
        raise BadCondition(path, "must be a condition: a mapping such as {field: title, "
                                 "matches: \"\\\\bCFO\\\\b\"}, {all: […]}, {any: […]} or "
                                 "{not: …}")
    for key in data:
        if key not in KEYS and key not in FIELD_OPS:
            raise BadCondition((*path, key), f"unknown `{key}`; "
                                             f"{suggest(key, (*KEYS, *FIELD_OPS))}")
    if "field" in data:
        return _parse_field(data, path, roles)
    if len(data) != 1:
        raise BadCondition(path, f"holds {', '.join(map(str, data))}: a condition has one "
                                 "of all, any, not, activities, role_present, role_engaged, "
                                 "or `field` with one test; wrap several in `all: […]`")
    (key, value), = data.items()
    here = (*path, key)
    if key in ("all", "any"):
        if not isinstance(value, list):
            raise BadCondition(here, "must be a list of conditions (lines starting with '- ')")
        items = tuple(parse(item, (*here, i), roles) for i, item in enumerate(value))
        return All(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse(value, here, roles))
    if key == "activities":
        return _parse_activities(value, here)
    if key in ("role_present", "role_engaged"):
        return RoleAt(key == "role_engaged", frozenset(role_list(value, here, roles)))
    raise BadCondition(path, f"`{key}` needs `field: NAME` beside it, e.g. "
                             f"{{field: title, {key}: …}}")


def _parse_field(data: dict[str, Any], path: Path_, roles: tuple[str, ...]) -> FieldTest:
    name = data["field"]
    if not isinstance(name, str) or not (name in KNOWN_FIELDS or _EXTRA_FIELD.match(name)):
        raise BadCondition((*path, "field"), f"unknown field {name!r}; "
                           f"{suggest(name, KNOWN_FIELDS)} (or person.NAME / account.NAME "
                           "for a field mapped in config)")
    ops = [k for k in data if k != "field"]
    if len(ops) != 1 or ops[0] not in FIELD_OPS:
        raise BadCondition(path, f"`field: {name}` needs exactly one test: "
                                 f"{', '.join(FIELD_OPS)}")
    op = ops[0]
    value, here = data[op], (*path, op)
    if op in ("equals", "in") and name in VOCABULARY:  # a typo would never match
        _known_values(value, here, VOCABULARY[name] or roles)
    if op in ("equals", "contains"):
        if isinstance(value, bool) and op == "equals":
            return FieldTest(name, op, value)
        if isinstance(value, int | float) and not isinstance(value, bool) and op == "equals":
            return FieldTest(name, op, float(value))
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise BadCondition(here, "must be a text or a number")
        return FieldTest(name, op, str(value))
    if op == "in":
        if not isinstance(value, list) or not value or \
                not all(isinstance(v, str | int | float) for v in value):
            raise BadCondition(here, "must be a non-empty list of texts, e.g. [gmail.com, "
                                     "yahoo.com]")
        return FieldTest(name, op, frozenset(_text(v if not isinstance(v, int) else float(v))
                                             for v in value))
    if op == "matches":
        return FieldTest(name, op, _regex(value, here))
    if op in ("gte", "lte"):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not abs(value) <= 1e9:
            raise BadCondition(here, f"must be a number, not {value!r}")
        return FieldTest(name, op, float(value))
    if op == "exists":
        if not isinstance(value, bool):
            raise BadCondition(here, "must be true or false")
        return FieldTest(name, op, value)
    return FieldTest(name, op, days(value, here))


def _known_values(value: Any, path: Path_, allowed: tuple[str, ...]) -> None:
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        if item not in allowed:
            at = (*path, i) if isinstance(value, list) else path
            raise BadCondition(at, f"unknown value {item!r}; {suggest(item, allowed)}")


def _parse_activities(value: Any, path: Path_) -> ActivityCount:
    if not isinstance(value, dict):
        raise BadCondition(path, "must be a mapping: {kinds: [email, meeting], within_days: "
                                 "14, at_least: 2}")
    for key in value:
        if key not in ACTIVITY_KEYS:
            raise BadCondition((*path, key), f"unknown `{key}`; {suggest(key, ACTIVITY_KEYS)}")
    for key in ACTIVITY_KEYS:
        if key not in value:
            raise BadCondition(path, f"missing `{key}`; e.g. {{kinds: [email, meeting], "
                                     "within_days: 14, at_least: 2}")
    kinds = value["kinds"]
    if not isinstance(kinds, list) or not kinds:
        raise BadCondition((*path, "kinds"), f"must be a list of {', '.join(ACTIVITY_KINDS)}")
    for i, kind in enumerate(kinds):
        if kind not in ACTIVITY_KINDS:
            raise BadCondition((*path, "kinds", i), f"unknown activity kind {kind!r}; "
                                                    f"{suggest(kind, ACTIVITY_KINDS)}")
    least = value["at_least"]
    if isinstance(least, bool) or not isinstance(least, int) or not 1 <= least <= 10_000:
        raise BadCondition((*path, "at_least"), f"must be a whole number from 1 to 10000, "
                                                f"not {least!r}")
    return ActivityCount(frozenset(kinds), days(value["within_days"],
                                                (*path, "within_days")), least)


def role_list(value: Any, path: Path_, roles: tuple[str, ...]) -> list[str]:
    if not isinstance(value, list) or not value:
        raise BadCondition(path, f"must be a non-empty list of roles: {', '.join(roles)}")
    for i, role in enumerate(value):
        if role not in roles:
            raise BadCondition((*path, i), f"unknown role {role!r}; {suggest(role, roles)}")
    return value


def days(value: Any, path: Path_) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise BadCondition(path, f"must be a whole number of days from 0 to {MAX_DAYS}, "
                                 f"not {value!r}")
    return value


def _regex(value: Any, path: Path_) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise BadCondition(path, "must be a regular expression in quotes")
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise BadCondition(path, f"is not a valid regular expression ({exc}); escape special "
                                 "characters, e.g. \\( for a literal (") from None
    except (RecursionError, OverflowError):
        raise BadCondition(path, "is not a valid regular expression (nested too deeply)") \
            from None


def suggest(value: Any, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"use one of {', '.join(choices)}"


def always(condition: Condition) -> bool:
    """True for a condition that holds whatever the facts (an empty `all`)."""
    if isinstance(condition, All):
        return all(always(c) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(always(c) for c in condition.items)
    return False
