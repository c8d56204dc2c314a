"""The lead definition as values, and its pure evaluation over a person's or an account's
snapshot: fit, engagement with decay, buying-group readiness, disqualifiers, stages.

Everything here is a function of the snapshot and the definition (the clock is in the
snapshot), so the sync, and later tools that test, diff, backtest or explain a rules file,
all call the same code and get the same verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from leadpact.model import MARKETING_KINDS, TWO_WAY_KINDS, Activity
from leadpact.rules.conditions import Condition, Facts, Value, counts_as_buyer, holds


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    subject: str
    due_in_days: int

    def render(self, **values: str) -> str:
        return self.subject.format_map(_Blank(values))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, slots=True)
class Signal:
    """Points given when a condition holds: `label` says why in the reasons."""

    label: str
    points: float
    when: Condition


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    when: Condition
    task: TaskTemplate | None = None


@dataclass(frozen=True, slots=True)
class Decay:
    """How much one activity of a kind is worth: `points`, halved every `half_life_days`,
    or (rolling) full points for `window_days` and nothing after."""

    points: float
    half_life_days: float | None = None
    window_days: int | None = None

    def worth(self, age_days: float) -> float:
        if self.window_days is not None:
            return self.points if age_days <= self.window_days else 0.0
        if self.half_life_days is None or self.half_life_days <= 0:
            return self.points
        return self.points * float(0.5 ** (age_days / self.half_life_days))


DEFAULT_STEP = 0.0  # a file without `engagement.step` keeps exact scores (the shipped one: 5)


@dataclass(frozen=True, slots=True)
class Engagement:
    kinds: Mapping[str, Decay]
    window_days: int  # older activities count for nothing, whatever their decay
    marketing_cap: float | None  # all marketing touches together give at most this
    # The score is rounded down to a multiple of this (0: exact), so a day's decay moves a
    # person's written engagement only when it crosses a step, not every day.
    step: float = 0.0


@dataclass(frozen=True, slots=True)
class BuyingGroup:
    engaged_days: int
    power_roles: frozenset[str]
    user_roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class LeadDefinition:
    role_points: Mapping[str, float]
    seniority_points: Mapping[str, float]
    function_points: Mapping[str, float]
    person_signals: tuple[Signal, ...]
    account_signals: tuple[Signal, ...]
    grades: tuple[tuple[str, float], ...]  # (grade, minimum fit), best first
    engagement: Engagement
    buying_group: BuyingGroup
    disqualifiers: tuple[Signal, ...]  # label = the disqualifier's name; points unused
    person_stages: tuple[Stage, ...]
    account_stages: tuple[Stage, ...] = ()


# -- a person ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PersonSnapshot:
    """Everything a person's verdict depends on. `account` holds the firmographics of the
    person's account (or of their own record, for a lead without one), canonical names."""

    now: datetime
    role: str
    seniority: str
    function: str
    title_role: str = "unknown"
    name: str = ""
    title: str | None = None
    email: str | None = None
    fields: Mapping[str, str | None] = field(default_factory=dict)
    account: Mapping[str, str | None] = field(default_factory=dict)
    activities: tuple[Activity, ...] = ()
    sales_feedback: str | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True, slots=True)
class LeadResult:
    fit: float
    grade: str
    engagement: float
    score: float
    disqualifier: str | None
    stage: str
    reasons: str
    task: TaskTemplate | None
    last_engaged_at: datetime | None  # latest two-way contact from the buyer


