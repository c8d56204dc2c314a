"""Fixtures shared by every test folder: a running sandbox on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadpact.connectors.sandbox.server import Sandbox
from leadpact.connectors.sandbox.store import Store


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """An empty sandbox (no seed) answering on a free loopback port."""
    box = Sandbox(Store(":memory:"))
    box.serve(0)
    try:
        yield box
    finally:
        box.stop()
        box.store.close()
