"""Reading back what a sync left in the sandbox, for tests."""

from __future__ import annotations

from leadpact.connectors.sandbox.store import Store


def field_of(store: Store, system: str, type_: str, id_: str, name: str) -> object:
    """One field of a sandbox record that must exist (None when the field is unset)."""
    row = store.get(system, type_, id_)
    assert row is not None, f"{system}/{type_}/{id_} is not in the sandbox"
    return row.fields.get(name)
