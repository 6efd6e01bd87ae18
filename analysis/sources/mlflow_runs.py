"""Runs of an MLflow tracking server, read and never written, each read under a time limit Blueprint enforces.

    server = settings.mlflow_server("tracking")                 # analysis.sources.settings.MlflowServer
    experiments = list_experiments(server)                       # [Experiment(id, name)]
    runs = list_runs(server, experiments[0].id)                  # [RunSummary], newest first, with their metrics
    run = get_run(server, run_id)                                # Run: params, metrics, tags, artifact_uri
    version = get_model_version(server, "churn-gbm", "3")        # ModelVersion -> get_run(server, version.run_id)
    files = list_artifacts(server, run)                          # [Artifact(path, size_bytes, kind)]
    found = read_artifact_table(server, run, "eval/predictions.parquet")   # ArtifactTable
    found.table                                                  # analysis.reading.read.Table

Every error is an MlflowError whose message says what is wrong and what to do, and never holds the server's
credentials: the server is down or unreachable (MlflowUnreachable), did not answer in time (MlflowTimeout), refused
Blueprint's sign-in, the run was deleted or is not there (RunNotFound), the artifact is over the server's
max_artifact_mb (ArtifactTooLarge) or is not a table (NotATable).

Blueprint speaks MLflow's REST API (``/api/2.0/mlflow/...``) with ``requests`` rather than through the MLflow client
(mlflow-skinny): that client takes its time limit, retries and credentials from process-wide environment variables
(MLFLOW_HTTP_REQUEST_TIMEOUT, MLFLOW_TRACKING_TOKEN, ...), so two servers with their own credentials and limits could
not be read side by side in one app server, and a server that is down took it 247 s (7 retries with back-off) to
report here. Each read below runs in a thread of its own that the caller stops waiting for at the server's
timeout_s (name resolution and a server that accepts but never answers included), with no retries; stop_reads() (a
job's Cancel) ends the reads of this process at once. Artifacts are downloaded through the tracking server: its
artifact proxy (``mlflow-artifacts:`` locations) or its own download route for stores it reads itself, in chunks,
stopped past the size limit. Tables are read by the one reader (analysis.reading.read.read_table): Parquet, CSV and
tables logged with ``mlflow.log_table`` (JSON).
"""
from __future__ import annotations

import json
import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import requests

from analysis.errors import ReadError
from analysis.reading.read import Table, format_size, read_table
from analysis.sources.settings import MlflowServer

CONNECT_TIMEOUT_S = 10            # at most this to open a connection (within the server's timeout_s)
CHUNK_BYTES = 1 << 16
MAX_JSON_BYTES = 64 * 2**20       # an answer of the tracking API larger than this is refused
MAX_RUNS = 500                    # list_runs: the newest runs of an experiment shown to pick from
MAX_EXPERIMENTS = 1000
MAX_ARTIFACTS = 2000              # list_artifacts: files and folders walked at most
PAGE = 200
TABLE_KINDS = {".parquet": "parquet", ".csv": "csv", ".csv.gz": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json",
               ".xlsx": "xlsx"}
LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts"     # what mlflow.log_table records: [{"path": ..., "type": "table"}]


class MlflowError(ValueError):
    """An MLflow server cannot be read as asked; the message says why and what to do (no credentials in it)."""


class MlflowUnreachable(MlflowError):
    """The server is down, or cannot be reached from this Blueprint server."""


class MlflowTimeout(MlflowUnreachable):
    """The server did not answer within its time limit (timeout_s)."""


class MlflowCancelled(MlflowError):
    """The read was stopped by stop_reads() (a job's Cancel, a worker's end)."""


class RunNotFound(MlflowError):
    """The run (or model version, or experiment) is not on the server, or was deleted."""


class ArtifactTooLarge(MlflowError):
    """The artifact is larger than the server's max_artifact_mb."""


class NotATable(MlflowError):
    """The artifact is not a file Blueprint reads as a table, or cannot be read as one."""


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str


