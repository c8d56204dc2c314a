"""Bulk API 2.0 CSV back into REST rows, the threshold, and the REST fallback. Pure."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from leadpact.connectors.salesforce.bulk_reads import (
    BulkSettings,
    cell_value,
    csv_lines,
    parse_rows,
    settings_for,
    with_fallback,
)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("", "string", None), ("", "boolean", None), ("true", "boolean", True),
    ("false", "boolean", False), ("42", "int", 42), ("1250.5", "currency", 1250.5),
    ("10", "percent", 10.0), ("2026-12-15", "date", "2026-12-15"),
    ("2026-11-02T09:00:00.000Z", "datetime", "2026-11-02T09:00:00.000+0000"),
    ("007", "string", "007"), ("true", "picklist", "true"),
])
def test_given_a_cell_and_its_field_type_when_converted_then_the_rest_value(
        text: str, kind: str, value: Any) -> None:
    assert cell_value(text, kind) == value
    assert type(cell_value(text, kind)) is type(value)


def test_given_a_result_set_when_parsed_then_rest_rows_with_attributes() -> None:
    text = '"Id","Name","IsDeleted"\n"003A","Acme, ""Big""\nInc.","false"\n'

    rows = list(parse_rows(io.StringIO(text), {"IsDeleted": "boolean"}, "Contact", "59.0"))

    assert rows == [{"attributes": {"type": "Contact",
                                    "url": "/services/data/v59.0/sobjects/Contact/003A"},
                     "Id": "003A", "Name": 'Acme, "Big"\nInc.', "IsDeleted": False}]


@pytest.mark.parametrize("text", [
    '"Id","Name"\r\n"003A","Acme\r\nInc."\r\n"003B","Bo"',
    '"Id","Name"\n"003A","Acme\nInc."\n"003B","Bo"\n',
])
def test_given_a_result_set_when_split_into_lines_then_the_same_rows_as_a_file(
        text: str) -> None:
    assert "".join(csv_lines(text)) == text
    assert list(parse_rows(csv_lines(text), {}, "Contact", "59.0")) == \
        list(parse_rows(io.StringIO(text, newline=""), {}, "Contact", "59.0"))
    assert [row["Name"] for row in parse_rows(csv_lines(text), {}, "Contact", "59.0")] == \
        [text.split('"')[7], "Bo"]


def test_given_a_ragged_row_when_parsed_then_an_error_not_a_shifted_row() -> None:
    with pytest.raises(ValueError, match="2 cells"):
        list(parse_rows(io.StringIO('"Id","Name","Title"\n"003A","x"\n'), {}, "Contact", "59"))


@pytest.mark.parametrize(("threshold", "total", "wanted"), [
    (10_000, 10_001, True), (10_000, 10_000, False), (0, 1_000_000, False),
    (10_000, None, False)])
def test_given_a_threshold_when_a_read_expects_rows_then_bulk_only_above_it(
        threshold: int, total: int | None, wanted: bool) -> None:
    assert BulkSettings(threshold=threshold).wanted(total) is wanted


def row(rid: str, stamp: str = "t1") -> dict[str, str]:
    return {"Id": rid, "SystemModstamp": stamp}


def failing_after(pages: list[list[dict[str, str]]]) -> Iterator[list[dict[str, str]]]:
    yield from pages
    raise ConnectionError("connection dropped")


def test_given_bulk_fails_mid_read_when_falling_back_then_rest_gives_only_what_is_missing(
        caplog: pytest.LogCaptureFixture) -> None:
    rest = [[row("a"), row("b", "t2"), row("c")], [row("d")]]  # b changed since: again

    with caplog.at_level(logging.INFO):
        got = list(with_fallback(failing_after([[row("a"), row("b")]]), lambda: iter(rest),
                                 "reading changed Contact rows"))

    assert got == [[row("a"), row("b")], [row("b", "t2"), row("c")], [row("d")]]
    assert "ConnectionError: connection dropped" in caplog.text


def test_given_bulk_succeeds_when_reading_then_rest_is_never_asked() -> None:
    def rest() -> Iterator[list[dict[str, str]]]:
        raise AssertionError("REST read although Bulk worked")

    assert list(with_fallback(iter([[row("a")]]), rest, "x")) == [[row("a")]]


@pytest.mark.parametrize(("url", "poll"), [
    ("https://acme.my.salesforce.com", 5.0), ("http://127.0.0.1:8787", 0.0),
    ("http://localhost:8787", 0.0)])
def test_given_an_instance_url_then_polls_wait_only_for_a_real_org(url: str, poll: float
                                                                   ) -> None:
    assert settings_for(url, 25_000) == BulkSettings(threshold=25_000, poll_seconds=poll)


def test_given_a_contact_read_by_bulk_and_by_rest_then_one_fingerprint() -> None:
    """A first sync reads through Bulk, the next through REST pages: the same contact must
    print the same (its Account's fields nested by REST, flat text columns in the CSV), or
    every record leadpact wrote comes back as a change (issue #12, the 30,000 rerun)."""
    from leadpact.connectors.salesforce.connector import _fingerprint

    text = ('"Id","Name","SystemModstamp","AccountId","Account.Industry",'
            '"Account.NumberOfEmployees","Account.AnnualRevenue"\n'
            '"003A","Ada","2026-12-01T10:00:00.000Z","001A","Transportation","77729",""\n')
    types = {"SystemModstamp": "datetime"}  # Contact's describe knows no Account field
    bulk = next(parse_rows(io.StringIO(text), types, "Contact", "59.0"))
    rest = {"attributes": {"type": "Contact", "url": "/services/data/v59.0/sobjects/Contact/003A"},
            "Id": "003A", "Name": "Ada", "SystemModstamp": "2026-12-01T10:00:00.000+0000",
            "AccountId": "001A",
            "Account": {"attributes": {"type": "Account",
                                       "url": "/services/data/v59.0/sobjects/Account/001A"},
                        "Industry": "Transportation", "NumberOfEmployees": 77729,
                        "AnnualRevenue": None}}
    assert _fingerprint("Contact", bulk) == _fingerprint("Contact", rest)
    moved = {**rest, "Account": {**rest["Account"], "Industry": "Retail"}}
    assert _fingerprint("Contact", moved) != _fingerprint("Contact", rest)
    no_account = {**rest, "AccountId": None, "Account": None}
    flat_none = {**bulk, "AccountId": None, "Account.Industry": None,
                 "Account.NumberOfEmployees": None}
    assert _fingerprint("Contact", no_account) == _fingerprint("Contact", flat_none)
