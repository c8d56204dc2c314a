"""What the pipeline needs from a CRM. A protocol, not a base class: each connector wraps
its official client library and keeps wire details in pure helper modules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from leadpact.changes import Change, ChangeResult
from leadpact.model import Account, Page, Record, Ref, System


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing `leadpact check` found wrong, and what to do about it."""

    what: str
    fix: str
    transient: bool = False  # the CRM did not answer or is out of quota: try again later
    advisory: bool = False  # worth fixing, but a sync may still write (preflight lets it)


class Connector(Protocol):
    system: System

    @property
    def api_calls(self) -> int:
        """HTTP calls made so far through this connector (retries included)."""
        ...

    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        """Persons and deals changed since `cursor` (None: everything), oldest first, as
        pages. Each page carries the cursor to commit once the page is handled; deletes
        come as records with deleted=True."""
        ...

    def read_records(self, refs: Sequence[Ref]) -> list[Record]:
        """Current state of the given persons/deals (missing ones are left out)."""
        ...

    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        """Apply changes in batches; one result per change, in the same order. Raises
        QuotaExhausted when the CRM's allowance is used up (nothing is reported as done
        that was not)."""
        ...

    def check(self) -> list[CheckProblem]:
        """Connectivity, permissions and the presence of every field leadpact writes."""
        ...


@runtime_checkable
class WhoChanged(Protocol):
    """Optional: a connector that can tell who else writes a field (leadpact/alerting.py
    asks it about each new write loop)."""

    def who_changed(self, record: Ref, field: str, ours: str | None) -> str | None:
        """Who last set `field` (leadpact's canonical name) of `record` to a value other
        than `ours`, in words; None when the CRM does not say. Raises LeadpactError."""
        ...


@runtime_checkable
class AccountReader(Protocol):
    """Optional: a connector that can read accounts/companies (the lead definition's
    account fit and buying-group stage). Every shipped connector implements it."""

    def read_accounts(self, ids: Sequence[str]) -> list[Account]:
        """Current state of the given accounts/companies, firmographics under canonical
        names (missing ones are left out). Raises LeadpactError."""
        ...


@runtime_checkable
class AccountChanges(Protocol):
    """Optional: a connector that can list the accounts/companies modified lately, so a
    firmographics edit reaches the people there (leadpact/account_moves.py)."""

    def read_changed_accounts(self, since: datetime | None
                              ) -> tuple[list[Account], datetime | None]:
        """Accounts modified at or after `since` less the connector's lookback (None: the
        lookback before its clock), firmographics under canonical names, and the CRM's
        time of the answer (the next `since`; None when it did not say)."""
        ...


@runtime_checkable
class OwnerNames(Protocol):
    """Optional: a connector that can name record owners (leadpact/owner_names.py)."""

    def owner_names(self, ids: Sequence[str]) -> dict[str, str]:
        """{owner id: display name} for the ids the CRM knows. Raises LeadpactError."""
        ...


@dataclass(frozen=True, slots=True)
class SetupResult:
    """What `leadpact setup` did in one CRM (or, on a dry run, would do), and what it found
    wrong but leaves to a person (a field of another type under leadpact's name)."""

    steps: list[str]
    problems: list[CheckProblem]
    stopped: bool = False  # it lacked a permission and changed nothing (steps say "would")
