"""The sandbox's own error: bad input to it (a fixture, a seed request, a busy port).
The product's CLI turns it into its one-line message and exit code 2."""

from __future__ import annotations


class SandboxInputError(ValueError):
    """The sandbox was given something it cannot use; the message says what to change."""
