"""Pipeline rules over in-memory CRMs (the Connector protocol seam)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadpact.errors import QuotaExhausted
from leadpact.model import Activity, ContactRole, Record, Ref
from leadpact.pipeline import COUNTERS, run_sync
from leadpact.rules.engine import default_rules_text, load_rules, parse_rules
from leadpact.state import State
from tests.builders import NOW, days_ago, deal, person
from tests.memory_connector import MemoryConnector

# The earlier, title-only definition (still read): a CFO is sales-ready without any
# activity, which keeps these tests about the pipeline rather than the lead definition.
LEGACY_RULES = Path(__file__).parent / "data" / "legacy_rules.yaml"
RULES = load_rules(LEGACY_RULES)


@dataclasses.dataclass(frozen=True)
class Tag:
    seniority: str
    function: str
    role: str
    confidence: float
    because: str


def classify(title: str) -> Tag:
    """A tiny stand-in for the title classifier, so these tests pin pipeline behaviour."""
    t = title.lower()
    if "cfo" in t:
        return Tag("c_level", "finance", "economic_buyer", 0.95, "CFO → economic buyer")
    if "procurement" in t:
        return Tag("manager", "procurement", "blocker", 0.9, "procurement → blocker")
    if "finance manager" in t:
        return Tag("manager", "finance", "user", 0.8, "finance manager → user")
    if "engineer" in t:
        return Tag("ic", "engineering", "technical_evaluator", 0.9, "engineer")
    return Tag("unknown", "other", "unknown", 0.1, "no title")


@pytest.fixture
def state() -> State:
    return State(":memory:")


def sync(state: State, *crms: MemoryConnector, now=NOW, dry_run=False):  # type: ignore[no-untyped-def]
    return run_sync(list(crms), state, RULES, classify, now, dry_run=dry_run)


def applied(summary) -> int:  # type: ignore[no-untyped-def]
    return sum(s.changes_applied for s in summary.systems.values())


def dropped_deal(sf: MemoryConnector, deal_id: str, buyer_last: int = 80,
                 chases: tuple[int, ...] = (60, 45, 30), **kw: Any) -> Ref:
    """A deal whose one contact (an analyst) last wrote `buyer_last` days ago while the rep
    kept following up `chases` days ago: buyer-side silence, the evidence staleness needs."""
    contact = Ref("salesforce", "contact", f"003{deal_id}")
    sf.put(person(contact.id, system="salesforce", title="Analyst",
                  email=f"{deal_id.lower()}@acme.example",
                  activities=buyer_story(buyer_last, chases)))
    sf.put(deal(deal_id, contacts=(ContactRole(contact),), created_at=days_ago(120), **kw))
    return contact


def buyer_story(buyer_last: int, chases: tuple[int, ...],
                replied: int | None = None) -> tuple[Activity, ...]:
    told = [Activity(days_ago(buyer_last), "email", True, "Re: proposal")]
    told += [Activity(days_ago(n), "email", False, "Following up") for n in chases]
    if replied is not None:
        told.append(Activity(days_ago(replied), "email", True, "Re: Following up"))
    return tuple(sorted(told, key=lambda a: a.at))


def buyer_replies(sf: MemoryConnector, contact: Ref, days: int = 1) -> None:
    p = sf.records[contact]
    sf.put(dataclasses.replace(p, activities=buyer_story(80, (60, 45, 30), replied=days),
                               modified_at=days_ago(0)))


def test_given_new_people_when_synced_twice_then_second_run_writes_nothing(state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO", email="a@x.com", owner_id="o1"))
    hs.put(person("2", title="Software Engineer"))
    first, _ = sync(state, hs)
    assert hs.records[Ref("hubspot", "contact", "1")].leadpact["role"] == "economic_buyer"
    assert first.systems["hubspot"].contacts_tagged == 2
    assert first.systems["hubspot"].tasks_created == 1  # the CFO is sales-ready
    second, planned = sync(state, hs)
    assert planned == [] and applied(second) == 0
    assert second.systems["hubspot"].tasks_created == 0
    assert len(hs.tasks) == 1


def test_given_keep_changes_off_when_syncing_then_counts_stay_and_no_change_is_held(
        state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO", email="a@x.com", owner_id="o1"))
    summary, planned = run_sync([hs], state, RULES, classify, NOW, keep_changes=False)
    assert planned == []
    assert summary.systems["hubspot"].changes_planned > 0
    assert summary.systems["hubspot"].changes_applied == summary.systems["hubspot"].changes_planned
    assert hs.records[Ref("hubspot", "contact", "1")].leadpact["role"] == "economic_buyer"


def test_given_a_rep_edited_our_field_when_synced_again_then_the_edit_stays(state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    sync(state, hs)
    ref = Ref("hubspot", "contact", "1")
    rec = hs.records[ref]
    hs.put(dataclasses.replace(rec, title="Procurement Manager",
                               leadpact={**rec.leadpact, "role": "champion"}))
    summary, _ = sync(state, hs)
    assert hs.records[ref].leadpact["role"] == "champion"
    assert hs.records[ref].leadpact["function"] == "procurement"  # ours: updated
    assert summary.systems["hubspot"].manual_values_kept == 1


def test_given_one_person_in_both_crms_then_both_get_the_newest_title_verdict(
        state: State) -> None:
    sf, hs = MemoryConnector("salesforce"), MemoryConnector("hubspot")
    sf_ref = Ref("salesforce", "contact", "003A")
    sf.put(person("003A", system="salesforce", title="Software Engineer", email="Ann@X.com"))
    hs.put(person("7", title="CFO", email="ann@x.com", linked=(sf_ref,)))
    sync(state, sf, hs)
    assert sf.records[sf_ref].leadpact["role"] == "economic_buyer"
    assert hs.records[Ref("hubspot", "contact", "7")].leadpact["role"] == "economic_buyer"
    # The sales-ready task goes to the sales side only.
    assert len(sf.tasks) == 1 and hs.tasks == {}


def test_given_email_only_match_across_crms_then_one_identity(state: State) -> None:
    sf, hs = MemoryConnector("salesforce"), MemoryConnector("hubspot")
    sf.put(person("00QA", system="salesforce", kind="lead", title="", email="bo@y.com"))
    hs.put(person("8", title="CFO", email=" BO@y.com"))
    sync(state, sf, hs)
    assert sf.records[Ref("salesforce", "lead", "00QA")].leadpact["role"] == "economic_buyer"


def test_given_a_silent_deal_then_one_task_and_it_closes_when_activity_resumes(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    contact = dropped_deal(sf, "006A", owner_id="005A", name="Big")
    sync(state, sf)
    assert len(sf.open_tasks("deal:stale")) == 1
    tasks = len(sf.tasks)
    sync(state, sf)
    assert len(sf.tasks) == tasks  # no duplicate
    d = sf.records[Ref("salesforce", "deal", "006A")]
    buyer_replies(sf, contact)
    sf.put(dataclasses.replace(d, modified_at=days_ago(0)))
    summary, _ = sync(state, sf)
    assert sf.open_tasks("deal:stale") == []
    assert summary.systems["salesforce"].tasks_closed == 1
    assert sf.records[d.ref].leadpact["stale"] == "no"


def test_given_a_deal_nobody_touches_when_time_passes_then_it_turns_stale(state: State) -> None:
    sf = MemoryConnector("salesforce")
    # silent 50 days, chased twice: not yet; at 65 days the long silence tips it
    dropped_deal(sf, "006B", buyer_last=50, chases=(40, 30), owner_id="005A")
    sync(state, sf)
    assert sf.records[Ref("salesforce", "deal", "006B")].leadpact["stale"] == "no"
    summary, _ = sync(state, sf, now=NOW + timedelta(days=15))
    assert sf.records[Ref("salesforce", "deal", "006B")].leadpact["stale"] == "yes"
    assert sf.open_tasks("deal:stale") != []
    assert summary.systems["salesforce"].tasks_created == 1


def test_given_a_contact_role_changes_then_its_deals_coverage_is_recomputed(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    c = Ref("salesforce", "contact", "003C")
    sf.put(person("003C", system="salesforce", title="Software Engineer"))
    sf.put(deal("006C", contacts=(ContactRole(c),), last_activity_at=days_ago(1)))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006C")
    assert sf.records[d].leadpact["committee_missing"] == "economic_buyer, decision_maker"
    sf.put(dataclasses.replace(sf.records[c], title="CFO"))
    sync(state, sf)
    assert sf.records[d].leadpact["committee_missing"] == "decision_maker"


def test_given_a_refused_record_then_it_is_retried_next_run(state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    ref = Ref("hubspot", "contact", "1")
    hs.refuse.add(ref)
    first, _ = sync(state, hs)
    assert first.status == "partial" and first.systems["hubspot"].changes_failed > 0
    assert state.failed("hubspot") == [ref]
    hs.refuse.clear()
    sync(state, hs)
    assert hs.records[ref].leadpact["role"] == "economic_buyer"
    assert state.failed("hubspot") == []


def test_given_dry_run_then_nothing_is_written_or_committed(state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    summary, planned = sync(state, hs, dry_run=True)
    # the plan counts what the sync would apply, and writes and records none of it
    assert planned and applied(summary) == len(planned)
    assert summary.dry_run and summary.systems["hubspot"].tasks_created == 1
    assert hs.records[Ref("hubspot", "contact", "1")].leadpact == {} and hs.tasks == {}
    assert state.cursor("hubspot") is None and state.runs() == []
    assert state.person(Ref("hubspot", "contact", "1")) is None
    done, synced = sync(state, hs)
    assert synced == planned
    for counter in COUNTERS:  # only the calls differ: a plan sends no writes
        if counter != "api_calls":
            assert getattr(done.systems["hubspot"], counter) == \
                getattr(summary.systems["hubspot"], counter), counter


def test_given_quota_runs_out_midway_then_run_stops_and_resumes_without_gaps(
        state: State) -> None:
    hs = MemoryConnector("hubspot", page_size=1)
    for i in range(4):
        hs.put(person(str(i), title="CFO"))
    hs.quota_after = 2
    with pytest.raises(QuotaExhausted):
        sync(state, hs)
    done = [r for r in hs.records.values() if r.leadpact]
    assert len(done) == 2
    hs.quota_after = None
    sync(state, hs)
    assert all(r.leadpact.get("role") == "economic_buyer" for r in hs.records.values())
    assert len(hs.tasks) == 4  # one per person, none twice


def test_given_a_deleted_deal_then_it_is_forgotten_and_its_task_closed_in_state(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    sf.put(deal("006D", last_activity_at=days_ago(50)))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006D")
    sf.put(dataclasses.replace(sf.records[d], deleted=True))
    sync(state, sf)
    assert state.open_task(d, "deal:stale") is None and state.deal(d) is None


def test_given_a_gap_and_a_fitting_colleague_then_the_committee_task_names_them(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    eng = Ref("salesforce", "contact", "003E")
    sf.put(person("003E", system="salesforce", title="Software Engineer", account_id="001A"))
    sf.put(person("003F", system="salesforce", title="CFO", account_id="001A", name="Flo Fin"))
    sf.put(deal("006E", contacts=(ContactRole(eng, id="00KE"),), account_id="001A",
                name="Widgets"))
    sync(state, sf)
    [key] = sf.open_tasks("deal:committee_gap")
    task = sf.tasks[key]
    assert task["subject"] == "Buying committee gap on Widgets: no economic_buyer, decision_maker"
    assert "Consider engaging: Flo Fin (CFO, economic buyer)" in str(task["body"])


def test_deal_tasks_follow_the_rules_files_templates_subject_and_due_date(
        state: State) -> None:
    text = default_rules_text().replace(
        'subject: "Buying committee gap on {deal}: no {missing}"\n      due_in_days: 2',
        'subject: "Committee on {deal} lacks {missing}"\n      due_in_days: 5').replace(
        'subject: "Stale deal: {deal}"\n      due_in_days: 2',
        'subject: "Stale deal: {deal}"\n      due_in_days: 9')
    assert text.count("due_in_days: 2") == 2  # both deal templates were replaced (the two
    # left are the person and account sales-ready tasks)
    sf = MemoryConnector("salesforce")
    dropped_deal(sf, "006A", owner_id="005A", name="Big")
    run_sync([sf], state, parse_rules(text, "mine.yaml"), classify, NOW)
    [gap] = [sf.tasks[k] for k in sf.open_tasks("deal:committee_gap")]
    [stale] = [sf.tasks[k] for k in sf.open_tasks("deal:stale")]
    assert gap["subject"] == "Committee on Big lacks economic_buyer, decision_maker"
    assert gap["due"] == NOW.date() + timedelta(days=5)
    assert stale["due"] == NOW.date() + timedelta(days=9)


def test_given_committee_task_null_then_no_gap_task(state: State) -> None:
    text = default_rules_text().replace(
        '    task:\n      subject: "Buying committee gap on {deal}: no {missing}"\n'
        '      due_in_days: 2\n', "    task: null\n")
    rules = parse_rules(text, "mine.yaml")
    assert rules.committee_task is None and RULES.committee_task is not None
    sf = MemoryConnector("salesforce")
    sf.put(deal("006A", owner_id="005A", name="Big"))
    run_sync([sf], state, rules, classify, NOW)
    assert sf.open_tasks("deal:committee_gap") == []


def test_given_a_rules_file_from_before_the_committee_template_then_the_shipped_one_applies(
        ) -> None:
    text = default_rules_text().replace(
        '    task:\n      subject: "Buying committee gap on {deal}: no {missing}"\n'
        '      due_in_days: 2\n', "")
    assert "Buying committee gap" not in text
    assert parse_rules(text, "old.yaml").committee_task == RULES.committee_task


def test_given_empty_native_roles_then_filled_but_a_reps_value_is_never_touched(
        state: State) -> None:
    hs, sf = MemoryConnector("hubspot"), MemoryConnector("salesforce")
    hs.put(person("1", title="CFO"))
    hs.put(person("2", title="CFO", buying_role="CHAMPION"))
    c = Ref("salesforce", "contact", "003G")
    sf.put(person("003G", system="salesforce", title="Software Engineer"))
    sf.put(deal("006G", contacts=(ContactRole(c, id="00KG"),
                                  ContactRole(Ref("salesforce", "contact", "003H"),
                                              role="Decision Maker", id="00KH"))))
    _, planned = sync(state, hs, sf)
    from leadpact.connectors.roles import ledger_value

    native = [(type(ch).__name__, found.value) for ch in planned
              if type(ch).__name__ in ("SetBuyingRole", "SetDealContactRole")
              and (found := ledger_value(ch)) is not None]
    assert ("SetBuyingRole", "BUDGET_HOLDER") in native
    assert ("SetDealContactRole", "Evaluator") in native
    assert len(native) == 2  # the CHAMPION and the Decision Maker set by people stay


def test_given_engagement_overrules_the_title_then_both_prior_and_evidence_are_written(
        state: State) -> None:
    hs = MemoryConnector("hubspot")
    threads = (Activity(days_ago(9), "email", True, "Pricing proposal"),
               Activity(days_ago(2), "email", True, "Order form"))
    hs.put(person("1", title="Finance Manager", activities=threads))
    sync(state, hs)
    fields = hs.records[Ref("hubspot", "contact", "1")].leadpact
    assert (fields["role"], fields["title_role"]) == ("economic_buyer", "user")
    assert "pricing/contract threads" in str(fields["role_reason"])


def test_given_a_rep_recorded_a_contact_role_then_coverage_trusts_it_over_the_title(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    eng, cfo = Ref("salesforce", "contact", "003J"), Ref("salesforce", "contact", "003K")
    sf.put(person("003J", system="salesforce", title="Software Engineer"))
    sf.put(person("003K", system="salesforce", title="CFO"))
    sf.put(deal("006J", contacts=(ContactRole(eng, role="Decision Maker", id="00KJ"),
                                  ContactRole(cfo, id="00KK"))))
    sync(state, sf)
    fields = sf.records[Ref("salesforce", "deal", "006J")].leadpact
    assert fields.get("committee_missing") is None
    assert fields["committee_present"] == "decision_maker, economic_buyer"


def test_given_we_filled_a_contact_role_when_the_title_changes_then_coverage_follows(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    c = Ref("salesforce", "contact", "003L")
    sf.put(person("003L", system="salesforce", title="Software Engineer"))
    sf.put(deal("006L", contacts=(ContactRole(c, id="00KL"),)))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006L")
    assert sf.records[d].contacts[0].role == "Evaluator"  # filled by us
    sf.put(dataclasses.replace(sf.records[c], title="CFO"))
    sync(state, sf)
    assert sf.records[d].contacts[0].role == "Economic Buyer"  # still ours: updated
    assert sf.records[d].leadpact["committee_present"] == "economic_buyer"
    _, planned = sync(state, sf)
    assert planned == []


def test_given_only_users_engaging_then_the_deal_is_flagged_user_only(state: State) -> None:
    sf = MemoryConnector("salesforce")
    eng, cfo = Ref("salesforce", "contact", "003M"), Ref("salesforce", "contact", "003N")
    webinar = (Activity(days_ago(5), "webinar", True, "Webinar: pipeline hygiene"),
               Activity(days_ago(4), "meeting", True, "Demo"))
    sf.put(person("003M", system="salesforce", title="Software Engineer", activities=webinar))
    sf.put(person("003N", system="salesforce", title="CFO"))
    sf.put(deal("006M", contacts=(ContactRole(eng, id="00KM"), ContactRole(cfo, id="00KN"))))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006M")
    assert "user_only_engagement" in str(sf.records[d].leadpact["committee_flags"])
    # When the CFO starts answering, the flag clears.
    cfo_reply = (Activity(days_ago(1), "email", True, "Re: proposal"),)
    sf.put(dataclasses.replace(sf.records[cfo], activities=cfo_reply))
    sync(state, sf)
    assert "user_only_engagement" not in str(sf.records[d].leadpact.get("committee_flags"))


def test_given_engagement_grows_old_then_user_only_clears_without_any_edit(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    eng = Ref("salesforce", "contact", "003P")
    webinar = (Activity(days_ago(5), "email", True, "Re: the webinar"),)
    sf.put(person("003P", system="salesforce", title="Software Engineer", activities=webinar))
    sf.put(deal("006P", contacts=(ContactRole(eng, id="00KP"),)))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006P")
    assert "user_only_engagement" in str(sf.records[d].leadpact["committee_flags"])
    sync(state, sf, now=NOW + timedelta(days=60))
    assert "user_only_engagement" not in str(sf.records[d].leadpact["committee_flags"])


def test_given_a_plan_then_committee_gaps_and_kept_values_are_counted_once(
        state: State) -> None:
    sf, hs = MemoryConnector("salesforce"), MemoryConnector("hubspot")
    sf_ref = Ref("salesforce", "contact", "003Q")
    sf.put(person("003Q", system="salesforce", title="Software Engineer", email="q@x.com",
                  leadpact={"role": "champion"}))
    hs.put(person("9", title="CFO", email="q@x.com", linked=(sf_ref,)))
    sf.put(deal("006Q", contacts=(ContactRole(sf_ref, id="00KQ"),)))
    planned, _ = sync(state, sf, hs, dry_run=True)
    assert planned.systems["salesforce"].deals_with_committee_gaps == 1
    synced, _ = sync(state, sf, hs)
    # The rep's "champion" is kept, and counted once although the contact is judged twice
    # (once alone, once more when its HubSpot twin's newer title arrives).
    assert synced.systems["salesforce"].records_read >= 3
    assert synced.systems["salesforce"].manual_values_kept == 1


def test_given_a_rep_deleted_our_task_when_it_should_close_then_it_is_dropped_once(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    contact = dropped_deal(sf, "006R")
    sync(state, sf)
    [key] = sf.open_tasks("deal:stale")
    del sf.tasks[key]  # a rep deleted it in the CRM
    d = Ref("salesforce", "deal", "006R")
    buyer_replies(sf, contact)
    sf.put(dataclasses.replace(sf.records[d], modified_at=days_ago(0)))
    first, _ = sync(state, sf)
    assert first.systems["salesforce"].changes_failed == 1
    assert state.open_task(d, "deal:stale") is None and state.failed("salesforce") == []
    second, planned = sync(state, sf)
    assert planned == [] and second.status == "ok"


def test_given_a_contact_role_that_equals_our_own_fill_then_coverage_is_stable(
        state: State) -> None:
    sf = MemoryConnector("salesforce")
    c = Ref("salesforce", "contact", "003S")
    meetings = tuple(Activity(days_ago(d), "meeting", True, "Weekly sync") for d in (40, 30, 20, 9))
    sf.put(person("003S", system="salesforce", title="Software Engineer",
                  activities=(*meetings, Activity(days_ago(8), "email", True, "Re: sync"))))
    # "Influencer" is what leadpact itself fills in for a champion (no such picklist value).
    sf.put(deal("006S", contacts=(ContactRole(c, role="Influencer", id="00KS"),)))
    sync(state, sf)
    d = Ref("salesforce", "deal", "006S")
    assert sf.records[d].leadpact["committee_present"] == "champion"
    _, planned = sync(state, sf)
    assert planned == []


def test_given_a_salesforce_twin_appears_then_the_hubspot_lead_task_moves_there(
        state: State) -> None:
    hs, sf = MemoryConnector("hubspot"), MemoryConnector("salesforce")
    hs.put(person("5", title="CFO", email="t@x.com"))
    sync(state, hs, sf)
    assert len(hs.open_tasks("lead:")) == 1
    sf.put(person("003T", system="salesforce", title="CFO", email="t@x.com"))
    hs.put(dataclasses.replace(hs.records[Ref("hubspot", "contact", "5")],
                               linked=(Ref("salesforce", "contact", "003T"),)))
    sync(state, sf, hs)
    assert hs.open_tasks("lead:") == [] and len(sf.open_tasks("lead:")) == 1


def test_given_a_run_killed_mid_write_when_the_verdict_moves_then_our_value_is_still_ours(
        state: State) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="Software Engineer"))
    hs.die_after = 3  # seniority, function and role land; the run dies before recording
    with pytest.raises(KeyboardInterrupt):
        sync(state, hs)
    ref = Ref("hubspot", "contact", "1")
    assert hs.records[ref].leadpact["role"] == "technical_evaluator"
    hs.die_after = None
    hs.put(dataclasses.replace(hs.records[ref], title="CFO"))
    summary, _ = sync(state, hs)
    assert hs.records[ref].leadpact["role"] == "economic_buyer"  # not mistaken for a rep's
    assert summary.systems["hubspot"].manual_values_kept == 0


def test_given_a_rep_set_the_native_role_we_would_guess_then_a_later_title_never_changes_it(
        state: State) -> None:
    from leadpact.connectors.roles import VOCABULARIES

    hs = MemoryConnector("hubspot")
    theirs = VOCABULARIES["hubspot"].person_role("economic_buyer", "finance")
    assert theirs is not None
    ref = hs.put(person("1", title="CFO", buying_role=theirs)).ref
    sync(state, hs)
    assert hs.records[ref].buying_role == theirs  # equal: nothing written, not made ours
    hs.put(dataclasses.replace(hs.records[ref], title="Software Engineer",
                               modified_at=days_ago(0)))
    summary, _ = sync(state, hs)
    assert hs.records[ref].buying_role == theirs  # the rep's value survives the new title
    assert hs.records[ref].leadpact["role"] == "technical_evaluator"
    assert summary.systems["hubspot"].manual_values_kept >= 1


class EditsDuringTheRun(MemoryConnector):
    """A CRM where a rep edits a record between leadpact reading it and writing to it."""

    def __init__(self, system: str, edit: Ref, field: str, value: str):
        super().__init__(system)
        self.edit = (edit, field, value)

    def current_values(self, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]]:
        ref, field, value = self.edit
        record = self.records[ref]
        self.put(dataclasses.replace(record, leadpact={**record.leadpact, field: value}))
        return super().current_values(refs)


def test_given_a_rep_edits_a_field_while_the_sync_runs_then_the_edit_survives(
        state: State) -> None:
    cfo = Ref("hubspot", "contact", "1")
    hs = EditsDuringTheRun("hubspot", cfo, "role", "champion")
    hs.put(person("1", title="CFO"))
    summary, _ = sync(state, hs)
    assert hs.records[cfo].leadpact["role"] == "champion"  # not overwritten mid-run
    assert hs.records[cfo].leadpact["seniority"] == "c_level"  # the rest was written
    assert summary.systems["hubspot"].manual_values_kept >= 1
    hs.edit = (cfo, "function", hs.records[cfo].leadpact["function"] or "")  # no more edits
    sync(state, hs)
    assert hs.records[cfo].leadpact["role"] == "champion"  # and it stays the rep's


def test_the_preflight_hook_runs_once_before_the_first_write_and_not_without_writes(
        state: State) -> None:
    from leadpact.errors import ConfigError

    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    calls: list[int] = []

    def check() -> None:
        calls.append(len(hs.tasks) + sum(bool(r.leadpact) for r in hs.records.values()))

    run_sync([hs], state, RULES, classify, NOW, before_first_write=check)
    assert calls == [0]  # once, and nothing was written before it
    for _ in range(2):  # the rerun reads back our own writes; then nothing changes
        run_sync([hs], state, RULES, classify, NOW, before_first_write=check)
    assert calls == [0]  # no write, no preflight: a quiet scheduled sync costs no calls

    hs.put(person("2", title="CFO"))

    def refuse() -> None:
        raise ConfigError("preflight failed, nothing was written to any CRM: test")

    with pytest.raises(ConfigError):
        run_sync([hs], state, RULES, classify, NOW, before_first_write=refuse)
    assert hs.records[Ref("hubspot", "contact", "2")].leadpact == {}


def test_given_a_connector_batch_size_then_retried_records_are_read_in_such_batches(
        state: State) -> None:
    class Batching(MemoryConnector):
        refresh_batch = 2  # the connector's own batch (Salesforce: whole id lists)

        def __init__(self) -> None:
            super().__init__("hubspot", page_size=3)
            self.read_sizes: list[int] = []

        def read_records(self, refs: Sequence[Ref]) -> list[Record]:
            self.read_sizes.append(len(refs))
            return super().read_records(refs)

    hs = Batching()
    for i in range(3):
        hs.put(person(str(i), title="CFO"))
    hs.refuse.update(Ref("hubspot", "contact", str(i)) for i in range(3))
    sync(state, hs)
    hs.refuse.clear()
    hs.read_sizes.clear()
    sync(state, hs)  # the three refused records, retried first
    assert hs.read_sizes[:2] == [2, 1]
    assert state.failed("hubspot") == []
