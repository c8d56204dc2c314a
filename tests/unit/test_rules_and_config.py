from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadpact.config import HUBSPOT_TOKEN, SALESFORCE_TOKEN, STARTER, load_config
from leadpact.errors import ConfigError, RuleError
from leadpact.rules.engine import default_rules_text, load_rules, parse_rules
from leadpact.rules.lead_model import PersonSnapshot, judge_lead

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LEGACY = (Path(__file__).parent / "data" / "legacy_rules.yaml").read_text("utf-8")


def test_given_the_shipped_rules_when_loaded_then_they_validate() -> None:
    rules = load_rules(None)
    assert rules.version and [s.name for s in rules.stages][:2] == ["disqualified",
                                                                    "sales_ready"]


def test_given_a_cfo_in_the_earlier_format_then_the_same_verdict_as_before() -> None:
    rules = parse_rules(LEGACY, "legacy.yaml")
    verdict = judge_lead(rules.lead, PersonSnapshot(NOW, "economic_buyer", "c_level", "finance"))
    assert verdict.stage == "sales_ready" and verdict.score == 60
    assert "economic buyer +40, c level +20" in verdict.reasons and verdict.task is not None


def test_given_a_user_in_the_earlier_format_then_not_sales_ready() -> None:
    rules = parse_rules(LEGACY, "legacy.yaml")
    verdict = judge_lead(rules.lead, PersonSnapshot(NOW, "user", "ic", "operations"))
    assert verdict.stage == "nurture" and verdict.task is None


@pytest.mark.parametrize(("old", "new", "message"), [
    ("silent_days: 14", "silent_days: thirty", r":\d+: deals.stale.silent_days must be a whole"),
    ("      economic_buyer: 40", "      economic_buyyer: 40", "economic_buyyer: unknown"),
    ("required_roles: [economic_buyer, decision_maker]", "required_roles: [cfo]",
     "unknown role 'cfo'"),
    ('version: "2026.12.2"', "", ": missing `version`"),
])
def test_given_a_bad_rules_file_when_parsed_then_error_names_line_and_field(
        old: str, new: str, message: str) -> None:
    text = default_rules_text().replace(old, new)
    assert text != default_rules_text()
    with pytest.raises(RuleError, match=message.replace("[", r"\[")):
        parse_rules(text, "mine.yaml")


def test_given_broken_yaml_when_parsed_then_error_names_file_and_line() -> None:
    with pytest.raises(RuleError, match=r"mine.yaml:2: not valid YAML"):
        parse_rules("version: 1\nlead: a: b\n", "mine.yaml")


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text(text)
    return path


SANDBOXED = STARTER.replace("https://YOUR-DOMAIN.my.salesforce.com", "http://127.0.0.1:1")
ENV = {SALESFORCE_TOKEN: "sf-secret", HUBSPOT_TOKEN: "hs-secret"}


def test_given_starter_config_with_url_and_tokens_then_it_loads(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, SANDBOXED), ENV)
    assert config.salesforce and config.salesforce.token == "sf-secret"
    assert config.hubspot and config.hubspot.host == "https://api.hubapi.com"
    assert config.state_path == tmp_path / ".leadpact/state.sqlite3"


def test_given_untouched_starter_config_then_error_says_to_set_the_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="instance_url` must be your salesforce base URL"):
        load_config(_config(tmp_path, STARTER), ENV)


def test_given_missing_token_then_error_names_the_variable_not_a_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=HUBSPOT_TOKEN) as caught:
        load_config(_config(tmp_path, SANDBOXED), {SALESFORCE_TOKEN: "sf-secret"})
    assert "sf-secret" not in str(caught.value)


def test_given_unknown_key_then_error_names_section_and_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[hubspot\] has unknown key `hots`"):
        load_config(_config(tmp_path, SANDBOXED.replace("host =", "hots =")), ENV)


def test_given_no_file_then_error_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="leadpact init"):
        load_config(tmp_path / "nope.toml", ENV)


def test_given_bad_toml_then_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2"):
        load_config(_config(tmp_path, "[leadpact]\nstate = \n"), ENV)


def test_given_a_secrets_file_then_tokens_come_from_it(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"# tokens\n{SALESFORCE_TOKEN}=from-file\n{HUBSPOT_TOKEN}='hs'\n")
    text = SANDBOXED.replace('# secrets_file = "~/.config/leadpact/secrets.env"',
                             f'secrets_file = "{secrets}"')
    config = load_config(_config(tmp_path, text), {})
    assert config.salesforce and config.salesforce.token == "from-file"


