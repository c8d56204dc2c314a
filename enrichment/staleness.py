"""Has the buyer dropped this open deal? Pure: the deal, its buyer-side timeline, the time,
the org's stage norms and the weights in the rules file.

Buyers shortlist fast and rarely tell the vendors they drop; the dropped vendor keeps
emailing, calling and pushing the close date. So the evidence is on the buyer's side:
how long since the buyer last wrote, met or took a call, how many attempts went
unanswered since, meetings cancelled or missed, a proposal met with silence, a deal
sitting in its stage far past the org's own norm. Each signal adds its points (weights in
the rules file); a future meeting the buyer booked takes points away; a reply that declines
is decisive. A deal is stale when its score reaches the threshold, never before it is
`min_deal_age_days` old, never once closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadpact.enrichment.buyer_activity import (
    attempts_since,
    declines,
    is_buyer_side,
    is_missed_meeting,
    is_proposal,
    is_upcoming_meeting,
)
from leadpact.model import Activity, Deal


@dataclass(frozen=True, slots=True)
class StaleThresholds:
    """Every threshold and weight of the stale verdict (rules file: deals.stale)."""

    threshold: float = 4.0  # score at which a deal is stale
    min_deal_age_days: int = 14  # too young to judge before this
    silent_days: int = 14  # buyer silent this long: a signal…
    silent_points: float = 1.0
    long_silent_days: int = 60  # …and this long: a second one
    long_silent_points: float = 1.0
    chase_points: float = 1.0  # per unanswered attempt since the buyer last spoke…
    chase_max: int = 3  # …counted up to this many
    stage_points: float = 1.0  # longer in the stage than the org's norm…
    stage_far_factor: float = 2.0  # …and this many times the norm
    stage_far_points: float = 1.0
    close_date_grace_days: int = 30  # close date passed by more than this
    close_date_passed_points: float = 0.5
    pushed_points: float = 0.5  # close date pushed since the buyer last spoke
    max_close_date_pushes: int = 3  # without history: pushed this often in all
    missed_meeting_points: float = 1.0  # a meeting cancelled or missed since the buyer spoke
    quiet_after_first_contact_points: float = 0.5
    quiet_after_proposal_points: float = 0.5
    booked_meeting_points: float = -1.5  # a meeting ahead, booked while the buyer talked
    booked_within_days: int = 7
    declined_points: float = 4.0  # a reply that says no
    # The org's norm for days in a stage when its history is too thin to learn one.
    stage_days: int = 60
    stage_days_by_stage: tuple[tuple[str, int], ...] = ()
    # Learning the norms from deals won: which percentile, from how many deals at least.
    norm_percentile: float = 0.8
    norm_min_deals: int = 5

    def days_allowed_in(self, stage: str, learned: Mapping[str, int] | None = None) -> int:
        if learned and stage in learned:
            return learned[stage]
        return dict(self.stage_days_by_stage).get(stage, self.stage_days)


@dataclass(frozen=True, slots=True)
class StaleSignal:
    name: str
    reason: str
    points: float = 0.0


@dataclass(frozen=True, slots=True)
class StaleVerdict:
    stale: bool
    signals: tuple[StaleSignal, ...] = ()
    score: float = 0.0
    days_buyer_silent: int | None = None
    last_buyer_at: datetime | None = None
    chases: int = 0
    pushes: int = 0
    judged: bool = field(default=True)  # False: closed, or too young to judge

    @property
    def reasons(self) -> str:
        return "; ".join(s.reason for s in self.signals)


def _day(when: datetime) -> str:
    return f"{when.day} {when:%b %Y}"


def _pushes_since(deal: Deal, since: datetime | None) -> int | None:
    """Times the close date moved later after `since`; None without history."""
    history = deal.close_date_history
    if not history:
        return None
    return sum(1 for (_, before), (at, after) in zip(history, history[1:], strict=False)
               if after > before and (since is None or at > since))


def _stage_since(deal: Deal) -> datetime | None:
    if deal.stage_history:
        entered = deal.stage_history[-1][0]
        for at, stage in reversed(deal.stage_history):
            if stage != deal.stage:
                break
            entered = at
        return entered
    return deal.stage_entered_at


def stale_signals(deal: Deal, timeline: Sequence[Activity], now: datetime,
                  t: StaleThresholds, norms: Mapping[str, int] | None = None
                  ) -> tuple[tuple[StaleSignal, ...], datetime | None, int, int]:
    """(signals, last buyer-side activity, attempts since, pushes since)."""
    past = [a for a in timeline if a.at <= now]
    buyer = [a for a in past if is_buyer_side(a)]
    last_buyer = buyer[-1].at if buyer else None
    since = last_buyer or deal.created_at
    signals: list[StaleSignal] = []
    # Reasons name dates, not day counts, so an unchanged deal keeps the same text.
    heard = f"since {_day(last_buyer)}" if last_buyer else "on this deal yet"
    if since is not None:
        silent = (now - since).days
        if silent >= t.silent_days:
            signals.append(StaleSignal("buyer_silent", f"no reply from the buyer {heard}",
                                       t.silent_points))
        if silent >= t.long_silent_days:
            signals.append(StaleSignal("buyer_long_silent",
                                       f"buyer silent over {t.long_silent_days} days",
                                       t.long_silent_points))
    chases = attempts_since(past, last_buyer, now)
    if chases:
        counted = min(chases, t.chase_max)
        signals.append(StaleSignal("chasing", f"{chases} follow-up(s) unanswered",
                                   t.chase_points * counted))
    missed = [a for a in past if is_missed_meeting(a) and (last_buyer is None
                                                           or a.at > last_buyer)]
    if missed:
        signals.append(StaleSignal("meeting_missed",
                                   f"meeting {missed[-1].outcome.replace('_', '-')} on "
                                   f"{_day(missed[-1].at)}", t.missed_meeting_points))
    if since is not None and (now - since).days >= t.silent_days:
        if len(buyer) == 1:
            signals.append(StaleSignal("quiet_after_first_contact",
                                       "quiet since the first contact",
                                       t.quiet_after_first_contact_points))
        proposals = [a for a in past if is_proposal(a) and (last_buyer is None
                                                             or a.at > last_buyer)]
        if proposals:
            signals.append(StaleSignal("quiet_after_proposal",
                                       f"no answer to the proposal sent {_day(proposals[0].at)}",
                                       t.quiet_after_proposal_points))
    entered = _stage_since(deal)
    allowed = t.days_allowed_in(deal.stage, norms)
    if entered is not None and (now - entered).days > allowed:
        far = (now - entered).days > allowed * t.stage_far_factor
        signals.append(StaleSignal(
            "stuck", f"in stage {deal.stage or '?'} since {_day(entered)} (norm: {allowed} "
                     f"days)", t.stage_points + (t.stage_far_points if far else 0.0)))
    if deal.close_date is not None and \
            (now.date() - deal.close_date).days > t.close_date_grace_days:
        signals.append(StaleSignal("close_date_passed",
                                   f"close date {deal.close_date} has passed",
                                   t.close_date_passed_points))
    pushes = _pushes_since(deal, last_buyer)
    if pushes:
        signals.append(StaleSignal("pushed", f"close date pushed {pushes} time(s) since the "
                                             "buyer last replied", t.pushed_points))
    elif pushes is None and (deal.close_date_pushes or 0) >= t.max_close_date_pushes:
        signals.append(StaleSignal("pushed", f"close date pushed {deal.close_date_pushes} "
                                             "times", t.pushed_points))
    booked = [a for a in timeline if is_upcoming_meeting(a, now) and last_buyer is not None
              and (a.booked_at or a.at) - last_buyer <= timedelta(days=t.booked_within_days)]
    if booked:
        signals.append(StaleSignal("meeting_booked", f"meeting booked for {_day(booked[0].at)}",
                                   t.booked_meeting_points))
    said_no = [a for a in past if declines(a)]
    if said_no:
        signals.append(StaleSignal("declined", f"the buyer declined on {_day(said_no[-1].at)}",
                                   t.declined_points))
    return tuple(signals), last_buyer, chases, pushes or 0


def judge_staleness(deal: Deal, timeline: Sequence[Activity], now: datetime,
                    t: StaleThresholds, norms: Mapping[str, int] | None = None
                    ) -> StaleVerdict:
    """Closed deals are never stale; nor are deals younger than `min_deal_age_days`."""
    if deal.is_closed or deal.deleted:
        return StaleVerdict(False, judged=False)
    signals, last_buyer, chases, pushes = stale_signals(deal, timeline, now, t, norms)
    since = last_buyer or deal.created_at
    silent = (now - since).days if since is not None else None
    score = round(sum(s.points for s in signals), 2)
    young = deal.created_at is not None and (now - deal.created_at).days < t.min_deal_age_days
    stale = not young and score >= t.threshold
    shown = tuple(s for s in signals if s.points > 0) if stale else ()
    return StaleVerdict(stale, shown, score, silent, last_buyer, chases, pushes,
                        judged=not young)
