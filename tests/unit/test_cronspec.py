"""--every / --cron: validated once, rendered for cron and for systemd timers."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from leadpact.cronspec import parse_cron, parse_every
from leadpact.errors import ConfigError


@pytest.mark.parametrize(("every", "cron"), [
    ("15m", "*/15 * * * *"), ("5m", "*/5 * * * *"), ("1m", "* * * * *"),
    ("30min", "*/30 * * * *"), ("60m", "0 * * * *"), ("1h", "0 * * * *"),
    ("6h", "0 */6 * * *"), ("24h", "0 0 * * *"), ("1d", "0 0 * * *"), (" 2H ", "0 */2 * * *"),
])
def test_given_an_interval_then_it_becomes_the_matching_cron_line(every: str, cron: str) -> None:
    assert parse_every(every).expression == cron


@pytest.mark.parametrize("every", ["45m", "7m", "5h", "2d", "0m", "15", "m15", "15s", "", "fast"])
def test_given_an_interval_cron_cannot_repeat_evenly_then_one_line_error(every: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_every(every)
    message = str(caught.value)
    assert message.startswith(f"--every {every!r}") and "\n" not in message


def test_given_cron_fields_then_they_expand_to_their_values() -> None:
    when = parse_cron("5,35 9-17/4 * jan-mar mon-fri")
    minute, hour, dom, month, dow = when.values
    assert minute == (5, 35) and hour == (9, 13, 17) and dom is None
    assert month == (1, 2, 3) and dow == (1, 2, 3, 4, 5)
    assert parse_cron("10/20 * * * 7").values[0] == (10, 30, 50)


@pytest.mark.parametrize(("cron", "says"), [
    ("*/15 * * *", "expected 5 fields"),
    ("60 * * * *", "minute '60' is not a number from 0 to 59"),
    ("* 24 * * *", "hour '24'"),
    ("* * 0 * *", "day of month '0'"),
    ("* * * 13 *", "month '13'"),
    ("* * * * 8", "day of week '8'"),
    ("*/0 * * * *", "minute step '0'"),
    ("*/x * * * *", "minute step 'x'"),
    ("30-10 * * * *", "runs backwards"),
    ("@hourly", "expected 5 fields"),
])
def test_given_a_bad_cron_then_the_error_names_the_field(cron: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_cron(cron)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_given_cron_then_systemd_calendar_has_the_same_times() -> None:
    assert parse_cron("*/15 * * * *").on_calendar() == "*-*-* *:00,15,30,45:00"
    assert parse_cron("0 9 * * 1-5").on_calendar() == "Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00"
    assert parse_cron("30 2 1 */3 *").on_calendar() == "*-01,04,07,10-01 02:30:00"
    assert parse_cron("0 0 * * 0,7").on_calendar() == "Sun *-*-* 00:00:00"


def test_given_both_day_fields_then_systemd_refuses_rather_than_change_meaning() -> None:
    with pytest.raises(ConfigError, match="both day of month and day of week"):
        parse_cron("0 0 1 * mon").on_calendar()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize("cron", ["*/15 * * * *", "0 9 * * 1-5", "30 2 1 */3 *", "0 */6 * * *"])
def test_given_a_calendar_then_systemd_accepts_it(cron: str) -> None:
    spec = parse_cron(cron).on_calendar()
    done = subprocess.run(["systemd-analyze", "calendar", spec], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_given_a_schedule_then_its_shortest_gap_is_known() -> None:
    assert parse_every("15m").shortest_gap_minutes() == 15
    assert parse_cron("0,5 * * * *").shortest_gap_minutes() == 5
    assert parse_every("1d").shortest_gap_minutes() == 1440
