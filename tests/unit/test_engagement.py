from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from leadpact.enrichment.engagement import CHAMPION, refine_role, topic_of
from leadpact.model import Activity, Ref
from tests.builders import NOW, days_ago


def email(days: int, subject: str, inbound: bool = True) -> Activity:
    return Activity(days_ago(days), "email", inbound, subject)


def meeting(days: int, subject: str = "Weekly sync") -> Activity:
    return Activity(days_ago(days), "meeting", True, subject)


@pytest.mark.parametrize(("subject", "topic"), [
    ("RE: Pricing proposal Q3", "commercial"),
    ("Angebot für Lizenzen", "commercial"),
    ("Cotización anual", "commercial"),
    ("Security questionnaire – please complete", "gatekeeping"),
    ("DPA review", "gatekeeping"),
    ("Contract redlines v2", "gatekeeping"),
    ("Webinar: pipeline hygiene", None),
])
def test_given_a_subject_then_its_topic(subject: str, topic: str | None) -> None:
    assert topic_of(subject) == topic


def test_given_no_activity_then_the_title_prior_stands() -> None:
    refined = refine_role("user", 0.7, "analyst → user", "finance", [])
    assert (refined.role, refined.changed, refined.because) == ("user", False, "analyst → user")


def test_given_finance_only_on_money_threads_then_economic_buyer_with_evidence() -> None:
    refined = refine_role("user", 0.7, "finance manager → user", "finance",
                          [email(10, "Pricing proposal"), email(3, "Order form")])
    assert refined.role == "economic_buyer" and refined.changed
    assert "2 pricing/contract threads" in refined.because and "title said user" in refined.because


def test_given_finance_also_on_other_threads_then_not_promoted() -> None:
    refined = refine_role("user", 0.7, "r", "finance",
                          [email(10, "Pricing proposal"), email(3, "Order form"),
                           email(2, "Webinar follow-up")])
    assert refined.role == "user"


def test_given_non_finance_on_money_threads_then_not_economic_buyer() -> None:
    refined = refine_role("user", 0.7, "r", "marketing",
                          [email(10, "Pricing proposal"), email(3, "Order form")])
    assert refined.role == "user"


def test_given_a_late_arrival_on_a_security_questionnaire_then_blocker() -> None:
    refined = refine_role("technical_evaluator", 0.8, "r", "it",
                          [email(5, "Security questionnaire")],
                          deal_started_at=days_ago(100), now=NOW)
    assert refined.role == "blocker" and "joined late" in refined.because


def test_given_an_early_security_contact_then_not_a_late_blocker() -> None:
    refined = refine_role("technical_evaluator", 0.8, "r", "it",
                          [email(90, "Security questionnaire")],
                          deal_started_at=days_ago(100), now=NOW)
    assert refined.role == "technical_evaluator"


def test_given_meetings_across_weeks_and_replies_then_champion() -> None:
    refined = refine_role("user", 0.7, "r", "operations",
                          [meeting(40), meeting(25), meeting(18), meeting(10),
                           email(9, "Next steps")])
    assert refined.role == CHAMPION
    assert "4 meetings on one deal over 30 days" in refined.because


def test_given_meetings_spread_over_different_deals_then_no_champion() -> None:
    deals = [Ref("salesforce", "deal", str(i)) for i in range(4)]
    spread = [dataclasses.replace(meeting(40 - 10 * i), deal=d) for i, d in enumerate(deals)]
    refined = refine_role("user", 0.7, "r", "operations", [*spread, email(9, "Next steps")])
    assert refined.role == "user"


def test_given_a_decision_maker_in_many_meetings_then_still_decision_maker() -> None:
    refined = refine_role("decision_maker", 0.9, "r", "it",
                          [meeting(40), meeting(30), meeting(20), meeting(10), email(5, "ok")])
    assert refined.role == "decision_maker" and not refined.changed


def test_given_meetings_within_two_weeks_then_no_champion() -> None:
    refined = refine_role("user", 0.7, "r", "operations",
                          [meeting(20), meeting(14), meeting(10), meeting(8), email(7, "ok")])
    assert refined.role == "user"


def test_given_a_champion_title_alone_then_never_champion() -> None:
    refined = refine_role("user", 0.7, "Champion of Change", "other",
                          [Activity(NOW - timedelta(days=1), "webinar", True, "Webinar")])
    assert refined.role == "user"


@pytest.mark.parametrize(("subject", "topic"), [
    ("Bestellformular anbei", "commercial"),
    ("Conditions contractuelles", "commercial"),
    ("Payment terms", "commercial"),
    ("Sicherheitsfragebogen", "gatekeeping"),
    ("AVV-Prüfung", "gatekeeping"),
    ("Vertragsanmerkungen", "gatekeeping"),
    ("Supplier registration", "gatekeeping"),
])
def test_given_realistic_multilingual_subjects_then_their_topic(subject: str, topic: str) -> None:
    assert topic_of(subject) == topic


def test_given_hubspot_label_spellings_then_they_map_like_the_enumeration() -> None:
    from leadpact.connectors.roles import VOCABULARIES

    role_from_crm = VOCABULARIES["hubspot"].role_from_crm

    assert role_from_crm("Budget Holder") == role_from_crm("BUDGET_HOLDER") == "economic_buyer"
    assert role_from_crm("End User") == "user"
    assert role_from_crm("Legal and Compliance") == "blocker"
    assert role_from_crm("Decision Maker;Champion") == "decision_maker"
    assert role_from_crm("Something else") is None
