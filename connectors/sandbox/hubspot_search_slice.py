"""When a HubSpot search is nothing but a last-modified range sorted by last-modified (the
shape of every incremental read), the sandbox can answer it from the store's time index:
fetch the page's rows in order with a LIMIT and count the range in SQL, instead of parsing
and filtering every row since the lower bound on every page (which made a windowed read
of N records cost N²/200 row parses). Pure: it only inspects the parsed request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadpact.connectors.sandbox.hubspot_search import SearchRequest, _epoch_millis

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LOWER = {"GT": 1, "GTE": 0, "EQ": 0, "BETWEEN": 0}  # operator -> ms added to the bound
_UPPER = {"LT": -1, "LTE": 0, "EQ": 0}


@dataclass(frozen=True, slots=True)
class TimeSlice:
    """Rows modified in [since, until] (either end open when None), in last-modified
    order (`descending` or not); ties go by ascending id as in any HubSpot search."""

    since: datetime | None
    until: datetime | None
    descending: bool


def modified_names(type_: str) -> frozenset[str]:
    """The properties that hold a row's modification time (contacts have both)."""
    return frozenset({"hs_lastmodifieddate", "lastmodifieddate"}) if type_ == "contacts" \
        else frozenset({"hs_lastmodifieddate"})


def _millis(text: str | None) -> int | None:
    found = _epoch_millis(text) if text else None
    return int(found) if found is not None and found == int(found) else None


def time_slice(request: SearchRequest, type_: str) -> TimeSlice | None:
    """The slice this request asks for, or None when it asks for anything else (other
    filters, several groups, a free-text query, other sorts): those take the full path."""
    names = modified_names(type_)
    if request.query or len(request.groups) > 1 or len(request.sorts) != 1 \
            or request.sorts[0].property not in names:
        return None
    lower: list[int] = []
    upper: list[int] = []
    for flt in request.groups[0] if request.groups else ():
        value = _millis(flt.value)
        if flt.property not in names or value is None \
                or (flt.operator not in _LOWER and flt.operator not in _UPPER):
            return None
        if flt.operator in _LOWER:
            lower.append(value + _LOWER[flt.operator])
        if flt.operator in _UPPER:
            upper.append(value + _UPPER[flt.operator])
        if flt.operator == "BETWEEN":
            high = _millis(flt.high_value)
            if high is None:
                return None
            upper.append(high)
    return TimeSlice(_at(max(lower)) if lower else None, _at(min(upper)) if upper else None,
                     request.sorts[0].descending)


def _at(millis: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=millis)
