"""Shared fixtures: a data folder per test, a migrated file store, an in-memory store."""
from __future__ import annotations

import pytest

from store.db import connect, open_store
from store.schema import migrate


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty BLUEPRINT_HOME for this test (the app reads it at run time)."""
    path = tmp_path / "home"
    monkeypatch.setenv("BLUEPRINT_HOME", str(path))
    return path


@pytest.fixture
def db(home):
    """A migrated store in a real file under ``home``; closed after the test."""
    database = open_store(home)
    yield database
    database.close()


@pytest.fixture
def mem_db():
    """A migrated in-memory store."""
    database = connect(":memory:")
    migrate(database)
    yield database
    database.close()
