"""The data-source settings, read once at the boundary from what `.streamlit/secrets.toml` holds (a plain dict)
into a checked SourceSettings, or a SourceSettingsError whose message lists every problem and what to set.

    [blueprint]
    data_folders = [                                          # folders on the server people may pick files from
        { path = "/srv/data", people = ["ana@example.org", "@example.org"] },
        { path = "/mnt/shared/datasets", projects = [3, 7] },
        "/srv/admins-only",                                   # a plain path: admins only
    ]

    [blueprint.sql.warehouse]                                 # a named SQL connection ("warehouse")
    url = "postgresql://reader:secret@db.example.org:5432/analytics"
    timeout_s = 60                                            # optional: a query's time limit (default 30)
    people = ["@example.org"]                                 # who may use it (store.grants), in any project
    projects = [3]                                            # ... and the editors of these projects, there

    [blueprint.mlflow.tracking]                               # a named MLflow tracking server ("tracking")
    uri = "https://mlflow.example.org"
    token = "..."                                             # optional: a bearer token, or username and password
    timeout_s = 30                                            # optional: the time limit of each read (default 30)
    max_artifact_mb = 200                                     # optional: the largest predictions file read (MB)
    people = ["@example.org"]                                 # who may use it, as for a SQL connection

Who may use each source: its ``people`` (emails, ``@domain``s, or "everyone") and ``projects`` (ids); with
neither, admins only (store.grants, checked where a dataset is stored). The connection's address (with its
password) and an MLflow server's credentials stay on the server: pages show their names only. Sign-in keys of the
same [blueprint] section are read by signin.settings.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from store.grants import ADMINS_ONLY, Grant, read_grant

DEFAULT_TIMEOUT_S = 30
MAX_TIMEOUT_S = 3600
SCHEMES = ("postgresql", "postgres")
CONNECTION_KEYS = ("url", "timeout_s", "people", "projects")
FOLDER_KEYS = ("path", "people", "projects")
MLFLOW_KEYS = ("uri", "token", "username", "password", "timeout_s", "max_artifact_mb", "people", "projects")
MLFLOW_SCHEMES = ("http", "https")
DEFAULT_ARTIFACT_MB = 200          # as an upload's limit (analysis.reading.read.MAX_UPLOAD_BYTES)
MAX_ARTIFACT_MB = 4096
SECRETS_FILES_ENV = "BLUEPRINT_SECRETS_FILES"     # worker processes: the secrets files the server reads (os.pathsep)

EXAMPLE = """[blueprint]
data_folders = [{ path = "/srv/data", people = ["ana@example.org", "@example.org"], projects = [3] }]

[blueprint.sql.warehouse]
url = "postgresql://reader:secret@db.example.org:5432/analytics"
timeout_s = 30
people = ["@example.org"]

