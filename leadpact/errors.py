"""The one error tree. Every message says what happened and what to do about it.

Errors carry facts (which system, which call, the HTTP status, how long the CRM asked us
to wait, the file and line at fault) and no exit codes: the command line maps errors to
exit codes at its edge (leadpact/exit_codes.py), so the library stays usable from Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, Unpack


class Facts(TypedDict, total=False):
    """What an error knows besides its message (all optional)."""

    system: str | None
    operation: str | None
    status: int | None
    retry_after: float | None
    path: Path | str | None
    line: int | None


class LeadpactError(Exception):
    """Base of every error leadpact raises on purpose. `str(error)` is the one-line message."""

    def __init__(self, message: str, **facts: Unpack[Facts]) -> None:
        super().__init__(message)
        self.message = message
        self.system = facts.get("system")  # "salesforce" | "hubspot" when a CRM is involved
        self.operation = facts.get("operation")  # the call that failed, in words
        self.status = facts.get("status")  # the last HTTP status, None when nothing answered
        self.retry_after = facts.get("retry_after")  # seconds the CRM asked to wait, if said
        path = facts.get("path")
        self.path = Path(path) if path is not None else None  # the file at fault
        self.line = facts.get("line")  # its line, when known


class ConfigError(LeadpactError):
    """The config file, a file it names, or the environment is missing something or holds
    a bad value."""


class RuleError(LeadpactError):
    """The rules file does not parse or does not validate."""


class ConnectorError(LeadpactError):
    """A CRM refused a call for a reason retrying will not fix (permissions, a bad
    request, an answer leadpact cannot read)."""


class AuthError(ConnectorError):
    """The CRM rejected the credentials."""


class TransientError(ConnectorError):
    """A fault that should pass (no answer, repeated 5xx, rate limits) outlived the
    retries: nothing is wrong with the setup; run again later."""


class UnreachableError(TransientError):
    """The CRM did not answer (connection refused, DNS, timeout), even after retrying."""


class ServerError(TransientError):
    """The CRM kept answering with server errors (5xx, 408) until the retries ran out."""


class QuotaExhausted(TransientError):
    """The CRM's API allowance is used up: stop now and retry later."""


class ReadBudgetSpent(QuotaExhausted):
    """The run spent its planned read budget on a CRM: the read stops before the next
    request, and the rest waits for the next run (leadpact/quota_run.py)."""


class Busy(LeadpactError):
    """Another leadpact run holds the state: try again when it has finished."""


class RecordRejected(ConnectorError):
    """The CRM refused one record; the rest of the batch goes on."""
