"""Moments given on the command line (`--as-of`, `--now`): ISO 8601, always aware UTC.

Accepted: `2026-10-12`, `2026-10-12T09:30`, `2026-10-12T09:30:00Z`,
`2026-10-12T11:30:00+02:00`. A moment without a zone is read as UTC; a bare date is its
midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click


def parse_moment(text: str) -> datetime:
    """The moment `text` names, in UTC. ValueError says what was expected."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 moment; expected e.g. "
                         "2026-10-12 or 2026-10-12T09:30:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# click types ParamType as generic from 8.2 on; older releases cannot be subscripted.
if TYPE_CHECKING:
    _ParamType = click.ParamType[datetime, str]
else:
    _ParamType = click.ParamType


class Moment(_ParamType):
    """A click option type for `parse_moment` (a bad value is a usage error, exit 2)."""

    name = "timestamp"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_moment(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


MOMENT = Moment()
