"""The sandbox's SOQL subset: parsing, type checks and evaluation, as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from leadpact.connectors.sandbox.soql import (
    Compare,
    InSet,
    Junction,
    Like,
    Not,
    OrderKey,
    Query,
    SoqlError,
    parse,
)
from leadpact.connectors.sandbox.soql_eval import (
    check_types,
    execute,
    lower_bound,
    matches,
    sort_records,
)

T = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


# -- parsing --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT Id FROM Lead", Query(("Id",), "Lead")),
    ("select Id, Name from Contact limit 5 offset 2",
     Query(("Id", "Name"), "Contact", limit=5, offset=2)),
    ("SELECT Id FROM Lead WHERE SystemModstamp >= 2026-11-01T10:00:00Z "
     "ORDER BY SystemModstamp, Id",
     Query(("Id",), "Lead", Compare("SystemModstamp", ">=", T),
           (OrderKey("SystemModstamp"), OrderKey("Id")))),
    ("SELECT Id FROM Task WHERE Leadpact_Task_Key__c IN ('a','b') AND IsClosed = false",
     Query(("Id",), "Task", Junction("AND", (InSet("Leadpact_Task_Key__c", ("a", "b")),
                                              Compare("IsClosed", "=", False))))),
    ("SELECT Id FROM Lead WHERE (Title LIKE '%CFO%' OR Title = null) AND NOT IsConverted = true",
     Query(("Id",), "Lead", Junction("AND", (
         Junction("OR", (Like("Title", "%CFO%"), Compare("Title", "=", None))),
         Not(Compare("IsConverted", "=", True)))))),
    ("SELECT Id FROM Opportunity WHERE Amount > 10.5 AND StageName <> 'Closed Lost' "
     "ORDER BY Amount DESC NULLS LAST, Name ASC NULLS FIRST",
     Query(("Id",), "Opportunity", Junction("AND", (Compare("Amount", ">", 10.5),
                                                    Compare("StageName", "!=", "Closed Lost"))),
           (OrderKey("Amount", True, False), OrderKey("Name", False, True)))),
    ("SELECT Id FROM Contact WHERE Id NOT IN ('003000000000001AAA')",
     Query(("Id",), "Contact", InSet("Id", ("003000000000001AAA",), negated=True))),
])
def test_given_a_query_in_the_subset_when_parsing_then_its_tree(text: str,
                                                                expected: Query) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("literal", "value"), [
    ("2026-11-01T10:00:00Z", T),
    ("2026-11-01T10:00:00.000+0000", T),
    ("2026-11-01T10:00:00+00:00", T),  # what simple_salesforce.format_soql writes
    ("2026-11-01T12:00:00+02:00", T),
    ("2026-11-01T02:00:00-0800", T),
    ("2026-11-01T10:00:00.250Z", T.replace(microsecond=250_000)),
    ("2026-11-01", date(2026, 11, 1)),
    ("42", 42),
    ("-1.5", -1.5),
    ("TRUE", True),
    ("false", False),
    ("null", None),
    ("'plain'", "plain"),
    (r"'O\'Brien'", "O'Brien"),
    (r"'a\\b'", "a\\b"),
    (r"'line\nbreak'", "line\nbreak"),
    (r"'say \"hi\"'", 'say "hi"'),
])
def test_given_a_literal_when_parsing_then_its_value(literal: str, value: Any) -> None:
    where = parse(f"SELECT Id FROM Lead WHERE X = {literal}").where
    assert isinstance(where, Compare) and where.value == value
    assert type(where.value) is type(value)


@pytest.mark.parametrize("text", [
    "",
    "SELECT FROM Lead",
    "SELECT Id Lead",
    "SELECT Id FROM Lead WHERE",
    "SELECT Id FROM Lead WHERE A = 1 AND B = 2 OR C = 3",  # SOQL wants parentheses
    "SELECT Id FROM Lead WHERE A = 'unterminated",
    r"SELECT Id FROM Lead WHERE A = 'bad \q escape'",
    "SELECT Id FROM Lead WHERE A IN ()",
    "SELECT Id FROM Lead WHERE A NOT LIKE 'x'",
    "SELECT Id FROM Lead WHERE A LIKE 5",
    "SELECT Id FROM Lead WHERE (A = 1",
    "SELECT Id FROM Lead LIMIT -1",
    "SELECT Id FROM Lead LIMIT 5 extra",
    "SELECT Id FROM Lead ORDER BY Id NULLS",
    "SELECT Id FROM Lead WHERE A = 2026-13-01",
    "SELECT Id FROM Lead WHERE A = B",
    "SELECT COUNT() FROM Lead",
    "SELECT Id FROM Lead WHERE A = 1 ; DROP",
])
def test_given_a_malformed_query_when_parsing_then_malformed_query(text: str) -> None:
    with pytest.raises(SoqlError) as caught:
        parse(text)
    assert caught.value.code == "MALFORMED_QUERY"


def test_given_a_query_when_listing_fields_then_select_where_and_order_fields() -> None:
    query = parse("SELECT Id, Name FROM Lead WHERE (A = 1 OR NOT B = 2) AND C IN (1) "
                  "ORDER BY D")
    assert query.referenced_fields() == ["Id", "Name", "A", "B", "C", "D"]


# -- type checks ----------------------------------------------------------------------------
KINDS = {"systemmodstamp": "datetime", "closedate": "date", "isclosed": "boolean",
         "amount": "number", "title": "string"}


@pytest.mark.parametrize("where", [
    "SystemModstamp >= 2026-11-01T10:00:00Z", "CloseDate < 2026-12-01", "IsClosed = false",
    "Amount > 5", "Title = 'CFO'", "Title = null", "SystemModstamp = null",
    "Title LIKE 'C%'", "Amount IN (1, 2.5)",
])
def test_given_literals_of_the_field_type_when_checking_then_accepted(where: str) -> None:
    check_types(parse(f"SELECT Id FROM X WHERE {where}").where,  # type: ignore[arg-type]
                lambda f: KINDS[f.lower()])


@pytest.mark.parametrize(("where", "message"), [
    ("SystemModstamp >= '2026-11-01T10:00:00Z'",
     "value of filter criterion for field 'SystemModstamp' must be of type dateTime and "
     "should not be enclosed in quotes"),
    ("CloseDate < 2026-12-01T00:00:00Z", "must be of type date"),
    ("IsClosed = 'false'", "must be of type boolean"),
    ("Title = 5", "must be of type string"),
    ("Amount LIKE '5%'", "LIKE needs a text field"),
    ("Amount IN (1, 'two')", "must be of type double"),
])
def test_given_a_literal_of_another_type_when_checking_then_invalid_filter(
        where: str, message: str) -> None:
    with pytest.raises(SoqlError) as caught:
        check_types(parse(f"SELECT Id FROM X WHERE {where}").where,  # type: ignore[arg-type]
                    lambda f: KINDS[f.lower()])
    assert caught.value.code == "INVALID_QUERY_FILTER_OPERATOR"
    assert message in str(caught.value)


# -- evaluation -----------------------------------------------------------------------------
ROW = {"title": "Chief Financial Officer", "email": None, "amount": 100, "isclosed": False,
       "modstamp": T, "closedate": date(2026, 12, 1), "name": "50% off_sale"}


@pytest.mark.parametrize(("where", "expected"), [
    ("Title = 'chief financial officer'", True),  # text compares case-insensitively
    ("Title != 'CFO'", True),
    ("Email = null", True),
    ("Email != null", False),
    ("Email != 'a@b.c'", True),  # null is a value in SOQL
    ("Email = 'a@b.c'", False),
    ("Email < 'z'", False),
    ("Amount >= 100", True),
    ("Amount > 100", False),
    ("Amount <= 100.0", True),
    ("IsClosed = false", True),
    ("Modstamp >= 2026-11-01T10:00:00Z", True),
    ("Modstamp > 2026-11-01T10:00:00Z", False),
    ("Modstamp < 2026-11-01T11:00:00+01:00", False),
    ("CloseDate > 2026-11-30", True),
    ("Title IN ('CFO', 'CHIEF FINANCIAL OFFICER')", True),
    ("Title NOT IN ('CFO')", True),
    ("Email IN ('a@b.c')", False),
    ("Email NOT IN ('a@b.c')", True),
    ("Title LIKE 'chief%'", True),
    ("Title LIKE '%Financial%'", True),
    ("Title LIKE 'Chief_Financial%'", True),
    ("Title LIKE 'Financial%'", False),
    ("Email LIKE '%'", False),
    (r"Name LIKE '50\% off%'", True),
    (r"Name LIKE '%\_sale'", True),
    (r"Name LIKE '50\%_off%'", True),  # _ matches the space
    (r"Name LIKE '50\%off%'", False),
    ("(Amount = 1 OR Amount = 100) AND IsClosed = false", True),
    ("Amount = 1 OR (Amount = 100 AND IsClosed = true)", False),
    ("NOT Amount = 1", True),
    ("NOT (Amount = 100 AND IsClosed = false)", False),
])
def test_given_a_row_when_matching_then_soql_semantics(where: str, expected: bool) -> None:
    condition = parse(f"SELECT Id FROM X WHERE {where}").where
    assert condition is not None and matches(condition, ROW) is expected


ROWS = [
    {"id": "3", "stage": "b", "amount": None},
    {"id": "1", "stage": "B", "amount": 5},
    {"id": "2", "stage": "a", "amount": 7},
    {"id": "4", "stage": None, "amount": 5},
]


@pytest.mark.parametrize(("order_by", "ids"), [
    ("Id", ["1", "2", "3", "4"]),
    ("Id DESC", ["4", "3", "2", "1"]),
    ("Amount, Id", ["3", "1", "4", "2"]),  # nulls first by default
    ("Amount NULLS LAST, Id", ["1", "4", "2", "3"]),
    ("Amount DESC, Id DESC", ["3", "2", "4", "1"]),
    ("Amount DESC NULLS LAST, Id", ["2", "1", "4", "3"]),
    ("Stage, Id", ["4", "2", "1", "3"]),  # case-insensitive, stable on ties
    ("Stage DESC NULLS LAST, Id", ["1", "3", "2", "4"]),
])
def test_given_rows_when_ordering_then_soql_order(order_by: str, ids: list[str]) -> None:
    query = parse(f"SELECT Id FROM X ORDER BY {order_by}")
    assert [r["id"] for r in sort_records(ROWS, query.order_by)] == ids


def test_given_where_order_limit_offset_when_executing_then_applied_in_that_order() -> None:
    query = parse("SELECT Id FROM X WHERE Amount != null ORDER BY Amount DESC, Id "
                  "LIMIT 2 OFFSET 1")
    assert [r["id"] for r in execute(query, ROWS)] == ["1", "4"]


@pytest.mark.parametrize(("where", "bound"), [
    ("SystemModstamp >= 2026-11-01T10:00:00Z", T),
    ("SystemModstamp > 2026-11-01T10:00:00Z AND Id = 'x'", T),
    ("Id = 'x'", None),
    ("SystemModstamp >= 2026-11-01T10:00:00Z OR Id = 'x'", None),  # OR: no bound
    ("SystemModstamp <= 2026-11-01T10:00:00Z", None),
    ("NOT SystemModstamp >= 2026-11-01T10:00:00Z", None),
])
def test_given_a_condition_when_asking_its_modstamp_lower_bound_then_only_a_safe_one(
        where: str, bound: datetime | None) -> None:
    assert lower_bound(parse(f"SELECT Id FROM X WHERE {where}").where,
                       "SystemModstamp") == bound


def test_given_top_level_text_conditions_then_they_are_handed_down_as_required_texts() -> None:
    from leadpact.connectors.sandbox import soql, soql_eval

    where = soql.parse("SELECT Id FROM Task WHERE WhoId IN ('A1', 'b2') AND Status = 'Open' "
                       "AND SystemModstamp >= 2026-01-01T00:00:00Z").where
    assert soql_eval.required_texts(where) == {"whoid": frozenset({"a1", "b2"}),
                                               "status": frozenset({"open"})}
    either = soql.parse("SELECT Id FROM Task WHERE WhoId = 'A1' OR Status = 'Open'").where
    assert soql_eval.required_texts(either) == {}
    negated = soql.parse("SELECT Id FROM Task WHERE WhoId NOT IN ('A1')").where
    assert soql_eval.required_texts(negated) == {}