[blueprint.mlflow.tracking]
uri = "https://mlflow.example.org"
token = "..."
people = ["@example.org"]"""


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
    time limit of each query (PostgreSQL's statement_timeout); ``grant``: who may use it (admins only unless
    its people or projects say more)."""

    name: str
    url: str = field(repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    grant: Grant = ADMINS_ONLY

    @property
    def where(self) -> str:
        """Host, port and database, without the user or password: what a message may name."""
        parts = urlsplit(self.url)
        host = parts.hostname or "local socket"
        return f"{host}{':' + str(parts.port) if parts.port else ''}{parts.path or ''}"


@dataclass(frozen=True)
class MlflowServer:
    """A named MLflow tracking server. ``uri``: its address (http or https, without credentials: it may be shown);
    ``token`` or ``username`` and ``password``: how Blueprint signs in (never shown); ``timeout_s``: the time limit
    of each read (analysis.sources.mlflow_runs); ``max_artifact_bytes``: the largest artifact read; ``grant``: who
    may use it (admins only unless its people or projects say more)."""

    name: str
    uri: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_artifact_bytes: int = DEFAULT_ARTIFACT_MB * 2**20
    grant: Grant = ADMINS_ONLY

    @property
    def max_artifact_mb(self) -> float:
        return self.max_artifact_bytes / 2**20


@dataclass(frozen=True)
class SourceSettings:
    """data_folders: the folders files may be picked from, as written (resolved when used).
    connections: name -> SqlConnection, in the order written.
    folder_grants: str(folder) -> who may use it (a folder not in it: admins only).
    withheld_folders, withheld_connections: how many ``usable`` left out (0 for the settings as written)."""

    data_folders: tuple[Path, ...] = ()
    connections: dict[str, SqlConnection] = field(default_factory=dict)
    folder_grants: dict[str, Grant] = field(default_factory=dict)
    withheld_folders: int = 0
    withheld_connections: int = 0
    mlflow_servers: dict[str, MlflowServer] = field(default_factory=dict)
    withheld_mlflow_servers: int = 0

    def grant(self, source: dict) -> Grant:
        """Who may use the data source a dataset's ``source`` names (store.datasets.Dataset.source: a folder or a
        SQL connection): admins only when the settings do not list it."""
        if source.get("kind") == "folder":
            return self.folder_grants.get(str(source.get("folder")), ADMINS_ONLY)
        if source.get("kind") == "mlflow":
            server = self.mlflow_servers.get(str(source.get("server")))
            return server.grant if server is not None else ADMINS_ONLY
        found = self.connections.get(str(source.get("connection")))
        return found.grant if found is not None else ADMINS_ONLY

    def usable(self, allowed: Callable[[Grant], bool]) -> SourceSettings:
        """Only the folders and connections whose grant ``allowed`` accepts (what a person may pick), with how
        many of each were left out."""
        folders = tuple(f for f in self.data_folders if allowed(self.folder_grants.get(str(f), ADMINS_ONLY)))
        connections = {n: c for n, c in self.connections.items() if allowed(c.grant)}
        return replace(self, data_folders=folders, connections=connections,
                       withheld_folders=self.withheld_folders + len(self.data_folders) - len(folders),
                       withheld_connections=self.withheld_connections + len(self.connections) - len(connections),
                       mlflow_servers={n: m for n, m in self.mlflow_servers.items() if allowed(m.grant)},
                       withheld_mlflow_servers=self.withheld_mlflow_servers + sum(
                           not allowed(m.grant) for m in self.mlflow_servers.values()))

    def connection(self, name: str) -> SqlConnection:
        """The connection named ``name``; UnknownConnection naming the configured ones otherwise."""
        if name not in self.connections:
            known = ", ".join(self.connections) or "none"
            raise UnknownConnection(f"There is no SQL connection named '{name}' in the settings (configured: {known}). "
                                    "An admin adds one as [blueprint.sql.NAME] with url = \"postgresql://...\" in "
                                    ".streamlit/secrets.toml.")
        return self.connections[name]

    def mlflow_server(self, name: str) -> MlflowServer:
        """The MLflow tracking server named ``name``; UnknownConnection naming the configured ones otherwise."""
        if name not in self.mlflow_servers:
            known = ", ".join(self.mlflow_servers) or "none"
            raise UnknownConnection(f"There is no MLflow server named '{name}' in the settings (configured: {known}). "
                                    "An admin adds one as [blueprint.mlflow.NAME] with uri = \"https://...\" in "
                                    ".streamlit/secrets.toml.")
        return self.mlflow_servers[name]


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
    servers = _mlflow_servers(blueprint.get("mlflow"), problems)
    if problems:
        raise SourceSettingsError(problems)
    return SourceSettings(tuple(folders), connections, {str(path): grant for path, grant in folders.items()},
                          mlflow_servers=servers)


FOLDERS_HELP = ('data_folders = ["/srv/data"] (admins only), or with who may use each: data_folders = '
                '[{ path = "/srv/data", people = ["ana@example.org", "@example.org"], projects = [3] }]')


def _folders(value, problems: list[str]) -> dict[Path, Grant]:
    if value is None:
        return {}
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, list) or not all((isinstance(v, str) and v.strip()) or isinstance(v, Mapping)
                                              for v in value):
        problems.append(f"[blueprint] data_folders must be a list of folder paths or folders with who may use them, "
                        f"e.g. {FOLDERS_HELP}.")
        return {}
    folders = {}
    for entry in value:
        text, grant = _folder_entry(entry, problems)
        if text is None:
            continue
        path = Path(text.strip()).expanduser()
        if not path.is_absolute():
            problems.append(f'[blueprint] data_folders: "{text}" is not an absolute path; write the full path, '
                            'e.g. "/srv/data".')
        elif not path.is_dir():
            problems.append(f'[blueprint] data_folders: "{text}" is not a folder on this server (missing, or a file); '
                            "create it or remove it from the list.")
        else:
            folders[path] = grant
    return folders


def _folder_entry(entry, problems: list[str]) -> tuple[str | None, Grant]:
    """(the folder's path as written, who may use it) of one data_folders entry: a path (admins only) or a table
    with path, people and projects. (None, ...) after adding a problem."""
    if isinstance(entry, str):
        return entry, ADMINS_ONLY
    path = entry.get("path")
    where = (f'[blueprint] data_folders entry {{ path = "{path}" }}' if isinstance(path, str)
             else "[blueprint] data_folders")
    unknown = sorted(set(entry) - set(FOLDER_KEYS))
    if unknown:
        problems.append(f"{where} has unknown settings {', '.join(unknown)}; "
                        f"the known ones are {', '.join(FOLDER_KEYS)}.")
    if not isinstance(path, str) or not path.strip():
        problems.append(f'{where}: an entry with people or projects needs path = "/srv/data" (the folder), e.g. '
                        f"{FOLDERS_HELP}.")
        return None, ADMINS_ONLY
    return path, read_grant(entry.get("people"), entry.get("projects"), where, problems)


