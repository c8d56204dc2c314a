"""Job title classifier: the labelling guide's rules, one table row per case it names."""

from __future__ import annotations

import pytest

from leadpact.enrichment.titles import (
    FUNCTIONS,
    ROLES,
    SENIORITIES,
    TitleRole,
    classify_title,
    classify_uncached,
)


def labels(title: str) -> tuple[str, str, str]:
    result = classify_title(title)
    return result.seniority, result.function, result.role


# The guide's worked examples (section A) and the dev rows it quotes.
GUIDE_EXAMPLES = [
    ("Chief Executive Officer and Finance Director", "c_level", "executive", "executive_sponsor"),
    ("Co-Founder, VP - Finance", "c_level", "executive", "executive_sponsor"),
    ("Procurement & Logistic Manager", "manager", "procurement", "blocker"),
    ("Head of Security & Compliance", "director", "security", "blocker"),
    ("Deputy CEO", "vp", "executive", "decision_maker"),
    ("Stellvertretender Geschäftsführer", "vp", "executive", "decision_maker"),
    ("Vice President - Private Banking", "manager", "finance", "user"),
    ("Assistant Vice President, Treasury Services (Bank)", "senior_ic", "finance", "user"),
    ("Purchaser for IT", "ic", "procurement", "blocker"),
    ("Mediaeinkäufer", "ic", "marketing", "user"),
    ("Leiter Vertrieb / Produktmanagement Datenschutz/IT-Sicherheit", "director", "sales",
     "decision_maker"),
    ("Food Safety Manager", "manager", "operations", "user"),
    ("President of National Security Solutions", "vp", "executive", "decision_maker"),
    ("Legal Services", "unknown", "legal", "blocker"),
    ("Leiter Finanzen", "director", "finance", "economic_buyer"),
    ("Director Administrativo y Financiero", "director", "finance", "economic_buyer"),
    ("Direttore Finanziario", "director", "finance", "economic_buyer"),
    ("Director, Finance & Corporate Controller", "director", "finance", "economic_buyer"),
    ("Head of Treasury", "director", "finance", "decision_maker"),
    ("Financieel Manager", "manager", "finance", "user"),
]


@pytest.mark.parametrize(("title", "seniority", "function", "role"), GUIDE_EXAMPLES)
def test_given_a_guide_example_when_classified_then_it_gets_the_guide_labels(
    title: str, seniority: str, function: str, role: str
) -> None:
    assert labels(title) == (seniority, function, role)


