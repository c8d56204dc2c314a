"""HubSpot engagements and marketing conversions as leadpact Activities. Pure.

- emails: `hs_email_direction` INCOMING_EMAIL is the buyer writing (inbound); EMAIL and
  FORWARDED_EMAIL are ours.
- meetings: `hs_meeting_outcome` COMPLETED means the buyer attended (inbound); a meeting still
  SCHEDULED (or without an outcome) counts as a meeting nobody confirmed; NO_SHOW, CANCELED
  and RESCHEDULED did not happen and are left out.
- calls: `hs_call_direction` INBOUND is the buyer calling.
- the contact's most recent conversion (`recent_conversion_event_name` /
  `recent_conversion_date`): a webinar when the name starts with "Webinar", content for a
  download (whitepaper, e-book, template, checklist, report …), else a form; always inbound.
Every engagement is dated by `hs_timestamp`; future ones (a meeting next week) have not
happened and fall outside the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from leadpact.connectors.hubspot.mapping import parse_time
from leadpact.connectors.recent import recent
from leadpact.model import Activity

Properties = Mapping[str, "str | None"]

EMAILS, MEETINGS, CALLS = "emails", "meetings", "calls"
ENGAGEMENT_TYPES = (EMAILS, MEETINGS, CALLS)
ENGAGEMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    EMAILS: ("hs_timestamp", "hs_email_direction", "hs_email_subject"),
    MEETINGS: ("hs_timestamp", "hs_meeting_title", "hs_meeting_outcome"),
    CALLS: ("hs_timestamp", "hs_call_title", "hs_call_direction"),
}
CONVERSION_PROPERTIES = ("recent_conversion_event_name", "recent_conversion_date")
NOT_HELD = frozenset({"NO_SHOW", "CANCELED", "CANCELLED", "RESCHEDULED"})
_CONTENT_PREFIXES = ("whitepaper", "white paper", "ebook", "e-book", "livre blanc", "guide",
                     "template", "checklist", "report", "analyst report", "case study",
                     "download")


def _text(props: Properties, name: str) -> str:
    return str(props.get(name) or "").strip()


def engagement_activity(type_: str, props: Properties) -> Activity | None:
    """One email, meeting or call; None when it has no time or did not take place."""
    at = parse_time(props.get("hs_timestamp"))
    if at is None:
        return None
    if type_ == EMAILS:
        inbound = _text(props, "hs_email_direction").upper() == "INCOMING_EMAIL"
        return Activity(at, "email", inbound, _text(props, "hs_email_subject"))
    if type_ == MEETINGS:
        outcome = _text(props, "hs_meeting_outcome").upper()
        if outcome in NOT_HELD:
            return None
        return Activity(at, "meeting", outcome == "COMPLETED", _text(props, "hs_meeting_title"))
    if type_ == CALLS:
        inbound = _text(props, "hs_call_direction").upper() == "INBOUND"
        return Activity(at, "call", inbound, _text(props, "hs_call_title"))
    return None


def conversion_kind(name: str) -> str:
    """webinar | content | form, from a conversion (form submission) name."""
    folded = name.casefold().lstrip()
    if folded.startswith("webinar"):
        return "webinar"
    if folded.startswith(_CONTENT_PREFIXES):
        return "content"
    return "form"


def conversion_activity(props: Properties) -> Activity | None:
    """The contact's most recent conversion (form fill, webinar, download) as an Activity."""
    name = _text(props, "recent_conversion_event_name")
    at = parse_time(props.get("recent_conversion_date"))
    if not name or at is None:
        return None
    return Activity(at, conversion_kind(name), True, name)


def newest_ids(ids: Iterable[str], cap: int) -> list[str]:
    """The `cap` highest ids. HubSpot ids grow with creation, so these are the engagements
    logged last: reading only them bounds the batch reads per contact."""
    unique = dict.fromkeys(str(i) for i in ids)
    ordered = sorted(unique, key=lambda i: (len(i), i) if i.isdigit() else (0, i))
    return ordered[-cap:] if cap > 0 else []


def contact_activities(
    linked: Iterable[tuple[str, str]], engagements: Mapping[tuple[str, str], Activity],
    props: Properties, now: datetime, days: int, cap: int,
) -> tuple[Activity, ...]:
    """One contact's recent activities: the engagements linked to it, by (type, id), that
    were read and took place, plus its latest conversion."""
    found = [engagements[key] for key in linked if key in engagements]
    conversion = conversion_activity(props)
    if conversion is not None:
        found.append(conversion)
    return recent(found, now, days, cap)
