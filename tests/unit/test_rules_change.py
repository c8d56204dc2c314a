"""A new lead definition reaches every record, touched or not; a version bump alone
rewrites nothing; a new meaning under an old version is refused."""

from __future__ import annotations

import dataclasses

import pytest

from leadpact.changes import SetField
from leadpact.errors import RuleError
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import default_rules_text, parse_rules
from leadpact.rules_change import must_rejudge, remembered
from leadpact.state import State
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import classify

SHIPPED = default_rules_text()
RULES = parse_rules(SHIPPED, "default.yaml")


def with_version(text: str, version: str) -> str:
    lines = text.splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if line.startswith("version:")]
    lines[at] = f'version: "{version}"\n'
    return "".join(lines)


# Everyone with 5 points of fit is sales-ready, engaged or not: a new meaning.
SALES_READY_WHEN = """      when:
        all:
          - {field: role, in: [economic_buyer, decision_maker, executive_sponsor, champion]}
          - {field: fit, gte: 50}
          - any:
              - {activities: {kinds: [email, meeting, call], within_days: 30, at_least: 1}}
              - {field: engagement, gte: 20}
"""
assert SALES_READY_WHEN in SHIPPED
WIDER = with_version(SHIPPED.replace(SALES_READY_WHEN, "      when: {field: fit, gte: 5}\n"),
                     "2099.1")


def test_the_wider_rules_differ_in_meaning_only_where_edited() -> None:
    wider = parse_rules(WIDER, "wider.yaml")
    assert wider.meaning != RULES.meaning and wider.version == "2099.1"
    # comments, layout and the version do not make a new meaning
    relaid = "# a comment RevOps added\n" + with_version(SHIPPED, "2099.2")
    assert parse_rules(relaid, "relaid.yaml").meaning == RULES.meaning


@pytest.mark.parametrize(("last", "knows", "expected"), [
    (None, False, False),   # a first sync: nothing known to judge again
    (None, True, True),     # a state from before the rules were remembered
    ("same", True, False),  # same meaning (whatever the version)
    ("new", True, True),    # new meaning, new version
])
def test_when_every_record_is_judged_again(last: str | None, knows: bool,
                                           expected: bool) -> None:
    wider = parse_rules(WIDER, "wider.yaml")
    stored = {None: None, "same": remembered(dataclasses.replace(wider, version="0.1")),
              "new": remembered(RULES)}[last]
    assert must_rejudge(stored, wider, knows) is expected


def test_a_new_meaning_under_the_old_version_is_refused_naming_the_file() -> None:
    same_version = parse_rules(with_version(WIDER, RULES.version), "mine.yaml")
    with pytest.raises(RuleError, match=r"^mine\.yaml: the rules changed since the last sync "
                                        r"but `version` is still"):
        must_rejudge(remembered(RULES), same_version, True)


def org() -> tuple[MemoryConnector, Ref]:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO", email="cfo@acme.example", name="Cy Fo"))
    fin = hs.put(person("2", title="Finance Manager", email="fm@acme.example", name="Fi Ma"))
    hs.put(person("3", title="Marketing Intern", email="in@acme.example", name="In Tern"))
    return hs, fin.ref


def test_given_new_rules_then_a_record_nobody_touched_gets_the_new_stage() -> None:
    state, (hs, manager) = State(":memory:"), org()
    run_sync([hs], state, RULES, classify, NOW)
    before = hs.records[manager].leadpact["lead_stage"]
    assert before != "sales_ready"

    wider = parse_rules(WIDER, "wider.yaml")
    planned, _ = run_sync([hs], state, wider, classify, NOW, dry_run=True)
    assert planned.rules_changed and planned.systems["hubspot"].records_read == 3
    summary, changes = run_sync([hs], state, wider, classify, NOW)
    assert summary.rules_changed and summary.systems["hubspot"].tasks_created == 2
    assert hs.records[manager].leadpact["lead_stage"] == "sales_ready"
    assert hs.records[manager].leadpact["rules_version"] == "2099.1"
    # The version is stamped only beside a value that moved; the intern stays disqualified
    # and is not written at all.
    fields = [(c.ref, c.field) for c in changes if isinstance(c, SetField)]
    stamped = {ref for ref, name in fields if name == "rules_version"}
    assert stamped and all(any(r == ref and n != "rules_version" for r, n in fields)
                           for ref in stamped)
    assert not any(ref == Ref("hubspot", "contact", "3") for ref, _ in fields)
    assert hs.records[Ref("hubspot", "contact", "3")].leadpact["lead_stage"] == "disqualified"

    again, changes = run_sync([hs], state, wider, classify, NOW)
    assert not again.rules_changed and changes == []


def test_given_only_a_new_version_then_nothing_is_read_or_rewritten() -> None:
    state, (hs, _) = State(":memory:"), org()
    for _ in range(2):  # the second run reads back the first one's own writes
        run_sync([hs], state, RULES, classify, NOW)
    bumped = parse_rules(with_version(SHIPPED, "2099.9"), "bumped.yaml")
    summary, changes = run_sync([hs], state, bumped, classify, NOW)
    assert not summary.rules_changed and changes == []
    assert summary.systems["hubspot"].records_read == 0


def test_given_a_new_meaning_under_the_same_version_then_the_sync_stops_before_reading() -> None:
    state, (hs, _) = State(":memory:"), org()
    run_sync([hs], state, RULES, classify, NOW)
    sneaky = parse_rules(with_version(WIDER, RULES.version), "sneaky.yaml")
    reads = hs.api_calls
    with pytest.raises(RuleError, match="`version` is still"):
        run_sync([hs], state, sneaky, classify, NOW)
    assert hs.api_calls == reads


def test_full_reads_every_record_again_from_the_start() -> None:
    state, (hs, _) = State(":memory:"), org()
    run_sync([hs], state, RULES, classify, NOW)
    summary, changes = run_sync([hs], state, RULES, classify, NOW, full=True)
    assert summary.systems["hubspot"].records_read == 3 and changes == []


def test_given_only_a_new_version_on_a_moved_verdict_then_the_stamp_goes_with_it() -> None:
    state, (hs, manager) = State(":memory:"), org()
    run_sync([hs], state, RULES, classify, NOW)
    # a person's title changes under a new version whose meaning is the same
    hs.put(dataclasses.replace(hs.records[manager], title="CFO", modified_at=NOW))
    bumped = parse_rules(with_version(SHIPPED, "2099.9"), "bumped.yaml")
    run_sync([hs], state, bumped, classify, NOW)
    assert hs.records[manager].leadpact["rules_version"] == "2099.9"
    assert hs.records[Ref("hubspot", "contact", "1")].leadpact["rules_version"] == RULES.version
