"""What a plan records in state, as data: the planner returns these and the edge
(leadpact/commit.py) writes them, in the page's one transaction. Some are recorded only
once the CRM confirmed the change they belong to (`Step.done`), the rest whatever the CRM
answered (`RecordPlan.updates`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadpact.model import Activity, Deal, Ref
from leadpact.state_rows import SavedVerdict
from leadpact.verdicts import DealSummary


@dataclass(frozen=True, slots=True)
class LedgerWrite:
    """A value leadpact wrote (or found written by a run cut short): undo and "ours"."""

    ref: Ref
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class PendingSettled:
    """A run cut short noted this field as about to be written: that is settled now."""

    ref: Ref
    field: str


@dataclass(frozen=True, slots=True)
class LinkRecords:
    """Records known to be one person (cross-CRM ids, conversions, merges)."""

    ref: Ref
    others: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ForgetPerson:
    ref: Ref


@dataclass(frozen=True, slots=True)
class SavePerson:
    """A person record as judged now: its identity, title, verdict and what it saw."""

    ref: Ref
    identity: str
    email: str | None
    title: str | None
    title_at: datetime
    verdict: SavedVerdict
    account: str | None
    name: str
    engaged_at: datetime | None
    activities: tuple[Activity, ...]


@dataclass(frozen=True, slots=True)
class SetIdentity:
    """The person's other records join the identity judged now."""

    refs: tuple[Ref, ...]
    identity: str


@dataclass(frozen=True, slots=True)
class SaveDeal:
    ref: Ref
    is_open: bool
    snapshot: Deal  # state keeps enough of it to judge it again as time passes
    summary: DealSummary
    contacts: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ForgetDeal:
    ref: Ref


@dataclass(frozen=True, slots=True)
class TaskMade:
    """A task the CRM made (its id comes with the CRM's answer)."""

    key: str
    rule: str
    about: Ref
    episode: int
    body: str


@dataclass(frozen=True, slots=True)
class TaskBodySet:
    key: str
    body: str


@dataclass(frozen=True, slots=True)
class TaskEnded:
    """Stop tracking a task: completed, or gone with its record."""

    key: str


Update = (LedgerWrite | PendingSettled | LinkRecords | ForgetPerson | SavePerson | SetIdentity
          | SaveDeal | ForgetDeal | TaskMade | TaskBodySet | TaskEnded)
