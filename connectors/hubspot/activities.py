"""HubSpot engagements and marketing conversions as leadpact Activities. Pure.

- emails: `hs_email_direction` INCOMING_EMAIL is the buyer writing (inbound); EMAIL and
  FORWARDED_EMAIL are ours.
- meetings: `hs_meeting_outcome` COMPLETED means the buyer attended (inbound, outcome held);
  SCHEDULED (or no outcome) is a meeting still to confirm (outcome scheduled); CANCELED,
  RESCHEDULED and NO_SHOW did not happen (outcome cancelled / no_show); `hs_createdate` is
  when it was booked.
- calls: `hs_call_direction` INBOUND is the buyer calling; the outcome (connected or not
  reached) comes from `hs_call_disposition`, else the title and notes.
- the contact's most recent conversion (`recent_conversion_event_name` /
  `recent_conversion_date`): a webinar when the name starts with "Webinar", content for a
  download (whitepaper, e-book, template, checklist, report …), else a form; always inbound.
Every engagement is dated by `hs_timestamp`; future ones fall outside the window, except
meetings booked ahead, which are kept apart (recent.upcoming).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from leadpact.connectors.hubspot.mapping import parse_time
from leadpact.connectors.recent import recent as recent  # re-exported: tests use it
from leadpact.connectors.recent import recent_touches, upcoming
from leadpact.model import (
    CANCELLED,
    CONNECTED,
    HELD,
    NO_SHOW,
    NOT_REACHED,
    SCHEDULED,
    Activity,
    ActivityKind,
)

Properties = Mapping[str, "str | None"]

EMAILS, MEETINGS, CALLS = "emails", "meetings", "calls"
ENGAGEMENT_TYPES = (EMAILS, MEETINGS, CALLS)
ENGAGEMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    EMAILS: ("hs_timestamp", "hs_email_direction", "hs_email_subject", "hs_email_text"),
    MEETINGS: ("hs_timestamp", "hs_meeting_title", "hs_meeting_outcome", "hs_createdate"),
    CALLS: ("hs_timestamp", "hs_call_title", "hs_call_direction", "hs_call_disposition",
            "hs_call_body"),
}
CONVERSION_PROPERTIES = ("recent_conversion_event_name", "recent_conversion_date")
MEETING_OUTCOMES = {"COMPLETED": HELD, "SCHEDULED": SCHEDULED, "CANCELED": CANCELLED,
                    "CANCELLED": CANCELLED, "RESCHEDULED": CANCELLED, "NO_SHOW": NO_SHOW}
# hs_call_disposition holds the id of a call outcome; HubSpot's default ones (see NOTES.md).
CALL_DISPOSITIONS = {
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": CONNECTED,
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": CONNECTED,  # left live message
    "73a0d17f-1163-4015-bdd5-ec830791da20": NOT_REACHED,  # no answer
    "b2cf5968-551e-4856-9783-52b3da59a7d0": NOT_REACHED,  # left voicemail
    "9d9162e7-6cf3-4944-bf63-4dff82258764": NOT_REACHED,  # busy
    "17b47fee-58de-441e-a44c-c6300d46f273": NOT_REACHED,  # wrong number
}
_CONTENT_PREFIXES = ("whitepaper", "white paper", "ebook", "e-book", "livre blanc", "guide",
                     "template", "checklist", "report", "analyst report", "case study",
                     "download")
_NOT_REACHED = re.compile(r"voicemail|voice mail|no answer|not reached|busy|wrong number|"
                          r"left (?:a )?message", re.IGNORECASE)
_CONNECTED = re.compile(r"\bconnected\b|\bspoke\b|\breached\b|\bconversation\b",
                        re.IGNORECASE)


def _text(props: Properties, name: str) -> str:
    return str(props.get(name) or "").strip()


def call_outcome(props: Properties) -> str:
    """connected | not_reached | "" (unknown): the disposition, else the title and notes."""
    known = CALL_DISPOSITIONS.get(_text(props, "hs_call_disposition").lower())
    if known:
        return known
    for name in ("hs_call_title", "hs_call_body"):
        text = _text(props, name)
        if _NOT_REACHED.search(text):
            return NOT_REACHED
        if _CONNECTED.search(text):
            return CONNECTED
    return ""


def engagement_activity(type_: str, props: Properties) -> Activity | None:
    """One email, meeting or call; None when it has no time."""
    at = parse_time(props.get("hs_timestamp"))
    if at is None:
        return None
    if type_ == EMAILS:
        inbound = _text(props, "hs_email_direction").upper() == "INCOMING_EMAIL"
        return Activity(at, ActivityKind.EMAIL, inbound, _text(props, "hs_email_subject"),
                        text=_text(props, "hs_email_text")[:500] if inbound else "")
    if type_ == MEETINGS:
        outcome = MEETING_OUTCOMES.get(_text(props, "hs_meeting_outcome").upper(), SCHEDULED)
        return Activity(at, ActivityKind.MEETING, outcome == HELD, _text(props, "hs_meeting_title"),
                        outcome=outcome, booked_at=parse_time(props.get("hs_createdate")))
    if type_ == CALLS:
        inbound = _text(props, "hs_call_direction").upper() == "INBOUND"
        return Activity(at, ActivityKind.CALL, inbound, _text(props, "hs_call_title"),
                        outcome=call_outcome(props))
    return None


def conversion_kind(name: str) -> ActivityKind:
    """webinar | content | form, from a conversion (form submission) name."""
    folded = name.casefold().lstrip()
    if folded.startswith("webinar"):
        return ActivityKind.WEBINAR
    if folded.startswith(_CONTENT_PREFIXES):
        return ActivityKind.CONTENT
    return ActivityKind.FORM


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
    marketing: Sequence[Activity] | None = None,
) -> tuple[Activity, ...]:
    """One contact's recent activities: the engagements linked to it, by (type, id), that
    were read and took place, plus its marketing touches (marketing.py; None: only its
    latest conversion). Two-way and marketing touches are capped apart."""
    found = [engagements[key] for key in linked if key in engagements]
    if marketing is not None:
        found.extend(marketing)
    elif (conversion := conversion_activity(props)) is not None:
        found.append(conversion)
    return recent_touches(found, now, days, cap) + upcoming(found, now)
