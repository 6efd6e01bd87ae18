"""Local mode: one person, no sign-in; their name is remembered in the store; only a loopback address is served."""
from __future__ import annotations

import pytest
from streamlit import config

from components.shell import local_account
from store.db import open_store
from store.errors import InvalidNameError
from store.people import find_user, see_user, set_display_name
from tests.apptest import open_app, texts


def test_a_user_is_created_once_and_keeps_a_display_name(db):
    first = see_user(db, "local:ana", "ana")
    again = see_user(db, "local:ana", "someone else")
    assert again.id == first.id and again.display_name == "ana"
    assert set_display_name(db, first.id, "  Ana   Lima ").display_name == "Ana Lima"
    with pytest.raises(InvalidNameError, match="cannot be empty"):
        set_display_name(db, first.id, "   ")


def test_the_name_typed_once_is_remembered_for_the_next_visit(app_home):
    at = open_app("pages/projects.py")
    assert at.sidebar.text_input(key="author").value == local_account()
    at.sidebar.text_input(key="author").input("Dana Reviewer").run()
    later = open_app("pages/projects.py")               # a new session: a reload, or tomorrow after a restart
    assert later.sidebar.text_input(key="author").value == "Dana Reviewer"
    db = open_store(app_home)
    assert find_user(db, f"local:{local_account()}").display_name == "Dana Reviewer"
    db.close()


@pytest.fixture
def open_address():
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


def test_local_mode_refuses_to_serve_beyond_this_machine(app_home, open_address):
    at = open_app()
    assert not at.exception
    assert any("refuses to serve on 0.0.0.0" in e and "--server.address 127.0.0.1" in e for e in texts(at, "error"))
    assert not at.sidebar.text_input                      # nothing of the app is served