def test_given_a_malformed_secrets_line_then_error_hides_the_line(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("supersecretvalue\n")
    text = SANDBOXED.replace('# secrets_file = "~/.config/leadpact/secrets.env"',
                             f'secrets_file = "{secrets}"')
    with pytest.raises(ConfigError, match=r"secrets.env:1: expected KEY=value") as caught:
        load_config(_config(tmp_path, text), {})
    assert "supersecretvalue" not in str(caught.value)


def test_given_an_org_override_then_it_wins_over_the_title_classifier() -> None:
    from leadpact.connect import title_classifier

    override = '  overrides:\n    - {pattern: "\\\\bCISO\\\\b", role: executive_sponsor}'
    text = default_rules_text().replace("  overrides: []", override)
    rules = parse_rules(text, "mine.yaml")
    tagged = title_classifier(rules)("CISO")
    assert tagged.role == "executive_sponsor" and "override" in tagged.because
    assert title_classifier(load_rules(None))("CISO").role == "blocker"


def test_given_a_bad_override_then_the_rules_error_names_file_and_line() -> None:
    text = default_rules_text().replace(
        "  overrides: []", '  overrides:\n    - {pattern: "CISO", role: sponsor}')
    with pytest.raises(RuleError, match=r"mine.yaml:\d+: titles.overrides.0.role: .*sponsor"):
        parse_rules(text, "mine.yaml")


def test_given_a_config_then_no_repr_shows_a_token(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, SANDBOXED), ENV)
    assert "sf-secret" not in repr(config) and "hs-secret" not in repr(config)


def test_given_enabled_as_a_string_then_error_says_true_or_false(tmp_path: Path) -> None:
    text = SANDBOXED.replace("[hubspot]\nenabled = true", '[hubspot]\nenabled = "false"')
    with pytest.raises(ConfigError, match=r"\[hubspot\] `enabled` must be true or false"):
        load_config(_config(tmp_path, text), ENV)


def test_given_a_broken_task_subject_then_the_rules_error_names_its_line() -> None:
    text = default_rules_text().replace('subject: "Stale deal: {deal}"',
                                        'subject: "Stale deal: {0}"')
    with pytest.raises(RuleError, match=r"mine.yaml:\d+: deals.stale.task.subject: cannot fill"):
        parse_rules(text, "mine.yaml")


def test_given_a_sync_holding_the_state_then_a_second_one_is_told_to_wait(
        tmp_path: Path) -> None:
    from leadpact.errors import Busy
    from leadpact.state import State

    first = State(tmp_path / "state.sqlite3")
    try:
        with pytest.raises(Busy, match="another leadpact run"):
            State(tmp_path / "state.sqlite3")
    finally:
        first.close()
    State(tmp_path / "state.sqlite3").close()  # free again once the first one closed


def test_given_a_bad_api_share_then_error_explains_the_range(tmp_path: Path) -> None:
    text = SANDBOXED.replace("max_api_share = 0.9", "max_api_share = 90")
    with pytest.raises(ConfigError, match=r"max_api_share` must be a number above 0"):
        load_config(_config(tmp_path, text), ENV)
    assert load_config(_config(tmp_path, SANDBOXED), ENV).salesforce.max_api_share == 0.9  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["-1", "2.5", "true", '"10000"'])
def test_given_a_bad_bulk_threshold_then_error_names_the_key_and_a_good_value(
        tmp_path: Path, value: str) -> None:
    text = SANDBOXED.replace("max_api_share = 0.9",
                             f"max_api_share = 0.9\nbulk_threshold = {value}")
    with pytest.raises(ConfigError, match=r"bulk_threshold` must be a whole number of rows"):
        load_config(_config(tmp_path, text), ENV)


def test_given_a_bulk_threshold_then_the_config_carries_it_and_defaults_to_10000(
        tmp_path: Path) -> None:
    text = SANDBOXED.replace("max_api_share = 0.9", "max_api_share = 0.9\nbulk_threshold = 0")
    assert load_config(_config(tmp_path, text), ENV).salesforce.bulk_threshold == 0  # type: ignore[union-attr]
    assert load_config(_config(tmp_path, SANDBOXED), ENV).salesforce.bulk_threshold == 10_000  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "true", '"50"'])
def test_given_a_bad_keep_refused_runs_then_error_names_the_key_and_a_good_value(
        tmp_path: Path, value: str) -> None:
    text = SANDBOXED.replace("[leadpact]\n", f"[leadpact]\nkeep_refused_runs = {value}\n")
    with pytest.raises(ConfigError, match=r"\[leadpact\] `keep_refused_runs` must be a whole "
                                          r"number of runs, at least 1 \(e.g. 50\)"):
        load_config(_config(tmp_path, text), ENV)
    assert load_config(_config(tmp_path, SANDBOXED), ENV).keep_refused_runs == 50
    kept = SANDBOXED.replace("[leadpact]\n", "[leadpact]\nkeep_refused_runs = 7\n")
    assert load_config(_config(tmp_path, kept), ENV).keep_refused_runs == 7
