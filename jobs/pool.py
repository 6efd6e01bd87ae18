"""The worker pool of one app server and data folder: worker processes started when there is queued work,
watched, and replaced when they die.

    pool = pool_for(home)      # once per server process and data folder; marks jobs of a dead server interrupted
    job, joined = submit_job(db, ...); pool.wake()

Why not concurrent.futures.ProcessPoolExecutor: a job must outlive the page, be visible to every session and
survive as a record when its process is killed, so the queue is the store itself (store.jobs) and a worker is a
plain process that claims rows; a killed worker is seen here (its exit code) and its job marked, and the pool
needs no Streamlit and no extra service.

Workers run at a lower CPU priority (nice WORKER_NICE, env BLUEPRINT_WORKER_NICE; 0 turns it off): on a small
server the jobs and the pages share the cores, and people waiting for a page come before a job that takes minutes
anyway. Measured with ``python -m bench team`` (20 sessions, two baseline jobs on 100,000 rows, 2 cores): the page
p95 while the jobs ran was 2.7x the idle p95 with workers at the server's priority, 0.64x at nice 10, and the jobs
took as long (about 31 s and 13 s). A worker lowers its priority first thing, before it imports anything: numpy
starts its threads on import, and a thread keeps the priority it started with.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from store.db import DB_FILE, connect
from store.jobs import interrupt_dead_jobs, queued_count

ROOT = Path(__file__).resolve().parents[1]
WORKERS = int(os.environ.get("BLUEPRINT_WORKERS", "2"))
WORKER_NICE = int(os.environ.get("BLUEPRINT_WORKER_NICE", "10"))
WATCH_S = 0.5
SERVER_PID = "BLUEPRINT_SERVER_PID"   # environment variable: the pid of the server a worker serves
# ``python -m jobs.worker HOME`` preceded by os.nice (see the module docstring).
_LAUNCH = ("import os, sys\n"
           "if sys.argv[1] != '0' and hasattr(os, 'nice'):\n    os.nice(int(sys.argv[1]))\n"
           "from jobs.worker import main\nmain(sys.argv[2])")


class WorkerPool:
    """Up to ``size`` worker processes for the store in ``home``."""

    def __init__(self, home: str, size: int = WORKERS) -> None:
        self.home, self.size = home, max(1, size)
        self.procs: list[subprocess.Popen] = []
        self.lock = threading.Lock()
        self.db = connect(Path(home) / DB_FILE)
        interrupt_dead_jobs(self.db, "The server stopped while this job ran (it was restarted). Run it again.")
        self.wakeup = threading.Event()
        self.stopped = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True, name="blueprint-jobs")
        self.watcher.start()
        self.wake()

    def wake(self) -> None:
        """Start workers for queued jobs (call after submitting one)."""
        self.wakeup.set()

    def _spawn(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               SERVER_PID: str(os.getpid())}     # the worker stops when this process is gone (see jobs.worker)
        self.procs.append(subprocess.Popen([sys.executable, "-c", _LAUNCH, str(WORKER_NICE), self.home], cwd=ROOT,
                                           env=env))

    def _reap(self) -> None:
        for proc in [p for p in self.procs if p.poll() is not None]:
            self.procs.remove(proc)
            if proc.returncode != 0:
                how = (f"was killed (signal {-proc.returncode}, {signal.Signals(-proc.returncode).name})"
                       if proc.returncode < 0 else f"exited with code {proc.returncode}")
                interrupt_dead_jobs(self.db, f"The worker process running this job {how}. Run it again.",
                                    pids={proc.pid})

    def _watch(self) -> None:
        while not self.stopped.is_set():
            self.wakeup.wait(WATCH_S)
            self.wakeup.clear()
            try:
                with self.lock:
                    if self.stopped.is_set():
                        return
                    self._reap()
                    waiting = queued_count(self.db)
                    for _ in range(min(waiting, self.size - len(self.procs))):
                        self._spawn()
            except Exception:  # a locked database for a moment: look again on the next beat
                time.sleep(WATCH_S)

    def stop(self) -> None:
        """Stop every worker and start none any more (tests, benchmarks: before their data folder is removed); their
        running jobs end as interrupted."""
        self.stopped.set()
        self.wakeup.set()
        with self.lock:
            for proc in self.procs:
                proc.terminate()
            for proc in self.procs:
                proc.wait(timeout=10)
            self.procs.clear()
        self.watcher.join(timeout=2 * WATCH_S + 1)
        interrupt_dead_jobs(self.db, "The workers were stopped while this job ran. Run it again.")


_pools: dict[str, WorkerPool] = {}
_pools_lock = threading.Lock()


def stop_pool(home: str | Path) -> None:
    """Stop the pool of this process for ``home``, if it has one, and forget it: what a benchmark or a test that
    drove the app in its own process does before removing the data folder (no worker starts on a folder gone)."""
    with _pools_lock:
        pool = _pools.pop(str(Path(home).resolve()), None)
    if pool is not None:
        pool.stop()


def pool_for(home: str | Path) -> WorkerPool:
    """The pool of this process for the data folder ``home`` (created on first use)."""
    key = str(Path(home).resolve())
    with _pools_lock:
        if key not in _pools:
            _pools[key] = WorkerPool(key)
        return _pools[key]
