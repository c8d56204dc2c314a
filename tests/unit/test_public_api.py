"""The public face of `import leadpact`: exactly these names, each documented, typed."""

from __future__ import annotations

import inspect
from pathlib import Path

import leadpact

PUBLIC = [
    "AuthError", "Busy", "Change", "CheckProblem", "CheckResult", "Config", "ConfigError",
    "Connector", "ConnectorError", "Leadpact", "LeadpactError", "Override", "QuotaExhausted",
    "RecordRejected", "RetryPolicy", "RuleError", "Rules", "RunRecord", "RunSummary",
    "ServerError", "SyncResult", "SystemStats", "TitleRole", "TransientError", "UndoResult",
    "UnreachableError", "__version__", "classify_title", "load_config", "load_rules", "open",
]


def test_all_is_exactly_the_public_api() -> None:
    assert sorted(leadpact.__all__) == sorted(PUBLIC)
    assert len(set(leadpact.__all__)) == len(leadpact.__all__)


def test_every_public_name_resolves_and_callables_are_documented() -> None:
    for name in leadpact.__all__:
        value = getattr(leadpact, name)
        if callable(value) and name not in ("Change",):  # Change: a type alias (a union)
            assert inspect.getdoc(value), f"leadpact.{name} has no docstring"


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        leadpact.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_the_package_ships_py_typed() -> None:
    package = Path(leadpact.__file__).parent
    assert (package / "py.typed").is_file()
    pyproject = (package.parent / "pyproject.toml").read_text()
    assert '"leadpact" = ["py.typed"]' in pyproject


def test_classify_title_takes_the_orgs_overrides() -> None:
    assert leadpact.classify_title("CISO").role != "executive_sponsor"
    mine = [leadpact.Override("ciso", "executive_sponsor")]
    assert leadpact.classify_title("CISO", overrides=mine).role == "executive_sponsor"
