"""Who may use what beyond a role in a project: each data source (a data folder, a SQL connection) and creating
projects. An admin writes it in `.streamlit/secrets.toml`; it is checked here, where data is written.

    [blueprint]
    project_creators = ["everyone"]                      # the default; or emails and domains: ["@example.org"]
    data_folders = [{ path = "/srv/data", people = ["ana@example.org", "@example.org"], projects = [3, 7] }]

    [blueprint.sql.warehouse]
    url = "postgresql://..."
    people = ["@example.org"]                            # who may use it, in any project they edit
    projects = [3]                                       # every editor of these projects may use it there

    grant = read_grant(section.get("people"), section.get("projects"), "[blueprint.sql.warehouse]", problems)
    require_source(db, user, project_id, "the SQL connection 'warehouse'", grant)   # PermissionDenied says who may
    require_creator(db, user, creators)

A data source nobody is granted (no people, no projects) is for admins only; admins may use every source and
create projects whatever the settings say. System (Blueprint itself: the seed, tests) is trusted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from store.access import PermissionDenied
from store.errors import NotFoundError
from store.people import System, User, check_actor, get_user

EVERYONE_WORD = "everyone"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")            # as signin.settings checks admins
_DOMAIN = re.compile(r"^@[^@\s]+$")


@dataclass(frozen=True)
class Grant:
    """Who may, besides admins. ``people``: lower-cased emails and ``@domain``s; ``everyone``: every signed-in
    person; ``projects``: ids of projects in which their editors may (a data source)."""

    people: frozenset[str] = frozenset()
    projects: frozenset[int] = frozenset()
    everyone: bool = False

    def allows(self, email: str, project_id: int | None = None) -> bool:
        """Whether a person who is not an admin, known by ``email``, may (in ``project_id``, for a data source)."""
        email = (email or "").strip().lower()
        if self.everyone or email in self.people or (project_id is not None and project_id in self.projects):
            return True
        return "@" in email and "@" + email.rsplit("@", 1)[1] in self.people

    def who(self) -> str:
        """Who may, in words: "only admins", "everyone signed in", "admins, ana@example.org, anyone at example.org
        and the editors of project 3"."""
        if self.everyone:
            return "everyone signed in"
        names = sorted(p for p in self.people if not p.startswith("@"))
        names += [f"anyone at {p[1:]}" for p in sorted(self.people) if p.startswith("@")]
        if self.projects:
            ids = sorted(self.projects)
            listed = ", ".join(map(str, ids[:-1])) + (" and " if len(ids) > 1 else "") + str(ids[-1])
            names.append(f"the editors of project{'s' if len(ids) > 1 else ''} {listed}")
        if not names:
            return "only admins"
        names = ["admins", *names]
        return ", ".join(names[:-1]) + " and " + names[-1]


ADMINS_ONLY = Grant()
EVERYONE = Grant(everyone=True)


def read_grant(people, projects, where: str, problems: list[str]) -> Grant:
    """The Grant of a data source's settings section ``where`` (e.g. "[blueprint.sql.warehouse]"): its ``people``
    and ``projects`` as a secrets file holds them (None when left out; both left out: admins only). A wrong value
    adds a line to ``problems`` saying what to write, and grants nothing."""
    named, everyone = _people(people, f"{where} people", problems)
    return Grant(named, _projects(projects, f"{where} projects", problems), everyone)


def read_creators(value, problems: list[str]) -> Grant:
    """Who may create projects, from ``[blueprint] project_creators`` (None when left out: everyone signed in)."""
    if value is None:
        return EVERYONE
    named, everyone = _people(value, "[blueprint] project_creators", problems)
    return Grant(named, frozenset(), everyone)


def _people(value, key: str, problems: list[str]) -> tuple[frozenset[str], bool]:
    help_ = (f'write emails and email domains in quotes, e.g. {key.split()[-1]} = ["ana@example.org", "@example.org"] '
             '("@example.org": everyone whose email ends in it), or ["everyone"] for everyone signed in')
    if value is None:
        return frozenset(), False
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{key} must be a list: {help_}.")
        return frozenset(), False
    found, bad = set(), []
    for item in value:
        text = item.strip().lower() if isinstance(item, str) else None
        if text == EVERYONE_WORD or (text and (_EMAIL.match(text) or _DOMAIN.match(text))):
            found.add(text)
        else:
            bad.append(f'"{item}"' if isinstance(item, str) else repr(item))
    if bad:
        problems.append(f"{key}: {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} neither an email nor an email "
                        f"domain; {help_}.")
        return frozenset(), False
    return frozenset(found - {EVERYONE_WORD}), EVERYONE_WORD in found


def _projects(value, key: str, problems: list[str]) -> frozenset[int]:
    if value is None:
        return frozenset()
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        problems.append(f"{key} must be a list of project ids (the number in a project's link, ?project=3), "
                        "e.g. projects = [3, 7].")
        return frozenset()
    return frozenset(value)


def _person(db: sqlite_utils.Database, who: User | System) -> User | None:
    """The signed-in person as the store knows them now (admin or not), or None for System."""
    if isinstance(check_actor(who), System):
        return None
    try:
        return get_user(db, who.id)
    except NotFoundError:
        return who


def may(db: sqlite_utils.Database, who: User | System, grant: Grant, project_id: int | None = None) -> bool:
    """Whether ``who`` may use what ``grant`` covers (in ``project_id``): System and admins always may."""
    person = _person(db, who)
    return person is None or person.is_admin or grant.allows(person.email, project_id)


def require_source(db: sqlite_utils.Database, who: User | System, project_id: int, source: str, grant: Grant) -> None:
    """PermissionDenied, saying who may and what to ask, unless ``who`` may use the data source ``source`` (e.g.
    "the data folder /srv/data") in the project."""
    if not may(db, who, grant, project_id):
        raise PermissionDenied(
            f"{who.display_name} may not use {source} in this project: {grant.who()} may. Ask an admin to add "
            "you (your email or its domain) to its people, or this project to its projects, in the server's "
            'settings (README, "Data sources").')


def require_creator(db: sqlite_utils.Database, who: User | System, creators: Grant) -> None:
    """PermissionDenied, saying who may and what to ask, unless ``who`` may create projects."""
    if not may(db, who, creators):
        raise PermissionDenied(
            f"{who.display_name} may not create projects on this server: {creators.who()} may. Ask an admin to "
            "create it for you and add you as its owner, or to add you to project_creators in the server's "
            'settings (README, "Ways to run").')
