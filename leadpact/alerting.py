"""After a sync: freeze fields caught in a write loop, decide which alerts the run calls
for (leadpact.alert_rules, pure) and send them (leadpact.alert_send). Never raises: an
alert that cannot be decided or sent is logged and the sync's outcome stands."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from leadpact.alert_rules import (
    Alert,
    AlertSettings,
    LedgerWrite,
    WriteLoop,
    loop_alert,
    run_alerts,
    write_loops,
)
from leadpact.alert_send import send_alerts
from leadpact.alerts_config import AlertsConfig
from leadpact.connectors.base import WhoChanged
from leadpact.model import Ref
from leadpact.state import State

log = logging.getLogger("leadpact.alerts")
HISTORY = 50  # runs looked back at: enough for any quota streak worth alerting on


def after_run(state: State, alerts: AlertsConfig | None, run_started: datetime,
              now: datetime, connectors: Sequence[object] = ()) -> list[Alert]:
    """The alerts for the sync that began at `run_started`, sent where `[alerts]` says
    (without an [alerts] section, write loops are still frozen and the alerts only
    logged). None when that sync never got to record a run (it stopped before starting):
    an older run is not alerted on twice. `connectors` are asked who fights each new
    write loop (those that can tell: connectors.base.WhoChanged)."""
    settings = alerts.settings if alerts else AlertSettings()
    try:
        found = decide_and_freeze(state, settings, run_started, now, connectors)
    except Exception as exc:  # noqa: BLE001 - alerting must never fail the sync
        log.warning("could not work out the alerts for this run: %s", exc)
        return []
    for alert in found:  # INFO: the run's own error line already reaches stderr
        log.info("alert: %s", alert.text)
    if alerts is not None:
        send_alerts(found, alerts)
    return found


def decide_and_freeze(state: State, settings: AlertSettings, run_started: datetime,
                      now: datetime, connectors: Sequence[object] = ()) -> list[Alert]:
    runs = state.history().runs(HISTORY)
    if not runs or datetime.fromisoformat(runs[0].started_at) != run_started:
        return []
    found = run_alerts(runs, settings)
    syncs = [r.run_id for r in runs if r.kind == "sync" and r.status != "running"]
    if not syncs:
        return found
    needed = settings.write_loop_runs
    recent = list(reversed(syncs[:needed]))
    if needed < 2 or len(recent) < needed:
        return found  # too few syncs yet for a loop: no ledger read
    ledger = [LedgerWrite(*row) for row in state.ledger_of_fields_written_by_each(recent)]
    for loop in write_loops(ledger, recent, needed):
        if loop.field in state.frozen_fields(Ref.parse(loop.record)):
            continue  # frozen and alerted on already
        who = changed_by(connectors, loop)
        if state.freeze(loop.record, loop.field, syncs[0], who, now):
            found.append(loop_alert(loop, syncs[0], who))
    return found


def changed_by(connectors: Sequence[object], loop: WriteLoop) -> str | None:
    """Who fights leadpact over the field, as the record's CRM tells it (one or two
    calls); None when it cannot say or does not answer: the freeze goes ahead anyway."""
    record = Ref.parse(loop.record)
    for connector in connectors:
        if getattr(connector, "system", None) != record.system or \
                not isinstance(connector, WhoChanged):
            continue
        try:
            return connector.who_changed(record, loop.field, loop.value)
        except Exception as exc:  # noqa: BLE001 - the freeze must not depend on it
            log.warning("could not ask %s who changes %s on %s: %s", record.system,
                        loop.field, loop.record, exc)
    return None
