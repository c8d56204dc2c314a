"""Values a CRM field cannot hold, caught before the write. Pure.

Each connector describes the fields leadpact writes as the org has them (Salesforce
describe: length, restricted picklist values, number precision; HubSpot properties:
enumeration options, the 65,536-character cap on text), from what `check` / the preflight
already read. A value that does not fit is not sent: the CRM would refuse the whole write
with a 400, every run again. The run summary names the record, the field, the value's
problem and the fix, one line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leadpact.changes import Change

HUBSPOT_TEXT_MAX = 65_536  # characters a HubSpot text property value may hold


@dataclass(frozen=True, slots=True)
class FieldLimit:
    """What one CRM field accepts."""

    name: str  # the CRM's own field name, for the message
    max_length: int | None = None
    allowed: frozenset[str] | None = None  # a restricted picklist's / enumeration's values
    multi: bool = False  # several values, ";"-separated (HubSpot checkboxes)
    whole_digits: int | None = None  # digits before the decimal point (Number(p, s))
    where: str = ""  # where an admin changes the field, for the fix


# (record kind, the field as changes name it: canonical or native) -> its limit
Limits = Mapping[tuple[str, str], FieldLimit]


def value_problem(limit: FieldLimit, value: str) -> str | None:
    """Why `value` does not fit the field, in words; None when it fits."""
    if limit.max_length is not None and len(value) > limit.max_length:
        return (f"holds at most {limit.max_length} characters and leadpact's value has "
                f"{len(value)}")
    if limit.allowed is not None:
        chosen = [v for v in value.split(";") if v] if limit.multi else [value]
        unknown = [v for v in chosen if v not in limit.allowed]
        if unknown:
            return (f"does not allow {unknown[0]!r} (allowed: "
                    f"{', '.join(sorted(limit.allowed)) or 'none'})")
    if limit.whole_digits is not None:
        try:
            whole = abs(int(float(value)))
        except (ValueError, OverflowError):
            return f"takes numbers and leadpact's value is {value[:40]!r}"
        if len(str(whole)) > limit.whole_digits:
            return f"takes at most {limit.whole_digits} digits before the point, not {value}"
    return None


def refusal(change: Change, limits: Limits) -> str | None:
    """One line naming the record, the field, why its value cannot be written and the fix;
    None when it fits or nothing is known about the field. Clearing a field always fits."""
    # imported here: the connectors' limits modules import this one
    from leadpact.connectors.roles import ledger_value

    write = ledger_value(change)  # a CRM's own field as its connector spells the value
    if write is None or not write.value:
        return None
    limit = limits.get((write.ref.kind, write.field))
    problem = value_problem(limit, write.value) if limit is not None else None
    if limit is None or problem is None:
        return None
    where = f" in {limit.where}" if limit.where else ""
    return (f"{write.ref}: {limit.name} {problem}: not written (to let leadpact write it, "
            f"change the field{where})")
