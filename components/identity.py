"""Who is here: the sign-in side of every run (issue 13). The mode comes from `.streamlit/secrets.toml`
(signin.settings), checked on every run before any page, so a misconfigured server shows what to set instead of
the app.

    user = identity.current_user(db)   # app.py, once per run, before anything of the app is drawn
    identity.sidebar_user(user)        # app.py: the person in the sidebar (name box, or name, email, Sign out)

- local (default): one person, no sign-in, this machine only (refuse_open_address). The user is
  ``local:<OS account>``; the display name typed once in the sidebar is remembered in the store.
- oidc: Streamlit's st.login / st.user. Not signed in: a sign-in page and nothing else. People are keyed by
  st.user's email; no email, or an unverified one, is refused with a message.
- header: behind a trusted sign-in proxy; the email comes from the configured header. Headers are read in this
  mode only: the same header sent by a visitor to a local or OIDC server names nobody.
"""
from __future__ import annotations

import dataclasses
import os
from typing import NoReturn

import sqlite_utils
import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitSecretNotFoundError

from analysis.sources.settings import SECRETS_FILES_ENV
from components import shell
from components.text import plain
from signin.identify import Identity, NotSignedIn, from_claims, from_headers, local
from signin.settings import SignInSettings, SignInSettingsError, read_settings
from store.errors import StoreError
from store.grants import Grant
from store.people import User, see_user, set_display_name, sync_admin

TITLE = "Blueprint"


def _secrets() -> dict:
    """What `.streamlit/secrets.toml` (or the files in the option secrets.files) holds; {} when there is none.
    The files are named to job workers too (they read a SQL dataset's connection: analysis.sources.settings)."""
    os.environ.setdefault(SECRETS_FILES_ENV, os.pathsep.join(str(f) for f in st.get_option("secrets.files")))
    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as error:
        if getattr(error, "error_id", None) == "no-secrets-found":
            return {}
        raise SignInSettingsError([f"The secrets file cannot be read: {error}. Fix the TOML (a section is "
                                   "[name] on its own line, every text value in double quotes)."]) from None


def read_secrets() -> dict:
    """The secrets this server reads (a plain dict): the one place the settings are read from, for sign-in here and
    for the data sources (components.sources_view)."""
    return _secrets()


def sign_in_settings() -> SignInSettings:
    """The checked sign-in settings of this server; when they are wrong, the page shows every problem with what
    to set (and a working example), and the run stops: nothing of the app is served."""
    try:
        return read_settings(_secrets())
    except SignInSettingsError as error:
        st.title(TITLE)
        st.error(plain(error.HEADLINE) + "\n\n" + "\n".join(f"- {plain(p)}" for p in error.problems))
        if error.example:
            st.markdown("A complete example of that section of `.streamlit/secrets.toml`:")
            st.code(error.example, language="toml")
        st.markdown("Then restart Blueprint. Its README lists each way to run, with examples.")
        _halt()


def project_creators() -> Grant:
    """Who may create projects on this server, besides admins ([blueprint] project_creators; everyone signed in
    when it is left out): the store refuses the others (store.projects.create_project)."""
    return sign_in_settings().project_creators


def _halt() -> NoReturn:
    """Stop this run (st.stop raises in a script run; the raise below is for code that runs without one)."""
    st.stop()
    raise RuntimeError("st.stop() returned outside a Streamlit script run")


def _stop(message: str, sign_out: bool = False) -> NoReturn:
    st.title(TITLE)
    st.error(plain(message))
    if sign_out and st.button("Sign out", key="sign-out"):
        st.logout()
    _halt()


# A shared link survives sign-in: Streamlit's OpenID Connect callback always returns to "/", so the sign-in page
# keeps the link that was opened (path and query) in the tab's sessionStorage, and the first page after sign-in
# opens it. Only a path on this server is followed (it starts with one "/"), never another site.
_KEEP_LINK = """<script>(function () {
  var here = window.location.pathname + window.location.search;
  if (window.location.pathname.replace(/\\/+$/, "") !== "") sessionStorage.setItem("blueprint-next", here);
})();</script>"""
_OPEN_KEPT_LINK = """<script>(function () {
  var next = sessionStorage.getItem("blueprint-next");
  if (next === null) return;
  sessionStorage.removeItem("blueprint-next");
  var here = window.location.pathname + window.location.search;
  if (/^\\/(?![\\/\\\\])[^\\s\\\\]*$/.test(next) && next !== here) window.location.replace(next);
})();</script>"""


