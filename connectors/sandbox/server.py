"""A loopback HTTP server that speaks both CRMs' APIs (see salesforce_api / hubspot_api).

Plain HTTP on 127.0.0.1 only. Salesforce's client always builds https:// URLs, so the
Salesforce connector mounts a transport adapter that sends loopback https:// as http://
(connectors/salesforce/transport.py); HubSpot's client takes an http:// host directly.

Faults (429, 5xx, dropped connections, slow answers, REQUEST_LIMIT_EXCEEDED …) are injected
per system/method/path through `Sandbox.faults` or `POST /_sandbox/faults`.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from leadpact.connectors.sandbox import chaos
from leadpact.connectors.sandbox.actors import Actor, Actors, acting
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.connectors.sandbox.store import Store

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "sandbox-token"  # the bearer token the sandbox accepts unless told otherwise
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups from the route

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])


@dataclass(slots=True)
class Response:
    status: int
    body: Any = None  # JSON-serialisable, bytes, str, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=UTF-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """`pattern` is a regex over the path (anchored), with named groups as params."""
        self._routes.append((method.upper(), re.compile(pattern + r"/?$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler for a request and the route's named params, if any route fits."""
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found and route_method == method:
                return handler, found.groupdict()
        return None


@dataclass(slots=True)
class Fault:
    """Answer the next `times` matching requests with a fault instead of the real thing.
    kind: "status" (send status/body/headers), "drop" (close the connection without an
    answer), "drop_after" (do the work, then close the connection without answering: the
    client cannot know it happened), "delay" (sleep `delay` seconds, then answer), "hold"
    (set `arrived`, wait until `release` is set, then close the connection unanswered: a
    test can act while a client is known to be mid-call, e.g. kill it).
    Harness kinds (see chaos.py): "kill" / "kill_after" (SIGKILL process `pid` before /
    after doing the work, and drop the connection), "edit" (apply a person's `edits`
    first, then answer normally), "edit_kill_after" (apply the `edits`, do the work, then
    SIGKILL `pid`: an edit and a kill inside one write window), "partial" (a HubSpot
    batch: do all inputs but one and answer 207 refusing it). `skip`: let that many
    matching requests through first (what is left of it counts the requests seen)."""

    system: str | None = None  # "salesforce" | "hubspot" | None for both
    method: str | None = None
    path_contains: str | None = None
    kind: str = "status"
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    pid: int | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    skip: int = 0
    writes: bool = False  # only requests that change data (chaos.is_write)
    done: threading.Event = field(default_factory=threading.Event)  # the work was done

    def matches(self, system: str, request: Request) -> bool:
        return (
            self.times > 0
            and self.system in (None, system)
            and self.method in (None, request.method)
            and (self.path_contains is None or self.path_contains in request.path)
            and (not self.writes or chaos.is_write(system, request))
        )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.fired = 0  # faults answered so far (the harness reports them)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, system: str, request: Request) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(system, request):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    self.fired += 1
                    return fault
        return None