def _named_sections(value, table: str, keys: tuple[str, ...], what: str, section_help: str, problems: list[str]):
    """(name, section, where) of each [blueprint.TABLE.NAME] section in ``value``; what is not a section, and
    unknown keys, are added to ``problems`` (``what``: the table as a whole must hold; ``section_help``: what one
    section needs)."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        problems.append(f"[blueprint.{table}] must hold {what}.")
        return
    for name, section in value.items():
        where = f"[blueprint.{table}.{name}]"
        if not isinstance(section, Mapping):
            problems.append(f"{where} must be a section with {section_help}.")
            continue
        unknown = sorted(set(section) - set(keys))
        if unknown:
            problems.append(f"{where} has unknown settings {', '.join(unknown)}; the known ones are "
                            f"{', '.join(keys)}.")
        yield str(name), section, where


def _connections(value, problems: list[str]) -> dict[str, SqlConnection]:
    found = {}
    for name, section, where in _named_sections(
            value, "sql", CONNECTION_KEYS, 'named connections: [blueprint.sql.NAME] with '
            'url = "postgresql://user:password@host:5432/database"',
            'url = "postgresql://user:password@host:5432/database"', problems):
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
        grant = read_grant(section.get("people"), section.get("projects"), where, problems)
        found[name] = SqlConnection(name, url.strip(), float(timeout), grant)
    return found


MLFLOW_HELP = ('[blueprint.mlflow.NAME] with uri = "https://mlflow.example.org" '
               '(and token = "..." or username and password)')


def _mlflow_servers(value, problems: list[str]) -> dict[str, MlflowServer]:
    found = {}
    for name, section, where in _named_sections(value, "mlflow", MLFLOW_KEYS, f"named MLflow servers: {MLFLOW_HELP}",
                                                'uri = "https://mlflow.example.org"', problems):
        server = _mlflow_server(name, section, where, problems)
        if server is not None:
            found[name] = server
    return found


def _mlflow_server(name: str, section: Mapping, where: str, problems: list[str]) -> MlflowServer | None:
    """The server of one [blueprint.mlflow.NAME] section, or None after adding its problems."""
    before = len(problems)
    uri = _mlflow_uri(section.get("uri"), where, problems)
    token, username, password = (section.get(k) for k in ("token", "username", "password"))
    for key, text in (("token", token), ("username", username), ("password", password)):
        if text is not None and (not isinstance(text, str) or not text.strip()):
            problems.append(f'{where} {key} must be text in quotes, e.g. {key} = "..." (or leave it out).')
    if token is not None and (username is not None or password is not None):
        problems.append(f"{where} has a token and a username or password: Blueprint signs in with one of them. Keep "
                        "token (a bearer token), or username and password (basic sign-in).")
    elif (username is None) != (password is None):
        problems.append(f"{where} needs both username and password (basic sign-in), or neither.")
    timeout = section.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
        problems.append(f"{where} timeout_s must be a number of seconds between 1 and {MAX_TIMEOUT_S}.")
    size = section.get("max_artifact_mb", DEFAULT_ARTIFACT_MB)
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size <= MAX_ARTIFACT_MB:
        problems.append(f"{where} max_artifact_mb must be a number of megabytes between 1 and {MAX_ARTIFACT_MB}.")
    grant = read_grant(section.get("people"), section.get("projects"), where, problems)
    if len(problems) > before:
        return None
    return MlflowServer(name, uri, token, username, password, float(timeout), int(size * 2**20), grant)


def _mlflow_uri(uri, where: str, problems: list[str]) -> str:
    """The server's address, checked: http or https with a host, and no credentials in it (they would be shown)."""
    if not isinstance(uri, str) or not uri.strip():
        problems.append(f'{where} needs uri = "https://mlflow.example.org" (the tracking server\'s address).')
        return ""
    parts = urlsplit(uri.strip())
    if parts.scheme not in MLFLOW_SCHEMES or not parts.hostname:
        problems.append(f'{where} uri must be an http:// or https:// address with a host, e.g. uri = '
                        '"https://mlflow.example.org" (Blueprint reads MLflow through its tracking server).')
    elif parts.username or parts.password:
        problems.append(f"{where} uri holds a user name or password: write them as username = \"...\" and "
                        "password = \"...\" instead, so that the address can be shown without them.")
    elif parts.query or parts.fragment:
        problems.append(f"{where} uri must be the server's address without ?query or #fragment.")
    return uri.strip().rstrip("/")


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
