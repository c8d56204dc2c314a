"""Salesforce Tasks and Events as leadpact Activities, and a deal's next scheduled step.
Pure: rows in, values out.

Kinds. A Task is an email when TaskSubtype is Email (or ListEmail), a call when it is Call;
otherwise its Type decides (…Email…, …Call…, …Meeting…). A Task that is none of these is a
to-do for the rep, not a touch with the buyer, and is left out. An Event is a meeting (a call
when its Type is Call) that the buyer attended: inbound.

Direction. Salesforce has no standard direction field on Task, so whether the buyer acted is
a heuristic, decided by the first rule that applies (see NOTES.md):
1. the email's logged header (Description): `From:` the person → inbound, `From:` anyone
   else → outbound; no `From:` but `To:` naming the person → outbound;
2. CallType (standard, calls only): Inbound → inbound; Outbound or Internal → outbound;
3. a Type value naming a direction (an org's own picklist values such as "Inbound Email",
   "Call - Incoming", "Email Received" / "Outbound Call", "Email Sent");
4. an email whose subject, after a logging prefix such as "Email:", starts with a reply
   prefix (RE:, AW:, SV:, Antw:, Réf :, RIF:, …) → inbound. The weakest rule: a rep who
   answers the buyer writes "RE:" too;
5. anything else → outbound (the rep acted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from leadpact.connectors.recent import recent as recent  # re-exported: tests use it
from leadpact.connectors.recent import recent_touches, upcoming
from leadpact.connectors.salesforce import marketing
from leadpact.connectors.salesforce.mapping import parse_date, parse_datetime
from leadpact.model import (
    CANCELLED,
    CONNECTED,
    DEAL,
    HELD,
    NOT_REACHED,
    SALESFORCE,
    SCHEDULED,
    Activity,
    ActivityKind,
    Ref,
)

Row = Mapping[str, Any]
EMAIL, MEETING, CALL = ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.CALL
OPPORTUNITY_PREFIX = "006"

# Reply prefixes mail clients put before a subject, by language: English/Spanish/Portuguese
# (RE, RES, RESP), German (AW, Antwort), Scandinavian (SV), Finnish (VS), Dutch (Antw),
# French (Réf), Italian (R, RIF), Polish (Odp), Turkish (YNT), Latvian (Atb), Russian (Отв),
# Chinese (回复, 答复).
_REPLY = re.compile(
    r"^\s*(?:re|res|resp|aw|antwort|sv|vs|antw|réf|ref|rif|r|odp|ynt|atb|отв|回复|答复)"
    r"\s*(?:\[\d+\])?\s*[:：]", re.IGNORECASE)
_LOGGING_PREFIX = re.compile(r"^\s*(?:e-?mail|call|anruf|appel)\s*:\s*", re.IGNORECASE)
_HEADER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z -]{0,30}):(?P<value>.*)$")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_INBOUND_WORDS = re.compile(r"\b(?:inbound|incoming|received|reply|replied)\b", re.IGNORECASE)
_OUTBOUND_WORDS = re.compile(r"\b(?:outbound|outgoing|sent)\b", re.IGNORECASE)


# -- kinds and direction ------------------------------------------------------------------
def task_kind(subtype: str | None, type_: str | None) -> ActivityKind | None:
    """email | call | meeting for a Task that records a touch; None for a plain to-do."""
    sub = (subtype or "").casefold()
    if sub in ("email", "listemail"):
        return EMAIL
    if sub == "call":
        return CALL
    kind = (type_ or "").casefold()
    for word, found in (("mail", EMAIL), ("call", CALL), ("meeting", MEETING)):
        if word in kind:
            return found
    return None


def _headers(description: str | None) -> dict[str, str]:
    """The header lines (`Name: value`) a logged email's Description starts with."""
    found: dict[str, str] = {}
    for line in (description or "").splitlines():
        header = _HEADER.match(line)
        if header is None:
            break
        found.setdefault(header["name"].strip().casefold(), header["value"].strip())
    return found


