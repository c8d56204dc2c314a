"""A run's marks (leadpact/run_marks.py): which records were handled, and which were asked
to be judged again after they were last handled."""

from __future__ import annotations

from leadpact.model import Ref
from leadpact.run_marks import RunMarks

ANN, BOB, DEAL = (Ref("hubspot", "contact", "1"), Ref("salesforce", "lead", "00Q1"),
                  Ref("salesforce", "deal", "006A"))


def test_given_records_handled_and_asked_then_due_are_those_asked_after_handling() -> None:
    marks = RunMarks()
    try:
        marks.mark([(ANN, 1), (BOB, 2)], [(DEAL, 3), (ANN, 4)])  # Ann asked after handling
        assert ANN in marks and BOB in marks and DEAL not in marks
        assert marks.due() == {ANN, DEAL}  # the deal was never handled
        marks.mark([(DEAL, 5), (ANN, 6)], [(BOB, 1)])  # handled again; Bob asked earlier
        assert marks.due() == set() and DEAL in marks
        marks.mark([], [(BOB, 7)])  # the latest tick wins
        assert marks.due() == {BOB}
    finally:
        marks.close()