def judge_lead(definition: LeadDefinition, snap: PersonSnapshot) -> LeadResult:
    values: dict[str, Value] = {
        "name": snap.name, "title": snap.title, "email": snap.email,
        "email_domain": email_domain(snap.email), "role": snap.role,
        "title_role": snap.title_role, "seniority": snap.seniority,
        "function": snap.function, "sales_feedback": snap.sales_feedback,
        "rejection_reason": snap.rejection_reason,
        **{f"person.{k}": v for k, v in snap.fields.items()},
        **{f"account.{k}": v for k, v in snap.account.items()},
    }
    facts = Facts(snap.now, values, snap.activities)
    fit, fit_why = person_fit(definition, snap, facts)
    grade = grade_of(definition, fit)
    engagement, engaged_why = engagement_of(definition.engagement, snap.activities, snap.now)
    last_two_way = last_engaged(snap.activities, snap.now)
    values |= {"fit": fit, "fit_grade": grade, "engagement": engagement,
               "score": fit + engagement, "last_engaged_at": last_two_way}
    disqualifier = next((d.label for d in definition.disqualifiers if holds(d.when, facts)),
                        None)
    values["disqualifier"] = disqualifier
    stage = next((s for s in definition.person_stages if holds(s.when, facts)), None)
    parts = [f"fit {grade} ({_num(fit)}: {fit_why})", f"engagement {_num(engagement)}"
             + (f" ({engaged_why})" if engaged_why else " (no recent activity)")]
    if disqualifier:
        parts.insert(0, f"disqualified: {disqualifier.replace('_', ' ')}")
    return LeadResult(fit, grade, round(engagement, 1), round(fit + engagement, 1),
                      disqualifier, stage.name if stage else "unqualified",
                      "; ".join(parts), stage.task if stage else None, last_two_way)


def person_fit(definition: LeadDefinition, snap: PersonSnapshot, facts: Facts
               ) -> tuple[float, str]:
    found: list[tuple[str, float]] = [
        (snap.role.replace("_", " "), definition.role_points.get(snap.role, 0)),
        (snap.seniority.replace("_", " "), definition.seniority_points.get(snap.seniority, 0)),
    ]
    if snap.function in definition.function_points:
        found.append((snap.function.replace("_", " "),
                      definition.function_points[snap.function]))
    found += [(s.label, s.points) for s in (*definition.person_signals,
                                            *definition.account_signals)
              if holds(s.when, facts)]
    return sum(p for _, p in found), ", ".join(f"{label} {_signed(p)}" for label, p in found)


def grade_of(definition: LeadDefinition, fit: float) -> str:
    for grade, minimum in definition.grades:
        if fit >= minimum:
            return grade
    return definition.grades[-1][0] if definition.grades else ""


def engagement_of(rules: Engagement, activities: tuple[Activity, ...], now: datetime
                  ) -> tuple[float, str]:
    """Decayed points of the buyer's own actions; marketing touches capped together."""
    two_way = marketing = 0.0
    counted: dict[str, int] = {}
    since = now - timedelta(days=rules.window_days)
    for a in activities:
        decay = rules.kinds.get(a.kind)
        if decay is None or not since <= a.at <= now or not counts_as_buyer(a):
            continue
        # Age in calendar days (UTC): every sync of one day gives the same figure, so a
        # rerun writes nothing; the decay moves once a day, at midnight UTC.
        worth = decay.worth((now.astimezone(UTC).date() - a.at.astimezone(UTC).date()).days)
        if worth <= 0:
            continue
        counted[a.kind] = counted.get(a.kind, 0) + 1
        if a.kind in MARKETING_KINDS:
            marketing += worth
        else:
            two_way += worth
    capped = rules.marketing_cap is not None and marketing > rules.marketing_cap
    if capped and rules.marketing_cap is not None:
        marketing = rules.marketing_cap
    why = ", ".join(_counted(kind, n) for kind, n in sorted(
        counted.items(), key=lambda kv: (kv[0] not in TWO_WAY_KINDS, kv[0])))
    return coarse(two_way + marketing, rules.step), why + (" (marketing capped)" if capped
                                                           else "")


def coarse(points: float, step: float) -> float:
    """`points` rounded down to a multiple of `step` (0: as is). Down, so a condition such
    as `engagement >= 20` with 20 a multiple of the step holds exactly when it did."""
    if step <= 0:
        return points
    return step * math.floor(points / step + 1e-9)  # 1e-9: 19.999999… from decay is 20