@dataclass(frozen=True)
class RunSummary:
    """A run as an experiment lists it: ``start_time`` in UTC ISO 8601 ("" when unknown); ``status`` as MLflow says
    it (RUNNING, FINISHED, FAILED, KILLED, SCHEDULED); ``metrics``: each metric's latest value."""

    id: str
    name: str
    experiment_id: str
    start_time: str
    status: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class Run:
    """One run with what it logged: ``params`` (text, as MLflow keeps them), ``metrics`` (latest value of each),
    ``tags``; ``artifact_uri``: where its artifacts are, as the server says."""

    id: str
    name: str
    experiment_id: str
    status: str
    start_time: str
    end_time: str
    artifact_uri: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]

    def logged(self) -> dict:
        """What the store keeps of the run (store.models: a model version's ``run``)."""
        return {"run_id": self.id, "run_name": self.name, "experiment_id": self.experiment_id, "status": self.status,
                "start_time": self.start_time, "end_time": self.end_time, "params": self.params,
                "metrics": self.metrics, "tags": self.tags}

    def tables_logged(self) -> set[str]:
        """The artifact paths the run logged with mlflow.log_table (its tag mlflow.loggedArtifacts)."""
        try:
            entries = json.loads(self.tags.get(LOGGED_ARTIFACTS_TAG, "[]"))
        except ValueError:
            return set()
        return {e["path"] for e in entries if isinstance(e, dict) and e.get("type") == "table" and "path" in e}


@dataclass(frozen=True)
class ModelVersion:
    """A registered model's version and the run it came from (``run_id``; "" when registered from outside a run)."""

    name: str
    version: str
    run_id: str
    status: str
    source: str


@dataclass(frozen=True)
class Artifact:
    """A file among a run's artifacts: ``size_bytes`` as the server lists it (None when it does not say); ``kind``:
    how Blueprint reads it as a table ("parquet", "csv", "xlsx", "json" for a table logged with mlflow.log_table,
    which ``logged_table`` marks), None for a file that is not a table (a model, a picture)."""

    path: str
    size_bytes: int | None
    kind: str | None
    logged_table: bool = False


@dataclass(frozen=True)
class ArtifactTable:
    """An artifact read as a table: the reader's ``table`` (its content_hash: SHA-256 of the bytes downloaded) and
    where it came from (``source``: what store.models keeps of it)."""

    table: Table = field(repr=False)
    server: str
    run_id: str
    path: str
    size_bytes: int
    experiment_id: str = ""

    @property
    def source(self) -> dict:
        return {"kind": "mlflow", "server": self.server, "run_id": self.run_id, "artifact_path": self.path,
                "experiment_id": self.experiment_id}


# --- what a person asks for ------------------------------------------------------------------------------------

def list_experiments(server: MlflowServer) -> list[Experiment]:
    """The server's active experiments, in the order it lists them (the newest first)."""
    def work(read: _Read) -> list[Experiment]:
        found = read.pages("/api/2.0/mlflow/experiments/search", {"view_type": "ACTIVE_ONLY"}, "experiments",
                           MAX_EXPERIMENTS)
        return [Experiment(str(e["experiment_id"]), e.get("name", "")) for e in found]

    return _limited(server, "list its experiments", work)


def list_runs(server: MlflowServer, experiment_id: str, limit: int = MAX_RUNS) -> list[RunSummary]:
    """The active runs of an experiment, the newest first (at most ``limit``); RunNotFound when there is no such
    experiment."""
    def work(read: _Read) -> list[RunSummary]:
        body = {"experiment_ids": [str(experiment_id)], "run_view_type": "ACTIVE_ONLY",
                "order_by": ["attributes.start_time DESC"]}
        missing = (f"There is no experiment {experiment_id} on the MLflow server '{server.name}': it was deleted, or "
                   "the id is wrong. Pick an experiment from the list.")
        found = read.json("GET", "/api/2.0/mlflow/experiments/get", {"experiment_id": str(experiment_id)}, missing)
        if found.get("experiment", {}).get("lifecycle_stage") == "deleted":
            raise RunNotFound(missing)
        return [_summary(r) for r in read.pages("/api/2.0/mlflow/runs/search", body, "runs", limit, missing)]

    return _limited(server, "list the runs of an experiment", work)


