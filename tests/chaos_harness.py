"""bench/chaos.py (a script, not a package module) loaded once for the tests that drive it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HARNESS = Path(__file__).parents[1] / "bench" / "chaos.py"


def load_harness() -> ModuleType:
    if "chaos_harness" in sys.modules:
        return sys.modules["chaos_harness"]
    spec = importlib.util.spec_from_file_location("chaos_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos_harness"] = module  # registered first: its dataclasses look it up
    spec.loader.exec_module(module)
    return module
