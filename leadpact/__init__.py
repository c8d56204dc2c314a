"""leadpact: one lead definition for marketing and sales across Salesforce and HubSpot.

From Python::

    import leadpact

    lp = leadpact.open("leadpact.toml")     # or a Config; connectors=[...] to inject
    result = lp.plan()                      # SyncResult: summary + every planned change
    leadpact.classify_title("VP, Finance").role   # 'economic_buyer'

Everything named in `__all__` is the public API; every other module is internal and may
change between releases.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Loaded on first use, so `leadpact --version` and `import leadpact.x` stay quick.
_EXPORTS = {
    "AuthError": "leadpact.errors",
    "Busy": "leadpact.errors",
    "Change": "leadpact.changes",
    "CheckProblem": "leadpact.connectors.base",
    "CheckResult": "leadpact.api",
    "Config": "leadpact.config",
    "ConfigError": "leadpact.errors",
    "Connector": "leadpact.connectors.base",
    "ConnectorError": "leadpact.errors",
    "Leadpact": "leadpact.api",
    "LeadpactError": "leadpact.errors",
    "Override": "leadpact.enrichment.titles",
    "QuotaExhausted": "leadpact.errors",
    "RecordRejected": "leadpact.errors",
    "RetryPolicy": "leadpact.connectors.retry",
    "RuleError": "leadpact.errors",
    "Rules": "leadpact.rules.engine",
    "RunRecord": "leadpact.history",
    "RunSummary": "leadpact.pipeline",
    "ServerError": "leadpact.errors",
    "SyncResult": "leadpact.api",
    "SystemStats": "leadpact.pipeline",
    "TitleRole": "leadpact.enrichment.titles",
    "TransientError": "leadpact.errors",
    "UndoResult": "leadpact.undo",
    "UnreachableError": "leadpact.errors",
    "classify_title": "leadpact.enrichment.titles",
    "load_config": "leadpact.config",
    "load_rules": "leadpact.api",
    "open": "leadpact.api",
}

if TYPE_CHECKING:
    from leadpact.api import CheckResult, Leadpact, SyncResult, load_rules, open
    from leadpact.changes import Change
    from leadpact.config import Config, load_config
    from leadpact.connectors.base import CheckProblem, Connector
    from leadpact.connectors.retry import RetryPolicy
    from leadpact.enrichment.titles import Override, TitleRole, classify_title
    from leadpact.errors import (
        AuthError,
        Busy,
        ConfigError,
        ConnectorError,
        LeadpactError,
        QuotaExhausted,
        RecordRejected,
        RuleError,
        ServerError,
        TransientError,
        UnreachableError,
    )
    from leadpact.history import RunRecord
    from leadpact.pipeline import RunSummary, SystemStats
    from leadpact.rules.engine import Rules
    from leadpact.undo import UndoResult

__all__ = [
    "AuthError",
    "Busy",
    "Change",
    "CheckProblem",
    "CheckResult",
    "ConfigError",
    "Config",
    "Connector",
    "ConnectorError",
    "Leadpact",
    "LeadpactError",
    "Override",
    "QuotaExhausted",
    "RecordRejected",
    "RetryPolicy",
    "RuleError",
    "Rules",
    "RunRecord",
    "RunSummary",
    "ServerError",
    "SyncResult",
    "SystemStats",
    "TitleRole",
    "TransientError",
    "UndoResult",
    "UnreachableError",
    "__version__",
    "classify_title",
    "load_config",
    "load_rules",
    "open",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'leadpact' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
