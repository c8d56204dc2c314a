from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.unit.seed_org import (
    NOW,
    TODAY,
    Org,
    activities_of,
    buyer_replies,
    salesforce_time,
    seeded_org,
)

PRICING_WORDS = ("pricing", "order form", "contract terms", "budget", "payment terms", "preis",
                 "bestell", "vertrag", "tarif", "commande", "contractuelles", "precio", "pedido",
                 "contrato", "proposta", "ordine", "signed", "proposal")


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    demo = seeded_org()
    yield demo
    demo.store.close()


# -- archetypes -----------------------------------------------------------------------------------
def test_given_a_seeded_org_then_every_archetype_is_present(org: Org) -> None:
    salesforce = org.summary.archetypes["salesforce"]
    assert set(salesforce) == {"healthy", "silently_dead", "pushed", "stuck", "single_threaded",
                               "user_only", "won", "lost"}
    assert min(salesforce.values()) >= 1
    assert set(org.summary.archetypes["hubspot"]) >= {"healthy", "silently_dead", "won"}


def test_given_silently_dead_opportunities_then_open_past_close_and_buyers_silent_45_days(
        org: Org) -> None:
    dead = org.deals("salesforce", "silently_dead")
    assert dead
    for opp_id, _ in dead:
        opp = org.sf("Opportunity")[opp_id]
        assert not opp.fields["IsClosed"]
        assert date.fromisoformat(opp.fields["CloseDate"]) < TODAY
        assert max(buyer_replies(org, opp_id)) <= TODAY - timedelta(days=45)


def test_given_pushed_opportunities_then_close_date_moved_at_least_three_times(
        org: Org) -> None:
    pushed = org.deals("salesforce", "pushed")
    assert pushed
    assert all(org.sf("Opportunity")[i].fields["PushCount"] >= 3 for i, _ in pushed)


def test_given_stuck_opportunities_then_the_current_stage_outlasts_all_others(org: Org) -> None:
    for opp_id, _ in org.deals("salesforce", "stuck"):
        rows = sorted(r.created_at for r in org.sf("OpportunityHistory").values()
                      if r.fields["OpportunityId"] == opp_id and not r.fields.get("PrevCloseDate"))
        current = NOW - rows[-1]
        earlier = [b - a for a, b in zip(rows, rows[1:], strict=False)]
        assert current >= timedelta(days=100)
        assert all(current > gap for gap in earlier)


def test_given_single_threaded_opportunities_then_exactly_one_contact_role(org: Org) -> None:
    single = org.deals("salesforce", "single_threaded")
    assert single
    for opp_id, _ in single:
        roles = [r for r in org.sf("OpportunityContactRole").values()
                 if r.fields["OpportunityId"] == opp_id]
        assert len(roles) == 1


def test_given_user_only_opportunities_then_only_converting_doers_are_engaged(org: Org) -> None:
    user_only = org.deals("salesforce", "user_only")
    assert user_only
    by_salesforce_id = {r.fields.get("salesforcecontactid"): r for r in org.hs("contacts").values()}
    for _, members in user_only:
        assert len(members) >= 2 and set(members.values()) == {"user"}
        for contact_id in members:
            hubspot = by_salesforce_id.get(contact_id)
            if hubspot is not None:  # a few were never linked by the integration
                assert int(hubspot.fields["num_conversion_events"]) >= 2


def test_given_healthy_opportunities_then_recent_replies_and_something_scheduled(
        org: Org) -> None:
    for opp_id, members in org.deals("salesforce", "healthy"):
        assert {"champion", "decision_maker", "economic_buyer"} <= set(members.values())
        assert max(buyer_replies(org, opp_id)) >= TODAY - timedelta(days=10)
        tasks, events = activities_of(org, opp_id)
        assert any(salesforce_time(e.fields["StartDateTime"]) > NOW for e in events) or any(
            not t.fields["IsClosed"] for t in tasks)


def test_given_economic_buyers_then_they_appear_only_on_pricing_and_contract_threads(
        org: Org) -> None:
    seen = 0
    for archetype in ("healthy", "won"):
        for opp_id, members in org.deals("salesforce", archetype):
            tasks, events = activities_of(org, opp_id)
            for contact_id, part in members.items():
                if part != "economic_buyer":
                    continue
                mine = [t for t in tasks if t.fields["WhoId"] == contact_id]
                assert not [e for e in events if e.fields["WhoId"] == contact_id]
                for task in mine:
                    assert any(w in task.fields["Subject"].lower() for w in PRICING_WORDS), \
                        task.fields["Subject"]
                seen += len(mine)
    assert seen


def test_given_security_and_legal_people_then_they_arrive_late_in_the_deal(org: Org) -> None:
    late = 0
    for opp_id, members in org.deals("salesforce", "won"):
        opp = org.sf("Opportunity")[opp_id]
        closed = max(r.created_at for r in org.sf("OpportunityHistory").values()
                     if r.fields["OpportunityId"] == opp_id)
        life = closed - opp.created_at
        tasks, _ = activities_of(org, opp_id)
        for contact_id, part in members.items():
            if part in ("security", "legal"):
                first = min(t.created_at for t in tasks if t.fields["WhoId"] == contact_id)
                assert first - opp.created_at >= 0.75 * life
                late += 1
    assert late


def test_given_champions_then_they_meet_us_many_times_across_weeks(org: Org) -> None:
    regulars = 0
    for opp_id, members in org.deals("salesforce", "healthy") + org.deals("salesforce", "won"):
        _, events = activities_of(org, opp_id)
        for contact_id, part in members.items():
            if part == "champion":
                starts = sorted(salesforce_time(e.fields["StartDateTime"]) for e in events
                                if e.fields["WhoId"] == contact_id)
                if len(starts) >= 4 and starts[-1] - starts[0] >= timedelta(days=21):
                    regulars += 1
    assert regulars >= 5


def test_given_marketing_then_doers_convert_far_more_than_executives(org: Org) -> None:
    conversions = [int(r.fields["num_conversion_events"]) for r in org.hs("contacts").values()]
    assert sum(1 for c in conversions if c) > len(conversions) * 0.4
    names = Counter(r.fields.get("recent_conversion_event_name", "").split(":")[0]
                    for r in org.hs("contacts").values())
    assert names["Webinar"] and names["Whitepaper"]
