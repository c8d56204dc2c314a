"""When a scheduled sync runs: `--every 15m` or `--cron "*/15 * * * *"`, validated once and
rendered for each scheduler (a cron line for cron, Kubernetes and GitHub Actions; an
`OnCalendar=` value for systemd timers). Pure: strings in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadpact.errors import ConfigError

# name, lowest, highest, names accepted for the values (cron's own abbreviations)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                      "nov", "dec")),
    ("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_EVERY = re.compile(r"(\d+)\s*(m|min|h|d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A valid five-field cron schedule; `values[i]` is None where the field is `*`."""

    expression: str
    values: tuple[tuple[int, ...] | None, ...]

    def on_calendar(self) -> str:
        """The same times as a systemd calendar event (e.g. `*-*-* *:00/15:00`)."""
        minute, hour, dom, month, dow = self.values
        if dom is not None and dow is not None:
            raise ConfigError(f"--cron {self.expression!r} sets both day of month and day of "
                              "week, which cron ORs and systemd ANDs; keep one of them")
        days = "" if dow is None else ",".join(_WEEKDAYS[d % 7] for d in sorted(
            {d % 7 for d in dow})) + " "
        return (f"{days}*-{_list(month, 2)}-{_list(dom, 2)} "
                f"{_list(hour, 2)}:{_list(minute, 2)}:00")

    def shortest_gap_minutes(self) -> int:
        """The shortest time between two runs, in minutes (1440 at most counted)."""
        minutes = self.values[0] or tuple(range(60))
        hours = self.values[1] or tuple(range(24))
        times = sorted(h * 60 + m for h in hours for m in minutes)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        gaps.append(times[0] + 1440 - times[-1])
        return min(gaps)


def _list(values: tuple[int, ...] | None, width: int) -> str:
    return "*" if values is None else ",".join(f"{v:0{width}d}" for v in values)


def parse_cron(expression: str) -> CronSchedule:
    text = " ".join(expression.split())
    parts = text.split(" ")
    if len(parts) != 5:
        raise ConfigError(f"--cron {expression!r}: expected 5 fields (minute hour "
                          f"day-of-month month day-of-week), got {len(parts)}")
    values = tuple(_parse_field(part, spec, expression) for part, spec in zip(parts, _FIELDS,
                                                                               strict=True))
    return CronSchedule(text, values)


def _parse_field(part: str, spec: tuple[str, int, int, tuple[str, ...]],
                 expression: str) -> tuple[int, ...] | None:
    name, low, high, names = spec
    if part == "*":
        return None
    found: set[int] = set()
    for item in part.split(","):
        span, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or not 1 <= int(step_text) <= high:
                raise ConfigError(f"--cron {expression!r}: {name} step {step_text!r} must be "
                                  f"a whole number from 1 to {high}")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        else:
            start, dash, end = span.partition("-")
            first = _value(start, name, low, high, names, expression)
            last = _value(end, name, low, high, names, expression) if dash else \
                (high if step_text else first)
            if last < first:
                raise ConfigError(f"--cron {expression!r}: {name} range {span!r} runs "
                                  "backwards")
        found.update(range(first, last + 1, step))
    return tuple(sorted(found))


def _value(text: str, name: str, low: int, high: int, names: tuple[str, ...],
           expression: str) -> int:
    if text.lower() in names:
        return names.index(text.lower()) + (1 if name == "month" else 0)
    if not text.isdigit() or not low <= int(text) <= high:
        raise ConfigError(f"--cron {expression!r}: {name} {text!r} is not a number from "
                          f"{low} to {high}")
    return int(text)


def parse_every(text: str) -> CronSchedule:
    """`15m`, `2h`, `1d`: every so often, on the clock (at :00, :15, … for 15m)."""
    match = _EVERY.fullmatch(text.strip())
    if not match:
        raise ConfigError(f"--every {text!r}: expected a number and a unit, like 15m, 2h or 1d")
    amount, unit = int(match.group(1)), match.group(2).lower()[0]
    if unit == "m" and amount in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
        return parse_cron("* * * * *" if amount == 1 else f"*/{amount} * * * *")
    if unit == "m" and amount >= 60 and amount % 60 == 0:
        return parse_every(f"{amount // 60}h")
    if unit == "h" and amount in (1, 2, 3, 4, 6, 8, 12):
        return parse_cron("0 * * * *" if amount == 1 else f"0 */{amount} * * *")
    if (unit == "h" and amount == 24) or (unit == "d" and amount == 1):
        return parse_cron("0 0 * * *")
    raise ConfigError(f"--every {text!r}: cron cannot repeat evenly at that interval; use "
                      "minutes that divide an hour (5m, 10m, 15m, 20m, 30m), hours that divide "
                      "a day (1h, 2h, 3h, 4h, 6h, 8h, 12h), 1d, or give --cron")