def last_engaged(activities: tuple[Activity, ...], now: datetime) -> datetime | None:
    return max((a.at for a in activities
                if a.kind in TWO_WAY_KINDS and a.at <= now and counts_as_buyer(a)),
               default=None)


# -- an account ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Member:
    """One person at an account, as their own verdict left them (twins count once)."""

    role: str
    stage: str = ""
    last_engaged_at: datetime | None = None  # two-way contact from them
    last_touch_at: datetime | None = None  # any action of theirs, marketing included
    title: str | None = None


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    now: datetime
    name: str
    fields: Mapping[str, str | None]
    people: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class AccountResult:
    fit: float
    grade: str
    stage: str
    engaged_roles: tuple[str, ...]
    power_engaged: bool
    user_only: bool
    reasons: str
    task: TaskTemplate | None


def judge_account(definition: LeadDefinition, snap: AccountSnapshot) -> AccountResult:
    group = definition.buying_group
    since = snap.now - timedelta(days=group.engaged_days)
    engaged = [m for m in snap.people
               if m.last_engaged_at is not None and since <= m.last_engaged_at <= snap.now]
    active = [m for m in snap.people
              if any(at is not None and since <= at <= snap.now
                     for at in (m.last_engaged_at, m.last_touch_at))]
    roles = tuple(sorted({m.role for m in engaged} - {"unknown"}))
    power = bool(group.power_roles & set(roles))
    user_only = bool(active) and all(m.role in group.user_roles for m in active)
    values: dict[str, Value] = {
        **{f"account.{k}": v for k, v in snap.fields.items()}, "account.name": snap.name,
        "engaged_roles": float(len(roles)), "engaged_people": float(len(engaged)),
        "active_people": float(len(active)), "people": float(len(snap.people)),
        "power_engaged": power, "user_only": user_only,
        "sales_ready_people": float(sum(1 for m in snap.people if m.stage == "sales_ready")),
    }
    facts = Facts(snap.now, values, (), frozenset(m.role for m in snap.people),
                  frozenset(roles))
    found = [(s.label, s.points) for s in definition.account_signals if holds(s.when, facts)]
    fit = sum(p for _, p in found)
    grade = grade_of(definition, fit)
    values |= {"fit": fit, "fit_grade": grade}
    stage = next((s for s in definition.account_stages if holds(s.when, facts)), None)
    who = ", ".join(r.replace("_", " ") for r in roles) or "nobody"
    parts = [f"engaged in {group.engaged_days} days: {who}",
             "a power role engaged" if power else "no power role engaged"]
    if user_only:
        parts.append("only users active")
    if found:
        parts.append("fit " + ", ".join(f"{label} {_signed(p)}" for label, p in found))
    return AccountResult(fit, grade, stage.name if stage else "unqualified", roles, power,
                         user_only, "; ".join(parts), stage.task if stage else None)


# -- words ---------------------------------------------------------------------------------

_KIND_WORDS = {"email": ("reply", "replies"), "meeting": ("meeting", "meetings"),
               "call": ("call", "calls"), "form": ("form", "forms"),
               "webinar": ("webinar", "webinars"), "content": ("download", "downloads"),
               "campaign_response": ("campaign response", "campaign responses"),
               "email_open": ("email open", "email opens"),
               "email_click": ("email click", "email clicks"),
               "page_view": ("page view", "page views")}


def _counted(kind: str, n: int) -> str:
    one, many = _KIND_WORDS.get(kind, (kind, kind))
    return f"{n} {one if n == 1 else many}"


def _num(value: float) -> str:
    return f"{round(value, 1):g}"


def _signed(points: float) -> str:
    return f"+{_num(points)}" if points >= 0 else _num(points)


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().casefold() or None