def _sign_in_page(settings: SignInSettings) -> NoReturn:
    """OIDC mode, nobody signed in: the app's title and a Sign in button per provider, nothing else. The link
    that was opened is kept in the tab and opened after sign-in (_OPEN_KEPT_LINK)."""
    st.title(TITLE)
    st.markdown("Design reviews for ML systems. Sign in to see your projects.")
    st.html(_KEEP_LINK, unsafe_allow_javascript=True)
    for provider in settings.providers:
        label = "Sign in" if len(settings.providers) == 1 else f"Sign in with {provider}"
        if st.button(plain(label), key=f"sign-in-{provider}", type="primary"):
            try:
                st.login() if provider == "default" else st.login(provider)
            except StreamlitAuthError as error:
                st.error(plain(f"Sign-in is not set up right: {error}"))
    _halt()


def _oidc_identity(settings: SignInSettings) -> Identity:
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        _sign_in_page(settings)
    try:
        return from_claims(claims)
    except NotSignedIn as refused:
        _stop(str(refused), sign_out=True)


def headers_of_this_session() -> dict[str, list[str]]:
    """The request headers of this session (every value of each), as signin.identify.from_headers takes them."""
    headers = st.context.headers
    return {name: headers.get_all(name) for name in headers}


def _header_identity(settings: SignInSettings) -> Identity:
    try:
        return from_headers(settings, headers_of_this_session())
    except NotSignedIn as refused:
        _stop(str(refused))


def current_user(db: sqlite_utils.Database) -> User:
    """The person at the page, as the store's User (created on the first visit, last_seen refreshed).

    Stops the run, showing why, when the settings are wrong, when local mode is served beyond this machine, when
    nobody is signed in (OIDC: the sign-in page), or when the sign-in names nobody usable."""
    settings = sign_in_settings()
    if settings.mode == "local":
        shell.refuse_open_address()
        me = local(shell.local_account())
    elif settings.mode == "oidc":
        me = _oidc_identity(settings)
    else:
        me = _header_identity(settings)
    if settings.mode == "local":        # one person, nobody signs in: the first (only) person is the admin
        return see_user(db, me.email, me.name, first_is_admin=True)
    user = see_user(db, me.email, me.name)
    return sync_admin(db, user, user.email.lower() in settings.admins)   # exactly the settings' admins


def _keep_name(user_id: int) -> None:
    """on_change of local mode's name box: this session writes under the name, and the store remembers it (the
    name every new session and restart starts with)."""
    name = " ".join(st.session_state["author"].split())
    db = shell.connect_store()
    try:
        set_display_name(db, user_id, name)
        st.session_state["author-kept"] = name
    except StoreError as error:
        st.session_state["author-problem"] = str(error)
    finally:
        db.close()


def sidebar_user(user: User) -> User:
    """The person in the sidebar, and the user to act as. Local mode: "Your name", starting as the OS account;
    a name typed once is the display name from then on, after reloads and restarts; each session writes under
    the name typed in it (one account, but a team may try Blueprint on one machine). Signed in: the display
    name, the email and Sign out (OIDC: st.logout; header mode: a link to [blueprint] sign_out_url when set)."""
    settings = sign_in_settings()
    if settings.mode == "local":
        if "author-kept" not in st.session_state:
            st.session_state["author-kept"] = user.display_name
        st.session_state["author"] = st.session_state["author-kept"]
        st.sidebar.text_input("Your name", key="author", on_change=_keep_name, args=(user.id,),
                              help="Shown on everything you save; remembered for your next visit.")
        problem = st.session_state.pop("author-problem", None)
        if problem:
            st.sidebar.error(plain(problem))
        return dataclasses.replace(user, display_name=st.session_state["author-kept"])
    box = st.sidebar.container(key="signed-in")
    box.markdown(f"**{plain(user.display_name)}**  \n{plain(user.email)}")
    if settings.mode == "oidc":
        if not st.session_state.get("kept-link-opened"):       # once per session: the link kept at sign-in
            st.session_state["kept-link-opened"] = True
            box.html(_OPEN_KEPT_LINK, unsafe_allow_javascript=True)
        if box.button("Sign out", key="sign-out"):
            st.logout()
    elif settings.sign_out_url:
        box.link_button("Sign out", settings.sign_out_url)
    return user
