"""The sandbox's fault harness helpers: which requests are writes, faults drawn at random
from a seed, and the faults that act beyond one HTTP answer (kill the client process, a
person's edit landing mid-run, a HubSpot batch that fails one record).

Used by server.py; configured by tests and bench/chaos.py through `Sandbox.chaos`,
`Sandbox.faults` or `POST /_sandbox/chaos` and `POST /_sandbox/faults`.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from leadpact.connectors.sandbox.actors import Actor, acting
from leadpact.connectors.sandbox.store import Store

if TYPE_CHECKING:
    from leadpact.connectors.sandbox.server import Fault, Request, Response

_HS_WRITE_ENDS = ("/batch/create", "/batch/update", "/batch/upsert", "/batch/archive")


def is_write(system: str, request: Request) -> bool:
    """Does this request change CRM data (as opposed to reading it)?"""
    if request.method in ("PATCH", "PUT", "DELETE"):
        return True
    if request.method != "POST":
        return False
    if system == "salesforce":
        return "/composite/sobjects" in request.path or "/sobjects/" in request.path
    return request.path.rstrip("/").endswith(_HS_WRITE_ENDS)


def is_create(system: str, request: Request) -> bool:
    """Does this request create records (a task, typically)? Repeating it makes a second one."""
    if request.method != "POST":
        return False
    if system == "salesforce":
        return "/sobjects" in request.path
    path = request.path.rstrip("/")
    return "/objects/" in path and (path.endswith("/batch/create") or path.endswith("/tasks"))


def kill(pid: int | None) -> None:
    """SIGKILL the client process (kill -9: no handler, no cleanup)."""
    if pid:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.kill(pid, signal.SIGKILL)


def apply_edits(store: Store, edits: Sequence[Mapping[str, Any]], person: Actor) -> None:
    """A person's edits, as the CRM's UI makes them: values checked and set, modified stamp
    moved, and the change recorded in the CRM's history under the person's name (Salesforce
    field history, HubSpot property history)."""
    from leadpact.connectors.sandbox import hubspot_records
    from leadpact.connectors.sandbox.salesforce_records import RecordWriter

    with acting(person):
        for edit in edits:
            if edit["system"] == "hubspot":
                row = store.get("hubspot", edit["type"], edit["id"])
                if row is not None and not row.deleted:
                    hubspot_records.update(store, edit["type"], row, edit["fields"])
            else:
                writer = RecordWriter(store)
                writer.commit([writer.prepare_update(edit["type"], edit["id"], edit["fields"])])


def without_one_input(request: Request, rng: random.Random) -> tuple[Request, Any]:
    """A HubSpot batch request minus one input (picked with `rng`), and that input."""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return request, None
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs:
        return request, None
    dropped = inputs.pop(rng.randrange(len(inputs)))
    return replace(request, body=json.dumps(body).encode()), dropped


def with_refusal(response: Response, dropped: Any) -> Response:
    """The batch answer as a 207 that refuses the dropped input (the rest were done)."""
    from leadpact.connectors.sandbox.hubspot_errors import standard_error

    if dropped is None or not isinstance(response.body, dict):
        return response
    ids = [str(dropped["id"])] if isinstance(dropped, dict) and "id" in dropped else []
    error = standard_error("Property values were not valid (sandbox partial batch fault)",
                           "VALIDATION_ERROR", ids)
    body = dict(response.body)
    body["errors"] = [*body.get("errors", []), error]
    body["numErrors"] = len(body["errors"])
    response.status, response.body = 207, body
    return response


@dataclass(frozen=True, slots=True)
class ChaosSettings:
    """Random faults: each API request, with probability `rate`, gets one fault drawn from
    `kinds`. `timeout_after`: seconds a "timeout" answer is held (set it past the client's
    read timeout). With `spare_creates`, creates never get "timeout" or "drop_after": a
    create done without an answer is its own fault class (slow creates, lost answers)."""

    rate: float = 0.1
    seed: int = 0
    kinds: tuple[str, ...] = ("429", "500", "503", "html502", "timeout", "drop", "drop_after",
                              "partial")
    timeout_after: float = 3.0
    writes_only: bool = False
    spare_creates: bool = True


class Chaos:
    """Draws random faults from a seed (thread-safe); off until configured."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: ChaosSettings | None = None
        self._rng = random.Random(0)
        self.injected: dict[str, int] = {}

    def configure(self, settings: ChaosSettings | None) -> None:
        with self._lock:
            self._settings = settings
            self._rng = random.Random(settings.seed if settings else 0)

    def rng(self) -> random.Random:
        return self._rng

    def pick(self, system: str, request: Request) -> Fault | None:
        from leadpact.connectors.sandbox.server import Fault

        with self._lock:
            settings = self._settings
            if settings is None or self._rng.random() >= settings.rate:
                return None
            write, create = is_write(system, request), is_create(system, request)
            if settings.writes_only and not write:
                return None
            kinds = [k for k in settings.kinds
                     if not (create and settings.spare_creates
                             and k in ("timeout", "drop_after"))
                     and not (k == "partial" and not (system == "hubspot" and write
                                                      and "/batch/" in request.path))]
            if not kinds:
                return None
            kind = self._rng.choice(kinds)
            self.injected[kind] = self.injected.get(kind, 0) + 1
        again = {"Retry-After": "0"}
        if kind == "429":
            return Fault(status=429, body=_rate_limited(system), headers=again)
        if kind in ("500", "503"):
            return Fault(status=int(kind), body=_server_error(system), headers=again)
        if kind == "html502":
            return Fault(status=502, body="<html><body><h1>502 Bad Gateway</h1></body></html>",
                         headers={"Content-Type": "text/html"})
        if kind == "timeout":
            return Fault(kind="delay", delay=settings.timeout_after)
        return Fault(kind=kind)


def _rate_limited(system: str) -> Any:
    if system == "salesforce":  # Salesforce has no 429 of its own; a proxy's will do
        return {"message": "Too Many Requests"}
    return {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}


def _server_error(system: str) -> Any:
    if system == "salesforce":
        return [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}]
    return {"status": "error", "message": "internal error", "category": "INTERNAL_ERROR"}
