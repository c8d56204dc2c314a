from __future__ import annotations

from leadpact.changes import RestoreLedgerValue, SetField
from leadpact.model import ContactRole, Ref
from leadpact.undo import SHOWN, UndoResult, plan_undo, undo_ids
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
                            RestoreLedgerValue(P, "hs_buying_role", None, "BLOCKER")]
    assert plan.left_alone == []


def test_given_a_person_or_a_later_run_changed_it_then_it_is_left_alone() -> None:
    writes = [(P, "role", None, "user"), (P, "seniority", None, "ic")]
    records = {P: person("1", leadpact={"role": "champion", "seniority": "ic"})}
    runs = {(P, "role"): "r1", (P, "seniority"): "r2"}
    plan = plan_undo("r1", writes, runs, records)
    assert plan.changes == []
    assert plan.left_alone == [f"{P} role: changed since ('champion'), kept",
                               f"{P} seniority: a later run (r2) wrote it again"]


def test_given_a_contact_role_we_filled_then_undo_clears_it() -> None:
    c = Ref("salesforce", "contact", "003A")
    writes = [(D, "contact_role:00KA", None, "Evaluator")]
    records = {D: deal("006A", contacts=(ContactRole(c, "Evaluator", "00KA"),))}
    plan = plan_undo("r1", writes, {(D, "contact_role:00KA"): "r1"}, records)
    assert plan.changes == [RestoreLedgerValue(D, "contact_role:00KA", None, "Evaluator")]


def test_given_a_crm_value_no_role_spells_alone_then_undo_puts_back_exactly_it() -> None:
    # blocker and legal-blocker both read as leadpact's blocker: a role could not say which
    # HubSpot value was there, the ledger can
    writes = [(P, "hs_buying_role", "LEGAL_AND_COMPLIANCE", "INFLUENCER")]
    records = {P: person("1", buying_role="INFLUENCER")}
    plan = plan_undo("r1", writes, {(P, "hs_buying_role"): "r1"}, records)
    assert plan.changes == [
        RestoreLedgerValue(P, "hs_buying_role", "LEGAL_AND_COMPLIANCE", "INFLUENCER")]


def test_given_a_deleted_record_then_nothing_is_written_to_it() -> None:
    plan = plan_undo("r1", [(P, "role", None, "user")], {(P, "role"): "r1"},
                     {P: person("1", deleted=True, leadpact={"role": "user"})})
    assert plan.changes == [] and plan.left_alone == [f"{P} role: the record is gone"]


def test_given_an_earlier_undo_put_it_back_then_it_is_not_blamed_on_a_later_run() -> None:
    writes = [(P, "role", None, "user")]
    records = {P: person("1", leadpact={})}
    plan = plan_undo("r1", writes, {(P, "role"): "undo-r1"}, records, undos=["undo-r1"])
    assert plan.changes == []
    assert plan.left_alone == [f"{P} role: already put back by undo-r1"]


def test_undo_ids_are_the_undos_of_that_run_only() -> None:
    known = {"r1", "undo-r1", "undo-r1-2", "undo-r10", "undo-r1-x", "r2"}
    assert undo_ids("r1", known) == ["undo-r1", "undo-r1-2"]


def test_given_many_left_alone_then_the_result_shows_counts_and_the_first_few() -> None:
    result = UndoResult("r1", dry_run=True, left_alone=[f"line {i}" for i in range(50)])
    short = result.as_dict()
    assert short["left_alone"] == [f"line {i}" for i in range(SHOWN)]
    assert short["left_alone_count"] == 50 and short["left_alone_not_shown"] == 50 - SHOWN
    full = result.as_dict(shown=None)
    assert len(full["left_alone"]) == 50 and full["left_alone_not_shown"] == 0