def get_run(server: MlflowServer, run_id: str) -> Run:
    """One run with its params, metrics and tags; RunNotFound when it is not on the server or was deleted."""
    run_id = _checked_id(run_id, "run id")

    def work(read: _Read) -> Run:
        missing = (f"There is no run {run_id} on the MLflow server '{server.name}': it was deleted for good, or the "
                   "id is wrong. Pick a run from the experiment's list.")
        found = read.json("GET", "/api/2.0/mlflow/runs/get", {"run_id": run_id}, missing).get("run") or {}
        if found.get("info", {}).get("lifecycle_stage") == "deleted":
            raise RunNotFound(f"Run {run_id} ('{found['info'].get('run_name', '')}') was deleted on the MLflow server "
                              f"'{server.name}' (it is in MLflow's trash). Restore it in MLflow, or pick another run.")
        return _run(found)

    return _limited(server, f"read run {run_id}", work)


def get_model_version(server: MlflowServer, name: str, version: str | int) -> ModelVersion:
    """A registered model's version (name, version) with the run it came from; RunNotFound when there is none, and
    MlflowError when the version has no run (Blueprint reads a version's run: its params, metrics and artifacts)."""
    name, version = str(name).strip(), str(version).strip()

    def work(read: _Read) -> ModelVersion:
        missing = (f"The MLflow server '{server.name}' has no version {version} of a registered model named "
                   f"'{name}'. Check the name and version in MLflow's Models page, or pick from the list.")
        answer = read.json("GET", "/api/2.0/mlflow/model-versions/get", {"name": name, "version": version}, missing)
        return _model_version(answer.get("model_version") or {})

    found = _limited(server, f"read version {version} of the model '{name}'", work)
    if not found.run_id:
        raise MlflowError(f"Version {found.version} of '{found.name}' on '{server.name}' was registered without a run "
                          f"(from {found.source or 'a path'}), so it has no params, metrics or predictions to read. "
                          "Pick the run that trained it instead, or register the version from that run.")
    return found


def list_model_versions(server: MlflowServer, name: str | None = None, limit: int = MAX_RUNS) -> list[ModelVersion]:
    """The registered models' versions (of the model ``name`` only, when given), as the server lists them."""
    def work(read: _Read) -> list[ModelVersion]:
        query = {"filter": f"name='{name}'"} if name else {}
        found = read.pages("/api/2.0/mlflow/model-versions/search", query, "model_versions", limit)
        return [_model_version(v) for v in found]

    if name is not None and "'" in name:
        raise MlflowError("A registered model's name with a quote (') cannot be searched; pick it from the list.")
    return _limited(server, "list the registered models' versions", work)


def list_artifacts(server: MlflowServer, run: Run) -> list[Artifact]:
    """The files among the run's artifacts (folders walked, at most MAX_ARTIFACTS entries), tables first."""
    logged = run.tables_logged()

    def work(read: _Read) -> list[Artifact]:
        files, folders, seen = [], [""], 0
        while folders and seen < MAX_ARTIFACTS:
            folder = folders.pop(0)
            params = {"run_id": run.id, **({"path": folder} if folder else {})}
            for entry in read.json("GET", "/api/2.0/mlflow/artifacts/list", params).get("files", []):
                seen += 1
                if entry.get("is_dir"):
                    folders.append(entry["path"])
                else:
                    size = entry.get("file_size")
                    path = entry["path"]
                    files.append(Artifact(path, int(size) if size is not None else None,
                                          table_kind(path), path in logged))
        return sorted(files, key=lambda a: (a.kind is None, not a.logged_table, a.path))

    return _limited(server, f"list the artifacts of run {run.id}", work)


def read_artifact_table(server: MlflowServer, run: Run, path: str) -> ArtifactTable:
    """The artifact ``path`` of the run read as a table by the one reader: NotATable for a file that is not a table
    (by its name, or its content), ArtifactTooLarge past the server's max_artifact_mb (checked on the listing first,
    then while downloading), RunNotFound when the run has no such artifact."""
    path = _checked_path(path)
    if table_kind(path) is None:
        raise NotATable(f"The artifact {path} of run {run.id} is not a table Blueprint reads. Pick a predictions file "
                        "logged as Parquet (.parquet) or CSV (.csv), or a table logged with mlflow.log_table (.json).")
    listed = {a.path: a for a in _listing_of(server, run, path)}
    if path not in listed:
        raise RunNotFound(f"Run {run.id} on '{server.name}' has no artifact {path}. Pick one from the run's artifacts.")
    size = listed[path].size_bytes
    if size is not None and size > server.max_artifact_bytes:
        raise ArtifactTooLarge(_too_large(server, run, path, size))

    def work(read: _Read) -> bytes:
        endpoint, query = _download_address(server, run, path)
        return read.download(endpoint, query, lambda size: _too_large(server, run, path, size, at_least=True))

    data = _limited(server, f"download {path}", work)
    try:
        table = read_table(data, posixpath.basename(path), max_bytes=server.max_artifact_bytes)
    except ReadError as error:
        raise NotATable(f"The artifact {path} of run {run.id} cannot be read as a table: {error}") from None
    return ArtifactTable(table, server.name, run.id, path, len(data), run.experiment_id)


