from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.seed_org import Org, seeded_org


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    demo = seeded_org()
    yield demo
    demo.store.close()


def test_given_a_seeded_org_then_leads_carry_their_company_firmographics(org: Org) -> None:
    leads = list(org.sf("Lead").values())
    assert leads and all(lead.fields.get("Industry") and lead.fields.get("Country")
                         and int(lead.fields["NumberOfEmployees"]) > 0 for lead in leads)
    accounts = {a.fields["Name"]: a for a in org.sf("Account").values()}
    converted = [lead for lead in leads if lead.fields.get("ConvertedAccountId")]
    for lead in converted:
        account = org.sf("Account")[lead.fields["ConvertedAccountId"]]
        assert lead.fields["Industry"] == account.fields["Industry"]
        assert lead.fields["NumberOfEmployees"] == account.fields["NumberOfEmployees"]
    assert accounts


def test_given_a_seeded_org_then_companies_and_accounts_carry_country(org: Org) -> None:
    assert all(c.fields.get("country") for c in org.hs("companies").values())
    assert all(a.fields.get("BillingCountry") for a in org.sf("Account").values())
