"""Shared fixtures: a data folder per test, a migrated file store, an in-memory store."""
from __future__ import annotations

import shutil

import pytest

from store.db import connect, open_store
from store.schema import migrate
from tests.mlflow_server import mlflow_server  # noqa: F401  (one tracking server for the whole session)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty BLUEPRINT_HOME for this test (the app reads it at run time)."""
    path = tmp_path / "home"
    monkeypatch.setenv("BLUEPRINT_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """A data folder seeded once per test session with the sample project (profile, leakage scan, drift
    check, baseline run: several seconds), copied by ``app_home`` for each test."""
    from sample_data.seed import seed_sample_project

    path = tmp_path_factory.mktemp("seeded") / "home"
    database = open_store(path)
    seed_sample_project(database)
    database.close()
    return path


@pytest.fixture
def app_home(tmp_path, monkeypatch, seeded_template):
    """BLUEPRINT_HOME holding a fresh copy of the seeded sample project (what a first start creates)."""
    path = tmp_path / "home"
    shutil.copytree(seeded_template, path)
    monkeypatch.setenv("BLUEPRINT_HOME", str(path))
    return path


@pytest.fixture
def app_db(app_home):
    """The seeded sample store of ``app_home``, open; closed after the test."""
    database = open_store(app_home)
    yield database
    database.close()


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
