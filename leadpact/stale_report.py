"""`leadpact report stale`, the pure part: open deals as the last sync judged them → stale
deals grouped by owner, with the pipeline value at risk per owner and in total.

Input is what `State.open_deals()` yields: (ref, snapshot, verdict summary). Older state
files may lack keys; a missing value shows as unknown, never as an error. The verdicts are
shown as last judged; only "days buyer-silent" is computed as of the report's moment, from
the stored last buyer-side activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadpact.model import Ref

OpenDeal = tuple[Ref, Mapping[str, Any], Mapping[str, Any] | None]
OwnerNames = Mapping[tuple[str, str], str]  # (system, owner id) -> the owner's name


@dataclass(frozen=True, slots=True)
class StaleDeal:
    ref: Ref
    name: str
    stage: str | None
    amount: float | None
    close_date: str | None
    days_buyer_silent: int | None
    last_buyer_activity_at: str | None
    score: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OwnerStale:
    """One owner's open and stale deals; `owner_id` None: deals nobody owns."""

    owner_id: str | None
    owner_name: str | None  # as the CRM names the owner (None: not known, show the id)
    open_deals: int
    value_at_risk: float
    stale_without_amount: int  # stale deals whose amount is unknown (not in value_at_risk)
    deals: tuple[StaleDeal, ...]  # most valuable first


@dataclass(frozen=True, slots=True)
class StaleReport:
    as_of: datetime
    owner_filter: str | None
    owners: tuple[OwnerStale, ...]  # most value at risk first

    @property
    def open_deals(self) -> int:
        return sum(o.open_deals for o in self.owners)

    @property
    def stale_deals(self) -> int:
        return sum(len(o.deals) for o in self.owners)

    @property
    def value_at_risk(self) -> float:
        return sum((o.value_at_risk for o in self.owners), 0.0)

    @property
    def stale_without_amount(self) -> int:
        return sum(o.stale_without_amount for o in self.owners)


def stale_report(deals: Iterable[OpenDeal], as_of: datetime,
                 owner: str | None = None, owner_names: OwnerNames | None = None
                 ) -> StaleReport:
    """Group open deals by owner; keep the stale ones; sum what they are worth. `owner`
    keeps one owner's deals (by id, or by name in any case)."""
    opened: dict[str | None, int] = {}
    stale: dict[str | None, list[StaleDeal]] = {}
    names: dict[str | None, str] = {}
    for ref, snapshot, verdict in deals:
        owner_id = _text(snapshot.get("owner_id"))
        name = (owner_names or {}).get((ref.system, owner_id or ""))
        if owner is not None and owner_id != owner and \
                (name or "").casefold() != owner.casefold():
            continue
        if name:
            names.setdefault(owner_id, name)
        opened[owner_id] = opened.get(owner_id, 0) + 1
        if verdict and verdict.get("stale") is True:
            stale.setdefault(owner_id, []).append(_stale_deal(ref, snapshot, verdict, as_of))
    owners = [_owner(owner_id, names.get(owner_id), count, stale.get(owner_id, []))
              for owner_id, count in opened.items()]
    owners.sort(key=lambda o: (-o.value_at_risk, -len(o.deals), o.owner_id is None,
                               o.owner_id or ""))
    return StaleReport(as_of, owner, tuple(owners))


def days_silent(last_buyer_activity_at: str | None, stored: int | None,
                as_of: datetime) -> int | None:
    """Whole days from the last buyer-side activity to `as_of`. Without a stored timestamp
    (older state), the days the sync stored; None when unknown, or when `as_of` is before
    that activity (how silent the buyer was then cannot be told from what is stored)."""
    if not last_buyer_activity_at:
        return stored if isinstance(stored, int) and not isinstance(stored, bool) else None
    try:
        last = datetime.fromisoformat(last_buyer_activity_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if as_of < last:
        return None
    return (as_of - last).days


def _stale_deal(ref: Ref, snapshot: Mapping[str, Any], verdict: Mapping[str, Any],
                as_of: datetime) -> StaleDeal:
    last = _text(verdict.get("last_buyer_activity_at"))
    reasons = str(verdict.get("reasons") or "")
    return StaleDeal(
        ref=ref, name=_text(snapshot.get("name")) or ref.id, stage=_text(snapshot.get("stage")),
        amount=_number(snapshot.get("amount")), close_date=_text(snapshot.get("close_date")),
        days_buyer_silent=days_silent(last, verdict.get("days_buyer_silent"), as_of),
        last_buyer_activity_at=last, score=_number(verdict.get("score")),
        reasons=tuple(r.strip() for r in reasons.split(";") if r.strip()))


def _owner(owner_id: str | None, name: str | None, open_deals: int,
           stale: list[StaleDeal]) -> OwnerStale:
    stale.sort(key=lambda d: (-(d.amount or 0.0), d.amount is None,
                              -(d.days_buyer_silent or 0), str(d.ref)))
    return OwnerStale(owner_id, name, open_deals, sum((d.amount or 0.0 for d in stale), 0.0),
                      sum(1 for d in stale if d.amount is None), tuple(stale))


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
