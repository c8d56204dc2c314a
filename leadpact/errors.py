"""The one error tree. Every message says what happened and what to do about it."""

from __future__ import annotations


class LeadpactError(Exception):
    """Base of every error leadpact raises on purpose."""

    exit_code = 1


class ConfigError(LeadpactError):
    """The config file or environment is missing something or holds a bad value."""

    exit_code = 2


class RuleError(LeadpactError):
    """The rules file does not parse or does not validate."""

    exit_code = 2


class ConnectorError(LeadpactError):
    """A CRM could not be reached or refused a call."""

    exit_code = 2


class AuthError(ConnectorError):
    """The CRM rejected the credentials."""


class UnreachableError(ConnectorError):
    """The CRM did not answer (connection refused, DNS, timeout)."""


class QuotaExhausted(ConnectorError):
    """The CRM's API allowance is used up: stop now and retry later."""

    exit_code = 75


class Busy(LeadpactError):
    """Another leadpact run holds the state: try again when it has finished."""

    exit_code = 75


class RecordRejected(ConnectorError):
    """The CRM refused one record; the rest of the batch goes on."""

    exit_code = 1
