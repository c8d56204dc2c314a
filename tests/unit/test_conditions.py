"""The condition vocabulary: one table per operator, with boundaries, missing values and
time zones; and every way a condition can be written wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from leadpact.model import Activity
from leadpact.rules.conditions import BadCondition, Facts, Value, always, holds, parse
from leadpact.rules.engine import ROLES

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def check(condition: dict[str, Any], values: dict[str, Value] | None = None,
          activities: tuple[Activity, ...] = (), present: frozenset[str] = frozenset(),
          engaged: frozenset[str] = frozenset()) -> bool:
    return holds(parse(condition, (), ROLES),
                 Facts(NOW, values or {}, activities, present, engaged))


@pytest.mark.parametrize(("test", "value", "expected"), [
    ({"equals": "Manufacturing"}, "manufacturing", True),     # text ignores case
    ({"equals": "Manufacturing"}, " Manufacturing ", True),  # and surrounding blanks
    ({"equals": "Manufacturing"}, "Manufacturing Ltd", False),
    ({"equals": "Manufacturing"}, None, False),               # missing
    ({"equals": "Manufacturing"}, "", False),                 # empty is missing
    ({"equals": 500}, "500", True),                           # a number against CRM text
    ({"equals": 500}, "500.0", True),
    ({"equals": 500}, "501", False),
    ({"equals": True}, True, True),
    ({"equals": True}, "yes", True),
    ({"equals": True}, False, False),
    ({"equals": False}, None, False),                         # missing is not false
    ({"in": ["DE", "AT", "CH"]}, "de", True),
    ({"in": ["DE", "AT", "CH"]}, "FR", False),
    ({"in": ["DE", "AT", "CH"]}, None, False),
    ({"contains": "bank"}, "Investment Banking", True),
    ({"contains": "bank"}, "Insurance", False),
    ({"contains": "bank"}, None, False),
    ({"matches": r"^vp\b"}, "VP Finance", True),
    ({"matches": r"^vp\b"}, "SVP Finance", False),
    ({"matches": r"^vp\b"}, None, False),
    ({"gte": 200}, "200", True),                              # boundary is inclusive
    ({"gte": 200}, "199", False),
    ({"gte": 200}, "1,200", True),                            # formatted CRM numbers
    ({"gte": 200}, 250.0, True),
    ({"gte": 200}, "many", False),                            # not a number: false
    ({"gte": 200}, None, False),
    ({"lte": 50}, "50", True),
    ({"lte": 50}, "50.5", False),
    ({"lte": 50}, None, False),
    ({"exists": True}, "x", True),
    ({"exists": True}, "  ", False),
    ({"exists": True}, None, False),
    ({"exists": False}, None, True),
    ({"exists": False}, "x", False),
])
def test_each_field_operator(test: dict[str, Any], value: Value, expected: bool) -> None:
    assert check({"field": "account.industry", **test}, {"account.industry": value}) \
        is expected


BERLIN = timezone(timedelta(hours=1))


@pytest.mark.parametrize(("test", "value", "expected"), [
    ({"within_days": 7}, NOW - timedelta(days=7), True),              # boundary inclusive
    ({"within_days": 7}, NOW - timedelta(days=7, seconds=1), False),
    ({"within_days": 7}, NOW + timedelta(days=1), False),             # the future is not recent
    ({"within_days": 7}, "2026-11-24T12:00:00Z", True),               # CRM text, UTC
    ({"within_days": 7}, "2026-11-24T12:00:00", True),                # no zone: UTC
    ({"within_days": 7}, "2026-11-24T12:00:00+01:00", False),         # 11:00 UTC: 1 h too old
    ({"within_days": 7}, datetime(2026, 11, 24, 13, 0, tzinfo=BERLIN), True),
    ({"within_days": 7}, "2026-11-24", False),                        # a date: its UTC midnight
    ({"within_days": 7}, "2026-11-25", True),
    ({"within_days": 7}, "last week", False),                         # not a date: false
    ({"within_days": 7}, None, False),
    ({"older_than_days": 30}, NOW - timedelta(days=30, seconds=1), True),
    ({"older_than_days": 30}, NOW - timedelta(days=30), False),      # exactly 30: not older
    ({"older_than_days": 30}, "2020-01-01", True),
    ({"older_than_days": 30}, None, False),
])
def test_date_operators_compare_in_utc(test: dict[str, Any], value: Value,
                                       expected: bool) -> None:
    assert check({"field": "account.last_order", **test}, {"account.last_order": value}) \
        is expected


def reply(days: float, kind: str = "email", inbound: bool = True, outcome: str = "") -> Activity:
    return Activity(NOW - timedelta(days=days), kind, inbound, outcome=outcome)


@pytest.mark.parametrize(("activities", "expected"), [
    ((reply(1), reply(13)), True),
    ((reply(1), reply(14)), True),                      # the window's edge counts
    ((reply(1), reply(14.01)), False),
    ((reply(1), reply(2, inbound=False)), False),       # the rep's own email is not the buyer
    ((reply(1), reply(2, "meeting", outcome="held")), True),
    ((reply(1), reply(2, "meeting", outcome="cancelled")), False),
    ((reply(1), reply(2, "call", inbound=False, outcome="connected")), True),
    ((reply(1), reply(2, "call", inbound=False, outcome="not_reached")), False),
    ((reply(1), reply(2, "form")), False),              # a kind not asked for
    ((reply(1), reply(-1)), False),                     # the future does not count
    ((), False),
])
def test_activity_counts(activities: tuple[Activity, ...], expected: bool) -> None:
    condition = {"activities": {"kinds": ["email", "meeting", "call"], "within_days": 14,
                                "at_least": 2}}
    assert check(condition, activities=activities) is expected


def test_combinators_and_roles_at_the_account() -> None:
    values: dict[str, Value] = {"role": "economic_buyer", "fit": 60.0}
    assert check({"all": [{"field": "role", "equals": "economic_buyer"},
                          {"field": "fit", "gte": 50}]}, values)
    assert not check({"all": [{"field": "role", "equals": "user"},
                              {"field": "fit", "gte": 50}]}, values)
    assert check({"any": [{"field": "role", "equals": "user"}, {"field": "fit", "gte": 50}]},
                 values)
    assert not check({"any": []}, values) and check({"all": []}, values)
    assert check({"not": {"field": "role", "equals": "user"}}, values)
    present, engaged = frozenset({"user", "economic_buyer"}), frozenset({"user"})
    assert check({"role_present": ["economic_buyer"]}, present=present, engaged=engaged)
    assert not check({"role_engaged": ["economic_buyer", "decision_maker"]},
                     present=present, engaged=engaged)
    assert check({"role_engaged": ["user"]}, present=present, engaged=engaged)
    assert always(parse({"all": []}, (), ROLES))
    assert not always(parse({"field": "fit", "exists": True}, (), ROLES))


@pytest.mark.parametrize(("condition", "path", "words"), [
    ("fit", (), "must be a condition"),
    ({}, (), "must be a condition"),
    ({"feild": "fit", "gte": 1}, ("feild",), "did you mean `field`"),
    ({"field": "fit"}, (), "needs exactly one test"),
    ({"field": "fit", "gte": 1, "lte": 2}, (), "needs exactly one test"),
    ({"field": "fitt", "gte": 1}, ("field",), "did you mean `fit`"),
    ({"field": "account.Industry!", "equals": "x"}, ("field",), "unknown field"),
    ({"field": "fit", "gte": "high"}, ("gte",), "must be a number"),
    ({"field": "fit", "gte": True}, ("gte",), "must be a number"),
    ({"field": "title", "matches": "(cfo"}, ("matches",), "not a valid regular expression"),
    ({"field": "title", "matches": ""}, ("matches",), "regular expression in quotes"),
    ({"field": "title", "in": []}, ("in",), "non-empty list"),
    ({"field": "title", "in": "cfo"}, ("in",), "non-empty list"),
    ({"field": "title", "equals": ["a"]}, ("equals",), "a text or a number"),
    ({"field": "title", "exists": "yes"}, ("exists",), "true or false"),
    ({"field": "title", "within_days": -1}, ("within_days",), "from 0 to 36500"),
    ({"field": "role", "in": ["cfo"]}, ("in", 0), "unknown value 'cfo'"),
    ({"field": "seniority", "equals": "vp "}, ("equals",), "did you mean `vp`"),
    ({"all": {"field": "fit", "gte": 1}}, ("all",), "must be a list"),
    ({"all": [{"field": "fit", "gte": 1}], "any": []}, (), "wrap several in `all"),
    ({"gte": 5}, (), "needs `field: NAME` beside it"),
    ({"not": {"any": [{"field": "fit", "gtee": 1}]}}, ("not", "any", 0, "gtee"),
     "did you mean `gte`"),
    ({"activities": {"kinds": ["email"], "within_days": 7}}, ("activities",),
     "missing `at_least`"),
    ({"activities": {"kinds": ["mail"], "within_days": 7, "at_least": 1}},
     ("activities", "kinds", 0), "did you mean `email`"),
    ({"activities": {"kinds": ["email"], "within_days": 7, "at_least": 0}},
     ("activities", "at_least"), "from 1 to 10000"),
    ({"role_engaged": []}, ("role_engaged",), "non-empty list of roles"),
    ({"role_present": ["economic_buyr"]}, ("role_present", 0), "did you mean `economic_buyer`"),
])
def test_every_wrong_condition_names_its_key_path_and_the_fix(
        condition: Any, path: tuple[Any, ...], words: str) -> None:
    with pytest.raises(BadCondition) as caught:
        parse(condition, (), ROLES)
    assert caught.value.path == path and words in caught.value.detail
