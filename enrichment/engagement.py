"""Engagement refines the title prior. Pure: a person's activities in, a role out.

Titles say who someone is on paper; behaviour says what they do in this deal. Each rule
below needs enough evidence to overrule the title, and says what it saw in `because`:
- finance people who turn up only on money threads are the economic buyer;
- people who arrive late with security, privacy or legal review can veto: blocker;
- a champion is someone who keeps coming back, meeting after meeting across weeks, and
  answers: behaviour only, never a title.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

import yaml

from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.model import TWO_WAY_KINDS, Activity, ActivityKind

CHAMPION = BuyingRole.CHAMPION  # a behavioural role: only ever set from engagement
ADVOCATE_ROLES = frozenset({BuyingRole.USER, BuyingRole.TECHNICAL_EVALUATOR,
                            BuyingRole.INFLUENCER, BuyingRole.UNKNOWN})


@dataclass(frozen=True, slots=True)
class EngagementThresholds:
    economic_buyer_min_threads: int = 2  # money threads needed before a finance person counts
    late_share: float = 0.75  # joined after this share of the deal's life counts as "late"
    champion_min_meetings: int = 4  # on one deal: a single meeting per deal is just a user
    champion_min_span_days: int = 21
    champion_min_replies: int = 1


@dataclass(frozen=True, slots=True)
class RoleRefinement:
    role: BuyingRole
    confidence: float
    because: str
    changed: bool


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _topics() -> dict[str, tuple[str, ...]]:
    text = resources.files("leadpact.enrichment").joinpath("engagement_topics.yaml")
    raw = yaml.safe_load(text.read_text("utf-8"))
    return {topic: tuple(_fold(k) for k in words) for topic, words in raw.items()}


def topic_of(subject: str) -> str | None:
    folded = _fold(subject)
    for topic, keywords in _topics().items():
        if any(k in folded for k in keywords):
            return topic
    return None


def _meetings_by_deal(activities: Sequence[Activity]) -> list[list[Activity]]:
    """Meetings grouped by the deal they were about (unknown deal: one group)."""
    groups: dict[object, list[Activity]] = {}
    for activity in activities:
        if activity.kind == ActivityKind.MEETING:
            groups.setdefault(activity.deal, []).append(activity)
    return list(groups.values())


def needs_deal_context(activities: Sequence[Activity]) -> bool:
    """Whether judging these activities needs to know when the person's deals began
    (only the late-gatekeeper rule does)."""
    return any(topic_of(a.subject) == "gatekeeping" for a in activities
               if a.kind in TWO_WAY_KINDS)  # refine_role reads two-way contact only


def refine_role(
    role: BuyingRole,
    confidence: float,
    because: str,
    function: Function,
    activities: Sequence[Activity],
    deal_started_at: datetime | None = None,
    now: datetime | None = None,
    t: EngagementThresholds = EngagementThresholds(),
) -> RoleRefinement:
    """The title's role, unless the person's activities show another one clearly."""
    keep = RoleRefinement(role, confidence, because, changed=False)
    # Only two-way contact says what part someone plays in a deal: a person's marketing
    # touches (opens, visits, downloads) are not threads with the seller.
    activities = [a for a in activities if a.kind in TWO_WAY_KINDS]
    if not activities:
        return keep
    topics = [topic_of(a.subject) for a in activities]
    # Replies are the buyer writing or calling back; meetings are counted on their own.
    replies = [a for a in activities
               if a.inbound and a.kind in (ActivityKind.EMAIL, ActivityKind.CALL)]
    # A champion is an advocate without the power to decide: people who hold power or a
    # veto keep their role however often they meet.
    if role in ADVOCATE_ROLES and len(replies) >= t.champion_min_replies:
        for meetings in _meetings_by_deal(activities):
            span = max(a.at for a in meetings) - min(a.at for a in meetings)
            if len(meetings) >= t.champion_min_meetings and \
                    span >= timedelta(days=t.champion_min_span_days):
                return RoleRefinement(
                    CHAMPION, 0.8,
                    f"{len(meetings)} meetings on one deal over {span.days} days and "
                    f"{len(replies)} replies → champion (title said {role})", changed=True)
    money = sum(1 for topic in topics if topic == "commercial")
    if (function == Function.FINANCE and money >= t.economic_buyer_min_threads
            and money == len(activities) and role != BuyingRole.ECONOMIC_BUYER):
        return RoleRefinement(
            BuyingRole.ECONOMIC_BUYER, max(confidence, 0.85),
            f"finance, only on {money} pricing/contract threads → economic buyer "
            f"(title said {role})", changed=True)
    gate = [a for a, topic in zip(activities, topics, strict=True) if topic == "gatekeeping"]
    if gate and role != BuyingRole.BLOCKER and deal_started_at is not None and now is not None:
        first_seen = min(a.at for a in activities)
        life = (now - deal_started_at).total_seconds()
        if life > 0 and (first_seen - deal_started_at).total_seconds() >= t.late_share * life:
            return RoleRefinement(
                BuyingRole.BLOCKER, 0.75,
                f"joined late ({first_seen.date()}) on \"{gate[0].subject}\" → blocker "
                f"(title said {role})", changed=True)
    return keep
