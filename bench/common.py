"""Shared pieces for benchmarks: timing with peak memory, a printed table, the RESULT line, a real app server."""
from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stage:
    """One measured stage: its name, rows processed, wall seconds and peak traced memory (MB)."""

    name: str
    rows: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0


@dataclass
class Timer:
    """Collects stages; ``with timer.stage("read", rows=n): ...`` measures one.

    trace_memory: measure each stage's peak with tracemalloc (exact for Python and numpy allocations, but it
    slows Python-heavy code); when False, peak_mb is the process's peak resident memory at the end of the stage.
    """

    trace_memory: bool = False
    stages: list[Stage] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, rows: int = 0):
        record = Stage(name, rows)
        if self.trace_memory:
            tracemalloc.start()
        start = time.perf_counter()
        try:
            yield record
        finally:
            record.seconds = time.perf_counter() - start
            if self.trace_memory:
                record.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
            else:
                record.peak_mb = max_rss_mb()
            self.stages.append(record)

    def print_table(self) -> None:
        print(f"{'stage':<28}{'rows':>12}{'seconds':>10}{'peak MB':>10}")
        for s in self.stages:
            print(f"{s.name:<28}{s.rows:>12,}{s.seconds:>10.3f}{s.peak_mb:>10.1f}")


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_result(**figures) -> None:
    """Print the last line: ``RESULT key=value ...`` (floats with 4 significant digits)."""
    parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()]
    print("RESULT " + " ".join(parts))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(proc: subprocess.Popen, url: str, log: Path, timeout_s: float) -> bool:
    """Wait for a started ``streamlit run`` at ``url`` to answer its health check: True when it does, False after
    ``timeout_s``; RuntimeError with its log when the process exits first. (Also used by tests/e2e.)"""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False


class AppServer:
    """``streamlit run app.py`` on a free 127.0.0.1 port with its own BLUEPRINT_HOME (as tests/e2e does).

    It runs in its own process group, so ``stop()`` ends the server and the job workers it started (its
    children) together. ``env``: extra environment variables (e.g. BLUEPRINT_WORKERS)."""

    def __init__(self, home: Path, log: Path, env: dict[str, str] | None = None, timeout_s: float = 90.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "BLUEPRINT_HOME": str(home), **(env or {})},
            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        if not wait_until_healthy(self.proc, self.url, log, timeout_s):
            self.stop()
            raise RuntimeError(f"streamlit did not become healthy in {timeout_s:.0f} s:\n{log.read_text()}")

    def stop(self) -> None:
        """End the server and its workers: SIGTERM to the process group, SIGKILL after 10 s."""
        for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            deadline = time.time() + wait_s
            self.proc.poll()
            while time.time() < deadline and _group_alive(self.proc.pid):
                self.proc.poll()
                time.sleep(0.2)
            if not _group_alive(self.proc.pid):
                return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
