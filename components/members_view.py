"""The Projects page's people: who has which role in the project (owners change it), and what each did."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.shell import AppContext, flash, may
from components.text import plain
from store.access import (
    A_ROLE,
    MANAGE,
    ROLES,
    VIEWER,
    add_member,
    list_activity,
    list_members,
    remove_member,
    set_self_approval,
)
from store.errors import StoreError
from store.people import NOT_PEOPLE
from store.projects import Project

ROLE_WORDS = {"owner": "everything, and members, roles, name and archiving",
              "editor": "edit the document, data and analyses",
              "reviewer": "comment and record decisions", "viewer": "read and export"}


def members(context: AppContext, project: Project) -> None:
    """The members table (pending invites marked) and, for owners, add / change / remove and self-approval."""
    people = list_members(context.db, project.id)
    st.dataframe(pd.DataFrame([{"Name": m.display_name, "Email": "" if m.email.startswith(NOT_PEOPLE) else m.email,
                                "Role": m.role,
                                "Status": "invited: joins at first sign-in" if m.pending else "member"}
                               for m in people]),
                 hide_index=True, width="stretch")
    st.caption("Roles: " + "; ".join(f"{role}: {ROLE_WORDS[role]}" for role in ROLES)
               + ". Admins are owners of every project.")
    if not may(context, MANAGE, "change its members"):
        return
    with st.form(f"add-member-{project.id}", clear_on_submit=True):
        email_col, role_col = st.columns([3, 1])
        email = email_col.text_input("Email", key=f"member-email-{project.id}", placeholder="ana@example.org")
        role = role_col.selectbox("Role", ROLES, index=ROLES.index(VIEWER), key=f"member-role-{project.id}")
        if st.form_submit_button("Add or change role"):
            _act(lambda: add_member(context.db, context.user, project.id, email, role),
                 f"{email.strip()} is now {A_ROLE[role]} of '{project.name}'.")
    if people:
        with st.form(f"remove-member-{project.id}"):
            gone = st.selectbox("Member or invite", [m.email for m in people], key=f"member-remove-{project.id}")
            if st.form_submit_button("Remove from the project"):
                _act(lambda: remove_member(context.db, context.user, project.id, gone), f"Removed {gone}.")
    allowed = st.toggle("The author of the latest revision may approve it", value=project.allow_self_approval,
                        key=f"self-approval-{project.id}")
    if allowed != project.allow_self_approval:
        _act(lambda: set_self_approval(context.db, context.user, project.id, allowed),
             "Self-approval is now " + ("allowed." if allowed else "not allowed: another reviewer approves."))


def _act(action, done: str) -> None:
    try:
        action()
    except StoreError as error:
        st.error(plain(str(error)))
    else:
        flash(done)
        st.rerun()


def activity(context: AppContext, project: Project) -> None:
    """The project's activity feed: who did what, when, with a link to where it happened."""
    feed = list_activity(context.db, project.id, limit=200)
    if not feed:
        st.caption("Nothing recorded yet.")
        return
    st.dataframe(pd.DataFrame([{"When (UTC)": a.at[:16].replace("T", " "), "Who": a.who, "What": a.action,
                                "Detail": a.detail, "Open": a.link or None} for a in feed]),
                 hide_index=True, width="stretch",
                 column_config={"Open": st.column_config.LinkColumn("Open", display_text="open")})
