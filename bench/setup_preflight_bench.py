"""API calls and wall time of `leadpact setup` on a bare org, of a second (no-op) setup, and
of the sync's preflight, against the sandbox over loopback HTTP. Prints figures; asserts
nothing (figures depend on the machine; the call counts do not).

    .venv/bin/python bench/setup_preflight_bench.py
"""

from __future__ import annotations

import time
from pathlib import Path

from leadpact.config import load_config
from leadpact.connect import connectors_for
from leadpact.connectors.sandbox.fixture import load_fixture, without_leadpact_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.preflight import preflight

FIXTURE = Path(__file__).parents[1] / "connectors" / "sandbox" / "example_fixture.json"
ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}


def main() -> None:
    import tempfile

    box = Sandbox(Store(":memory:"))
    url = box.serve(0)
    load_fixture(box.store, FIXTURE)
    without_leadpact_schema(box.store)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leadpact.toml"
        path.write_text(f'[salesforce]\ninstance_url = "{url}"\n[hubspot]\nhost = "{url}"\n')
        config = load_config(path, ENV)
        for label in ("setup on a bare org", "setup again (nothing to do)"):
            for connector in connectors_for(config):
                start = time.perf_counter()
                result = connector.setup("Leadpact_Integration")  # type: ignore[attr-defined]
                print(f"{label:32} {connector.system:10} {len(result.steps):3} step(s) "
                      f"{connector.api_calls:4} API calls "
                      f"{(time.perf_counter() - start) * 1000:7.1f} ms")
        connectors = connectors_for(config)
        served = {c.system: box.store.calls(c.system) for c in connectors}
        start = time.perf_counter()
        preflight(connectors)
        elapsed = (time.perf_counter() - start) * 1000
        # as the sandbox counted them: HubSpot's token introspection is not made through
        # the client library, so the connector's own counter misses it
        calls = ", ".join(f"{s} {box.store.calls(s) - n}" for s, n in served.items())
        print(f"{'sync preflight':32} requests served: {calls}; {elapsed:.1f} ms")
    box.stop()


if __name__ == "__main__":
    main()
