"""The sync's preflight: every CRM is asked, and one problem anywhere stops the run."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from leadpact.connectors.base import CheckProblem
from leadpact.errors import ConfigError
from leadpact.exit_codes import exit_code
from leadpact.preflight import preflight


@dataclass
class Checked:
    """Only `check` of the Connector protocol: the one thing preflight calls."""

    system: str
    problems: list[CheckProblem] = field(default_factory=list)
    asked: int = 0

    def check(self) -> list[CheckProblem]:
        self.asked += 1
        return self.problems


def test_given_both_crms_ready_then_preflight_passes_and_asks_each_once() -> None:
    crms = [Checked("salesforce"), Checked("hubspot")]
    preflight(crms)  # type: ignore[arg-type]
    assert [c.asked for c in crms] == [1, 1]


def test_given_a_problem_in_one_crm_then_exit_2_naming_it_the_problem_and_the_fix() -> None:
    bad = CheckProblem("HubSpot rejected the access token", "Set LEADPACT_HUBSPOT_TOKEN")
    crms = [Checked("salesforce"), Checked("hubspot", [bad])]
    with pytest.raises(ConfigError) as raised:
        preflight(crms)  # type: ignore[arg-type]
    assert exit_code(raised.value) == 2
    assert str(raised.value) == (
        "preflight failed, nothing was written to any CRM: hubspot: HubSpot rejected the "
        "access token — Set LEADPACT_HUBSPOT_TOKEN")


def test_given_only_an_exhausted_allowance_then_the_run_goes_on_to_meet_it_and_record_it() -> None:
    quota = CheckProblem("Salesforce daily API limit reached", "Run again after the reset",
                         transient=True)
    unreachable = CheckProblem("HubSpot did not answer", "later", transient=True)
    preflight([Checked("salesforce", [quota]), Checked("hubspot", [unreachable])])  # type: ignore[list-item]


def test_given_a_quota_and_a_config_problem_then_the_config_problem_wins_exit_2() -> None:
    quota = CheckProblem("Salesforce daily API limit reached", "later", transient=True)
    token = CheckProblem("HubSpot rejected the access token", "Set LEADPACT_HUBSPOT_TOKEN")
    with pytest.raises(ConfigError) as raised:
        preflight([Checked("salesforce", [quota]), Checked("hubspot", [token])])  # type: ignore[list-item]
    assert "salesforce: Salesforce daily API limit" in str(raised.value)
    assert "hubspot: HubSpot rejected" in str(raised.value)
