"""`leadpact titles classify|eval --rules FILE` through the main command: the org's
overrides apply in file order, and a bad pattern stops the command at load."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.rules.engine import default_rules_text


def rules_file(tmp_path: Path, overrides: str) -> tuple[Path, int]:
    """The shipped rules with `overrides: []` replaced; also the line of the first one."""
    text = default_rules_text()
    before = text.split("  overrides: []\n")[0]
    path = tmp_path / "org-rules.yaml"
    path.write_text(text.replace("  overrides: []\n", "  overrides:\n" + overrides),
                    encoding="utf-8")
    return path, before.count("\n") + 2


def leadpact(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_given_two_matching_overrides_when_classified_then_the_first_in_the_file_wins(
    tmp_path: Path,
) -> None:
    path, _ = rules_file(tmp_path, '    - {pattern: "security", role: user}\n'
                                   '    - {pattern: "\\\\bCISO\\\\b", role: executive_sponsor,'
                                   ' seniority: c_level}\n')
    code, out, _ = leadpact("titles", "classify", "--json", "--rules", str(path),
                            "CISO, Security")
    assert code == 0
    assert json.loads(out)["role"] == "user"
    code, out, _ = leadpact("titles", "classify", "--json", "--rules", str(path), "CISO")
    assert code == 0
    payload = json.loads(out)
    assert (payload["role"], payload["seniority"]) == ("executive_sponsor", "c_level")
    _, plain, _ = leadpact("titles", "classify", "--json", "CISO")
    assert json.loads(plain)["role"] == "blocker"


def test_given_overrides_when_evaluated_then_the_scores_use_them(tmp_path: Path) -> None:
    path, _ = rules_file(tmp_path, "    - {pattern: buyer, role: user}\n")
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("title,seniority,function,role\nBuyer,ic,procurement,user\n",
                        encoding="utf-8")
    code, out, _ = leadpact("titles", "eval", "--json", "--rules", str(path), str(labelled))
    assert code == 0
    assert json.loads(out.splitlines()[-1])["role"]["accuracy"] == 1.0


def test_given_an_invalid_regex_then_one_line_naming_file_line_and_key_and_exit_2(
    tmp_path: Path,
) -> None:
    path, first_line = rules_file(tmp_path, '    - {pattern: "CISO", role: user}\n'
                                            '    - {pattern: "(Head of", role: user}\n')
    code, out, err = leadpact("titles", "classify", "--rules", str(path), "Head of IT")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("leadpact: ")
    assert f"{path}:{first_line + 1}: titles.overrides.1.pattern" in err
    assert "not a valid regular expression" in err and "escape" in err
