"""`leadpact rules check` and the shipped JSON Schema: every kind of mistake gets one line
with file, line, key path and the fix; the schema and the checker agree."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.enrichment.titles import FUNCTIONS, SENIORITIES
from leadpact.enrichment.titles import ROLES as TITLE_ROLES
from leadpact.errors import RuleError
from leadpact.exit_codes import exit_code
from leadpact.model import ACTIVITY_KINDS
from leadpact.rules.check import check_file, check_text, schema
from leadpact.rules.conditions import ACTIVITY_KEYS, COMBINATORS, FIELD_OPS, SPECIAL
from leadpact.rules.engine import ROLES, default_rules_text, parse_rules
from leadpact.rules.strict_yaml import MAX_BYTES

DEFAULT = default_rules_text()
LEGACY = (Path(__file__).parent / "data" / "legacy_rules.yaml").read_text("utf-8")
ONE_LINE = re.compile(r"^mine\.yaml:(?P<line>\d+): (?P<path>[^\s:]+)?[: ]")


def mutate(old: str, new: str) -> str:
    assert DEFAULT.count(old) >= 1, old
    return DEFAULT.replace(old, new, 1)


def legacy(old: str, new: str) -> str:
    assert LEGACY.count(old) >= 1, old
    return LEGACY.replace(old, new, 1)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


# (what is wrong, the file, key path reported, words of the fix, a plain JSON Schema
# validator — what an editor runs — rejects it too)
BAD = [
    ("unknown key", mutate("silent_days: 14", "silnt_days: 14"), "deals.stale.silnt_days",
     "did you mean `silent_days`", True),
    ("unknown role key", mutate("      economic_buyer: 40", "      economic_buyyer: 40"),
     "fit.person.role.economic_buyyer", "did you mean `economic_buyer`", True),
    ("unknown top-level key", DEFAULT + "leads: {}\n", "leads", "did you mean `lead`", True),
    ("wrong type", mutate("silent_days: 14", "silent_days: thirty"),
     "deals.stale.silent_days", "must be a whole number", True),
    ("a list where a mapping belongs", mutate("  committee:\n", "  committee: []\n  x:\n"),
     "deals.committee", "must be a mapping", True),
    ("out of range", mutate("engaged_days: 45", "engaged_days: 99999999999"),
     "deals.committee.engaged_days", "from 0 to 36500", True),
    ("unknown role value", mutate("required_roles: [economic_buyer, decision_maker]",
                                  "required_roles: [economic_buyr]"),
     "deals.committee.required_roles.0", "did you mean `economic_buyer`", True),
    ("missing key", mutate("    threshold: 4", "   "), "deals.stale", "missing `threshold`",
     True),
    ("invalid regex", mutate("  overrides: []",
                             '  overrides:\n    - {pattern: "(CISO", role: blocker}'),
     "titles.overrides.0.pattern", "not a valid regular expression", True),
    ("placeholder typo", mutate("{deal}", "{dael}"), "deals.stale.task.subject",
     "did you mean {deal}", True),
    ("placeholder of another template", mutate("({title})", "({deal})"),
     "stages.person.1.task.subject", "can use {name}, {title}", True),
    ("account placeholder typo", mutate("{account}", "{acount}"),
     "stages.account.0.task.subject", "did you mean {account}", True),
    ("lone brace", mutate("{deal}", "{deal"), "deals.stale.task.subject", "literal braces", True),
    ("empty stage list", mutate("  person:\n    - name: disqualified",
                                "  person: []\n  old:\n    - name: disqualified"),
     "stages.person", "at least 1", True),
    ("catch-all first", mutate("stages:\n  person:\n",
                               "stages:\n  person:\n    - {name: everyone}\n"),
     "stages.person.1", "stage `everyone` above it has no condition", False),
    ("same condition twice", mutate("    - name: power_engaged\n",
                                    "    - name: power_engaged_again\n      when: {field: "
                                    "power_engaged, equals: true}\n    - name: power_engaged\n"),
     "stages.account.2", "has the same `when`", False),
    ("duplicate key", mutate("    threshold: 4", "    threshold: 4\n    threshold: 5"),
     "deals.stale.threshold", "duplicate key (first at line", False),
    ("duplicate stage name", mutate("name: nurture", "name: marketing_qualified"),
     "stages.person.3.name", "give every stage its own name", False),
    ("a whole number written as a float", mutate("engaged_days: 45", "engaged_days: 45.0"),
     "deals.committee.engaged_days", "must be a whole number", False),
    ("not a number", mutate("engaged_days: 45", "engaged_days: .nan"),
     "deals.committee.engaged_days", "must be a whole number", True),
    # the condition vocabulary
    ("unknown operator", mutate("{field: fit, gte: 50}", "{field: fit, gtee: 50}"),
     "stages.person.1.when.all.1.gtee", "did you mean `gte`", True),
    ("unknown field", mutate("{field: account.employees, gte: 200}",
                             "{field: employes, gte: 200}"),
     "fit.account.1.when.field", "employees`? (or person.NAME / account.NAME", False),
    ("two tests on one field", mutate("{field: fit, gte: 30}", "{field: fit, gte: 30, lte: 40}"),
     "stages.person.2.when.any.0", "needs exactly one test", False),
    ("invalid regex in a condition", mutate("matches: \"\\\\b(student",
                                            "matches: \"\\\\b((student"),
     "disqualifiers.3.when.matches", "not a valid regular expression", True),
    ("unknown activity kind", mutate("kinds: [email, meeting, call], within_days: 30",
                                     "kinds: [email, meting, call], within_days: 30"),
     "stages.person.1.when.all.2.any.0.activities.kinds.1", "did you mean `meeting`", True),
    ("activity count without at_least", mutate("within_days: 30, at_least: 1", "within_days: 30"),
     "stages.person.1.when.all.2.any.0.activities", "missing `at_least`", True),
    ("unknown role in a condition", mutate("[economic_buyer, decision_maker, executive_sponsor, "
                                           "champion]", "[economic_buyer, decison_maker]"),
     "stages.person.1.when.all.0.in.1", "did you mean `decision_maker`", False),
    ("unknown seniority in a condition", mutate("{field: fit, gte: 30}",
                                                "{field: seniority, equals: cxo}"),
     "stages.person.2.when.any.0.equals", "use one of c_level", False),
    ("unknown power role", mutate("power_roles: [economic_buyer,", "power_roles: [econ_buyer,"),
     "buying_group.power_roles.0", "did you mean `economic_buyer`", True),
    ("unknown decay key", mutate("{points: 15, half_life_days: 14}",
                                 "{points: 15, halflife_days: 14}"),
     "engagement.kinds.email.halflife_days", "did you mean `half_life_days`", True),
    ("earlier format mixed with the new", DEFAULT + LEGACY[LEGACY.index("lead:"):
                                                           LEGACY.index("deals:")],
     "lead", "keep one", False),
    # the earlier format, still read
    ("legacy: stage above the reachable score", legacy("min_score: 50", "min_score: 75"),
     "lead.stages.0", "highest score its roles can reach (60)", False),
    ("legacy: stage with no roles", legacy("roles: [economic_buyer, decision_maker, "
                                           "executive_sponsor]", "roles: []"),
     "lead.stages.0", "`roles` is empty", False),
    ("legacy: catch-all first", legacy("  stages:\n", "  stages:\n    - {name: everyone, "
                                       "min_score: 0}\n"),
     "lead.stages.1", "stage `everyone` above it", False),
]


@pytest.mark.parametrize(("text", "path", "fix"), [b[1:4] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_given_a_mistake_when_checked_then_one_line_names_file_line_path_and_fix(
        text: str, path: str, fix: str) -> None:
    problems = check_text(text, "mine.yaml")
    lines = [str(p) for p in problems]
    assert any(p.path and ".".join(map(str, p.path)) == path and fix in str(p)
               for p in problems), lines
    for line in lines:
        assert "\n" not in line and ONE_LINE.match(line), line
    with pytest.raises(RuleError) as caught:  # a sync stops on the same first line
        parse_rules(text, "mine.yaml")
    assert str(caught.value).startswith(lines[0])
    assert exit_code(caught.value) == 2


@pytest.mark.parametrize(("text", "path"), [(b[1], b[2]) for b in BAD if b[4]],
                         ids=[b[0] for b in BAD if b[4]])
def test_given_a_mistake_a_schema_can_express_then_an_editor_rejects_it_too(
        text: str, path: str) -> None:
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(yaml.safe_load(text)))
    assert errors, f"the shipped schema accepts what the checker rejects at {path}"


def test_given_the_shipped_rules_then_the_schema_describes_every_key() -> None:
    data = yaml.safe_load(DEFAULT)
    jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    assert check_text(DEFAULT, "default.yaml") == []
    undescribed = list(_undescribed(data, schema(), ()))
    assert undescribed == []


def _undescribed(data: Any, spec: dict[str, Any], path: tuple[str, ...]) -> Any:
    while "$ref" in spec:
        spec = schema()["definitions"][spec["$ref"].rsplit("/", 1)[-1]]
    if isinstance(data, dict):
        for key, value in data.items():
            sub = spec.get("properties", {}).get(key, spec.get("additionalProperties"))
            if not isinstance(sub, dict):
                yield ".".join((*path, str(key)))
            else:
                yield from _undescribed(value, sub, (*path, str(key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _undescribed(item, spec.get("items", {}), (*path, str(index)))


def test_given_the_schema_then_its_vocabularies_are_the_engines() -> None:
    defs = schema()["definitions"]
    for score in (schema()["properties"]["lead"]["properties"]["score"]["properties"],
                  schema()["properties"]["fit"]["properties"]["person"]["properties"]):
        assert set(score["role"]["properties"]) == set(ROLES)
        assert set(score["seniority"]["properties"]) == set(SENIORITIES)
    person = schema()["properties"]["fit"]["properties"]["person"]["properties"]
    assert set(person["function"]["properties"]) == set(FUNCTIONS)
    assert set(defs["role"]["enum"]) == set(ROLES)
    assert set(defs["title_role"]["enum"]) == set(TITLE_ROLES)
    assert set(defs["seniority"]["enum"]) - {None} == set(SENIORITIES)
    assert set(defs["function"]["enum"]) - {None} == set(FUNCTIONS)
    assert defs["activity_kind"]["enum"] == list(ACTIVITY_KINDS)
    assert set(schema()["properties"]["engagement"]["properties"]["kinds"]["properties"]) \
        == set(ACTIVITY_KINDS)
    condition = defs["condition"]["properties"]
    assert set(condition) == {*COMBINATORS, "field", *FIELD_OPS, *SPECIAL}
    assert set(condition["activities"]["properties"]) == set(ACTIVITY_KEYS)


@pytest.mark.parametrize(("template", "allowed"), [("lead_task", ["name", "title"]),
                                                   ("account_task", ["account"]),
                                                   ("deal_task", ["deal"])])
def test_given_a_subject_pattern_then_it_accepts_exactly_the_listed_placeholders(
        template: str, allowed: list[str]) -> None:
    subject = schema()["definitions"][template]["properties"]["subject"]
    assert subject["x-placeholders"] == allowed
    pattern = re.compile(subject["pattern"])
    assert pattern.search(" ".join(f"{{{name}}}" for name in allowed) + " {{literal}}")
    for wrong in ("{nmae}", "{0}", "{}", "{deal", "x}", "   "):
        assert not pattern.search(wrong), wrong


def test_given_the_shipped_file_then_its_header_points_editors_at_the_schema() -> None:
    first = DEFAULT.splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schema.json"
    assert (Path(__file__).parents[2] / "rules" / "schema.json").is_file()


def test_given_two_mistakes_then_each_names_its_own_line() -> None:
    text = mutate("silent_days: 14", "silent_days: -1")
    text = text.replace("engaged_days: 45", "engaged_dayz: 45")
    problems = {".".join(map(str, p.path)): p.line for p in check_text(text, "mine.yaml")}
    assert problems["deals.stale.silent_days"] == line_of(text, "silent_days: -1")
    assert problems["deals.committee.engaged_dayz"] == line_of(text, "engaged_dayz")


def test_given_a_duplicate_key_then_both_lines_are_named() -> None:
    text = mutate("    threshold: 4", "    threshold: 4\n    threshold: 5")
    [problem] = check_text(text, "mine.yaml")
    assert problem.line == line_of(text, "threshold: 5")
    assert f"first at line {line_of(text, 'threshold: 4')}" in str(problem)


def test_given_a_catch_all_before_others_then_the_fix_says_to_move_it_last() -> None:
    text = mutate("    - name: disqualified", "    - name: anyone\n    - name: disqualified")
    unreachable = [p for p in check_text(text, "mine.yaml") if "can never match" in p.detail]
    assert [p.path for p in unreachable] == [("stages", "person", i) for i in (1, 2, 3, 4)]
    assert "move `anyone` to the end" in unreachable[0].detail


def test_given_a_legacy_catch_all_before_others_then_the_fix_says_to_reorder() -> None:
    text = legacy("    - name: sales_ready", "    - name: anyone\n      min_score: 0\n"
                                              "    - name: sales_ready")
    unreachable = [p for p in check_text(text, "mine.yaml") if "can never match" in p.detail]
    assert [p.path for p in unreachable] == [("lead", "stages", i) for i in (1, 2, 3)]
    assert "move `sales_ready` above `anyone`" in unreachable[0].detail


@pytest.mark.parametrize(("content", "words"), [
    (b"version: 1\n\xff\xfe\n", "not UTF-8 text"),
    (b"a: " + b"x" * (MAX_BYTES + 10), "larger than 1 MB"),
    (b"a: [" * 200 + b"]" * 200, "nested more than"),
    (b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
        b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n" % ((c + 1,) * 2 + (c,) * 9)
        for c in range(ord("a"), ord("k"))), "anchors and aliases"),
    (b"a: &a [*a]\n", "inside its own anchor"),
    (b"version: 1\nlead: a: b\n", "not valid YAML"),
    (b"version: 1\x00\n", "not valid YAML (character 0x0"),
    (b"version: 2026-13-45\n", "cannot read '2026-13-45'"),
    (b"[1, 2]\n", "must be a mapping"),
])
def test_given_hostile_bytes_then_one_line_and_no_crash(
        tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes(content)
    [problem] = check_file(path)
    assert words in str(problem) and str(problem).startswith(f"{path}:")
    assert "\n" not in str(problem)


def test_given_a_folder_then_the_fix_says_to_name_the_file(tmp_path: Path) -> None:
    [problem] = check_file(tmp_path)
    assert "is a folder" in str(problem) and "name the YAML file" in str(problem)


# -- the command --------------------------------------------------------------------------

def test_given_the_shipped_file_when_checked_then_exit_0_without_config_or_tokens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no leadpact.toml here, no tokens in the environment
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT)
    result = CliRunner().invoke(main, ["rules", "check", str(path)], env={
        "LEADPACT_SALESFORCE_TOKEN": None, "LEADPACT_HUBSPOT_TOKEN": None})
    assert result.exit_code == 0 and "ok" in result.output


def test_given_a_bad_file_when_checked_then_one_line_per_problem_and_exit_2(
        tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(mutate("silent_days: 14", "silnt_days: 14").replace("{deal}", "{dael}", 1))
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3  # unknown silnt_days, missing silent_days, placeholder
    assert all(line.startswith(f"{path}:") for line in lines)
    assert "Traceback" not in result.output and "unexpected" not in result.output


def test_given_the_schema_command_then_it_prints_the_shipped_schema() -> None:
    result = CliRunner().invoke(main, ["rules", "schema"])
    assert result.exit_code == 0 and json.loads(result.output) == schema()


def test_given_a_real_process_then_the_exit_code_is_2(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(mutate("marketing_cap: 15", "marketing_cap: fifteen"))
    done = subprocess.run([sys.executable, "-m", "leadpact", "rules", "check", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"{path}:{line_of(path.read_text(), 'marketing_cap: ')}: "
                                  "engagement.marketing_cap must be a number")


def test_given_an_invalid_rules_file_then_sync_stops_before_any_read_or_write(
        tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(mutate("{deal}", "{dael}"))
    config = tmp_path / "leadpact.toml"
    config.write_text('[leadpact]\nstate = "state/leadpact.sqlite3"\nrules = "rules.yaml"\n'
                      '[salesforce]\ninstance_url = "http://127.0.0.1:1"\n'  # nothing listens
                      '[hubspot]\nhost = "http://127.0.0.1:1"\n')
    env = {"LEADPACT_SALESFORCE_TOKEN": "t", "LEADPACT_HUBSPOT_TOKEN": "t"}
    [expected] = check_file(rules)
    for command in ("sync", "plan", "check"):
        result = CliRunner().invoke(main, [command, "--config", str(config)], env=env)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"leadpact: {expected}"
        assert not (tmp_path / "state").exists()  # no state opened, no lock taken
