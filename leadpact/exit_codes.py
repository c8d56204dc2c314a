"""Exit codes of the `leadpact` command, decided here and only here (the CLI edge).

0 ok · 1 some changes failed · 2 usage, config or credentials · 75 a transient fault or
an exhausted quota outlived the retries: nothing to fix, run again later (EX_TEMPFAIL).
"""

from __future__ import annotations

from leadpact.errors import Busy, LeadpactError, RecordRejected, TransientError

OK = 0
PARTIAL = 1
USAGE = 2
TRY_LATER = 75


def exit_code(error: LeadpactError) -> int:
    """The documented exit code for an error that stopped a command."""
    if isinstance(error, TransientError | Busy):
        return TRY_LATER
    if isinstance(error, RecordRejected):
        return PARTIAL
    return USAGE
