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
    assert code == 2 and "cannot read it" in err