def table_kind(path: str) -> str | None:
    """How a file named ``path`` is read as a table ("parquet", "csv", "xlsx", "json"), None for other files."""
    lower = path.lower()
    return next((kind for ending, kind in TABLE_KINDS.items() if lower.endswith(ending)), None)


# --- stopping reads --------------------------------------------------------------------------------------------

_running: set[_Read] = set()
_running_lock = threading.Lock()


def stop_reads(reason: str) -> int:
    """From any thread: end every MLflow read this process waits for (each raises MlflowCancelled with ``reason``,
    e.g. "the job was cancelled") and close their connections. Returns how many were running."""
    with _running_lock:
        found = list(_running)
    for read in found:
        read.stop(reason)
    return len(found)


# --- the HTTP side ---------------------------------------------------------------------------------------------

class _Read:
    """One read of a server: its credentials, its deadline, its session; stop() ends it from another thread."""

    def __init__(self, server: MlflowServer) -> None:
        self.server = server
        self.deadline = time.monotonic() + server.timeout_s
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "blueprint"
        if server.token:
            self.session.headers["Authorization"] = f"Bearer {server.token}"
        elif server.username is not None:
            self.session.auth = (server.username, server.password or "")
        self.done = threading.Event()
        self.stopped: str | None = None
        self.answered: requests.Response | None = None     # the last answer (what a message about it names)

    def stop(self, reason: str) -> None:
        self.stopped = reason
        self.done.set()
        self.session.close()

    def json(self, method: str, endpoint: str, params: dict, missing: str | None = None) -> dict:
        """The JSON answer of one API call (GET: ``params`` in the query; POST: as the body)."""
        body = self._get_bytes(method, endpoint, params, MAX_JSON_BYTES, missing,
                               lambda n: f"an answer of {format_size(n)}, over {format_size(MAX_JSON_BYTES)}")
        try:
            return json.loads(body)
        except ValueError:
            raise MlflowError(self._not_mlflow(self.answered)) from None

    def pages(self, endpoint: str, query: dict, key: str, limit: int, missing: str | None = None) -> list[dict]:
        """Up to ``limit`` items under ``key`` of a paged search (POST for runs, GET for the others)."""
        items, token = [], None
        method = "POST" if endpoint.endswith("runs/search") else "GET"
        while len(items) < limit:
            page = {**query, "max_results": min(PAGE, limit - len(items)), **({"page_token": token} if token else {})}
            answer = self.json(method, endpoint, page, missing)
            items += answer.get(key, [])
            token = answer.get("next_page_token")
            if not token:
                break
        return items[:limit]

    def download(self, endpoint: str, params: dict, too_large: Callable[[int], str]) -> bytes:
        """The bytes of a file, ArtifactTooLarge as soon as they pass the server's max_artifact_mb."""
        return self._get_bytes("GET", endpoint, params, self.server.max_artifact_bytes, None, too_large,
                               ArtifactTooLarge)

    def _get_bytes(self, method: str, endpoint: str, params: dict, limit: int, missing: str | None,
                   too_large: Callable[[int], str], large_error: type[MlflowError] = MlflowError) -> bytes:
        remaining = self.deadline - time.monotonic()
        if self.stopped or remaining <= 0:
            raise MlflowTimeout(_late(self.server))
        options = {"params": params} if method == "GET" else {"json": params}
        response = self.session.request(method, self.server.uri + endpoint, stream=True,
                                        timeout=(min(CONNECT_TIMEOUT_S, remaining), remaining), **options)
        with response:
            self.answered = response
            self._check_status(response, missing)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise large_error(too_large(int(declared)))
            chunks, size = [], 0
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise large_error(too_large(size))
                if self.stopped or time.monotonic() > self.deadline:
                    raise MlflowTimeout(_late(self.server))
                chunks.append(chunk)
        return b"".join(chunks)

    def _check_status(self, response: requests.Response, missing: str | None) -> None:
        if response.status_code < 400:
            return
        code, text = _error_of(response)
        name = self.server.name
        if response.status_code in (401, 403):
            raise MlflowError(f"The MLflow server '{name}' ({self.server.uri}) refused Blueprint's sign-in (HTTP "
                              f"{response.status_code}{': ' + text if text else ''}). "
                              "An admin checks token, or username "
                              f"and password, under [blueprint.mlflow.{name}] in .streamlit/secrets.toml.")
        if code == "RESOURCE_DOES_NOT_EXIST" or (code == "INVALID_PARAMETER_VALUE" and missing is not None):
            raise RunNotFound(missing or f"The MLflow server '{name}' has no such thing: {text}.")
        if code is None and response.status_code in (404, 405):
            raise MlflowError(self._not_mlflow(response))
        raise MlflowError(f"The MLflow server '{name}' could not answer (HTTP {response.status_code}"
                          f"{', ' + code if code else ''}): {text or response.reason}. Try again; if it keeps failing, "
                          "the server's administrators can see why in its log.")

    def _not_mlflow(self, response: requests.Response | None = None) -> str:
        what = ("" if response is None else      # (a Response is falsy for an error status)
                f" (HTTP {response.status_code}, {response.headers.get('Content-Type', 'no type')})")
        return (f"The server at {self.server.uri} answered{what}, but not as an MLflow tracking server does. An admin "
                f"checks that uri under [blueprint.mlflow.{self.server.name}] is the tracking server's address "
                "(the one teams pass to mlflow.set_tracking_uri).")


