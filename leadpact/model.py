"""Records as leadpact sees them, whatever CRM they came from.

Connectors turn wire records into these values; enrichment, rules and planning only ever
see these. Every timestamp is timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from leadpact.vocab import parse_label


class System(StrEnum):
    """A CRM. StrEnum: a member equals its text, so state and JSON keep the same words."""

    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


class RecordKind(StrEnum):
    """A Salesforce Opportunity and a HubSpot deal are both "deal"; an Account and a HubSpot
    company are both "account"; a HubSpot contact and a Salesforce Contact are "contact"."""

    LEAD = "lead"
    CONTACT = "contact"
    DEAL = "deal"
    ACCOUNT = "account"
    TASK = "task"


# The names callers used before the enums; each is the enum member itself.
SALESFORCE, HUBSPOT = System.SALESFORCE, System.HUBSPOT
SYSTEMS = tuple(System)
LEAD, CONTACT, DEAL = RecordKind.LEAD, RecordKind.CONTACT, RecordKind.DEAL
ACCOUNT, TASK = RecordKind.ACCOUNT, RecordKind.TASK

@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """Points at one record in one CRM."""

    system: System
    kind: RecordKind
    id: str

    def __str__(self) -> str:
        return f"{self.system}:{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Ref:
        """`system:kind:id` as state and the CLI write it; ValueError naming the bad part."""
        try:
            system, kind, id_ = text.split(":", 2)
        except ValueError:
            raise ValueError(f"{text!r} is not a record reference; write system:kind:id, "
                             "e.g. salesforce:lead:00Q5g00000AbCdE") from None
        return cls(parse_label(System, system, "system"),
                   parse_label(RecordKind, kind, "record kind"), id_)


@dataclass(frozen=True, slots=True)
class Activity:
    """One touch between the seller and a person: an email, meeting, call, form fill or
    webinar. `inbound` is True when the buyer acted (replied, booked, filled a form)."""

    at: datetime
    kind: ActivityKind
    inbound: bool
    subject: str = ""
    deal: Ref | None = None
    # What became of it, where the CRM says: a meeting held | scheduled | cancelled |
    # no_show; a call connected | not_reached. Empty: it happened, nothing more known.
    outcome: str = ""
    booked_at: datetime | None = None  # when a meeting was put in the calendar
    text: str = ""  # the start of an inbound email's body (decline cues live there)

    @property
    def happened(self) -> bool:
        """Took place: not a meeting still ahead, cancelled or missed."""
        return self.outcome not in NOT_HAPPENED


class ActivityKind(StrEnum):
    """Two-way contact: email (inbound = the buyer wrote), meeting, call. Marketing touches
    (always inbound, the buyer acted alone): form (a form conversion), webinar, content (a
    download), campaign_response (a Salesforce CampaignMember that responded), email_open /
    email_click (marketing email engagement), page_view (web analytics visits)."""

    EMAIL = "email"
    MEETING = "meeting"
    CALL = "call"
    FORM = "form"
    WEBINAR = "webinar"
    CONTENT = "content"
    CAMPAIGN_RESPONSE = "campaign_response"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    PAGE_VIEW = "page_view"


TWO_WAY_KINDS = (ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.CALL)
MARKETING_KINDS = tuple(k for k in ActivityKind if k not in TWO_WAY_KINDS)
ACTIVITY_KINDS = tuple(ActivityKind)

HELD, SCHEDULED, CANCELLED, NO_SHOW = "held", "scheduled", "cancelled", "no_show"
CONNECTED, NOT_REACHED = "connected", "not_reached"
NOT_HAPPENED = frozenset({SCHEDULED, CANCELLED, NO_SHOW})


@dataclass(frozen=True, slots=True)
class Person:
    """A lead or contact. `leadpact` holds the current values of leadpact's own fields,
    keyed by canonical name (see leadpact.fields); a missing key means empty."""

    ref: Ref
    modified_at: datetime
    email: str | None = None
    name: str = ""
    title: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    buying_role: str | None = None  # the CRM's own field (HubSpot hs_buying_role)
    linked: tuple[Ref, ...] = ()  # the same person in the other CRM, as its integration stores it
    converted_to: Ref | None = None  # a converted Salesforce lead points at its contact
    merged_into: Ref | None = None  # a merged-away record points at the survivor
    deleted: bool = False
    leadpact: Mapping[str, str | None] = field(default_factory=dict)
    activities: tuple[Activity, ...] = ()  # recent touches, newest last (may be empty)
    # Firmographics on the person's own record, canonical names as in Account.fields: a
    # Salesforce lead has no account, so its Industry/NumberOfEmployees/Country live here.
    fields: Mapping[str, str | None] = field(default_factory=dict)
    # The CRM's own lead-status fields as read, by native name (HubSpot lifecyclestage and
    # hs_lead_status, Salesforce Lead Status): what [native] may map the stage onto.
    native: Mapping[str, str | None] = field(default_factory=dict)
    # What the CRM row said besides leadpact's fields and stamps (connectors/echo.py): a
    # row that comes back with the same print held only leadpact's own writes.
    fingerprint: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class ContactRole:
    """A person attached to a deal, with the CRM's own role value (Salesforce
    OpportunityContactRole.Role; HubSpot association label) if any."""

    person: Ref
    role: str | None = None
    id: str | None = None  # Salesforce OpportunityContactRole id
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class Deal:
    """An opportunity (Salesforce) or deal (HubSpot)."""

    ref: Ref
    modified_at: datetime
    name: str = ""
    stage: str = ""
    is_closed: bool = False
    is_won: bool = False
    amount: float | None = None
    close_date: date | None = None
    created_at: datetime | None = None
    owner_id: str | None = None
    account_id: str | None = None
    last_activity_at: datetime | None = None
    next_activity_at: datetime | None = None
    stage_entered_at: datetime | None = None
    close_date_pushes: int | None = None  # times the close date moved later (None: unknown)
    # Tracked-field history, oldest first: (when, stage) and (when, close date). Empty when
    # the CRM's history was not read.
    stage_history: tuple[tuple[datetime, str], ...] = ()
    close_date_history: tuple[tuple[datetime, date], ...] = ()
    contacts: tuple[ContactRole, ...] = ()
    deleted: bool = False
    leadpact: Mapping[str, str | None] = field(default_factory=dict)
    fingerprint: str = field(default="", compare=False)  # see Person.fingerprint


@dataclass(frozen=True, slots=True)
class Account:
    """A Salesforce Account or HubSpot company. `fields` holds the firmographics the rules
    may test, keyed by canonical name (industry, employees, country, and any extra field
    mapped in config); values are the CRM's text, a missing key means empty."""

    ref: Ref
    modified_at: datetime
    name: str = ""
    owner_id: str | None = None
    fields: Mapping[str, str | None] = field(default_factory=dict)
    deleted: bool = False
    leadpact: Mapping[str, str | None] = field(default_factory=dict)
    fingerprint: str = field(default="", compare=False)  # see Person.fingerprint


Record = Person | Deal


@dataclass(frozen=True, slots=True)
class Page:
    """One page of changed records, and the cursor to commit once it is handled."""

    records: tuple[Record, ...]
    cursor: str
