"""What leadpact concludes about one person or deal, and the field values that say it.
Pure: values in, values out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from leadpact.enrichment.committee import Coverage, committee_coverage
from leadpact.enrichment.engagement import refine_role
from leadpact.enrichment.staleness import StaleVerdict, judge_staleness
from leadpact.model import Activity, ContactRole, Deal, Ref
from leadpact.rules.engine import Rules
from leadpact.rules.lead_model import LeadResult, PersonSnapshot, judge_lead


@dataclass(frozen=True, slots=True)
class PersonVerdict:
    seniority: str
    function: str
    role: str  # after engagement refined the title's prior
    confidence: float
    because: str
    stage: str
    score: float
    stage_reasons: str
    title_role: str  # the title-only prior, kept so both can be seen
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge_person(title: str | None, rules: Rules, classify: Any, activities: Sequence[Activity],
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

    def summary(self) -> dict[str, Any]:
        """What is kept in state to tell, next run, whether the verdict changed (and what
        `leadpact report stale` shows)."""
        last = self.stale.last_buyer_at
        return {"stale": self.stale.stale, "reasons": self.stale.reasons,
                "score": self.stale.score, "days_buyer_silent": self.stale.days_buyer_silent,
                "last_buyer_activity_at": last.isoformat() if last else None,
                "gaps": self.coverage.has_gaps, "flags": list(self.coverage.flags),
                "missing": list(self.coverage.missing)}


def judge_deal(deal: Deal, roles: list[str], rules: Rules, now: datetime,
               engaged_roles: list[str] | None = None,
               timeline: Sequence[Activity] = (),
               norms: Mapping[str, int] | None = None) -> DealVerdict:
    """`roles`: each contact's buying role; `engaged_roles`: the roles of contacts with
    recent buyer-side activity (None: unknown); `timeline`: the deal's activities, those
    logged on its contacts included (enrichment.buyer_activity.deal_timeline); `norms`:
    the org's learned days per stage."""
    return DealVerdict(judge_staleness(deal, timeline, now, rules.stale, norms),
                       committee_coverage(roles, rules.required_roles, engaged_roles))


# -- deal snapshots: enough of a deal to re-judge it as time passes, without reading it ----

def deal_snapshot(deal: Deal) -> dict[str, Any]:
    def ts(value: datetime | date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "name": deal.name, "is_closed": deal.is_closed, "created_at": ts(deal.created_at),
        "modified_at": ts(deal.modified_at), "close_date": ts(deal.close_date),
        "last_activity_at": ts(deal.last_activity_at),
        "next_activity_at": ts(deal.next_activity_at),
        "stage": deal.stage, "stage_entered_at": ts(deal.stage_entered_at),
        "close_date_pushes": deal.close_date_pushes,
        "amount": deal.amount, "owner_id": deal.owner_id, "is_won": deal.is_won,
        "account_id": deal.account_id,
        "stage_history": [[ts(at), stage] for at, stage in deal.stage_history],
        "close_date_history": [[ts(at), ts(day)] for at, day in deal.close_date_history],
        "contacts": [[str(c.person), c.role, c.id] for c in deal.contacts],
    }


def deal_from_snapshot(ref: Ref, snap: dict[str, Any]) -> Deal:
    def dt(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Deal(
        ref=ref, modified_at=datetime.fromisoformat(snap["modified_at"]), name=snap["name"],
        is_closed=snap["is_closed"], created_at=dt(snap["created_at"]),
        close_date=date.fromisoformat(snap["close_date"]) if snap["close_date"] else None,
        last_activity_at=dt(snap["last_activity_at"]),
        next_activity_at=dt(snap["next_activity_at"]),
        stage=snap.get("stage") or "", stage_entered_at=dt(snap.get("stage_entered_at")),
        close_date_pushes=snap.get("close_date_pushes"),
        amount=snap.get("amount"), owner_id=snap.get("owner_id"),
        is_won=bool(snap.get("is_won")), account_id=snap.get("account_id"),
        stage_history=tuple((datetime.fromisoformat(at), stage)
                            for at, stage in snap.get("stage_history") or ()),
        close_date_history=tuple((datetime.fromisoformat(at), date.fromisoformat(day))
                                 for at, day in snap.get("close_date_history") or ()),
        contacts=tuple(ContactRole(Ref.parse(person), role, id_)
                       for person, role, id_ in snap["contacts"]),
    )