def _limited(server: MlflowServer, what: str, work: Callable[[_Read], object]):
    """``work(read)`` in a thread of its own, waited for at most the server's timeout_s: MlflowTimeout after that
    (the thread's own timeouts end it soon after), MlflowCancelled when stop_reads() ended it, and the errors of the
    connection as messages for people."""
    read = _Read(server)
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = work(read)
        except BaseException as error:          # handed to the waiting caller
            box["error"] = error
        finally:
            read.done.set()

    with _running_lock:
        _running.add(read)
    try:
        threading.Thread(target=run, name=f"blueprint-mlflow-{server.name}", daemon=True).start()
        finished = read.done.wait(server.timeout_s)
    finally:
        with _running_lock:
            _running.discard(read)
    if read.stopped:
        raise MlflowCancelled(f"Reading the MLflow server '{server.name}' ({what}) was stopped: {read.stopped}. "
                              "Nothing was stored.")
    if not finished:
        read.stop("the time limit passed")
        raise MlflowTimeout(_late(server))
    read.session.close()
    error = box.get("error")
    if error is None:
        return box["value"]
    if isinstance(error, MlflowError):
        raise error
    if isinstance(error, requests.Timeout):
        raise MlflowTimeout(_late(server)) from None
    if isinstance(error, requests.ConnectionError):
        raise MlflowUnreachable(_unreachable(server, error)) from None
    if isinstance(error, requests.RequestException):
        raise MlflowError(f"Blueprint could not read the MLflow server '{server.name}' ({what}): "
                          f"{type(error).__name__}. "
                          f"An admin checks its uri under [blueprint.mlflow.{server.name}].") from None
    raise error


def _late(server: MlflowServer) -> str:
    return (f"The MLflow server '{server.name}' ({server.uri}) did not answer within {server.timeout_s:g} s, the time "
            f"limit set for it. It may be down or busy: try again later, or ask an admin for a longer timeout_s under "
            f"[blueprint.mlflow.{server.name}].")


def _unreachable(server: MlflowServer, error: requests.ConnectionError) -> str:
    text = str(error).lower()
    why = ("the connection was refused (nothing listens at that address)" if "refused" in text
           else "its name could not be resolved" if "name or service" in text or "resolve" in text
           else "the connection failed")
    return (f"Cannot reach the MLflow server '{server.name}' ({server.uri}): {why}. Is the server running, and "
            f"reachable from this Blueprint server? An admin checks its uri under [blueprint.mlflow.{server.name}] "
            "in .streamlit/secrets.toml.")


