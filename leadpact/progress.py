"""Progress of long work (sync, plan, setup), fed by the connectors' `ReadObserver` calls
and by the pipeline's records-handled callback.

- On a terminal: a rich progress bar per stream, with the total the CRM reported
  (Salesforce `totalSize`, HubSpot search `total`) and an ETA.
- Anywhere else (cron, CI, `--json`): a one-line INFO log message when a stream starts
  (with its total), then at most one every `every` seconds while rows arrive, then a last
  one at the end. They show with `-v` or in `--log-file`.

rich is the one progress library: leadpact already draws its tables with it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class StreamCount:
    total: int | None = None
    done: int = 0

    def describe(self) -> str:
        return f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"


class LogLines:
    """A ReadObserver that writes periodic one-line log messages. `clock` is a monotonic
    seconds source (injected so tests need no sleeping)."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 logger: logging.Logger = log):
        self.every, self.clock, self.log = every, clock, logger
        self.streams: dict[tuple[str, str], StreamCount] = {}
        self.handled: dict[str, int] = {}
        self.current: dict[str, str] = {}  # system -> the stream it is reading
        self.last = clock()

    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        self.streams[(system, stream)] = StreamCount(total)
        self.current[system] = stream
        self.log.info("%s %s: reading %s changed row(s)", system, stream,
                      "an unknown number of" if total is None else total)

    def items_done(self, system: str, stream: str, count: int) -> None:
        self.streams.setdefault((system, stream), StreamCount()).done += count
        self._maybe_report()

    def records_handled(self, system: str, count: int) -> None:
        """The pipeline's callback: records enriched, judged and written (or planned)."""
        self.handled[system] = self.handled.get(system, 0) + count
        self._maybe_report()

    def _maybe_report(self) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.log.info("progress: %s", self.status())

    def _handled(self) -> str:
        return ", ".join(f"{system} {n}" for system, n in self.handled.items()) or "none yet"

    def status(self) -> str:
        """Where each CRM's read is (its current stream) and the records handled."""
        read = ", ".join(f"{system} {stream} {self.streams[(system, stream)].describe()}"
                         for system, stream in self.current.items())
        return f"read {read or 'nothing yet'}; records handled: {self._handled()}"

    def finish(self) -> None:
        rows: dict[str, int] = {}
        for (system, _), count in self.streams.items():
            rows[system] = rows.get(system, 0) + count.done
        read = ", ".join(f"{system} {n} row(s)" for system, n in rows.items())
        self.log.info("done: read %s; records handled: %s", read or "nothing",
                      self._handled())


class Bars:
    """A ReadObserver that draws, per CRM, a bar for the stream being read (its total as
    the CRM reported it, and an ETA) and a count of records handled."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks: dict[tuple[str, str], Any] = {}
        self.current: dict[str, Any] = {}  # system -> its stream's task being read

    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        if system in self.current:  # one reading bar per CRM: the last one gives way
            self.progress.update(self.current[system], visible=False)
        task = self.progress.add_task(f"{system} {stream}", total=total, visible=total != 0)
        self.tasks[(system, stream)] = self.current[system] = task

    def items_done(self, system: str, stream: str, count: int) -> None:
        if (system, stream) not in self.tasks:
            self.stream_started(system, stream, None)
        self.progress.advance(self.tasks[(system, stream)], count)

    def records_handled(self, system: str, count: int) -> None:
        key = (system, "records handled")
        if key not in self.tasks:  # not a stream: it never hides the reading bar
            self.tasks[key] = self.progress.add_task(f"{system} records handled", total=None)
        self.progress.advance(self.tasks[key], count)


def bar_display() -> Progress:
    """The bars leadpact shows on a terminal (stderr): what, bar, N of M, time, ETA."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True)


def attach(connectors: Sequence[Any], observer: Any) -> None:
    """Point every connector that reports reads at `observer`."""
    for connector in connectors:
        if hasattr(connector, "observer"):
            connector.observer = observer


@contextmanager
def progress_for(connectors: Sequence[Any] = (), *, show_bar: bool = True,
                 every: float = 10.0) -> Iterator[Bars | LogLines]:
    """Watch `connectors`' reads for the duration of the block (more can be `attach`ed to
    the observer it yields; its `records_handled` is the pipeline's progress callback).
    A bar when `show_bar` and stderr is a terminal, log lines otherwise."""
    if show_bar and sys.stderr.isatty():
        with bar_display() as progress:
            bars = Bars(progress)
            attach(connectors, bars)
            yield bars
        return
    lines = LogLines(every)
    attach(connectors, lines)
    try:
        yield lines
    finally:
        lines.finish()
