"""leadpact: one lead definition for marketing and sales across Salesforce and HubSpot."""

__version__ = "0.1.0"
