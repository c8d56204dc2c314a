"""Where leadpact's log lines go and what they look like. Configured once, by the CLI;
library code only ever does `logging.getLogger(__name__)`.

- stderr: WARNING by default, INFO with --verbose, DEBUG with -vv, ERROR with --quiet.
  One record per line, never wrapped (cron mail and log greps keep whole sentences).
- --log-file PATH: the same records (at least INFO) appended to a file.
- --log-format json: one JSON object per line, for log collectors.
- Every line, whatever its source (our loggers, urllib3, the client libraries) and
  including tracebacks, passes through `secrets.redact` on its way out.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TextIO

from leadpact.errors import ConfigError
from leadpact.secrets import redact

FORMATS = ("text", "json")
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_MARK = "_leadpact_handler"  # so a second configure() replaces, not duplicates


def level_for(verbose: int, quiet: bool) -> int:
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


class RedactingTextFormatter(logging.Formatter):
    """Plain text lines, secrets removed from the finished line (message, arguments and
    any traceback alike). A multi-line message stays one line: newlines are escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record)).replace("\n", "\\n")


class RedactingJsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, plus the
    traceback when there is one. The stdlib suffices for these few keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record is emitted (not when the handler was
    made), so a swapped stderr (tests, click's runner) never leaves it writing to a closed
    stream."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return RedactingJsonFormatter()
    return RedactingTextFormatter(_TEXT)


def configure(*, verbose: int = 0, quiet: bool = False, log_file: Path | None = None,
              log_format: str = "text", stream: IO[str] | None = None) -> None:
    """Install leadpact's handlers on the root logger (replacing ones from an earlier call,
    as happens when tests invoke the CLI repeatedly in one process)."""
    if log_format not in FORMATS:
        raise ConfigError(f"--log-format must be one of {', '.join(FORMATS)}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    level = level_for(verbose, quiet)
    console = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    console.setLevel(level)
    console.setFormatter(_formatter(log_format))
    handlers: list[logging.Handler] = [console]
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--log-file {log_file}: cannot be opened for writing "
                              f"({exc.strerror}); pick a writable path") from None
        file_handler.setLevel(min(level, logging.INFO))
        file_handler.setFormatter(_formatter(log_format))
        handlers.append(file_handler)
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    root.setLevel(min(h.level for h in handlers))
