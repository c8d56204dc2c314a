"""The Salesforce connector (simple-salesforce, REST API)."""

from __future__ import annotations

from leadpact.connectors.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]
