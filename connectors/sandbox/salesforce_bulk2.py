"""The fake Bulk API 2.0 query jobs (`/services/data/vXX.X/jobs/query...`), what
simple-salesforce's `sf.bulk2.<SObject>.query(...)` / `.query_all(...)` call:

- `POST jobs/query` {"operation": "query"|"queryAll", "query": SOQL, "columnDelimiter",
  "lineEnding"} -> 200 job info, state `UploadComplete`. The query is evaluated right away
  by the REST query's evaluator (a snapshot, as a real job reads one point in time).
- `GET jobs/query/{id}` -> job info; `InProgress` for `polls_before_complete` polls, then
  `JobComplete` (or `Failed` with `errorMessage`, when a test asked for a failing job).
- `GET jobs/query/{id}/results?maxRecords=N[&locator=L]` -> `text/csv`, every value quoted,
  header row first (columns in SELECT order, v50+), null as an empty value, booleans
  true/false, dates ISO, datetimes `2026-11-02T09:00:00.000Z`; headers `Sforce-Locator`
  (the next set, or the string "null") and `Sforce-NumberOfRecords`. 412 JOB_NOT_COMPLETE
  before the job is done, 409 when asked under another API version than the job's.
Facts: api-notes §1.6 and §3 "Bulk API 2.0"; Salesforce's "Create a Query Job", "Get
Information About a Query Job", "Get Results for a Query Job" pages. Every call is metered
like any other Salesforce call.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from leadpact.connectors.sandbox.server import Request, Response

Select = Callable[[str, bool], tuple[str, list[str], list[Mapping[str, Any]]]]
DEFAULT_MAX_RECORDS = 50_000
_KEPT_JOBS = 50
_DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^",
               "BACKQUOTE": "`"}
_LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}


@dataclass(slots=True)
class QueryJob:
    id: str
    operation: str
    sobject: str
    version: str
    delimiter: str
    line_ending: str
    header: list[str]
    rows: list[list[str]]  # CSV cells, already rendered
    created: str
    polls_left: int
    failure: str | None = None

    def state(self) -> str:
        if self.polls_left > 0:
            return "InProgress"
        return "Failed" if self.failure else "JobComplete"

    def info(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id, "operation": self.operation, "object": self.sobject,
            "createdById": "005000000000001AAA", "createdDate": self.created,
            "systemModstamp": self.created, "state": self.state(),
            "concurrencyMode": "Parallel", "contentType": "CSV",
            "apiVersion": float(self.version), "jobType": "V2Query",
            "lineEnding": self.line_ending, "columnDelimiter": self.delimiter,
            "numberRecordsProcessed": len(self.rows) if self.state() == "JobComplete" else 0,
            "retries": 0, "totalProcessingTime": 0, "isPkChunkingSupported": True}
        if self.state() == "Failed":
            body["errorMessage"] = self.failure
        return body


class QueryJobs:
    """The org's query jobs. Tests steer them: `polls_before_complete` (how many polls see
    InProgress) and `fail_next` (the errorMessage the next created job fails with)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, QueryJob] = OrderedDict()
        self._numbers = itertools.count(1)
        self.polls_before_complete = 0
        self.fail_next: str | None = None
        self.created = 0  # jobs created so far (tests and benchmarks read it)

    def add(self, make: Callable[[str, int, str | None], QueryJob]) -> QueryJob:
        with self._lock:
            job = make(f"7505g{next(self._numbers):010d}AAA", self.polls_before_complete,
                       self.fail_next)
            self.fail_next = None
            self.created += 1
            self._jobs[job.id] = job
            while len(self._jobs) > _KEPT_JOBS:
                self._jobs.popitem(last=False)
            return job

    def get(self, job_id: str) -> QueryJob | None:
        with self._lock:
            return self._jobs.get(job_id)


def csv_cell(value: Any) -> str:
    """A value as a Bulk API 2.0 CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        ts = value.astimezone(UTC)
        return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_csv(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str,
               line_ending: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_ending,
                        quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _locator(offset: int) -> str:
    """Like Salesforce's since v49: an opaque string (here the base64 of the offset)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int | None:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()
    except ValueError:
        return None
    return int(text) if text.isdigit() else None


def register(sandbox: Any, base: str, metered: Callable[[Any], Any], select: Select) -> None:
    from leadpact.connectors.sandbox.salesforce_api import ApiError

    jobs = QueryJobs()
    sandbox.salesforce_query_jobs = jobs
    job_path = r"/jobs/query/(?P<job>[0-9A-Za-z]{15,18})"

    def create(request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise ApiError(400, "INVALIDJOB", "A query job needs a `query` (SOQL text)")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
        delimiter = str(body.get("columnDelimiter") or "COMMA")
        line_ending = str(body.get("lineEnding") or "LF")
        if delimiter not in _DELIMITERS or line_ending not in _LINE_ENDINGS:
            raise ApiError(400, "INVALIDJOB", "InvalidJob : unknown columnDelimiter or "
                           "lineEnding")
        sobject, names, records = select(body["query"], operation == "queryAll")
        keys = [name.lower() for name in names]
        rows = [[csv_cell(record[key]) for key in keys] for record in records]
        created = csv_cell(sandbox.store.now())[:-1] + "+0000"

        def make(job_id: str, polls: int, failure: str | None) -> QueryJob:
            return QueryJob(job_id, operation, sobject, request.params["version"],
                            delimiter, line_ending, names, rows, created, polls, failure)

        job = jobs.add(make)
        return Response(200, {**job.info(), "state": "UploadComplete"})

    def _job(request: Request) -> QueryJob:
        job = jobs.get(request.params["job"])
        if job is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def info(request: Request) -> Response:
        job = _job(request)
        answer = job.info()
        job.polls_left = max(0, job.polls_left - 1)
        return Response(200, answer)

    def results(request: Request) -> Response:
        job = _job(request)
        if request.params["version"] != job.version:
            raise ApiError(409, "INVALIDJOB", "query results must be read with the API "
                           f"version the job was created in (v{job.version})")
        if job.state() != "JobComplete":
            raise ApiError(412, "JOB_NOT_COMPLETE", "can only download query results of "
                           "successfully completed bulk job with status: JOB_COMPLETE. "
                           f"Current status: {job.state().upper()}")
        raw_max = request.arg("maxRecords") or str(DEFAULT_MAX_RECORDS)
        locator = request.arg("locator")
        start = 0 if not locator else _offset(locator)
        if not raw_max.isdigit() or int(raw_max) < 1 or start is None:
            raise ApiError(400, "INVALID_QUERY_LOCATOR" if start is None else "INVALIDJOB",
                           "invalid locator or maxRecords")
        end = start + int(raw_max)
        chunk = job.rows[start:end]
        text = render_csv(job.header, chunk, _DELIMITERS[job.delimiter],
                          _LINE_ENDINGS[job.line_ending])
        return Response(200, text, {
            "Sforce-Locator": _locator(end) if end < len(job.rows) else "null",
            "Sforce-NumberOfRecords": str(len(chunk))},
            content_type="text/csv")

    for method, pattern, handler in (("POST", r"/jobs/query", create),
                                     ("GET", job_path, info),
                                     ("GET", job_path + r"/results", results)):
        sandbox.salesforce.add(method, base + pattern, metered(handler))
