"""Task changes of several intent batches sent together, in full write batches.

The task pass plans tasks a batch of intents at a time (1,000), and a batch plans only a
few hundred tasks or none: sending each batch's tasks alone left a part-filled write call
behind every batch (a 3,000-person first sync made 6 Salesforce task upserts where 3 carry
its 594 tasks). The queue holds the planned steps until they fill whole write calls, and
runs a batch's commit once all of its steps were sent (a kill before that leaves its
intents to the next run, whose task keys find the tasks already made).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from leadpact.model import Ref

S = TypeVar("S")
Commit = Callable[[set[Ref]], None]


class WriteQueue(Generic[S]):
    def __init__(self, size: int) -> None:
        self.size = size  # steps per write call (a multiple of every CRM's batch size)
        self._steps: list[S] = []
        self._commits: list[tuple[int, Commit]] = []  # (its steps end before, commit)

    def add(self, steps: Sequence[S], commit: Commit) -> None:
        self._steps.extend(steps)
        self._commits.append((len(self._steps), commit))

    def take(self, last: bool) -> tuple[list[S], Commit] | None:
        """The steps that fill whole write calls (all of them when `last`) and the commit
        of the batches they finish; None when nothing is due yet."""
        cut = len(self._steps) if last else len(self._steps) // self.size * self.size
        done = [commit for end, commit in self._commits if end <= cut]
        if not cut and not done:
            return None
        send, self._steps = self._steps[:cut], self._steps[cut:]
        self._commits = [(end - cut, commit) for end, commit in self._commits if end > cut]

        def commit_all(failed: set[Ref]) -> None:
            for commit in done:
                commit(failed)
        return send, commit_all
