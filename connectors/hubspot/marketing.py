"""A HubSpot contact's marketing touches as leadpact Activities. Pure: properties (and
their histories) in, Activities out. All are inbound: the buyer acted alone.

- Form conversions: each conversion sets `recent_conversion_event_name` and
  `recent_conversion_date` in one update, so each version in the name's property history
  is one conversion, dated by the date version written with it (else by the version's own
  timestamp). Kind: webinar / content / form by the name (activities.conversion_kind).
- Marketing email: the latest open (`hs_email_last_open_date`) and click
  (`hs_email_last_click_date`) as email_open / email_click, named by
  `hs_email_last_email_name`. Each open or click also writes a version of those
  properties; when their history was read (tests, or a caller that asks) each version
  is one open / click, named by the email name in effect then.
- Web analytics: the latest visit (`hs_analytics_last_visit_timestamp`, page_view named
  by `hs_analytics_last_url`); with the history, every visit.
The histories cost a batch read per 50 contacts, so the connector reads them only for
contacts whose `num_conversion_events` says more than one conversion, the latest inside
the activity window (needs_history): conversions are the touches a lead definition counts
one by one; opens and visits are counted from their latest (issue #12 keeps reads down).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from leadpact.connectors.hubspot.activities import conversion_kind
from leadpact.connectors.hubspot.mapping import parse_time
from leadpact.model import Activity, ActivityKind

OPEN, CLICK = ActivityKind.EMAIL_OPEN, ActivityKind.EMAIL_CLICK
VIEW = ActivityKind.PAGE_VIEW

Properties = Mapping[str, "str | None"]
History = Mapping[str, Sequence[tuple[Any, str]]]  # {property: [(timestamp, value)] oldest first}

CONVERSION_NAME, CONVERSION_DATE = "recent_conversion_event_name", "recent_conversion_date"
LAST_OPEN, LAST_CLICK = "hs_email_last_open_date", "hs_email_last_click_date"
LAST_EMAIL_NAME = "hs_email_last_email_name"
LAST_VISIT, LAST_URL = "hs_analytics_last_visit_timestamp", "hs_analytics_last_url"
# Read with every contact (the search and batch reads): no extra call.
MARKETING_PROPERTIES = ("num_conversion_events", "hs_email_open", "hs_email_click",
                        LAST_OPEN, LAST_CLICK, LAST_EMAIL_NAME, "hs_analytics_num_page_views",
                        "hs_analytics_num_visits", LAST_VISIT, LAST_URL)
# Read with propertiesWithHistory, 50 contacts a call, only when needs_history says so.
HISTORY_PROPERTIES = (CONVERSION_NAME, CONVERSION_DATE)
# (counter, the latest event's time): more than one event means the history holds more.
_COUNTED = (("num_conversion_events", CONVERSION_DATE),)


def _count(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return parse_time(None if value is None else str(value))


def needs_history(props: Properties, since: datetime) -> bool:
    """Did the contact convert more than once, the latest time on or after `since`? Only
    then does the property history hold conversions the current values do not."""
    for counter, latest in _COUNTED:
        at = parse_time(props.get(latest))
        if _count(props.get(counter)) > 1 and at is not None and at >= since:
            return True
    return False


def _versions(props: Properties, history: History | None, name: str
              ) -> list[tuple[datetime | None, str]]:
    """(when written, value) of each version, oldest first; the current value alone
    when there is no history."""
    if history and history.get(name):
        return [(_when(stamp), value) for stamp, value in history[name] if value]
    value = props.get(name)
    return [(None, str(value))] if value else []


def _conversions(props: Properties, history: History | None) -> list[Activity]:
    dates = {stamp: value for stamp, value in _versions(props, history, CONVERSION_DATE)}
    found = []
    for stamp, name in _versions(props, history, CONVERSION_NAME):
        at = parse_time(dates.get(stamp)) or stamp
        if at is not None:
            found.append(Activity(at, conversion_kind(name), True, name))
    return found


def _name_at(names: list[tuple[datetime | None, str]], at: datetime) -> str:
    """The email name in effect at `at`: the newest version written by then."""
    chosen = ""
    for stamp, name in names:
        if stamp is None or stamp <= at:
            chosen = name
    return chosen


def _email_events(props: Properties, history: History | None) -> list[Activity]:
    names = _versions(props, history, LAST_EMAIL_NAME)
    found = []
    for prop, kind in ((LAST_OPEN, OPEN), (LAST_CLICK, CLICK)):
        for _, value in _versions(props, history, prop):
            at = parse_time(value)
            if at is not None:
                found.append(Activity(at, kind, True, _name_at(names, at) or "marketing email"))
    return found


def _visits(props: Properties, history: History | None) -> list[Activity]:
    visits = [at for _, value in _versions(props, history, LAST_VISIT)
              if (at := parse_time(value)) is not None]
    latest = max(visits, default=None)
    url = str(props.get(LAST_URL) or "")
    return [Activity(at, VIEW, True, url if at == latest and url else "website visit")
            for at in visits]


def marketing_activities(props: Properties, history: History | None = None
                         ) -> list[Activity]:
    """Every conversion, marketing email open and click and web visit the contact's
    properties (and, when read, their histories) show; each once, oldest first."""
    found = [*_conversions(props, history), *_email_events(props, history),
             *_visits(props, history)]
    unique = {(a.at, a.kind, a.subject): a for a in found}
    return sorted(unique.values(), key=lambda a: (a.at, a.kind, a.subject))
