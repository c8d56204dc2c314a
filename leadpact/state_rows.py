"""The rows `State` hands out, typed, and their JSON text in the SQLite file.

State keeps verdicts and deal snapshots as JSON (the same text older versions wrote, so a
state file keeps working across upgrades); this module is the one place where that JSON's
values become typed values and back (state.py only turns them into text and reads it).
Vocabulary words go through their enum's constructor here: an unknown word is an error
naming what it should have been, never a stray string deeper in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from leadpact.enrichment.labels import BuyingRole, Function, Seniority
from leadpact.model import ContactRole, Deal, Ref
from leadpact.verdicts import DealSummary, PersonVerdict
from leadpact.vocab import parse_label

# A JSON object as read back from the file: the one untyped shape, unpacked here only.
JsonObject = dict[str, object]


class RunRow(NamedTuple):
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | ok | partial | failed | died


class LedgerRow(NamedTuple):
    """One value leadpact wrote (or adopted: old equals new)."""

    run_id: str
    record: str
    field: str
    old: str | None
    new: str | None


class WrittenValue(NamedTuple):
    """A value a run changed on a record: what its undo would put back."""

    ref: Ref
    field: str
    old: str | None
    new: str | None


class JudgedRow(NamedTuple):
    """What a record looked like when last judged (leadpact/echoes.py)."""

    fingerprint: str
    values: dict[str, str | None]  # leadpact's own fields as read
    rules_version: str


@dataclass(frozen=True, slots=True)
class SavedVerdict:
    """A person's verdict as state keeps it: the judgement, plus this record's own inputs
    that its twin in the other CRM reads (firmographics, sales feedback)."""

    judged: PersonVerdict
    own_fields: Mapping[str, str | None] = field(default_factory=dict)
    sales_feedback: str | None = None

    @property
    def role(self) -> BuyingRole:
        return self.judged.role


@dataclass(frozen=True, slots=True)
class DealRow:
    """A deal as state last saw it (its snapshot, enough to judge it again as time passes)
    and the summary of its verdict then (None: never judged)."""

    ref: Ref
    deal: Deal
    verdict: DealSummary | None


# -- person verdicts ---------------------------------------------------------------------

def verdict_data(saved: SavedVerdict) -> JsonObject:
    v = saved.judged
    # str(): the words themselves, whether the classifier gave enum members or plain text
    return {"seniority": str(v.seniority), "function": str(v.function), "role": str(v.role),
            "confidence": v.confidence, "because": v.because, "stage": v.stage,
            "score": v.score, "stage_reasons": v.stage_reasons,
            "title_role": str(v.title_role), "fit": v.fit, "engagement": v.engagement,
            "own_fields": dict(saved.own_fields), "sales_feedback": saved.sales_feedback}


def verdict_from_data(value: object) -> SavedVerdict:
    data = _object(value)
    judged = PersonVerdict(
        seniority=parse_label(Seniority, _str(data.get("seniority"), "unknown"), "seniority"),
        function=parse_label(Function, _str(data.get("function"), "other"), "function"),
        role=parse_label(BuyingRole, _str(data.get("role"), "unknown"), "buying role"),
        confidence=_float(data.get("confidence")), because=_str(data.get("because")),
        stage=_str(data.get("stage")), score=_float(data.get("score")),
        stage_reasons=_str(data.get("stage_reasons")),
        title_role=parse_label(BuyingRole, _str(data.get("title_role"), "unknown"),
                               "buying role"),
        fit=_str(data.get("fit")), engagement=_float(data.get("engagement")))
    own = _object(data.get("own_fields") or {})
    feedback = data.get("sales_feedback")
    return SavedVerdict(judged, {k: None if v is None else str(v) for k, v in own.items()},
                        None if feedback is None else str(feedback))


# -- deals ---------------------------------------------------------------------------------

def summary_data(s: DealSummary) -> JsonObject:
    return {"stale": s.stale, "reasons": s.reasons, "score": s.score,
            "days_buyer_silent": s.days_buyer_silent,
            "last_buyer_activity_at": s.last_buyer_activity_at, "gaps": s.gaps,
            "flags": list(s.flags), "missing": [str(role) for role in s.missing]}


def summary_from_data(value: object) -> DealSummary:
    data = _object(value)
    days = data.get("days_buyer_silent")
    last = data.get("last_buyer_activity_at")
    return DealSummary(
        stale=data.get("stale") is True, reasons=_str(data.get("reasons")),
        score=_float(data.get("score")),
        days_buyer_silent=days if isinstance(days, int) else None,
        last_buyer_activity_at=last if isinstance(last, str) else None,
        gaps=data.get("gaps") is True, flags=tuple(str(f) for f in _list(data.get("flags"))),
        missing=tuple(parse_label(BuyingRole, str(r), "buying role")
                      for r in _list(data.get("missing"))))


def snapshot_data(deal: Deal) -> JsonObject:
    """Enough of a deal to judge it again as time passes, without reading it."""
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


def deal_from_data(ref: Ref, value: object) -> Deal:
    """The deal a snapshot describes; keys older versions did not write read as empty."""
    snap = _object(value)

    def when(key: str) -> datetime | None:
        value = snap.get(key)
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None

    def text_or_none(key: str) -> str | None:
        value = snap.get(key)
        return None if value is None else str(value)

    modified = when("modified_at")
    if modified is None:
        raise ValueError(f"state: the snapshot of {ref} has no modified_at")
    close = snap.get("close_date")
    pushes = snap.get("close_date_pushes")
    amount = snap.get("amount")
    return Deal(
        ref=ref, modified_at=modified, name=_str(snap.get("name")),
        is_closed=snap.get("is_closed") is True, created_at=when("created_at"),
        close_date=date.fromisoformat(close) if isinstance(close, str) and close else None,
        last_activity_at=when("last_activity_at"), next_activity_at=when("next_activity_at"),
        stage=_str(snap.get("stage")), stage_entered_at=when("stage_entered_at"),
        close_date_pushes=pushes if isinstance(pushes, int) else None,
        amount=float(amount) if isinstance(amount, int | float) else None,
        owner_id=text_or_none("owner_id"), is_won=snap.get("is_won") is True,
        account_id=text_or_none("account_id"),
        stage_history=tuple((datetime.fromisoformat(str(at)), str(stage))
                            for at, stage in _pairs(snap.get("stage_history"))),
        close_date_history=tuple((datetime.fromisoformat(str(at)), date.fromisoformat(str(day)))
                                 for at, day in _pairs(snap.get("close_date_history"))),
        contacts=tuple(_contact(row) for row in _list(snap.get("contacts"))),
    )


def _contact(row: object) -> ContactRole:
    person, role, id_ = _list(row)
    return ContactRole(Ref.parse(str(person)), None if role is None else str(role),
                       None if id_ is None else str(id_))


# -- reading JSON values with their types checked ----------------------------------------

def _object(value: object) -> JsonObject:
    if not isinstance(value, dict):
        raise ValueError(f"state: expected a JSON object, found {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _pairs(value: object) -> list[tuple[object, object]]:
    return [(pair[0], pair[1]) for pair in _list(value)
            if isinstance(pair, list) and len(pair) == 2]


def _str(value: object, default: str = "") -> str:
    return default if value is None else str(value)


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
