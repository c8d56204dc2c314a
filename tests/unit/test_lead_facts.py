"""The person's title and facts merged over their records: one rule whether the person was
just read (plan_person) or is judged from state alone (the time-moves check)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leadpact.lead_facts import identity_title, person_facts, saved_facts
from leadpact.model import Ref
from tests.builders import NOW, person
from tests.known_builders import known_person

DAY = timedelta(days=1)


@pytest.mark.parametrize(("candidates", "expected"), [
    ([(NOW - DAY, "CFO"), (NOW, "VP Finance")], "VP Finance"),   # the latest change wins
    ([(NOW, "  "), (NOW - DAY, "CFO")], "CFO"),                 # blank titles do not count
    ([(NOW, None), (NOW - DAY, None)], "fallback"),
    ([(NOW, "CFO"), (NOW, "Controller")], "Controller"),        # equal stamps: one pick
    ([(NOW, "Controller"), (NOW, "CFO")], "Controller"),        # …whatever the order
])
def test_the_identity_title_is_the_latest_changed_non_empty_one(
        candidates: list[tuple[datetime, str | None]], expected: str) -> None:
    assert identity_title(candidates, "fallback") == expected


def test_a_person_judged_from_state_gets_the_facts_reading_them_would_give() -> None:
    hs = Ref("hubspot", "contact", "7")
    sf = Ref("salesforce", "contact", "003B")
    hs_saved = {"industry": "Software", "employees": ""}
    sf_saved = {"industry": "Retail", "employees": "500"}
    twin = known_person(sf, verdict={"stage": "nurture", "own_fields": sf_saved,
                                     "sales_feedback": "rejected"})
    me = known_person(hs, email="ann@acme.example", name="Ann",
                      verdict={"stage": "nurture", "own_fields": hs_saved})
    read = person_facts(person("7", email="ann@acme.example", name="Ann", fields=hs_saved),
                        [twin])
    assert saved_facts(me, [me, twin]) == read
    # the lowest reference with a value gives each field; feedback from whoever said it
    assert read.firmographics == {"industry": "Software", "employees": "500"}
    assert read.sales_feedback == "rejected"
