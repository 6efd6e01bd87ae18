"""The data-source settings, read once at the boundary from what `.streamlit/secrets.toml` holds (a plain dict)
into a checked SourceSettings, or a SourceSettingsError whose message lists every problem and what to set.

    [blueprint]
    data_folders = ["/srv/data", "/mnt/shared/datasets"]    # folders on the server people may pick files from

    [blueprint.sql.warehouse]                                 # a named SQL connection ("warehouse")
    url = "postgresql://reader:secret@db.example.org:5432/analytics"
    timeout_s = 60                                            # optional: a query's time limit (default 30)

The connection's address (with its password) stays on the server: pages show the connection's name only.
Sign-in keys of the same [blueprint] section are read by signin.settings.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_TIMEOUT_S = 30
MAX_TIMEOUT_S = 3600
SCHEMES = ("postgresql", "postgres")
CONNECTION_KEYS = ("url", "timeout_s")
SECRETS_FILES_ENV = "BLUEPRINT_SECRETS_FILES"     # worker processes: the secrets files the server reads (os.pathsep)

EXAMPLE = """[blueprint]
data_folders = ["/srv/data"]

[blueprint.sql.warehouse]
url = "postgresql://reader:secret@db.example.org:5432/analytics"
timeout_s = 30"""


class SourceSettingsError(ValueError):
    """The data-source settings are wrong; the message says every problem and what to set."""

    HEADLINE = "The data sources in .streamlit/secrets.toml need fixing."

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(self.HEADLINE + "\n" + "\n".join(f"- {p}" for p in self.problems)
                         + "\n\nA complete example:\n\n" + EXAMPLE)


@dataclass(frozen=True)
class SqlConnection:
    """A named SQL connection. ``url``: the libpq address (with credentials; never shown); ``timeout_s``: the
    time limit of each query (PostgreSQL's statement_timeout)."""

    name: str
    url: str = field(repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def where(self) -> str:
        """Host, port and database, without the user or password: what a message may name."""
        parts = urlsplit(self.url)
        host = parts.hostname or "local socket"
        return f"{host}{':' + str(parts.port) if parts.port else ''}{parts.path or ''}"


@dataclass(frozen=True)
class SourceSettings:
    """data_folders: the folders files may be picked from, as written (resolved when used).
    connections: name -> SqlConnection, in the order written."""

    data_folders: tuple[Path, ...] = ()
    connections: dict[str, SqlConnection] = field(default_factory=dict)

    def connection(self, name: str) -> SqlConnection:
        """The connection named ``name``; UnknownConnection naming the configured ones otherwise."""
        if name not in self.connections:
            known = ", ".join(self.connections) or "none"
            raise UnknownConnection(f"There is no SQL connection named '{name}' in the settings (configured: {known}). "
                                    "An admin adds one as [blueprint.sql.NAME] with url = \"postgresql://...\" in "
                                    ".streamlit/secrets.toml.")
        return self.connections[name]


class UnknownConnection(KeyError):
    """A connection name that the settings do not list."""

    def __str__(self) -> str:
        return str(self.args[0])


def read_source_settings(secrets: Mapping | None) -> SourceSettings:
    """Check the data-source part of ``secrets`` (the dict st.secrets holds) and return it, or raise
    SourceSettingsError listing every problem."""
    blueprint = (secrets or {}).get("blueprint", {})
    if not isinstance(blueprint, Mapping):
        return SourceSettings()        # signin.settings says what is wrong with [blueprint] itself
    problems: list[str] = []
    folders = _folders(blueprint.get("data_folders"), problems)
    connections = _connections(blueprint.get("sql"), problems)
    if problems:
        raise SourceSettingsError(problems)
    return SourceSettings(folders, connections)


def _folders(value, problems: list[str]) -> tuple[Path, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append('[blueprint] data_folders must be a list of folder paths, e.g. data_folders = ["/srv/data"].')
        return ()
    folders = []
    for text in value:
        path = Path(text.strip()).expanduser()
        if not path.is_absolute():
            problems.append(f'[blueprint] data_folders: "{text}" is not an absolute path; write the full path, '
                            'e.g. "/srv/data".')
        elif not path.is_dir():
            problems.append(f'[blueprint] data_folders: "{text}" is not a folder on this server (missing, or a file); '
                            "create it or remove it from the list.")
        else:
            folders.append(path)
    return tuple(folders)


def _connections(value, problems: list[str]) -> dict[str, SqlConnection]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append("[blueprint.sql] must hold named connections: [blueprint.sql.NAME] with "
                        'url = "postgresql://user:password@host:5432/database".')
        return {}
    found = {}
    for name, section in value.items():
        where = f"[blueprint.sql.{name}]"
        if not isinstance(section, Mapping):
            problems.append(f'{where} must be a section with url = "postgresql://user:password@host:5432/database".')
            continue
        unknown = sorted(set(section) - set(CONNECTION_KEYS))
        if unknown:
            problems.append(f"{where} has unknown settings {', '.join(unknown)}; the known ones are "
                            f"{', '.join(CONNECTION_KEYS)}.")
        url = section.get("url")
        if not isinstance(url, str) or not url.strip():
            problems.append(f'{where} needs url = "postgresql://user:password@host:5432/database".')
            continue
        if urlsplit(url.strip()).scheme not in SCHEMES:
            problems.append(f"{where} url must start with postgresql:// (PostgreSQL is the SQL source Blueprint "
                            "reads); the address is not shown here because it may hold a password.")
            continue
        timeout = section.get("timeout_s", DEFAULT_TIMEOUT_S)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
            problems.append(f"{where} timeout_s must be a number of seconds between 1 and {MAX_TIMEOUT_S}.")
            continue
        found[str(name)] = SqlConnection(str(name), url.strip(), float(timeout))
    return found


def secrets_from_files(paths: list[str | Path] | None = None) -> dict:
    """The secrets as Streamlit reads them, for processes without Streamlit (job workers): the files in
    SECRETS_FILES_ENV (os.pathsep-separated) when set, else Streamlit's defaults (~/.streamlit/secrets.toml,
    then ./.streamlit/secrets.toml, the later one winning key by key at the top level)."""
    if paths is None:
        listed = os.environ.get(SECRETS_FILES_ENV)
        paths = (listed.split(os.pathsep) if listed
                 else [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"])
    merged: dict = {}
    for path in map(Path, paths):
        if path.is_file():
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
    return merged
