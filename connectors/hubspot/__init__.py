"""The HubSpot connector (hubspot-api-client, CRM v3/v4 APIs)."""

from __future__ import annotations

from leadpact.connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector"]
