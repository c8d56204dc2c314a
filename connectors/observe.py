"""How a connector tells whoever watches a run how far its reads have got, without
knowing who watches (a progress bar, periodic log lines, a test). Connectors hold a
`ReadObserver` and call it as pages arrive; they never import UI code."""

from __future__ import annotations

from typing import Protocol


class ReadObserver(Protocol):
    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        """A read of `stream` began; `total` is the row count the CRM reported for it
        (Salesforce `totalSize`, HubSpot search `total`), None when it reports none."""
        ...

    def items_done(self, system: str, stream: str, count: int) -> None:
        """`count` more rows of `stream` were read and their page handled (so a bar fed
        from here moves, and estimates, at the pace of the whole run)."""
        ...


class NoObserver:
    """Watches nothing: the default, so connectors can always call their observer."""

    def stream_started(self, system: str, stream: str, total: int | None) -> None:
        pass

    def items_done(self, system: str, stream: str, count: int) -> None:
        pass


NO_OBSERVER = NoObserver()


class SetupObserver(Protocol):
    """How `leadpact setup` reports its work in one CRM: the number of steps, known once
    the CRM has been read and before anything is created, then each step as it is done."""

    def setup_planned(self, system: str, total: int) -> None:
        ...

    def setup_done(self, system: str, what: str, count: int = 1) -> None:
        """`count` more of the planned steps done; `what` says the last one."""
        ...


class NoSetupObserver:
    def setup_planned(self, system: str, total: int) -> None:
        pass

    def setup_done(self, system: str, what: str, count: int = 1) -> None:
        pass


NO_SETUP_OBSERVER = NoSetupObserver()
