"""The task pass's write queue: steps go out in whole write calls, and a batch's commit
runs with the call that sends its last step (all that is left goes with the last batch)."""

from __future__ import annotations

from leadpact.model import Ref
from leadpact.write_queue import Commit, WriteQueue

ANN = Ref("salesforce", "contact", "003A")


def test_given_batches_of_few_steps_then_they_go_out_in_whole_calls() -> None:
    committed: list[tuple[str, set[Ref]]] = []
    queue: WriteQueue[str] = WriteQueue(4)

    def commit_of(name: str) -> Commit:
        return lambda failed: committed.append((name, failed))

    queue.add(["a1", "a2", "a3"], commit_of("a"))
    assert queue.take(last=False) is None  # three steps do not fill a call
    queue.add(["b1", "b2"], commit_of("b"))
    sent = queue.take(last=False)
    assert sent is not None and sent[0] == ["a1", "a2", "a3", "b1"]
    sent[1]({ANN})
    assert committed == [("a", {ANN})]  # b's last step has not gone yet
    queue.add([], commit_of("c"))
    sent = queue.take(last=True)
    assert sent is not None and sent[0] == ["b2"]
    sent[1](set())
    assert committed == [("a", {ANN}), ("b", set()), ("c", set())]
    assert queue.take(last=True) is None


def test_given_a_batch_with_nothing_to_send_then_its_commit_is_due_at_once() -> None:
    committed: list[set[Ref]] = []
    queue: WriteQueue[str] = WriteQueue(200)
    queue.add([], committed.append)
    sent = queue.take(last=False)
    assert sent is not None and sent[0] == []
    sent[1](set())
    assert committed == [set()]