class Sandbox:
    """Both fake CRMs over one store. `serve()` starts the HTTP server on a thread."""

    def __init__(self, store: Store, token: str = SANDBOX_TOKEN,
                 salesforce_daily_limit: int = 100_000, oauth_apps: Any = None):
        """`oauth_apps`: an oauth.OAuthApps saying which OAuth clients, keys and refresh
        tokens the token endpoints accept (default: the sandbox's own, see oauth.py)."""
        from leadpact.connectors.sandbox import hubspot_api, oauth, salesforce_api

        self.store = store
        self.actors = Actors(store)  # the org's other writers, by token (see actors.py)
        self.token = token
        self.salesforce_daily_limit = salesforce_daily_limit
        self.faults = Faults()
        self.chaos = chaos.Chaos()  # random faults from a seed, off until configured
        self.salesforce = Router()
        self.hubspot = Router()
        self.admin = Router()
        salesforce_api.register(self)
        hubspot_api.register(self)
        self._register_admin()
        self.oauth_apps = oauth_apps
        self.oauth = oauth.register(self)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- dispatch -----------------------------------------------------------------------
    def system_of(self, path: str) -> str | None:
        if path.startswith("/services/"):
            return "salesforce"
        if path.startswith(("/crm/", "/oauth/")):
            return "hubspot"
        return None

    def handle(self, request: Request) -> Response | None:
        """The answer to one request; None means drop the connection."""
        if request.path.startswith("/_sandbox/"):
            return self._route(self.admin, request) or _not_found_json(request)
        system = self.system_of(request.path)
        if system is None:
            return Response(404, {"message": f"no such API: {request.path}"})
        fault = self.faults.take(system, request) or self.chaos.pick(system, request)
        dropped: Any = None
        if fault is not None:
            if fault.kind in ("drop", "kill"):
                chaos.kill(fault.pid if fault.kind == "kill" else None)
                return None
            if fault.kind == "delay":
                time.sleep(fault.delay)
            elif fault.kind == "hold":
                fault.arrived.set()
                fault.release.wait(timeout=60)
                return None
            elif fault.kind in ("edit", "edit_kill_after"):
                chaos.apply_edits(self.store, fault.edits, self.actors.person())
            elif fault.kind == "partial":
                request, dropped = chaos.without_one_input(request, self.chaos.rng())
            elif fault.kind not in ("drop_after", "kill_after", "edit_kill_after"):
                headers = dict(fault.headers)
                kind = headers.pop("Content-Type", "application/json;charset=UTF-8")
                return Response(fault.status, fault.body, headers, kind)
        if system == "salesforce":
            from leadpact.connectors.sandbox import salesforce_api as api
        else:
            from leadpact.connectors.sandbox import hubspot_api as api  # type: ignore[no-redef]
        if self.oauth.serves(request.path):  # token endpoints: no bearer, not metered
            answer = self.oauth.token(request)
            return None if fault is not None and fault.kind == "drop_after" else answer
        self.store.count_call(system)
        authorization = request.headers.get("authorization", "")
        actor = self.actors.of(authorization)
        refused = None if actor else self.oauth.check(system, authorization)
        if refused is not None:
            return refused
        router = self.salesforce if system == "salesforce" else self.hubspot
        found = router.match(request.method, request.path)
        if found is None:
            return api.not_found(request)
        handler, params = found
        try:
            with acting(actor):
                response = handler(Request(request.method, request.path, request.query,
                                           request.headers, request.body, params))
        except api.ApiError as exc:  # a handler's refusal, in the API's own error format
            response = exc.response()
        if fault is not None:
            fault.done.set()  # a test can wait for a late ("delay") request to land
        if fault is not None and fault.kind in ("drop_after", "kill_after", "edit_kill_after"):
            chaos.kill(None if fault.kind == "drop_after" else fault.pid)
            return None
        if dropped is not None:
            response = chaos.with_refusal(response, dropped)
        return api.decorate(self, response)

    def _route(self, router: Router, request: Request) -> Response | None:
        found = router.match(request.method, request.path)
        if found is None:
            return None
        handler, params = found
        return handler(Request(request.method, request.path, request.query, request.headers,
                               request.body, params))

    # -- admin endpoints (tests, demos) --------------------------------------------------
    def _register_admin(self) -> None:
        def add_fault(req: Request) -> Response:
            self.faults.add(Fault(**req.json()))
            return Response(201, {"ok": True})

        def clear_faults(req: Request) -> Response:
            self.faults.clear()
            return Response(200, {"ok": True})

        def set_chaos(req: Request) -> Response:
            given: dict[str, Any] = req.json() or {}
            if "kinds" in given:
                given["kinds"] = tuple(given["kinds"])
            self.chaos.configure(chaos.ChaosSettings(**given) if given else None)
            return Response(201, {"ok": True})

        def stats(req: Request) -> Response:
            return Response(200, {s: {"api_calls": self.store.calls(s)}
                                  for s in ("salesforce", "hubspot")})

        def start_day(req: Request) -> Response:
            self.new_day()
            return Response(201, {"ok": True})

        def add_actor(req: Request) -> Response:
            return Response(201, {"token": self.add_actor(Actor(**req.json()))})

        self.admin.add("POST", r"/_sandbox/faults", add_fault)
        self.admin.add("POST", r"/_sandbox/actors", add_actor)
        self.admin.add("DELETE", r"/_sandbox/faults", clear_faults)
        self.admin.add("GET", r"/_sandbox/stats", stats)
        self.admin.add("POST", r"/_sandbox/chaos", set_chaos)  # {} or null: chaos off
        self.admin.add("POST", r"/_sandbox/new-day", start_day)

    def new_day(self) -> None:
        """Both CRMs' daily API allowances start over (midnight, for tests and demos)."""
        from leadpact.connectors.sandbox import allowance

        allowance.new_day(self)

    def add_actor(self, actor: Actor) -> str:
        """Another integration or user of the org; returns the token its writes use."""
        return self.actors.add(actor)

    # -- serving ------------------------------------------------------------------------
    def serve(self, port: int = 0) -> str:
        """Start answering on 127.0.0.1:port (0 picks a free port); returns the base URL."""
        sandbox = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, each answer
            # waits for the client's delayed ACK (~40 ms) before its body leaves.
            disable_nagle_algorithm = True

            def date_time_string(self, timestamp: float | None = None) -> str:
                # The Date header tells the CRM's own time, as real APIs do: the sandbox
                # clock, the one its modification stamps come from.
                return format_datetime(sandbox.store.now().astimezone(UTC), usegmt=True)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                # The request log, at DEBUG (`leadpact -vv sandbox`): tests stay quiet.
                log.debug("%s " + format, self.address_string(), *args)

            def _answer(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command, split.path, parse_qs(split.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()}, body,
                )
                try:
                    response = sandbox.handle(request)
                except Exception as exc:  # a sandbox bug must look like a 500, not a hang
                    response = Response(500, [{"message": f"sandbox error: {exc!r}",
                                               "errorCode": "UNKNOWN_EXCEPTION"}])
                if response is None:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                try:
                    self._send(response)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (its read timeout)

            def _send(self, response: Response) -> None:
                payload = response.encoded()
                self.send_response(response.status)
                if payload or response.status not in (204, 304):
                    self.send_header("Content-Type", response.content_type)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

        try:
            self._server = ThreadingHTTPServer((LOOPBACK, port), _Handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise SandboxInputError(f"port {port} on {LOOPBACK} is already in use (another "
                                    "sandbox?): stop it or pass another --port") from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "call serve() first"
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _not_found_json(request: Request) -> Response:
    return Response(404, {"message": f"no such sandbox endpoint: {request.method} {request.path}"})
