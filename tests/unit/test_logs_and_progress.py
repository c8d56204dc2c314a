"""Log formatting and redaction, and the periodic progress lines, without any I/O."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from leadpact import logs
from leadpact.progress import LogLines
from leadpact.secrets import REDACTED, remember

SECRET = "tok-unit-5d1e88c2-secret"


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, logging.Logger]]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream, logging.getLogger("leadpact.test")
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_given_a_remembered_secret_then_message_args_and_traceback_are_redacted(
        captured: tuple[io.StringIO, logging.Logger], log_format: str) -> None:
    stream, logger = captured
    remember(SECRET)
    logs.configure(verbose=1, log_format=log_format, stream=stream)
    logger.info("header was Bearer %s", SECRET)
    try:
        raise ValueError(f"Invalid header value b'Bearer {SECRET}'")
    except ValueError:
        logger.exception("call failed")
    text = stream.getvalue()
    assert SECRET not in text
    assert text.count(REDACTED) >= 2
    assert len(text.splitlines()) == 2  # the traceback stays inside its one line
    if log_format == "json":
        first, second = (json.loads(line) for line in text.splitlines())
        assert first["message"] == f"header was Bearer {REDACTED}"
        assert "ValueError" in second["exception"]


@pytest.mark.parametrize(("verbose", "quiet", "shown"), [
    (0, False, ["warning", "error"]),
    (1, False, ["info", "warning", "error"]),
    (2, False, ["debug", "info", "warning", "error"]),
    (2, True, ["error"]),
])
def test_given_verbosity_then_only_those_levels_reach_stderr(
        captured: tuple[io.StringIO, logging.Logger], verbose: int, quiet: bool,
        shown: list[str]) -> None:
    stream, logger = captured
    logs.configure(verbose=verbose, quiet=quiet, stream=stream)
    for name in ("debug", "info", "warning", "error"):
        getattr(logger, name)(name)
    assert [line.rsplit(" ", 1)[-1] for line in stream.getvalue().splitlines()] == shown


def test_given_rows_arriving_then_one_line_per_interval_not_per_page(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    lines = LogLines(every=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="leadpact.progress"):
        lines.stream_started("salesforce", "Contact", 5000)
        for _ in range(25):  # 25 pages of 200, 2 s apart: 50 s
            now[0] += 2
            lines.items_done("salesforce", "Contact", 200)
        lines.records_handled("salesforce", 5000)
        lines.finish()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "salesforce Contact: reading 5000 changed row(s)"
    periodic = [m for m in messages if m.startswith("progress: ")]
    assert periodic[0] == ("progress: read salesforce Contact 1000/5000; "
                           "records handled: none yet")
    assert len(periodic) == 5  # at 10, 20, 30, 40 and 50 s
    assert messages[-1] == "done: read salesforce 5000 row(s); records handled: salesforce 5000"


def test_given_streams_in_turn_then_each_crm_shows_one_reading_bar_with_the_crm_total() -> None:
    from rich.console import Console
    from rich.progress import Progress

    from leadpact.progress import Bars

    with Progress(console=Console(file=io.StringIO()), auto_refresh=False) as progress:
        bars = Bars(progress)
        bars.stream_started("salesforce", "Lead", 888)
        bars.items_done("salesforce", "Lead", 200)
        bars.stream_started("salesforce", "Contact", 1713)
        bars.stream_started("hubspot", "emails", 0)
        bars.records_handled("salesforce", 200)
        shown = {t.description: (t.total, t.completed) for t in progress.tasks if t.visible}
    assert shown == {"salesforce Contact": (1713, 0),
                     "salesforce records handled": (None, 200)}


def test_given_setup_steps_then_a_line_when_planned_one_per_interval_and_one_at_the_end(
        caplog: pytest.LogCaptureFixture) -> None:
    from leadpact.setup_progress import SetupLogLines

    now = [0.0]
    lines = SetupLogLines(every=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="leadpact.setup_progress"):
        lines.setup_planned("salesforce", 30)
        for n in range(30):  # one step every 2 s: 60 s
            now[0] += 2
            lines.setup_done("salesforce", f"created field Lead.f{n}__c")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "salesforce setup: 30 step(s) to do"
    assert messages[1] == "salesforce setup: 5 of 30 step(s) done (last: created field Lead.f4__c)"
    assert len(messages) == 1 + 6  # at 10, 20, …, 60 s; the last step is the 60 s one
    assert messages[-1].startswith("salesforce setup: 30 of 30 step(s) done")


def test_given_setup_steps_then_each_crm_gets_a_bar_of_n_of_m() -> None:
    from rich.console import Console
    from rich.progress import Progress

    from leadpact.setup_progress import SetupBars

    with Progress(console=Console(file=io.StringIO()), auto_refresh=False) as progress:
        bars = SetupBars(progress)
        bars.setup_planned("salesforce", 68)
        bars.setup_planned("hubspot", 24)
        bars.setup_done("salesforce", "granted field access in X", 33)
        bars.setup_done("hubspot", "created contacts.leadpact_role")
        shown = [(t.total, t.completed, t.description) for t in progress.tasks]
    assert shown == [(68, 33, "salesforce setup: granted field access in X"),
                     (24, 1, "hubspot setup: created contacts.leadpact_role")]
