from __future__ import annotations

from leadpact.changes import SetContactRole, SetField, SetNativeField
from leadpact.model import ContactRole, Ref
from leadpact.undo import plan_undo
from tests.builders import deal, person

P = Ref("hubspot", "contact", "1")
D = Ref("salesforce", "deal", "006A")


def test_given_values_still_as_written_then_each_goes_back_to_before_the_run() -> None:
    writes = [(P, "role", None, "user"), (P, "role", "user", "blocker"),
              (P, "hs_buying_role", None, "BLOCKER")]
    records = {P: person("1", leadpact={"role": "blocker"}, buying_role="BLOCKER")}
    runs = {(P, "role"): "r1", (P, "hs_buying_role"): "r1"}
    plan = plan_undo("r1", writes, runs, records)
    assert plan.changes == [SetField(P, "role", None, "blocker"),
                            SetNativeField(P, "hs_buying_role", None, "BLOCKER")]
    assert plan.left_alone == []


def test_given_a_person_or_a_later_run_changed_it_then_it_is_left_alone() -> None:
    writes = [(P, "role", None, "user"), (P, "seniority", None, "ic")]
    records = {P: person("1", leadpact={"role": "champion", "seniority": "ic"})}
    runs = {(P, "role"): "r1", (P, "seniority"): "r2"}
    plan = plan_undo("r1", writes, runs, records)
    assert plan.changes == []
    assert plan.left_alone == [f"{P} role: changed since ('champion'), kept",
                               f"{P} seniority: a later run wrote it again"]


def test_given_a_contact_role_we_filled_then_undo_clears_it() -> None:
    c = Ref("salesforce", "contact", "003A")
    writes = [(D, "contact_role:00KA", None, "Evaluator")]
    records = {D: deal("006A", contacts=(ContactRole(c, "Evaluator", "00KA"),))}
    plan = plan_undo("r1", writes, {(D, "contact_role:00KA"): "r1"}, records)
    assert plan.changes == [SetContactRole(D, c, None, "00KA")]


def test_given_a_deleted_record_then_nothing_is_written_to_it() -> None:
    plan = plan_undo("r1", [(P, "role", None, "user")], {(P, "role"): "r1"},
                     {P: person("1", deleted=True, leadpact={"role": "user"})})
    assert plan.changes == [] and plan.left_alone == [f"{P} role: the record is gone"]