def _addresses(text: str) -> set[str]:
    return {a.casefold() for a in _ADDRESS.findall(text)}


def _header_direction(description: str | None, person_email: str | None) -> bool | None:
    headers = _headers(description)
    if "from" in headers:
        sender = _addresses(headers["from"])
        if sender and person_email:
            return person_email.casefold() in sender
        return None
    if person_email and person_email.casefold() in _addresses(headers.get("to", "")):
        return False
    return None


def _word_direction(value: str | None) -> bool | None:
    if _INBOUND_WORDS.search(value or ""):
        return True
    if _OUTBOUND_WORDS.search(value or ""):
        return False
    return None


def is_reply_subject(subject: str | None) -> bool:
    """Does the subject (after a logging prefix such as "Email:") start with a reply prefix?"""
    return bool(_REPLY.match(_LOGGING_PREFIX.sub("", subject or "", count=1)))


def task_inbound(row: Row, kind: str, person_email: str | None = None) -> bool:
    """Did the buyer act? The rules of the module docstring, in order."""
    if (row.get("TaskSubtype") or "").casefold() == "listemail":
        return False  # a mass email is always ours
    if kind == EMAIL:
        decided = _header_direction(row.get("Description"), person_email)
        if decided is not None:
            return decided
    call_type = (row.get("CallType") or "").casefold()
    if call_type:
        return call_type == "inbound"
    decided = _word_direction(row.get("Type"))
    if decided is not None:
        return decided
    return kind == EMAIL and is_reply_subject(row.get("Subject"))


# -- activities ---------------------------------------------------------------------------
def _deal(what_id: str | None) -> Ref | None:
    if what_id and str(what_id).startswith(OPPORTUNITY_PREFIX):
        return Ref(SALESFORCE, DEAL, str(what_id))
    return None


def task_time(row: Row) -> datetime | None:
    """When a Task happened: ActivityDate is a date only, so the creation time when the Task
    was logged that day (emails and calls usually are), else midnight UTC of that date."""
    day = parse_date(row.get("ActivityDate"))
    created = parse_datetime(row.get("CreatedDate"))
    if day is None:
        return created
    if created is not None and created.date() == day:
        return created
    return datetime.combine(day, time(), UTC)


_NOT_REACHED = re.compile(r"voicemail|voice mail|no answer|not reached|unreached|busy|"
                          r"no response|left (?:a )?message|wrong number|mailbox",
                          re.IGNORECASE)
_CONNECTED = re.compile(r"\bconnected\b|\bspoke\b|\bspoken\b|\breached\b|"
                        r"\bconversation\b", re.IGNORECASE)


def call_outcome(row: Row) -> str:
    """connected | not_reached | "" (unknown), from CallDisposition, then the Subject and
    the Description a rep logs ("Call - left voicemail", "Connected.")."""
    for value in (row.get("CallDisposition"), row.get("Subject"), row.get("Description")):
        text = str(value or "")
        if _NOT_REACHED.search(text):
            return NOT_REACHED
        if _CONNECTED.search(text):
            return CONNECTED
    return ""


def body_text(description: str | None, limit: int = 500) -> str:
    """A logged email's body: the Description after its header lines."""
    lines = (description or "").splitlines()
    while lines and _HEADER.match(lines[0]):
        lines.pop(0)
    return "\n".join(lines).strip()[:limit]


