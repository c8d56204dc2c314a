"""Marketing touches in Salesforce as leadpact Activities. Pure: rows in, values out.

- Campaign responses: a CampaignMember with HasResponded (its Status counts as a response)
  is the buyer acting, dated by FirstRespondedDate (a date: midnight UTC). Its kind
  follows Campaign.Type: Webinar -> webinar; a content type (an org's "Content
  Syndication", "Whitepaper", "eBook", "Download" ...) -> content; else campaign_response.
  The subject is the campaign's name.
- Tasks that marketing automation logs (see NOTES.md): Account Engagement (Pardot) logs
  each email it sends as a completed Task, "Pardot List Email: <name>" or "Pardot Email:
  <name>"; other tools log sends ("Was Sent Email: ...", "Marketing Email: ...") and some
  the buyer's own actions ("Opened Email: ...", "Clicked Link in Email: ...", "Filled Out
  Form: ...", "Visited Web Page: ..."). A send is marketing's, not the rep chasing and not
  the buyer: it is left out. The buyer's actions become email_open, email_click, form,
  webinar or page_view, always inbound. None of them is ever two-way contact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from leadpact.connectors.salesforce.mapping import parse_date
from leadpact.model import Activity, ActivityKind

Row = Mapping[str, Any]
SENT = "sent"  # an automation's own send: not a touch at all
FORM, WEBINAR, CONTENT = ActivityKind.FORM, ActivityKind.WEBINAR, ActivityKind.CONTENT
OPEN, CLICK, VIEW = ActivityKind.EMAIL_OPEN, ActivityKind.EMAIL_CLICK, ActivityKind.PAGE_VIEW

# Subject prefix (before the colon) -> kind, casefolded.
_AUTOMATION_PREFIXES: dict[str, ActivityKind | str] = {
    "pardot list email": SENT, "pardot email": SENT, "list email": SENT,
    "marketing email": SENT, "was sent email": SENT, "sent email": SENT,
    "opened email": OPEN, "email opened": OPEN,
    "clicked link in email": CLICK, "clicked email": CLICK,
    "email clicked": CLICK, "email link clicked": CLICK,
    "filled out form": FORM, "form submission": FORM, "submitted form": FORM,
    "pardot form": FORM,
    "registered for webinar": WEBINAR, "attended webinar": WEBINAR,
    "attended event": WEBINAR,
    "visited web page": VIEW, "page view": VIEW,
    "downloaded content": CONTENT, "downloaded": CONTENT,
}
_PREFIX = re.compile(r"^\s*([^:]{3,40}?)\s*:\s*(.*)$", re.DOTALL)
_CONTENT_TYPE = re.compile(r"content|white ?paper|e-?book|download|report|guide",
                           re.IGNORECASE)


def automation_kind(subject: str | None) -> tuple[ActivityKind | str, str] | None:
    """(kind or SENT, the rest of the subject) for a Task marketing automation logged;
    None for any other Task."""
    found = _PREFIX.match(subject or "")
    if found is None:
        return None
    kind = _AUTOMATION_PREFIXES.get(found[1].casefold())
    return (kind, found[2].strip()) if kind else None


def campaign_kind(campaign_type: str | None) -> ActivityKind:
    """webinar | content | campaign_response, from Campaign.Type."""
    text = campaign_type or ""
    if "webinar" in text.casefold():
        return WEBINAR
    if _CONTENT_TYPE.search(text):
        return CONTENT
    return ActivityKind.CAMPAIGN_RESPONSE


def campaign_activity(row: Row) -> Activity | None:
    """A responded CampaignMember as an inbound Activity; None when it did not respond or
    has no response date."""
    day = parse_date(row.get("FirstRespondedDate"))
    if not row.get("HasResponded") or day is None:
        return None
    campaign = row.get("Campaign") or {}
    name = str(campaign.get("Name") or "").strip() or str(row.get("Status") or "")
    return Activity(datetime.combine(day, time(), UTC), campaign_kind(campaign.get("Type")),
                    True, name)


def member_of(row: Row) -> str:
    """The lead or contact a CampaignMember row belongs to (the contact once converted)."""
    return str(row.get("ContactId") or row.get("LeadId") or "")
