"""The colleagues the read model loads at an account are a few per question, not everyone
there (a big account holds thousands of people): the words they give equal those given
from every colleague at the account."""

from __future__ import annotations

from datetime import timedelta

from leadpact.enrichment.labels import BuyingRole
from leadpact.judging import suggest_contacts
from leadpact.known import KnownPerson
from leadpact.known_load import load_for_tasks, load_known
from leadpact.model import ContactRole, Ref
from leadpact.sales_ready import engaged_window, lead_task_body
from leadpact.state import State
from leadpact.state_rows import verdict_from_data
from leadpact.task_lifecycle import TaskIntent
from tests.builders import NOW, days_ago, deal
from tests.known_builders import known
from tests.unit.test_pipeline import RULES

ROLES = [r for r in BuyingRole if r is not BuyingRole.UNKNOWN]


def crowded_account(state: State, people: int) -> list[KnownPerson]:
    """`people` at one Salesforce account, roles taking turns, engaged over the last
    90 days (some too long ago to count), every fifth with a lead twin at the account,
    saved in an order that is not their references' order."""
    for n in reversed(range(people)):
        role = ROLES[n % len(ROLES)] if n % 7 else BuyingRole.UNKNOWN
        verdict = verdict_from_data({"role": str(role), "stage": "nurture"})
        engaged = None if n % 4 == 0 else days_ago(n % 90)
        identity = f"id-{(n * 37) % people:04d}"  # identity order is not reference order
        state.save_person(Ref("salesforce", "contact", f"003{n:05d}"), identity,
                          f"p{n}@acme.example", f"Title {n}", days_ago(100), verdict, "001A",
                          f"Person {n}", engaged)
        if n % 5 == 0:
            state.save_person(Ref("salesforce", "lead", f"00Q{n:05d}"), identity, None,
                              f"Lead title {n}", days_ago(100), verdict, "001A", "", engaged)
    state.save_person(Ref("hubspot", "contact", "77"), "id-0001", None, "Elsewhere",
                      days_ago(100), None, "001A", "", NOW)  # same id, other CRM: not there
    return list(state.persons_of("salesforce"))


def test_given_a_crowded_account_then_a_deal_page_loads_few_and_suggests_the_same() -> None:
    state = State(":memory:")
    everyone = crowded_account(state, 400)
    # the account's first economic buyers (8, 16) and decision makers (1, 9, 17) are on it
    on_deal = tuple(ContactRole(Ref("salesforce", "contact", f"003{n:05d}"))
                    for n in (8, 16, 1, 9, 17))
    d = deal("006A", account_id="001A", contacts=on_deal)
    loaded = load_known(state, [d], {}, ROLES)
    few = loaded.persons_at_account("salesforce", "001A")
    assert len(few) <= len(BuyingRole) * (3 + len(on_deal)) < len(everyone)
    full = known(persons=everyone)
    for missing in ((BuyingRole.ECONOMIC_BUYER,), (BuyingRole.DECISION_MAKER,),
                    (BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.BLOCKER),
                    tuple(ROLES)):
        expected = suggest_contacts(full, d, missing)
        assert len(expected) == 3
        assert suggest_contacts(loaded, d, missing) == expected


def test_given_a_crowded_account_then_a_lead_task_names_the_same_colleagues() -> None:
    state = State(":memory:")
    everyone = crowded_account(state, 400)
    full = known(persons=everyone)
    window = engaged_window(RULES.lead, NOW)
    assert window[0] > NOW - timedelta(days=90)  # some colleagues engaged too long ago
    engaged = sorted((p for p in everyone if p.engaged_at and p.engaged_at >= window[0]),
                     key=lambda p: p.identity)
    # the first engaged identities (whose own is among those a task would name), and others
    for person in engaged[:4] + engaged[100::97] + [everyone[0]]:
        intent = TaskIntent(person.ref, "lead:sales_ready", True, "ready", "", None, 1)
        loaded = load_for_tasks(state, [intent], window, RULES.required_roles)
        assert len(loaded.persons_at_account("salesforce", "001A")) < 20
        expected = lead_task_body(full, RULES.lead, person, NOW)
        assert "engaged too" in expected
        assert lead_task_body(loaded, RULES.lead, person, NOW) == expected


def test_given_required_roles_then_only_their_holders_load_and_suggestions_stay() -> None:
    """A gap can miss only a role the rules require: holders of other roles stay unread."""
    state = State(":memory:")
    everyone = crowded_account(state, 400)
    d = deal("006A", account_id="001A", contacts=())
    required = RULES.required_roles
    assert 0 < len(required) < len(ROLES)
    loaded = load_known(state, [d], {}, required)
    few = loaded.persons_at_account("salesforce", "001A")
    assert {p.verdict.role for p in few if p.verdict} == set(required)
    full = known(persons=everyone)
    for missing in [(role,) for role in required] + [tuple(required)]:
        expected = suggest_contacts(full, d, missing)
        assert len(expected) == 3
        assert suggest_contacts(loaded, d, missing) == expected
    assert not load_known(state, [d], {}, ()).persons_at_account("salesforce", "001A")
