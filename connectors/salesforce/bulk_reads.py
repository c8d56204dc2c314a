"""Big Salesforce reads through Bulk API 2.0 (simple-salesforce's `sf.bulk2`), with REST as
the fallback.

A change read whose first REST page says more rows are coming than `BulkSettings.threshold`
is read again as one Bulk API 2.0 query job: create + poll + one CSV set per `max_records`
rows, instead of one REST call per 2,000 rows (100k rows: about 5 calls instead of 50).
The CSV comes back as the same row dicts the REST query yields: types from the sObject's
describe (numbers, booleans, dates, nulls), datetimes in REST's `.000+0000` form, and an
`attributes` entry. Any Bulk failure (job Failed, HTTP error, a bad CSV) is logged at INFO
and the read continues through REST pages, leaving out rows the Bulk read already gave.
"""

from __future__ import annotations

import csv
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from leadpact.secrets import is_loopback

log = logging.getLogger(__name__)
Row = dict[str, Any]
_INTEGER_TYPES = frozenset({"int", "long"})
_DECIMAL_TYPES = frozenset({"double", "currency", "percent"})


@dataclass(frozen=True, slots=True)
class BulkSettings:
    """threshold: read through Bulk when a read expects more rows than this (0: never).
    max_records: rows per result set (one call each). poll_seconds: simple-salesforce's
    wait before the first poll and between polls (0 in tests: the sandbox finishes jobs
    at once)."""

    threshold: int = 10_000
    max_records: int = 50_000
    poll_seconds: float = 5.0

    def wanted(self, total_size: object) -> bool:
        return self.threshold > 0 and isinstance(total_size, int) and \
            total_size > self.threshold


def settings_for(instance_url: str, threshold: int) -> BulkSettings:
    """The Bulk settings for an org: no wait before polling a loopback sandbox, which
    finishes a job when it is created (a real org needs seconds to minutes)."""
    host = urlsplit(instance_url).hostname or ""
    return BulkSettings(threshold=threshold, poll_seconds=0.0 if is_loopback(host) else 5.0)


def field_types(describe: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> describe type (string, boolean, int, double, date, datetime, ...)."""
    return {str(f["name"]): str(f.get("type", "string")) for f in describe.get("fields", [])}


def cell_value(text: str, kind: str) -> Any:
    """One CSV cell as the REST query renders that field's value (empty is null)."""
    if text == "":
        return None
    if kind == "boolean":
        return text == "true"
    if kind in _INTEGER_TYPES:
        return int(text)
    if kind in _DECIMAL_TYPES:
        return float(text)
    if kind == "datetime" and text.endswith("Z"):
        return text[:-1] + "+0000"  # Bulk writes ...000Z, REST ...000+0000
    return text


def csv_lines(text: str) -> Iterator[str]:
    """The lines of a result set, endings kept (csv joins a quoted field's lines again),
    one at a time: io.StringIO would hold a second copy of a set of up to `max_records`
    rows, at four bytes a character."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def parse_rows(lines: Iterable[str], types: Mapping[str, str], sobject: str,
               version: str) -> Iterator[Row]:
    """Rows of one Bulk result set (header line first), as REST query rows."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    kinds = [types.get(name, "string") for name in header]
    for cells in reader:
        if len(cells) != len(header):
            raise ValueError(f"a Bulk CSV row has {len(cells)} cells, the header {len(header)}")
        row: Row = {}
        for name, kind, text in zip(header, kinds, cells, strict=True):
            row[name] = cell_value(text, kind)
        if "Id" in row:
            row = {"attributes": {"type": sobject,
                                  "url": f"/services/data/v{version}/sobjects/{sobject}/"
                                         f"{row['Id']}"}, **row}
        yield row


class BulkReader:
    """Bulk API 2.0 query jobs through simple-salesforce. `client` hands out the client
    with a current token; `types_of(sobject)` answers the sObject's field types."""

    def __init__(self, client: Callable[[], Any], types_of: Callable[[str], Mapping[str, str]],
                 settings: BulkSettings, version: str):
        self._client = client
        self._types_of = types_of
        self._settings = settings
        self._version = version

    def pages(self, sobject: str, soql: str, include_deleted: bool,
              page_size: int) -> Iterator[list[Row]]:
        """The query's rows in pages of `page_size`; each result set is fetched when the
        previous one is used up, so memory holds about one set, not the whole read."""
        types = self._types_of(sobject)
        job = getattr(self._client().bulk2, sobject)
        read = job.query_all if include_deleted else job.query
        page: list[Row] = []  # pages span result sets, so they are the size REST gives
        for text in read(soql, max_records=self._settings.max_records,
                         wait=self._settings.poll_seconds):
            for row in parse_rows(csv_lines(text), types, sobject, self._version):
                page.append(row)
                if len(page) == page_size:
                    yield page
                    page = []
        if page:
            yield page


def _key(row: Mapping[str, Any]) -> str:
    return repr((row.get("Id"), row.get("SystemModstamp")))


class _Given:
    """Keys of the rows a Bulk read gave, in a private temporary SQLite file (deleted when
    closed): a big read's keys would otherwise be held in memory for the whole read."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": SQLite's private temporary on-disk database
        self._db.execute("CREATE TABLE given (key TEXT PRIMARY KEY) WITHOUT ROWID")

    def add(self, page: Iterable[Row]) -> None:
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO given VALUES (?)",
                                 ((_key(row),) for row in page))

    def fresh(self, page: list[Row]) -> list[Row]:
        """The rows of `page` not given yet."""
        return [row for row in page if self._db.execute(
            "SELECT 1 FROM given WHERE key = ?", (_key(row),)).fetchone() is None]

    def close(self) -> None:
        self._db.close()


def with_fallback(bulk: Iterator[list[Row]], rest: Callable[[], Iterator[list[Row]]],
                  what: str) -> Iterator[list[Row]]:
    """Pages from `bulk`; if it fails, the rest from `rest()` (a fresh REST read), leaving
    out rows already given (same Id and SystemModstamp: a row changed since comes again)."""
    given = _Given()
    try:
        while True:
            try:
                page = next(bulk)
            except StopIteration:
                return
            except Exception as exc:  # any Bulk trouble: REST can still do the read
                log.info("%s: Bulk API 2.0 read failed (%s: %s); reading through REST pages",
                         what, type(exc).__name__, str(exc)[:200])
                break
            given.add(page)
            yield page
        for page in rest():
            fresh = given.fresh(page)
            if fresh:
                yield fresh
    finally:
        given.close()
