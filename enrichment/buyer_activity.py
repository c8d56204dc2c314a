"""Which touches on a deal came from the buyer, which were the seller chasing, and what the
buyer's words say. Pure: activities in, facts out.

Buyer-side: an email the buyer sent, a meeting held, a call that connected. The seller's
outbound emails and unanswered calls are attempts; marketing touches (forms, webinars,
content, campaign responses, marketing email opens and clicks, page views) are neither,
and nor is a meeting still ahead, cancelled or missed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from leadpact.model import (
    CANCELLED,
    CONNECTED,
    HELD,
    MARKETING_KINDS,
    NO_SHOW,
    SCHEDULED,
    Activity,
    Ref,
)

MARKETING = frozenset(MARKETING_KINDS)  # forms, webinars, content, campaigns, opens, visits


def is_buyer_side(a: Activity) -> bool:
    if a.kind in MARKETING or not a.happened:
        return False
    if a.kind == "email":
        return a.inbound
    if a.kind == "meeting":
        return a.outcome in ("", HELD)
    if a.kind == "call":
        return a.inbound or a.outcome == CONNECTED
    return False


def is_attempt(a: Activity) -> bool:
    """The seller reaching out: an outbound email, or an outbound call nobody took."""
    if a.kind == "email":
        return not a.inbound
    return a.kind == "call" and not a.inbound and a.outcome != CONNECTED


def is_missed_meeting(a: Activity) -> bool:
    return a.kind == "meeting" and a.outcome in (CANCELLED, NO_SHOW)


def is_upcoming_meeting(a: Activity, now: datetime) -> bool:
    return a.kind == "meeting" and a.at > now and a.outcome in ("", SCHEDULED, HELD)


def deal_timeline(deal: Ref, activities: Iterable[Activity]) -> tuple[Activity, ...]:
    """The activities of a deal's contacts that concern this deal: logged on it, or on the
    contact without a deal (a buyer's reply rarely names the opportunity). Each once,
    oldest first."""
    seen = {(a.at, a.kind, a.subject, a.inbound, a.outcome): a for a in activities
            if a.deal is None or a.deal == deal}
    return tuple(sorted(seen.values(), key=lambda a: (a.at, a.kind, a.subject)))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _cues(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


# A buyer saying no, in the seven languages the title classifier reads (accents folded).
# Phrases, not single words: "not now" or "no" alone appear in live threads too.
DECLINE = _cues(
    # English
    r"not (?:be )?(?:moving|going) forward", r"decided (?:to go|to proceed) with",
    r"(?:went|go|going) with (?:another|a different) (?:vendor|provider|supplier|solution)",
    r"chose (?:another|a different)", r"no longer (?:interested|pursuing|need)",
    r"not interested", r"(?:decided|chosen) not to", r"won'?t be (?:proceeding|moving)",
    r"(?:put|putting) (?:this|the project|it) on hold", r"not (?:a )?(?:priority|fit) for us",
    # German
    r"kein(?:e)? interesse", r"fur einen anderen anbieter entschieden",
    r"(?:anderen|anderer) (?:anbieter|losung)", r"nicht weiter ?verfolgen", r"absage",
    r"leider (?:nicht|keinen bedarf)",
    # French
    r"pas interesse", r"ne (?:pas )?donner(?:ons|a) pas suite",
    r"autre (?:fournisseur|solution|prestataire)",
    r"(?:avons|a) (?:choisi|retenu) (?:un|une) autre", r"ne souhaitons pas (?:poursuivre|donner)",
    # Spanish
    r"no (?:estamos|estoy) interesad[oa]s?", r"otro proveedor",
    r"no (?:vamos a|seguiremos) (?:seguir|avanzar|adelante)",
    r"hemos decidido no", r"(?:optado|decidido) por otra",
    # Portuguese
    r"nao (?:temos|tenho) interesse", r"outro fornecedor", r"decidimos nao",
    r"optamos por outra", r"nao vamos (?:seguir|avancar)",
    # Italian
    r"non (?:siamo|sono) interessat[ie]", r"altro fornitore", r"non procederemo",
    r"abbiamo deciso di non", r"scelto un'?altra",
    # Dutch
    r"geen interesse", r"andere (?:leverancier|partij|oplossing)", r"niet verder (?:gaan|met)",
    r"besloten om niet", r"gaan niet verder",
)


def declines(a: Activity) -> bool:
    """Does a buyer's email say they are not going ahead?"""
    if not (a.kind == "email" and a.inbound):
        return False
    return bool(DECLINE.search(_fold(f"{a.subject}\n{a.text}")))


# The seller sending a proposal, quote or pricing (same seven languages).
PROPOSAL = _cues(r"proposal", r"quote", r"quotation", r"pricing", r"price", r"offer",
                 r"angebot", r"preis\w*", r"proposition", r"devis", r"offre", r"tarif\w*",
                 r"propuesta", r"cotizacion", r"presupuesto", r"proposta", r"orcamento",
                 r"cotacao", r"offerta", r"preventivo", r"voorstel", r"offerte", r"prijs\w*")


def is_proposal(a: Activity) -> bool:
    return is_attempt(a) and a.kind == "email" and bool(PROPOSAL.search(_fold(a.subject)))


def attempts_since(timeline: Sequence[Activity], since: datetime | None, now: datetime) -> int:
    return sum(1 for a in timeline
               if is_attempt(a) and a.at <= now and (since is None or a.at > since))
