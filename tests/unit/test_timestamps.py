"""Moments on the command line (`--as-of`, `--now`) and the token-free state path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadpact.config import state_path_of
from leadpact.errors import ConfigError
from leadpact.timestamps import parse_moment


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-10-12", datetime(2026, 10, 12, tzinfo=UTC)),
    ("2026-10-12T09:30", datetime(2026, 10, 12, 9, 30, tzinfo=UTC)),
    ("2026-10-12T09:30:00Z", datetime(2026, 10, 12, 9, 30, tzinfo=UTC)),
    ("2026-10-12T11:30:00+02:00", datetime(2026, 10, 12, 9, 30, tzinfo=UTC)),
    (" 2026-10-12T09:30:00.250z ", datetime(2026, 10, 12, 9, 30, 0, 250000, tzinfo=UTC)),
])
def test_parse_moment_reads_iso_8601_as_utc(text: str, expected: datetime) -> None:
    moment = parse_moment(text)
    assert moment == expected and moment.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "12/10/2026", "2026-13-01"])
def test_parse_moment_refuses_what_is_not_iso_8601(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_moment(text)


def test_given_no_tokens_then_the_state_path_is_still_found(tmp_path: Path) -> None:
    config = tmp_path / "leadpact.toml"
    config.write_text('[leadpact]\nstate = "s/state.db"\n[hubspot]\nhost = "https://x"\n')
    assert state_path_of(config) == tmp_path / "s" / "state.db"
    config.write_text('[hubspot]\nhost = "https://x"\n')
    assert state_path_of(config) == tmp_path / ".leadpact" / "state.sqlite3"


def test_given_an_unknown_key_then_the_state_path_refuses_like_the_config(
        tmp_path: Path) -> None:
    config = tmp_path / "leadpact.toml"
    config.write_text('[leadpact]\nstat = "s.db"\n')
    with pytest.raises(ConfigError, match="unknown key `stat`"):
        state_path_of(config)
