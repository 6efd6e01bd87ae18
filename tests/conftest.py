"""Shared fixtures: a data folder per test, a migrated file store, an in-memory store."""
from __future__ import annotations

import os
import shutil

import pytest

from analysis.sources.settings import SECRETS_FILES_ENV
from sample_data.seed import seed_sample_project
from store.db import connect, open_store
from store.schema import migrate
from tests.mlflow_server import mlflow_server  # noqa: F401  (one tracking server for the whole session)

# The longest files first: `make test` hands whole files to two workers (xdist --dist loadfile) in this order, and a
# browser file of two minutes handed out last keeps one worker running alone at the end.
FIRST = ("e2e", "pages")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        folder = item.path.parent.name
        return FIRST.index(folder) if folder in FIRST else len(FIRST)

    items.sort(key=rank)      # stable: each file's tests keep their order


@pytest.fixture(autouse=True)
def secrets_files_env_undone():
    """The app names its secrets files to its job workers in this process's environment (components/identity.py sets
    BLUEPRINT_SECRETS_FILES when an AppTest runs a page): put back after each test, so neither a later test's
    in-process workers nor a server a browser test starts inherit another test's files."""
    before = os.environ.get(SECRETS_FILES_ENV)
    yield
    if before is None:
        os.environ.pop(SECRETS_FILES_ENV, None)
    else:
        os.environ[SECRETS_FILES_ENV] = before


def copied_home(template, tmp_path, monkeypatch):
    """A copy of the data folder ``template`` as this test's BLUEPRINT_HOME."""
    path = tmp_path / "home"
    shutil.copytree(template, path)
    monkeypatch.setenv("BLUEPRINT_HOME", str(path))
    return path


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
    path = tmp_path_factory.mktemp("seeded") / "home"
    database = open_store(path)
    seed_sample_project(database)
    database.close()
    return path


@pytest.fixture
def app_home(tmp_path, monkeypatch, seeded_template):
    """BLUEPRINT_HOME holding a fresh copy of the seeded sample project (what a first start creates)."""
    return copied_home(seeded_template, tmp_path, monkeypatch)


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
