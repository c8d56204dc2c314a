"""Activity on a deal, independent of the CRM it is logged in: emails, calls, meetings, tasks.

The subjects carry the patterns a later feature reads: finance only on pricing and contract
threads, security and legal arriving late on questionnaire / DPA / redline threads, a
champion in meeting after meeting, reps chasing a buyer who went silent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadpact.connectors.sandbox.seed_vocab import VENDOR_PRODUCT
from leadpact.connectors.sandbox.seed_world import Clock, PersonDraft

EMAIL = "email"
CALL = "call"
MEETING = "meeting"
TODO = "todo"

# topic -> language -> subjects. English is what most threads use; pricing, security and
# legal threads are often in the buyer's language.
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "intro": {"en": (f"Intro: {VENDOR_PRODUCT} x {{company}}", "Quick question about your "
                     "pipeline reporting", "Following up on your demo request")},
    "discovery": {"en": ("Discovery call", "Intro call", "Kick-off: evaluation",
                         "Follow-up from our call"),
                  "de": ("Erstgespräch", "Kennenlernen"), "fr": ("Premier échange",),
                  "es": ("Reunión inicial",)},
    "champion": {"en": ("Weekly sync", "Pilot check-in", "Technical deep dive", "Demo follow-up",
                        "Success criteria workshop", "Roadmap review", "Internal alignment prep",
                        "Integration walkthrough")},
    "user": {"en": ("Demo for the team", "Sandbox walkthrough", "Training session",
                    "Sandbox access", "Integration questions", "Feature questions")},
    "decision": {"en": ("Executive alignment", "Business case review", "ROI model",
                        "Steering committee"),
                 "de": ("Abstimmung Geschäftsführung",), "fr": ("Point direction",)},
    "pricing": {"en": ("Pricing proposal", "Order form", "Contract terms", "Budget approval",
                       "Payment terms"),
                "de": ("Preisangebot", "Bestellformular", "Vertragsbedingungen"),
                "fr": ("Proposition tarifaire", "Bon de commande", "Conditions contractuelles"),
                "es": ("Propuesta de precios", "Formulario de pedido",
                       "Condiciones del contrato"),
                "it": ("Proposta economica", "Modulo d'ordine"),
                "pt": ("Proposta comercial", "Formulário de pedido")},
    "security": {"en": ("Security questionnaire", "SOC 2 report request", "Pen test summary"),
                 "de": ("Sicherheitsfragebogen", "IT-Sicherheitsprüfung"),
                 "fr": ("Questionnaire de sécurité",), "es": ("Cuestionario de seguridad",)},
    "legal": {"en": ("DPA review", "Contract redlines", "MSA redlines"),
              "de": ("AVV-Prüfung", "Vertragsanmerkungen"),
              "fr": ("Revue du DPA", "Redlines du contrat"),
              "es": ("Revisión del DPA", "Comentarios al contrato")},
    "procurement": {"en": ("Vendor onboarding form", "Supplier registration", "Order form"),
                    "de": ("Lieferantenanlage", "Bestellformular")},
    "chase": {"en": ("Checking in", "Any update on the proposal?", "Closing the loop",
                     "Still a priority?", "Following up", "Quick nudge")},
    "timeline": {"en": ("Timeline update", "Budget freeze", "Next quarter?",
                        "Revised timeline", "Approval delayed")},
    "won": {"en": ("Signed order form", "Order form - countersigned", "Signed contract terms"),
            "de": ("Unterschriebenes Bestellformular",)},
    "lost": {"en": ("Decision update", "Our decision", "Going another direction")},
}


def subject(rng: random.Random, topic: str, language: str, company: str) -> str:
    options = SUBJECTS[topic]
    chosen = options.get(language) if rng.random() < 0.35 else None
    return rng.choice(chosen or options["en"]).replace("{company}", company)


@dataclass(frozen=True, slots=True)
class Touch:
    at: datetime  # when it happened, or is due / scheduled
    logged: datetime  # when the record was created (never after now)
    channel: str  # EMAIL | CALL | MEETING | TODO
    inbound: bool  # the buyer wrote / called us
    person: PersonDraft
    subject: str
    done: bool  # False: a scheduled meeting or an open task
    note: str = ""


class TouchLog:
    """Collects one deal's touches; every done touch is in the past and in office hours."""

    def __init__(self, rng: random.Random, clock: Clock, utc_offset: int, language: str,
                 company: str):
        self._rng, self._clock = rng, clock
        self._offset, self.language, self._company = utc_offset, language, company
        self.touches: list[Touch] = []

    def subject(self, topic: str) -> str:
        return subject(self._rng, topic, self.language, self._company)

    def _at(self, when: datetime) -> datetime:
        return self._clock.past_office_time(self._rng, when, self._offset)

    def _add(self, touch: Touch) -> Touch:
        touch.person.seen_at(touch.logged)
        self.touches.append(touch)
        return touch

    def email(self, person: PersonDraft, when: datetime, subject: str, inbound: bool) -> Touch:
        at = self._at(when)
        return self._add(Touch(at, at, EMAIL, inbound, person, subject, True))

    def thread(self, person: PersonDraft, start: datetime, subject: str, replies: int = 1,
               latest: datetime | None = None) -> datetime:
        """Our email and the buyer's `replies` answers (each answered by us again).
        Nothing after `latest`. Returns the time of the last message."""
        limit = min(latest or self._clock.now, self._clock.now)
        when = self.email(person, start, subject, inbound=False).at
        for i in range(replies * 2):
            at = self._at(when + timedelta(hours=self._rng.uniform(3, 70)))
            if at >= limit:
                break
            inbound = i % 2 == 0
            when = self._add(Touch(at, at, EMAIL, inbound, person, f"Re: {subject}", True)).at
        return when

    def meeting(self, person: PersonDraft, when: datetime, title: str) -> Touch:
        at = self._at(when)
        return self._add(Touch(at, at - timedelta(days=self._rng.uniform(1, 6)), MEETING,
                               False, person, title, True))

    def call(self, person: PersonDraft, when: datetime, topic: str, connected: bool) -> Touch:
        at = self._at(when)
        note = (f"Connected, {self._rng.randrange(5, 40)} min." if connected
                else self._rng.choice(("No answer, left voicemail.", "No answer.",
                                       "Gatekeeper, call back next week.")))
        return self._add(Touch(at, at, CALL, False, person, f"Call: {topic}", True, note))

    def scheduled_meeting(self, person: PersonDraft, days_ahead: float, title: str) -> Touch:
        at = self._clock.office_time(self._rng, self._clock.now + timedelta(days=days_ahead),
                                     self._offset)
        logged = self._clock.past(self._clock.now - timedelta(days=self._rng.uniform(0.2, 5)))
        return self._add(Touch(at, logged, MEETING, False, person, title, False))

    def open_task(self, person: PersonDraft, due: datetime, subject: str) -> Touch:
        """A to-do for the rep; `due` may be in the past (overdue, forgotten)."""
        ahead = timedelta(days=self._rng.uniform(1, 10))
        logged = self._clock.past(min(due, self._clock.now) - ahead)
        return self._add(Touch(due, logged, TODO, False, person, subject, False))

    def meetings_every(self, person: PersonDraft, start: datetime, end: datetime,
                       topic: str, every: tuple[float, float]) -> int:
        """Recurring meetings from `start` to `end` (the champion's weekly syncs)."""
        count, when = 0, start
        while when < end:
            self.meeting(person, when, self.subject(topic))
            count += 1
            when += timedelta(days=self._rng.uniform(*every))
        return count

    def last_done(self) -> datetime | None:
        done = [t.at for t in self.touches if t.done]
        return max(done) if done else None

    def last_inbound(self) -> datetime | None:
        inbound = [t.at for t in self.touches if t.done and t.inbound]
        return max(inbound) if inbound else None
