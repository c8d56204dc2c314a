"""What leadpact concludes about one person or deal, and the field values that say it.
Pure: values in, values out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from leadpact.enrichment.committee import Coverage, committee_coverage
from leadpact.enrichment.engagement import refine_role
from leadpact.enrichment.labels import BuyingRole, Function, Seniority
from leadpact.enrichment.staleness import StaleVerdict, judge_staleness
from leadpact.enrichment.titles import TitleRole
from leadpact.model import Activity, Deal
from leadpact.rules.engine import Rules
from leadpact.rules.lead_model import LeadResult, PersonSnapshot, judge_lead


@dataclass(frozen=True, slots=True)
class PersonVerdict:
    seniority: Seniority
    function: Function
    role: BuyingRole  # after engagement refined the title's prior
    confidence: float
    because: str
    stage: str
    score: float
    stage_reasons: str
    title_role: BuyingRole  # the title-only prior, kept so both can be seen
    fit: str = ""  # the fit grade
    engagement: float = 0.0

    def fields(self, rules_version: str) -> dict[str, str | None]:
        return {
            "seniority": self.seniority,
            "function": self.function,
            "role": self.role,
            "role_confidence": f"{self.confidence:g}",
            "role_reason": self.because,
            "fit": self.fit or None,
            "engagement": f"{self.engagement:g}",
            "lead_stage": self.stage,
            "lead_score": f"{self.score:g}",
            "lead_reasons": self.stage_reasons,
            "rules_version": rules_version,
            "title_role": self.title_role,
        }


def judge_person(title: str | None, rules: Rules, classify: Callable[[str], TitleRole],
                 activities: Sequence[Activity],
                 now: datetime, deal_started_at: datetime | None = None, *,
                 about: PersonFacts | None = None) -> tuple[PersonVerdict, LeadResult]:
    """`classify` is the title classifier (enrichment.titles), org overrides applied; the
    person's activities then refine its role, and the rules file's lead definition
    (rules/lead_model.py) gives fit, engagement, stage and reasons."""
    about = about or PersonFacts()
    tagged = classify(title or "")
    # Meetings still ahead, cancelled or missed say nothing about the person's role.
    happened = [a for a in activities if a.happened]
    refined = refine_role(tagged.role, float(tagged.confidence), tagged.because,
                          tagged.function, happened, deal_started_at, now)
    lead = judge_lead(rules.lead, PersonSnapshot(
        now=now, role=refined.role, seniority=tagged.seniority, function=tagged.function,
        title_role=tagged.role, name=about.name, title=title, email=about.email,
        fields=about.firmographics, account=about.firmographics,
        activities=tuple(activities), sales_feedback=about.sales_feedback))
    verdict = PersonVerdict(tagged.seniority, tagged.function, refined.role,
                            round(refined.confidence, 2), refined.because,
                            lead.stage, round(lead.score), lead.reasons, tagged.role,
                            lead.grade, round(lead.engagement))
    return verdict, lead


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the lead definition reads about a person besides title and activities, merged
    over their records in both CRMs. `firmographics`: the person's own record's (a lead's
    Industry, NumberOfEmployees, Country), canonical names, standing in for the account's
    until accounts are read."""

    name: str = ""
    email: str | None = None
    firmographics: Mapping[str, str | None] = field(default_factory=dict)
    sales_feedback: str | None = None


@dataclass(frozen=True, slots=True)
class DealVerdict:
    stale: StaleVerdict
    coverage: Coverage

    def fields(self, rules_version: str) -> dict[str, str | None]:
        judged = self.stale.judged
        silent = self.stale.days_buyer_silent
        return {
            "stale": ("yes" if self.stale.stale else "no") if judged else None,
            "stale_score": f"{self.stale.score:g}" if judged else None,
            "stale_reasons": self.stale.reasons or None,
            "days_buyer_silent": str(silent) if silent is not None else None,
            "committee_present": ", ".join(self.coverage.present) or None,
            "committee_missing": ", ".join(self.coverage.missing) or None,
            "committee_flags": ", ".join(self.coverage.flags) or None,
            "rules_version": rules_version,
        }

    def summary(self) -> DealSummary:
        """What is kept in state to tell, next run, whether the verdict changed (and what
        `leadpact report stale` shows)."""
        last = self.stale.last_buyer_at
        return DealSummary(self.stale.stale, self.stale.reasons, self.stale.score,
                           self.stale.days_buyer_silent, last.isoformat() if last else None,
                           self.coverage.has_gaps, tuple(self.coverage.flags),
                           tuple(self.coverage.missing))


@dataclass(frozen=True, slots=True)
class DealSummary:
    """A deal's verdict as state keeps it."""

    stale: bool
    reasons: str
    score: float
    days_buyer_silent: int | None
    last_buyer_activity_at: str | None  # ISO time, as the report shows it
    gaps: bool
    flags: tuple[str, ...]
    missing: tuple[BuyingRole, ...]


def judge_deal(deal: Deal, roles: list[BuyingRole], rules: Rules, now: datetime,
               engaged_roles: list[BuyingRole] | None = None,
               timeline: Sequence[Activity] = (),
               norms: Mapping[str, int] | None = None) -> DealVerdict:
    """`roles`: each contact's buying role; `engaged_roles`: the roles of contacts with
    recent buyer-side activity (None: unknown); `timeline`: the deal's activities, those
    logged on its contacts included (enrichment.buyer_activity.deal_timeline); `norms`:
    the org's learned days per stage."""
    return DealVerdict(judge_staleness(deal, timeline, now, rules.stale, norms),
                       committee_coverage(roles, rules.required_roles, engaged_roles))