def _error_of(response: requests.Response) -> tuple[str | None, str]:
    """(MLflow's error_code, its message) of an error answer; (None, a short text) when it is not MLflow's JSON."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    return body.get("error_code"), str(body.get("message", "")).strip().rstrip(".")[:300]


def _too_large(server: MlflowServer, run: Run, path: str, size: int, at_least: bool = False) -> str:
    return (f"The artifact {path} of run {run.id} is {format_size(size)}{' or more' if at_least else ''}, "
            f"over the limit of {format_size(server.max_artifact_bytes)} for artifacts read from '{server.name}'. "
            "Log a smaller "
            "predictions file (the key, target and score columns only, or a sample of the rows), or ask an admin to "
            f"raise max_artifact_mb under [blueprint.mlflow.{server.name}].")


def _listing_of(server: MlflowServer, run: Run, path: str) -> list[Artifact]:
    """The files of the folder holding ``path`` (what the server says of its size)."""
    folder = posixpath.dirname(path)

    def work(read: _Read) -> list[Artifact]:
        params = {"run_id": run.id, **({"path": folder} if folder else {})}
        entries = read.json("GET", "/api/2.0/mlflow/artifacts/list", params).get("files", [])
        return [Artifact(e["path"], int(e["file_size"]) if e.get("file_size") is not None else None,
                         table_kind(e["path"])) for e in entries if not e.get("is_dir")]

    return _limited(server, f"list the artifacts of run {run.id}", work)


def _download_address(server: MlflowServer, run: Run, path: str) -> tuple[str, dict]:
    """(endpoint, query) that downloads ``path`` through the tracking server: its artifact proxy for
    ``mlflow-artifacts:`` locations, else its download route (the server reads its own artifact store)."""
    location = urlsplit(run.artifact_uri)
    if location.scheme == "mlflow-artifacts":
        if location.netloc and location.netloc != urlsplit(server.uri).netloc:
            raise MlflowError(f"Run {run.id}'s artifacts are served by another MLflow server ({location.netloc}), "
                              f"not by '{server.name}'. An admin adds that server to the settings.")
        where = posixpath.join(location.path.strip("/"), path)
        return "/api/2.0/mlflow-artifacts/artifacts/" + quote(where), {}
    return "/get-artifact", {"path": path, "run_uuid": run.id}


def _checked_id(value: str, what: str) -> str:
    text = str(value or "").strip()
    if not text or not all(c.isalnum() or c in "-_" for c in text) or len(text) > 64:
        raise RunNotFound(f"'{text[:80]}' is not an MLflow {what} (letters and digits, e.g. 1c9b63ddc37c4c23). Pick a "
                          "run from the list, or copy its id from MLflow's run page.")
    return text


def _checked_path(path: str) -> str:
    text = str(path or "").strip().strip("/")
    if not text or ".." in text.split("/") or text.startswith("~") or "\\" in text:
        raise NotATable(f"'{path}' is not a path among a run's artifacts. Pick one from the run's artifacts.")
    return text


def _time(ms) -> str:
    if ms in (None, "", 0):
        return ""
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).replace(microsecond=0).isoformat()


def _metrics(data: dict) -> dict[str, float]:
    return {m["key"]: float(m["value"]) for m in data.get("metrics", []) if "key" in m and "value" in m}


def _summary(run: dict) -> RunSummary:
    info, data = run.get("info", {}), run.get("data", {})
    return RunSummary(str(info.get("run_id") or info.get("run_uuid")), info.get("run_name", ""),
                      str(info.get("experiment_id", "")), _time(info.get("start_time")), info.get("status", ""),
                      _metrics(data))


def _run(run: dict) -> Run:
    info, data = run.get("info", {}), run.get("data", {})
    return Run(str(info.get("run_id") or info.get("run_uuid")), info.get("run_name", ""),
               str(info.get("experiment_id", "")), info.get("status", ""), _time(info.get("start_time")),
               _time(info.get("end_time")),
               info.get("artifact_uri", ""), {p["key"]: str(p.get("value", "")) for p in data.get("params", [])},
               _metrics(data), {t["key"]: str(t.get("value", "")) for t in data.get("tags", [])})


def _model_version(found: dict) -> ModelVersion:
    return ModelVersion(found.get("name", ""), str(found.get("version", "")), found.get("run_id") or "",
                        found.get("status", ""), found.get("source", ""))
