"""`leadpact titles classify` and `leadpact titles eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli_titles import titles

HEADER = "title,seniority,function,role\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(titles, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labelled.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_given_a_title_when_classified_then_labels_and_reason_are_printed() -> None:
    code, out, _ = run("classify", "VP, Finance")
    assert code == 0
    assert "role:       economic_buyer" in out
    assert "because:    vp + finance → economic buyer" in out


def test_given_json_when_classified_then_one_json_object_is_printed() -> None:
    code, out, _ = run("classify", "--json", "Leiterin Einkauf (m/w/d)")
    assert code == 0
    payload = json.loads(out)
    assert payload["role"] == "blocker" and payload["seniority"] == "director"
    assert set(payload) == {"title", "seniority", "function", "role", "confidence", "because"}


def test_given_a_labelled_file_when_evaluated_then_scores_and_confusion_are_printed(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, HEADER + "VP Finance,vp,finance,economic_buyer\n"
                 "Buyer,ic,procurement,user\n")
    code, out, _ = run("eval", str(path))
    assert code == 0
    assert "accuracy" in out and "macro-F1" in out and "role confusion" in out


def test_given_json_when_evaluated_then_the_last_line_is_the_score_object(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "VP Finance,vp,finance,economic_buyer\n"
                 "Buyer,ic,procurement,user\n")
    code, out, _ = run("eval", "--json", str(path))
    assert code == 0
    payload = json.loads(out.strip().splitlines()[-1])
    assert payload == {
        "n": 2,
        "seniority": {"accuracy": 1.0, "macro_f1": 1.0},
        "function": {"accuracy": 1.0, "macro_f1": 1.0},
        # Buyer is a blocker by the guide; the row says user: one of two roles wrong
        "role": {"accuracy": 0.5, "macro_f1": pytest.approx(1 / 3, abs=1e-4)},
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("title,seniority,function\nCEO,c_level,executive\n", "line 1: missing column(s) role"),
        (HEADER + "CEO,c_level,executive\n", "line 2: expected 4 columns, got 3"),
        (HEADER + "CEO,c_level,executive,executive_sponsor\nCFO,boss,finance,economic_buyer\n",
         "line 3, column seniority: unknown label 'boss'"),
        (HEADER + "CEO,c_level,executive,champion\n", "line 2, column role: unknown label"),
        (HEADER, "no labelled rows"),
    ],
)
def test_given_a_bad_file_when_evaluated_then_one_line_error_and_exit_code_2(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, content)
    code, out, err = run("eval", str(path))
    assert code == 2
    assert message in err and str(path) in err
    assert len(err.strip().splitlines()) == 1


def test_given_a_missing_file_when_evaluated_then_error_names_it_and_exit_code_2(
    tmp_path: Path,
) -> None:
    code, _, err = run("eval", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv: no such file" in err


def test_given_a_file_that_is_not_utf8_then_error_and_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Geschäftsführer,c_level,executive,executive_sponsor\n")
                     .encode("latin-1"))
    code, _, err = run("eval", str(path))
    assert code == 2 and "line 2: not UTF-8 text" in err and "CSV UTF-8" in err
    assert len(err.strip().splitlines()) == 1


EXCEL_ROWS = ("Geschäftsführer;c_level;executive;executive_sponsor\r\n"
              "\"Head of IT; Security\";director;security;blocker\r\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_given_an_excel_csv_with_semicolons_when_evaluated_then_it_is_scored_like_commas(
        tmp_path: Path, encoding: str) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes(("title;seniority;function;role\r\n" + EXCEL_ROWS).encode(encoding))
    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + "Geschäftsführer,c_level,executive,executive_sponsor\n"
                     "\"Head of IT; Security\",director,security,blocker\n", encoding="utf-8")
    code, out, err = run("eval", str(excel), "--json")
    assert code == 0, err
    scores = json.loads(out.strip().splitlines()[-1])
    assert scores["n"] == 2
    assert scores == json.loads(run("eval", str(plain), "--json")[1].strip().splitlines()[-1])


@pytest.mark.parametrize(("data", "says"), [
    (b"PK\x03\x04" + b"\x00" * 40, "is an Excel workbook (.xlsx), not a CSV file"),
    (("title\tseniority\n").encode("utf-16"), "is UTF-16 text"),
    (b"title|seniority|function|role\nCEO|c_level|executive|economic_buyer\n",
     "missing column(s) title, seniority, function, role (found 'title|seniority"),
])
def test_given_a_file_excel_did_not_save_as_csv_then_one_line_saying_why_and_exit_2(
        tmp_path: Path, data: bytes, says: str) -> None:
    path = tmp_path / "labelled.csv"
    path.write_bytes(data)
    code, _, err = run("eval", str(path))
    assert code == 2 and says in err and str(path) in err
    assert len(err.strip().splitlines()) == 1


def rules_file(tmp_path: Path, overrides: str) -> Path:
    """The shipped rules file with its `overrides: []` replaced."""
    from leadpact.rules.engine import default_rules_text

    text = default_rules_text()
    assert "  overrides: []\n" in text
    path = tmp_path / "org-rules.yaml"
    path.write_text(text.replace("  overrides: []\n", "  overrides:\n" + overrides),
                    encoding="utf-8")
    return path


def test_given_rules_with_an_override_when_classified_then_the_override_wins(
    tmp_path: Path,
) -> None:
    path = rules_file(tmp_path, '    - {pattern: "\\\\bCISO\\\\b", role: executive_sponsor}\n')
    code, out, _ = run("classify", "--json", "--rules", str(path), "Deputy CISO, EMEA")
    assert code == 0
    payload = json.loads(out)
    assert payload["role"] == "executive_sponsor"
    assert payload["because"] == "org override '\\bCISO\\b' → executive_sponsor"
    _, without, _ = run("classify", "--json", "Deputy CISO, EMEA")
    assert json.loads(without)["role"] == "blocker"


def test_given_rules_when_evaluated_then_the_overrides_change_the_scores(
    tmp_path: Path,
) -> None:
    path = rules_file(tmp_path, "    - {pattern: buyer, role: user}\n")
    labelled = write(tmp_path, HEADER + "Buyer,ic,procurement,user\n")
    _, plain, _ = run("eval", "--json", str(labelled))
    code, overridden, _ = run("eval", "--json", "--rules", str(path), str(labelled))
    assert code == 0
    assert json.loads(plain.splitlines()[-1])["role"]["accuracy"] == 0.0
    assert json.loads(overridden.splitlines()[-1])["role"]["accuracy"] == 1.0


def test_given_an_invalid_regex_in_an_override_then_one_line_naming_file_and_key_exit_2(
    tmp_path: Path,
) -> None:
    path = rules_file(tmp_path, '    - {pattern: "CISO", role: executive_sponsor}\n'
                                '    - {pattern: "(Head of", role: user}\n')
    code, out, err = run("classify", "--rules", str(path), "Head of IT")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err and "titles.overrides" in err  # the file and the key
    assert "not a valid regular expression" in err


def test_given_a_missing_rules_file_then_one_line_and_exit_2(tmp_path: Path) -> None:
    code, _, err = run("classify", "--rules", str(tmp_path / "none.yaml"), "CEO")
    assert code == 2 and "none.yaml" in err and len(err.strip().splitlines()) == 1
