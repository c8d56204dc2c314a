"""A contact role leadpact fills while a first read is under way comes back in the
contact-role stream as its own write: the opportunity is not read a second time. A role
someone else changes still brings its opportunity back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadpact.changes import SetDealContactRole
from leadpact.connectors.salesforce import SalesforceConnector
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.enrichment.labels import BuyingRole
from leadpact.model import Deal, Page
from tests.sf_builders import ManualClock, SalesforceOrg, connect


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def org(sandbox: Sandbox, clock: ManualClock) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, clock)


@pytest.fixture
def connector(sandbox: Sandbox, clock: ManualClock) -> Iterator[SalesforceConnector]:
    with connect(sandbox, clock=clock) as conn:
        yield conn


def read_filling_roles(conn: SalesforceConnector, clock: ManualClock, org: SalesforceOrg,
                       also: str | None) -> list[Deal]:
    """A first read that fills every empty role of a deal as soon as the deal is read (a
    sync's writes land between pages); `also`: a role someone else edits meanwhile."""
    deals: list[Deal] = []
    pages: Iterator[Page] = conn.read_changes(None)
    for page in pages:
        for record in page.records:
            if not isinstance(record, Deal):
                continue
            deals.append(record)
            if len(deals) > 1:
                continue
            clock.advance(seconds=2)  # after the deal page's answer
            fills = [SetDealContactRole(record.ref, role.person, BuyingRole.DECISION_MAKER,
                                        role.id)
                     for role in record.contacts if role.role is None]
            assert all(result.ok for result in conn.apply(fills))
            if also is not None:
                org.edit("OpportunityContactRole", also, Role="Influencer")
    return deals


def test_given_roles_filled_during_a_first_read_then_the_opportunity_is_read_once(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    opp = org.opportunity()
    for name in ("Ann", "Bo"):
        org.contact_role(opp, org.contact(name))
    deals = read_filling_roles(connector, clock, org, also=None)
    assert [d.ref.id for d in deals] == [opp]


def test_given_someone_else_changes_a_role_meanwhile_then_the_opportunity_comes_again(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    opp = org.opportunity()
    org.contact_role(opp, org.contact("Ann"))
    theirs = org.contact_role(opp, org.contact("Bo"), "Economic Buyer")
    deals = read_filling_roles(connector, clock, org, also=theirs)
    assert [d.ref.id for d in deals] == [opp, opp]
    assert {(c.role) for c in deals[-1].contacts} == {"Decision Maker", "Influencer"}
