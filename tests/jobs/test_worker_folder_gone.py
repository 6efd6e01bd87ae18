"""A job worker whose data folder is gone (a benchmark or a test removed it while the pool was starting workers) exits
quietly with one line, and never makes the folder again; a stopped pool starts no worker any more (issue 25)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from jobs.pool import ROOT, SERVER_PID, WorkerPool
from store.db import DB_FILE, open_store


def _worker(home: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), SERVER_PID: str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "jobs.worker", str(home)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _said(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, list[str]]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, [line for line in (out + err).splitlines() if line.strip()]


def test_a_worker_started_on_a_removed_data_folder_says_so_in_one_line_and_exits(tmp_path):
    home = tmp_path / "home"
    code, lines = _said(_worker(home))
    assert code == 0 and len(lines) == 1, lines
    assert str(home) in lines[0] and "gone" in lines[0]
    assert not home.exists()                         # not made again, with an empty database in it


def test_a_worker_whose_data_folder_is_removed_while_it_waits_exits_in_one_line(tmp_path):
    home = tmp_path / "home"
    open_store(home).close()
    proc = _worker(home)
    time.sleep(3)                                    # started, polling the queue
    shutil.rmtree(home)
    code, lines = _said(proc, timeout=20)            # well before its idle exit (jobs.worker.IDLE_EXIT_S)
    assert code == 0 and len(lines) == 1 and "gone" in lines[0], lines
    assert not home.exists()


def test_a_stopped_pool_starts_no_worker_and_its_watch_thread_ends(tmp_path):
    home = tmp_path / "home"
    open_store(home).close()
    pool = WorkerPool(str(home), size=1)
    pool.stop()
    assert not pool.watcher.is_alive()
    pool.wake()
    time.sleep(1)
    assert pool.procs == []
    assert (home / DB_FILE).exists()
