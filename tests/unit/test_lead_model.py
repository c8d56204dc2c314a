"""The lead definition over snapshots: fit and grades, engagement with decay, buying-group
readiness, disqualifiers, first-match stages, and the shipped file's verdicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadpact.model import Activity
from leadpact.rules.engine import load_rules
from leadpact.rules.lead_model import (
    AccountSnapshot,
    Decay,
    Engagement,
    Member,
    PersonSnapshot,
    coarse,
    engagement_of,
    judge_account,
    judge_lead,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SHIPPED = load_rules(None).lead


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def did(kind: str, days: float, inbound: bool = True, outcome: str = "") -> Activity:
    return Activity(ago(days), kind, inbound, outcome=outcome)


# -- decay --------------------------------------------------------------------------------

HALF = Engagement({"email": Decay(16, half_life_days=7), "form": Decay(4, window_days=30),
                   "content": Decay(3, half_life_days=30)}, window_days=60, marketing_cap=6)


@pytest.mark.parametrize(("activities", "expected"), [
    ((did("email", 0),), 16),                  # fresh: full points
    ((did("email", 7),), 8),                   # one half-life: half
    ((did("email", 14),), 4),                  # two: a quarter
    # calendar days in UTC: 6.4 days before noon is 6 days back, 6.9 days is 7
    ((did("email", 6.4),), 16 * 0.5 ** (6 / 7)),
    ((did("email", 6.9),), 8),
    # 00:30 in Berlin on the 24th is 23:30 UTC on the 23rd: 8 calendar days back
    ((Activity(datetime(2026, 11, 24, 0, 30, tzinfo=timezone(timedelta(hours=1))), "email",
               True),), 16 * 0.5 ** (8 / 7)),
    ((did("email", 60),), 16 * 0.5 ** (60 / 7)),  # the window's last day still counts
    ((did("email", 61),), 0),                  # older than window_days: nothing
    ((did("email", -1),), 0),                  # the future: nothing
    ((did("email", 1, inbound=False),), 0),    # the rep's own email is not engagement
    ((did("form", 30),), 4),                   # rolling window: full points to its edge
    ((did("form", 31),), 0),                   # and none after
    ((did("form", 1), did("form", 2)), 6),     # marketing capped at 6 together…
    ((did("form", 1), did("content", 1), did("email", 0)), 6 + 16),  # …two-way is not
    ((did("webinar", 1),), 0),                 # a kind without points
])
def test_engagement_decays_per_kind(activities: tuple[Activity, ...], expected: float) -> None:
    score, _ = engagement_of(HALF, activities, NOW)
    assert score == pytest.approx(expected)


def test_engagement_reasons_count_in_words_and_say_when_capped() -> None:
    _, why = engagement_of(HALF, (did("email", 1), did("email", 2), did("form", 1),
                                  did("form", 3)), NOW)
    assert why == "2 replies, 2 forms (marketing capped)"


def test_two_way_contact_outweighs_a_pile_of_content_in_the_shipped_file() -> None:
    content = tuple(did(kind, n) for n in range(1, 30)
                    for kind in ("content", "webinar", "page_view", "email_open"))
    consumed, _ = engagement_of(SHIPPED.engagement, content, NOW)
    talked, _ = engagement_of(SHIPPED.engagement, (did("email", 2), did("meeting", 5,
                                                                        outcome="held")), NOW)
    assert consumed == SHIPPED.engagement.marketing_cap < talked


# -- a person under the shipped definition -------------------------------------------------

def cfo(**kw: object) -> PersonSnapshot:
    base: dict[str, object] = {"now": NOW, "role": "economic_buyer", "seniority": "c_level",
                               "function": "finance", "name": "Vera", "title": "CFO",
                               "email": "vera@acme.example"}
    return PersonSnapshot(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(("snapshot", "stage", "disqualifier"), [
    (cfo(activities=(did("email", 3),)), "sales_ready", None),
    (cfo(activities=(did("email", 31),)), "marketing_qualified", None),  # too long ago
    (cfo(), "marketing_qualified", None),                 # fit without engagement
    (cfo(email="vera@gmail.com", activities=(did("email", 3),)), "disqualified", "free_mail"),
    (cfo(title="Working Student Finance"), "disqualified", "student"),
    (cfo(sales_feedback="Rejected"), "disqualified", "rep_rejected"),
    (cfo(account={"type": "Customer - Direct"}), "disqualified", "existing_customer"),
    (cfo(role="user", seniority="ic", function="operations", title="Clerk",
         activities=tuple(did("content", n) for n in range(1, 20))), "marketing_qualified",
     None),  # content alone: engaged, never sales-ready
    (cfo(role="user", seniority="ic", function="operations", title="Clerk"), "nurture", None),
])
def test_shipped_person_stages(snapshot: PersonSnapshot, stage: str,
                               disqualifier: str | None) -> None:
    result = judge_lead(SHIPPED, snapshot)
    assert (result.stage, result.disqualifier) == (stage, disqualifier)
    assert (result.task is not None) is (stage == "sales_ready")


def test_fit_points_grade_and_reasons_in_plain_words() -> None:
    result = judge_lead(SHIPPED, cfo(account={"industry": "Manufacturing", "employees": "500"},
                                     activities=(did("email", 1), did("email", 2))))
    assert result.fit == 40 + 20 + 10 + 10 and result.grade == "A"
    assert result.reasons.startswith(
        "fit A (80: economic buyer +40, c level +20, ideal industry +10, 200+ employees +10); "
        "engagement 25 (2 replies)")  # 27.9 rounded down to the shipped step of 5
    assert result.score == result.fit + result.engagement
    low = judge_lead(SHIPPED, cfo(role="user", seniority="ic"))
    assert (low.fit, low.grade) == (14, "D")


def test_a_missing_firmographic_gives_no_points_and_no_error() -> None:
    result = judge_lead(SHIPPED, cfo(account={"employees": "unknown"}))
    assert result.fit == 60 and "employees" not in result.reasons


# -- an account ----------------------------------------------------------------------------

def account(*people: Member) -> AccountSnapshot:
    return AccountSnapshot(NOW, "Acme", {"industry": "Manufacturing"}, people)


@pytest.mark.parametrize(("people", "stage", "roles", "power", "user_only"), [
    ((Member("economic_buyer", last_engaged_at=ago(3)),
      Member("technical_evaluator", last_engaged_at=ago(10))),
     "sales_ready", ("economic_buyer", "technical_evaluator"), True, False),
    ((Member("economic_buyer", last_engaged_at=ago(3)),), "power_engaged",
     ("economic_buyer",), True, False),
    ((Member("economic_buyer", last_engaged_at=ago(31)),   # engaged, but not recently
      Member("technical_evaluator", last_engaged_at=ago(10))), "engaged",
     ("technical_evaluator",), False, False),
    ((Member("user", last_touch_at=ago(1)), Member("user", last_touch_at=ago(2)),
      Member("economic_buyer")), "user_only", (), False, True),  # content by users only
    ((Member("economic_buyer"), Member("user", last_touch_at=ago(40))), "cold", (), False,
     False),
    ((), "cold", (), False, False),
])
def test_shipped_account_stages(people: tuple[Member, ...], stage: str,
                                roles: tuple[str, ...], power: bool, user_only: bool) -> None:
    result = judge_account(SHIPPED, account(*people))
    assert (result.stage, result.engaged_roles, result.power_engaged, result.user_only) == \
        (stage, roles, power, user_only)
    assert (result.task is not None) is (stage == "sales_ready")


def test_account_reasons_say_who_engaged() -> None:
    result = judge_account(SHIPPED, account(
        Member("economic_buyer", last_engaged_at=ago(1)),
        Member("decision_maker", last_engaged_at=ago(2))))
    assert result.reasons.startswith("engaged in 30 days: decision maker, economic buyer; "
                                     "a power role engaged; fit ideal industry +10")


@pytest.mark.parametrize(("points", "step", "expected"), [
    (27.9, 5, 25), (25.0, 5, 25), (24.99, 5, 20), (19.9999999999, 5, 20), (4.9, 5, 0),
    (0.0, 5, 0), (27.9, 0, 27.9), (27.9, 1, 27), (27.9, 10, 20),
])
def test_engagement_is_rounded_down_to_its_step(points: float, step: float,
                                                 expected: float) -> None:
    assert coarse(points, step) == pytest.approx(expected)


def test_a_days_decay_moves_the_written_engagement_only_across_a_step() -> None:
    """Two replies decaying day by day: with the shipped step the score moves on few days,
    and a threshold that is a multiple of the step holds exactly when the raw score did."""
    exact = replace(SHIPPED, engagement=replace(SHIPPED.engagement, step=0))
    replies = (did("email", 1), did("email", 2))
    coarse_days, exact_days = [], []
    for day in range(30):
        when = NOW + timedelta(days=day)
        coarse_days.append(engagement_of(SHIPPED.engagement, replies, when)[0])
        raw = engagement_of(exact.engagement, replies, when)[0]
        exact_days.append(raw)
        assert (coarse_days[-1] >= 20) is (raw >= 20)

    def moves(values: list[float]) -> int:
        return sum(a != b for a, b in zip(values, values[1:], strict=False))
    assert moves(exact_days) == 29 and moves(coarse_days) <= 6
