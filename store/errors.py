"""Named errors of the store. Each message says what went wrong and what to do."""
from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked."""


class StoreUnavailableError(StoreError):
    """The data directory or database cannot be opened or written."""


class NotFoundError(StoreError):
    """Record not found."""


class DuplicateNameError(StoreError):
    """Another record already has this name."""


class InvalidNameError(StoreError):
    """A name is empty or too long."""


class StaleRevisionError(StoreError):
    """A save (or a review decision) was based on a revision that is no longer the latest. ``latest``: the newest
    revision; ``read``: the one the person had read, when known."""

    def __init__(self, message: str, latest, read=None) -> None:
        super().__init__(message)
        self.latest = latest
        self.read = read


class NewerSchemaError(StoreError):
    """The database was written by a newer version of Blueprint."""
