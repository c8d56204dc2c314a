"""The rules for secrets: where they come from, what they may look like, where they may be
sent, and how any text that leaves leadpact is cleaned of them.

- Secrets come from the environment or from the secrets file named by `secrets_file`, a
  dotenv file parsed by python-dotenv (`KEY=value`, `export KEY=value`, quotes, inline
  `# comments`); the environment wins over the file.
- A secret is checked before use: whitespace, control, quote and non-ASCII characters are
  refused (they come from a bad paste and would end up in an HTTP header or an error), and
  the refusal never shows the value.
- Secrets go over https:// only; plain http:// is allowed for a loopback address (the
  sandbox).
- Every secret read is remembered for `redact`, which the CLI applies to each message it
  prints and `RedactingFilter` applies to log records: the last line of defence.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv.parser import parse_stream

from leadpact.errors import ConfigError

REDACTED = "[redacted]"
_FORBIDDEN_QUOTES = "\"'`\\"
_MIN_REDACTED_LENGTH = 8  # shorter values would blank ordinary words out of messages

_lock = threading.Lock()
_known: set[str] = set()


def dotenv_lines(text: str, where: str) -> Iterator[tuple[int, str, str, str]]:
    """(line number, key, value, the line as written) for each KEY=value line of a dotenv
    text; a line that is not one stops with `where:line` and no content (it may be a
    secret pasted on its own)."""
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.key is None and not binding.error:
            continue  # a comment or a blank line
        if binding.error or binding.key is None or binding.value is None:
            raise ConfigError(f"{where}:{line}: expected KEY=value (the line is not shown: "
                              "it may hold a secret)")
        yield line, binding.key, binding.value, binding.original.string


def read_secrets_file(path: Path, config: Path) -> dict[str, str]:
    """KEY -> value from a dotenv file. A line that is not KEY=value is reported by line
    number only (it may be a secret pasted on its own)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(
            f"{config}: secrets_file {path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{config}: secrets_file {path} is not UTF-8 text; save it as UTF-8",
                          path=path) from None
    return {key: value for _, key, value, _ in dotenv_lines(text, str(path))}


def check_secret(name: str, value: str, where: str = "") -> str:
    """The value, stripped of surrounding whitespace, if it can be a token; remembered for
    redaction. `name` is the variable (or key) named in the error; the value never is."""
    value = value.strip()
    remember(value)
    for position, char in enumerate(value, 1):
        if char.isspace() or not char.isprintable() or not char.isascii() \
                or char in _FORBIDDEN_QUOTES:
            kind = ("a space or line break" if char.isspace() else
                    "a quote or backslash" if char in _FORBIDDEN_QUOTES else
                    "a non-ASCII character" if not char.isascii() else "a control character")
            raise ConfigError(f"{name}{where} holds {kind} at position {position}, which no "
                              "token contains: copy the value again (it is not shown here)")
    return value


def remember(*values: str) -> None:
    """Values that `redact` removes from any text from now on."""
    with _lock:
        _known.update(v for v in values if len(v) >= _MIN_REDACTED_LENGTH)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every remembered secret (and its escaped forms, as repr() and bytes
    reprs show them) replaced by [redacted]."""
    with _lock:
        known = set(_known)
    known.update(v for v in extra if len(v) >= _MIN_REDACTED_LENGTH)
    forms: set[str] = set()
    for value in known:
        forms.add(value)
        forms.add(repr(value)[1:-1])
        forms.add(str(value.encode("utf-8", "backslashreplace"))[2:-1])
        forms.update(part for part in value.splitlines() if len(part) >= 8)
    for form in sorted(forms, key=len, reverse=True):
        if form:
            text = text.replace(form, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's message without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_tls(url: str, key: str) -> str:
    """`url` if a token may be sent to it: https://, or http:// to a loopback address.
    `key` names the setting in errors, e.g. "[hubspot] host"."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{key} must be an https:// URL with a host name")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(f"{key} must use https:// (got http://{parts.hostname}): leadpact "
                          "sends credentials only over TLS, or in plain HTTP to a loopback "
                          "sandbox")
    return url


def secret_values(environ: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """The values of the named variables that are set (for redaction)."""
    return [environ[name] for name in names if environ.get(name)]
