"""The fewest calls a run could have made for the rows it moved, per endpoint: each
endpoint's rows (or ids sent) divided by the most that API takes or gives in one call, at
least one call for an endpoint that was used at all. Used by bench/scale.py, which feeds
it every request the sandbox answered.

Caps (shared/api-notes.md): Salesforce REST query 2,000 rows per page, sObject Collections
200 records, Bulk API 2.0 one create and one status call per job plus one results call per
`max_records` rows (50,000, simple-salesforce's default); HubSpot search 200 results, list
100, batch read/create/update/upsert 100 inputs (50 with property history), v4
association batch read 1,000 ids. A Salesforce history row read again (the history
check after each page's writes looks back past the previous page's) counts once: history
rows never change, so the second read was not needed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from typing import Any

BULK_ROWS = 50_000
_BULK_JOB = re.compile(r"/jobs/query/([0-9A-Za-z]+)$")
_HISTORY = re.compile(r"SOQL (\w+History) by ")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def units(system: str, method: str, path: str, body: bytes, answer: Any,
          seen_jobs: set[str]) -> tuple[int, int]:
    """(units this request moved, units one call may move) for one answered request."""
    if system == "salesforce":
        if "/jobs/query" in path:
            if path.endswith("/results"):
                text = answer.decode() if isinstance(answer, bytes) else str(answer or "")
                # CSV records, not lines: a quoted value (a logged email) spans lines
                return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1), BULK_ROWS
            found = _BULK_JOB.search(path)
            if found:  # a status poll: one per job is the least a client can do
                job = found.group(1)
                first = job not in seen_jobs
                seen_jobs.add(job)
                return int(first), 1
            return 1, 1  # a job created
        if "/query" in path and isinstance(answer, dict):
            return len(answer.get("records") or []), 2000
        if "/composite/sobjects" in path:
            sent = _json(body)
            records = sent.get("records") if isinstance(sent, dict) else None
            if records is None and method == "DELETE":
                return 1, 1
            return len(records or []), 200
        return 1, 1
    sent = _json(body) if body else None
    inputs = sent.get("inputs") if isinstance(sent, dict) else None
    if path.endswith("/search") and isinstance(answer, dict):
        return len(answer.get("results") or []), 200
    if "/associations/" in path and path.endswith("/batch/read"):
        return len(inputs or []), 1000
    if "/batch/" in path:
        history = isinstance(sent, dict) and bool(sent.get("propertiesWithHistory"))
        return len(inputs or []), 50 if history else 100
    if method == "GET" and isinstance(answer, dict) and "results" in answer:
        return len(answer.get("results") or []), 100
    return 1, 1


class Tally:
    """Calls and units per (system, kind, endpoint); the minimum per (system, kind)."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.units: Counter[tuple[str, str, str]] = Counter()
        self.caps: dict[tuple[str, str, str], int] = {}
        self._jobs: set[str] = set()
        self._history: dict[str, set[str]] = {}  # history rows read, by object

    def clear(self) -> None:
        self.calls.clear()
        self.units.clear()
        self.caps.clear()
        self._jobs.clear()
        self._history.clear()

    def add(self, system: str, kind: str, endpoint: str, method: str, path: str, body: bytes,
            answer: Any) -> None:
        moved, cap = units(system, method, path, body, answer, self._jobs)
        moved -= self._seen_before(endpoint, answer)
        key = (system, kind, endpoint)
        self.calls[key] += 1
        self.units[key] += moved
        self.caps[key] = cap

    def _seen_before(self, endpoint: str, answer: Any) -> int:
        """History rows (LeadHistory, OpportunityHistory, ...) never change once written,
        so one the run already read is not a row it needed again: not counted twice."""
        found = _HISTORY.match(endpoint)
        if not found or not isinstance(answer, dict):
            return 0
        seen = self._history.setdefault(found.group(1), set())
        ids = [str(r["Id"]) for r in answer.get("records") or [] if r.get("Id")]
        again = sum(1 for i in ids if i in seen)
        seen.update(ids)
        return again

    def minimum_of(self, key: tuple[str, str, str]) -> int:
        """The fewest calls one endpoint's rows needed: at least one, as it was used."""
        return max(1, math.ceil(self.units[key] / self.caps[key]))

    def minimum(self, system: str, kind: str) -> int:
        return sum(self.minimum_of(key) for key in self.calls
                   if key[0] == system and key[1] == kind)