# Tricky cases the guide names, as (title, seniority, function, role).
TRICKY = [
    # assistants of executives are administrative support, whatever the boss's title
    ("Executive Assistant to the CEO", "ic", "other", "user"),
    ("PA to the Chairman", "ic", "other", "user"),
    ("Assistentin der Geschäftsführung", "ic", "other", "user"),
    ("Assistante de direction", "ic", "other", "user"),
    # "Vice President" contains "President"; bank ranks
    ("Vice President of Marketing", "vp", "marketing", "decision_maker"),
    ("President", "c_level", "executive", "executive_sponsor"),
    ("Vice President, Investment Banking", "manager", "finance", "user"),
    ("AVP - Corporate Banking", "senior_ic", "finance", "user"),
    ("Assistant Vice President, Marketing", "vp", "marketing", "decision_maker"),
    # craft directors are individual contributors
    ("Art Director", "ic", "marketing", "user"),
    ("Director of Photography", "ic", "other", "user"),
    ("Funeral Director", "ic", "other", "user"),
    ("Front Desk Director", "ic", "other", "user"),
    # chief of staff, product owner
    ("Chief of Staff", "director", "executive", "influencer"),
    ("Chief of Staff to the CEO", "director", "executive", "influencer"),
    ("Product Owner", "ic", "product", "user"),
    ("Business Process Owner", "ic", "operations", "user"),
    ("Owner", "c_level", "executive", "executive_sponsor"),
    # control functions win at any seniority, even department-only
    ("Junior Buyer", "entry", "procurement", "blocker"),
    ("VP Global Sourcing", "vp", "procurement", "blocker"),
    ("EVP, General Counsel & Corporate Secretary", "c_level", "legal", "blocker"),
    ("CISO", "c_level", "security", "blocker"),
    ("Procurement", "unknown", "procurement", "blocker"),
    ("Marketing", "unknown", "marketing", "unknown"),
    # regions and companies are not components
    ("Managing Director, EMEA", "vp", "executive", "decision_maker"),
    ("Managing Director @ Acme Ltd", "c_level", "executive", "executive_sponsor"),
    ("Geschäftsführer bei Beispiel GmbH", "c_level", "executive", "executive_sponsor"),
    ("Directeur Général chez Exemple", "c_level", "executive", "executive_sponsor"),
    ("General Manager Video Solutions", "vp", "executive", "decision_maker"),
    ("Head of Sales - DACH", "director", "sales", "decision_maker"),
    # interim and acting keep the rank
    ("Interim CFO", "c_level", "finance", "economic_buyer"),
    ("Acting Head of IT", "director", "it", "decision_maker"),
    ("Head of Sales a.i.", "director", "sales", "decision_maker"),
    # not a current job
    ("Former Marketing Director", "unknown", "marketing", "unknown"),
    ("Ex-CTO", "unknown", "engineering", "unknown"),
    ("Student", "unknown", "other", "unknown"),
    ("Retired", "unknown", "other", "unknown"),
    ("Self-employed", "unknown", "other", "unknown"),
    ("Werkstudentin Marketing", "entry", "marketing", "user"),
    # seniority ladder
    ("Senior Manager Head of Treasury", "director", "finance", "decision_maker"),
    ("Lead Engineer", "senior_ic", "engineering", "technical_evaluator"),
    ("Transformation Lead", "manager", "executive", "influencer"),
    ("Software Engineer III", "senior_ic", "engineering", "technical_evaluator"),
    ("Software Engineer II", "ic", "engineering", "technical_evaluator"),
    ("Associate Product Manager", "entry", "product", "user"),
    ("Associate Director, Data Science", "director", "data", "decision_maker"),
    ("Marketing Assistant", "entry", "marketing", "user"),
    ("Assistant Accountant", "entry", "finance", "user"),
    ("Deputy Director of Operations", "manager", "operations", "user"),
    ("Executive Director", "c_level", "executive", "executive_sponsor"),
    ("Executive Director, Marketing", "director", "marketing", "decision_maker"),
    # advisors: influencers unless the advice is a sales, recruiting or customer job
    ("SAP Consultant", "ic", "it", "influencer"),
    ("Recruitment Consultant", "ic", "hr", "user"),
    ("Solutions Consultant", "ic", "sales", "user"),
    ("Independent Non-Executive Director", "c_level", "executive", "influencer"),
    # project managers take the area they name, else operations
    ("IT Project Manager", "manager", "it", "technical_evaluator"),
    ("Programme Manager", "manager", "operations", "user"),
    ("Information Security Risk Assessment - Program Manager", "manager", "security",
     "blocker"),
]


@pytest.mark.parametrize(("title", "seniority", "function", "role"), TRICKY)
def test_given_a_case_the_guide_names_when_classified_then_it_follows_the_rule(
    title: str, seniority: str, function: str, role: str
) -> None:
    assert labels(title) == (seniority, function, role)


MULTI_ROLE = [
    # most senior component wins
    ("Sr. Engineer and Manager", "manager", "engineering", "technical_evaluator"),
    ("CIO / Global IT Director", "c_level", "it", "executive_sponsor"),
    # c-level tie: role priority economic buyer > executive sponsor > ... > influencer
    ("Board Member, CFO / Asset Management", "c_level", "finance", "economic_buyer"),
    ("Chairman & CEO", "c_level", "executive", "executive_sponsor"),
    # tie on role: a specific function beats executive
    ("Co-Founder, CMO, Director of E-Commerce", "c_level", "marketing", "executive_sponsor"),
    ("cto & co-founder", "c_level", "engineering", "executive_sponsor"),
    # two control functions tied: the first mentioned
    ("Head of Procurement & Legal", "director", "procurement", "blocker"),
    ("Director of Legal and Compliance", "director", "legal", "blocker"),
    # conjunctions in other languages
    ("Fondatore e CEO", "c_level", "executive", "executive_sponsor"),
    ("Fundador y Director General", "c_level", "executive", "executive_sponsor"),
    ("Oprichter & CEO", "c_level", "executive", "executive_sponsor"),
    ("Gründer und Geschäftsführer", "c_level", "executive", "executive_sponsor"),
]


@pytest.mark.parametrize(("title", "seniority", "function", "role"), MULTI_ROLE)
def test_given_a_multi_role_title_when_classified_then_the_guide_tie_rules_pick_one(
    title: str, seniority: str, function: str, role: str
) -> None:
    assert labels(title) == (seniority, function, role)


def test_given_a_multi_role_title_then_the_reason_names_the_part_kept() -> None:
    result = classify_title("Board Member, CFO / Asset Management")
    assert "kept" in result.because and "cfo" in result.because


