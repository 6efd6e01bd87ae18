"""Named errors of the analysis layer. Each message says what is wrong and what to do."""
from __future__ import annotations


class ReadError(ValueError):
    """An uploaded file cannot be read as a CSV table."""


class TargetError(ValueError):
    """A column cannot be used as the target."""
