"""A real MLflow tracking server for tests: `mlflow server` (the full mlflow package, a dev dependency) with a SQLite
backend and an artifact folder in a temporary folder, serving artifacts through its proxy, on a free port of
127.0.0.1; runs are logged to it with the MLflow client, as a team would. Offline: MLflow's telemetry is off.

    def test_x(mlflow_server):                     # session-scoped: one server for the test session
        server = mlflow_server.settings()          # analysis.sources.settings.MlflowServer named "tracking"
        mlflow_server.uri                          # http://127.0.0.1:PORT
        mlflow_server.stop()                       # only in a test that needs a server that went away (see own_server)
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from analysis.sources.settings import MlflowServer

START_TIMEOUT_S = 240            # measured: about 25 s on an idle machine, 70 s on a busy one
OFFLINE = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
os.environ.update(OFFLINE)       # the MLflow client of the tests, too, sends nothing anywhere


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TrackingServer:
    """`mlflow server` in ``folder`` (mlflow.db, artifacts/) on a free port; its own process group, ended whole."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        mlflow = Path(sys.executable).parent / "mlflow"
        command = [str(mlflow), "server", "--backend-store-uri", f"sqlite:///{self.folder / 'mlflow.db'}",
                   "--artifacts-destination", str(self.folder / "artifacts"), "--serve-artifacts",
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, **OFFLINE}, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server ended ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.uri + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"mlflow server did not answer /health within {START_TIMEOUT_S} s:\n"
                           f"{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """End the server and its workers (one process group), waiting until they are gone."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass

    def settings(self, name: str = "tracking", **options) -> MlflowServer:
        """This server as an admin would list it in the settings (``options``: timeout_s, max_artifact_bytes...)."""
        return MlflowServer(name, self.uri, **{"timeout_s": 20.0, **options})


@pytest.fixture(scope="session")
def mlflow_server():
    """A real MLflow tracking server for the test session, stopped and removed at its end."""
    server = TrackingServer(Path(tempfile.mkdtemp(prefix="blueprint-mlflow-")))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