NOISE = [
    ("Leiterin Einkauf (m/w/d)", "director", "procurement", "blocker"),
    ("Responsable Achats H/F", "manager", "procurement", "blocker"),
    ("Mitarbeiter/in Einkauf", "ic", "procurement", "blocker"),
    ("Jefe/a de Ventas", "manager", "sales", "user"),
    ("Chargé(e) de recrutement", "ic", "hr", "user"),
    ("Directeur·rice Marketing", "director", "marketing", "decision_maker"),
    ("HEAD OF PURCHASING", "director", "procurement", "blocker"),
    ("vp of engneering", "vp", "engineering", "decision_maker"),
    ("Marketing Manger", "manager", "marketing", "user"),
    ("Geschaeftsfuehrer", "c_level", "executive", "executive_sponsor"),
    ("CEO 🚀🚀", "c_level", "executive", "executive_sponsor"),
    ("  senior   software   engineer  ", "senior_ic", "engineering", "technical_evaluator"),
    ("Senior Vice President, Operati", "vp", "operations", "decision_maker"),
    ("Key Account Manager bei Siemens AG", "manager", "sales", "user"),
    ("Partner at McKinsey & Company", "c_level", "executive", "executive_sponsor"),
    ("Attorney at Law", "ic", "legal", "blocker"),
    ("Dir. Mktg & Comms", "director", "marketing", "decision_maker"),
    ("S.V.P. Sales", "vp", "sales", "decision_maker"),
]


@pytest.mark.parametrize(("title", "seniority", "function", "role"), NOISE)
def test_given_real_world_noise_when_classified_then_the_labels_survive_it(
    title: str, seniority: str, function: str, role: str
) -> None:
    assert labels(title) == (seniority, function, role)


GARBAGE = ["", "   ", "-", "--", "N/A", "n.a.", "none", "null", "12345", "0", "🚀🙂✨",
           "?", "x" * 10_000, "CEO " * 3_000, "asdf qwerty", "lorem ipsum dolor", "\x00\x01",
           "Лорем ипсум", "测试"]


@pytest.mark.parametrize("title", GARBAGE)
def test_given_garbage_when_classified_then_unknown_with_a_reason_and_no_exception(
    title: str,
) -> None:
    result = classify_title(title)
    assert result.role == "unknown" and result.seniority == "unknown"
    assert result.because
    assert result.confidence <= 0.3


@pytest.mark.parametrize("value", [None, 42, 3.5, b"CEO", ["CEO"]])
def test_given_a_value_that_is_not_text_then_unknown_not_an_exception(value: object) -> None:
    result = classify_title(value)
    assert (result.role, result.because) == ("unknown", f"not a job title ({type(value).__name__})")


@pytest.mark.parametrize("title", [t for t, *_ in GUIDE_EXAMPLES + TRICKY + NOISE] + GARBAGE)
def test_given_any_title_then_labels_come_from_the_label_sets_and_confidence_is_a_share(
    title: str,
) -> None:
    result = classify_title(title)
    assert result.seniority in SENIORITIES
    assert result.function in FUNCTIONS
    assert result.role in ROLES
    assert 0.0 <= result.confidence <= 1.0


def test_given_a_clear_title_then_confidence_is_higher_than_for_a_department_only_title() -> None:
    assert classify_title("VP Finance").confidence > classify_title("Marketing").confidence


def test_given_a_typo_fixed_by_fuzzy_matching_then_confidence_drops_but_labels_hold() -> None:
    typo, clean = classify_title("Marketing Managre"), classify_title("Marketing Manager")
    assert (typo.seniority, typo.function, typo.role) == ("manager", "marketing", "user")
    assert typo.confidence < clean.confidence


def test_given_a_rank_without_a_function_then_confidence_drops() -> None:
    assert classify_title("Vice President").confidence < classify_title(
        "Vice President Sales").confidence


def test_given_a_c_level_tie_then_confidence_drops_against_a_single_title() -> None:
    assert classify_title("Founder & CEO").confidence < classify_title("CEO").confidence


def test_given_vp_finance_then_the_reason_names_the_evidence_and_the_rule() -> None:
    result = classify_title("VP, Finance")
    assert result == TitleRole("vp", "finance", "economic_buyer", result.confidence,
                               "vp + finance → economic buyer (finance at vp)")


def test_given_the_same_title_twice_then_the_cached_and_uncached_results_agree() -> None:
    for title in ("VP, Finance", "Leiterin Einkauf (m/w/d)", "Chief of Staff to the CEO"):
        assert classify_title(title) == classify_uncached(title)


def test_given_titles_differing_only_in_noise_then_they_share_the_normalised_result() -> None:
    assert classify_title("Head of Sales (m/w/d)") == classify_title("head of sales")