def task_activity(row: Row, person_email: str | None = None) -> Activity | None:
    """A logged email or call as an Activity; a marketing automation's Task as the
    marketing touch it records (marketing.py; its own sends as nothing); None for a to-do
    or an undated Task."""
    at = task_time(row)
    automated = marketing.automation_kind(row.get("Subject"))
    if automated is not None:
        touch, name = automated
        if not isinstance(touch, ActivityKind) or at is None:  # marketing.SENT
            return None
        return Activity(at, touch, True, name or str(row.get("Subject") or ""))
    kind = task_kind(row.get("TaskSubtype"), row.get("Type"))
    if kind is None or at is None:
        return None
    inbound = task_inbound(row, kind, person_email)
    outcome = call_outcome(row) if kind == CALL else ""
    text = body_text(row.get("Description")) if kind == EMAIL and inbound else ""
    return Activity(at, kind, inbound, str(row.get("Subject") or ""), _deal(row.get("WhatId")),
                    outcome, text=text)


def event_activity(row: Row, now: datetime | None = None) -> Activity | None:
    """A calendar Event as a meeting (or call): held once it started (the buyer attended),
    scheduled while ahead, cancelled when deleted."""
    at = parse_datetime(row.get("StartDateTime"))
    if at is None:
        return None
    kind = CALL if (row.get("Type") or "").casefold() == "call" else MEETING
    if row.get("IsDeleted"):
        outcome = CANCELLED
    elif now is not None and at > now:
        outcome = SCHEDULED
    else:
        outcome = HELD
    return Activity(at, kind, outcome == HELD, str(row.get("Subject") or ""),
                    _deal(row.get("WhatId")), outcome,
                    booked_at=parse_datetime(row.get("CreatedDate")))


def person_activities(tasks: Sequence[Row], events: Sequence[Row],
                      emails: Mapping[str, str | None], now: datetime, days: int, cap: int,
                      campaign_members: Sequence[Row] = (),
                      ) -> dict[str, tuple[Activity, ...]]:
    """{WhoId: recent activities} from Task and Event rows and responded CampaignMember
    rows; `emails` maps each person's id to their email (for the `From:` rule). Two-way
    and marketing touches are capped apart (recent.recent_touches)."""
    found: dict[str, list[Activity]] = {}
    for row in campaign_members:
        who = marketing.member_of(row)
        response = marketing.campaign_activity(row)
        if who in emails and response is not None:
            found.setdefault(who, []).append(response)
    for row in tasks:
        who = str(row.get("WhoId") or "")
        activity = task_activity(row, emails.get(who))
        if who and activity is not None:
            found.setdefault(who, []).append(activity)
    for row in events:
        who = str(row.get("WhoId") or "")
        activity = event_activity(row, now)
        if who and activity is not None:
            found.setdefault(who, []).append(activity)
    return {who: recent_touches(items, now, days, cap) + upcoming(items, now)
            for who, items in found.items()}


# -- the next scheduled step ---------------------------------------------------------------
def due_time(due: date) -> datetime:
    """An open Task due on a date is scheduled through the end of that day (UTC)."""
    return datetime.combine(due, time(23, 59, 59), UTC)


def upcoming_times(open_tasks: Sequence[Row], events: Sequence[Row]
                   ) -> dict[str, list[datetime]]:
    """{WhatId: scheduled times} from open Tasks (ActivityDate) and Events (StartDateTime)."""
    found: dict[str, list[datetime]] = {}
    for row in open_tasks:
        due = parse_date(row.get("ActivityDate"))
        if due is not None and row.get("WhatId"):
            found.setdefault(str(row["WhatId"]), []).append(due_time(due))
    for row in events:
        start = parse_datetime(row.get("StartDateTime"))
        if start is not None and row.get("WhatId"):
            found.setdefault(str(row["WhatId"]), []).append(start)
    return found


def next_activity_at(upcoming: Iterable[datetime], now: datetime,
                     last_activity: datetime | None, created: datetime | None
                     ) -> datetime | None:
    """The earliest scheduled activity at or after `now`. With none, a time in the past —
    the last activity, else the creation — so the staleness rule reads "nothing scheduled"
    (None would mean "unknown"). None only when no such past time is known."""
    future = [t for t in upcoming if t >= now]
    if future:
        return min(future)
    for candidate in (last_activity, created):
        if candidate is not None and candidate < now:
            return candidate
    return None
