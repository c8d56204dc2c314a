"""Progress of `leadpact setup`, fed by the connectors' `SetupObserver` calls. Each CRM
says how many steps it has to do (fields to create, the permission set, field grants, the
assignment; HubSpot's property group and properties) once it has read what exists, so
progress is always "N of M":

- on a terminal: a rich bar per CRM with N/M and an ETA (like sync and plan);
- anywhere else: one INFO log line when a CRM's steps are known, then at most one every
  `every` seconds, and one when its last step is done (they show with `-v` or in
  `--log-file`).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import Progress

from leadpact.progress import bar_display

log = logging.getLogger(__name__)


class SetupLogLines:
    """A SetupObserver writing one-line log messages; `clock` is a monotonic seconds
    source (injected so tests need no sleeping)."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 logger: logging.Logger = log):
        self.every, self.clock, self.log = every, clock, logger
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.last = clock()

    def setup_planned(self, system: str, total: int) -> None:
        self.totals[system], self.done[system] = total, 0
        self.log.info("%s setup: %d step(s) to do", system, total)

    def setup_done(self, system: str, what: str, count: int = 1) -> None:
        self.done[system] = self.done.get(system, 0) + count
        now = self.clock()
        finished = self.done[system] >= self.totals.get(system, 0)
        if finished or now - self.last >= self.every:
            self.last = now
            self.log.info("%s setup: %d of %d step(s) done (last: %s)", system,
                          self.done[system], self.totals.get(system, self.done[system]), what)


class SetupBars:
    """A SetupObserver drawing one bar per CRM, N of M steps, with an ETA."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def setup_planned(self, system: str, total: int) -> None:
        self.tasks[system] = self.progress.add_task(f"{system} setup", total=total)

    def setup_done(self, system: str, what: str, count: int = 1) -> None:
        if system not in self.tasks:
            self.setup_planned(system, 0)
        self.progress.update(self.tasks[system], advance=count,
                             description=f"{system} setup: {what}")


@contextmanager
def setup_progress(show_bar: bool = True, every: float = 10.0
                   ) -> Iterator[SetupBars | SetupLogLines]:
    """A bar when `show_bar` and stderr is a terminal, log lines otherwise."""
    if show_bar and sys.stderr.isatty():
        with bar_display() as progress:
            yield SetupBars(progress)
        return
    yield SetupLogLines(every)
