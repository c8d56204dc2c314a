"""`leadpact rules check` names every condition mistake of a file, not only the first: one
line each with file, line, key path and the fix, exit 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.rules.check import check_text
from leadpact.rules.engine import default_rules_text

DEFAULT = default_rules_text()
MISTAKES = [  # (shipped text, mistake, key path named, words of the fix)
    ("- {field: fit, gte: 50}", "- {field: fit, gtee: 50}",
     "stages.person.1.when.all.1.gtee", "did you mean `gte`"),
    ("{field: fit, gte: 30}", "{field: fitt, gte: 30}",
     "stages.person.2.when.any.0.field", "fit"),
    ("when: {field: email_domain, in: [competitor.example]}",
     "when: {field: email_domian, in: [competitor.example]}",
     "disqualifiers.1.when.field", "email_domain"),
    ('matches: "\\\\b(student|intern', 'matches: "\\\\b((student|intern',
     "disqualifiers.3.when.matches", "not a valid regular expression"),
    ("{activities: {kinds: [email, meeting, call], within_days: 30, at_least: 1}}",
     "{activities: {kinds: [email, meetings, call], within_days: 30, at_least: 1}}",
     "stages.person.1.when.all.2.any.0.activities.kinds.1", "did you mean"),
]


def with_mistakes() -> str:
    text = DEFAULT
    for old, new, _, _ in MISTAKES:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_given_several_condition_mistakes_then_each_is_named_on_its_own_line() -> None:
    text = with_mistakes()
    found = {".".join(map(str, p.path)): p for p in check_text(text, "mine.yaml")}
    for _, new, path, fix in MISTAKES:
        assert path in found, (path, sorted(found))
        assert found[path].line == text[:text.index(new)].count("\n") + 1
        assert fix in found[path].detail
    assert len(found) == len(MISTAKES)


def test_given_mistakes_in_conditions_and_elsewhere_then_the_cli_lists_all_and_exits_2(
        tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(with_mistakes().replace("silent_days: 14", "silnt_days: 14"), "utf-8")
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    # the five condition mistakes, the unknown silnt_days and the missing silent_days
    assert len(lines) == len(MISTAKES) + 2, lines
    assert all(line.startswith(f"{path}:") for line in lines)
