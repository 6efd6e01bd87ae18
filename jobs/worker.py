"""A worker process: takes queued jobs from the store one at a time, runs them, stores their results.

    python -m jobs.worker BLUEPRINT_HOME

Started by jobs.pool (a child of the app server). It stops by itself when idle for IDLE_EXIT_S, and when its
parent (the server) is gone: it then marks the job it was running as interrupted, so a restart never shows a
half-done job as running. A heartbeat thread refreshes the running job every HEARTBEAT_S; when a person
cancels, the job gets CANCEL_GRACE_S to stop by itself (a baseline run stops between folds and keeps its
finished models), else the worker ends the job as cancelled and exits (the pool starts a new one).

A SQL statement the job runs on a source's database is stopped there at once on Cancel (the job then ends as
cancelled), and whenever the worker ends: its server gone, a cancel not honoured in time, or SIGTERM (taken by a
thread, so a long computation in the main thread does not hold it up); a killed worker's statement is stopped by
the database itself (analysis.sources.postgres: it checks that its client is still there).
"""
from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
import traceback

from analysis.errors import TargetError
from analysis.units import Cancelled, Progress, unit
from design.document import success_criteria
from jobs.pool import SERVER_PID
from jobs.tasks import compute, store_result
from store.datasets import get_dataset
from store.db import DB_FILE, connect, open_store
from store.documents import latest_revision
from store.errors import StoreError
from store.jobs import Job, cancel_requested, claim_next_job, finish_job, get_job, report_progress
from store.people import SYSTEM_EMAIL, System, User, get_user, recorded_person

IDLE_EXIT_S = 30.0
POLL_S = 0.3
HEARTBEAT_S = 1.0
CANCEL_GRACE_S = 4.0
MIN_REPORT_S = 0.25          # progress writes at most this often (results of finished steps always go through)


class _Reporter:
    """The Progress a task reports to: writes the job's progress (throttled) and answers whether to stop.

    A message that comes within MIN_REPORT_S of the last write is held back, not dropped: the newest one is
    written by the next report, the next cancel check or the heartbeat (flush), so the page never shows an
    older step than the one running (a model's "fold 2 of 5" right after the previous model's "done").
    Writing and asking whether to stop keep separate clocks: frequent cancel checks (between the rounds of
    a growing ensemble) must not hold back progress."""

    def __init__(self, db, job_id: int) -> None:
        self.db, self.job_id = db, job_id
        self.lock = threading.Lock()          # the heartbeat thread flushes with its own connection
        self.written = 0.0
        self.asked = 0.0
        self.pending: tuple | None = None     # (share, message) held back by the throttle
        self.stop = False

    def _write(self, db, share, message, partial=None) -> None:
        self.stop = report_progress(db, self.job_id, share, message, partial) or self.stop
        self.pending = None
        self.written = self.asked = time.monotonic()

    def report(self, share, message, partial=None) -> bool:
        with self.lock:
            if partial is None and time.monotonic() - self.written < MIN_REPORT_S:
                self.pending = (share, message)
            else:
                self._write(self.db, share, message, partial)
            return self.stop

    def should_stop(self) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.pending is not None and now - self.written >= MIN_REPORT_S:
                self._write(self.db, *self.pending)
            elif not self.stop and now - self.asked >= MIN_REPORT_S:
                self.asked = now
                self.stop = cancel_requested(self.db, self.job_id)
            return self.stop

    def flush(self, db) -> bool:
        """The heartbeat (from the watch thread, on its connection ``db``): write what was held back and
        refresh the job's heartbeat; returns whether a cancel was asked for."""
        with self.lock:
            self._write(db, *(self.pending or (None, None)))
            return self.stop


def _asker(db, job: Job) -> User | System:
    """Who a job's result is stored under: the person who asked for it, whose rights are checked again (a member
    removed meanwhile is refused), or Blueprint itself for a job queued by its own code (the sample seed),
    recorded under the same user as the job."""
    person = recorded_person(db, job.created_by_id)
    if person is not None:
        return person
    recorded = get_user(db, job.created_by_id) if job.created_by_id is not None else None
    return System(f"job {job.id}", "" if recorded and recorded.email == SYSTEM_EMAIL else job.created_by)


def _criteria(db, project_id: int) -> list:
    revision = latest_revision(db, project_id)
    return success_criteria(revision.content) if revision else []


def _dataset_gone(db, job: Job) -> str | None:
    """Why the job failed, in words, when its dataset was deleted while it ran (its row or its file vanished
    at any step: "no dataset with id", a missing Parquet file...), else None."""
    if job.dataset_id is None:        # it had none when claimed: the error says "before it started"
        return None
    try:
        gone = get_job(db, job.id).dataset_id is None
    except Exception:  # the store itself is in trouble: the original error says more
        return None
    return "The dataset was deleted while this job ran; nothing was stored." if gone else None


def run_job(db, job: Job, reporter: _Reporter | None = None) -> Job:
    """Run one claimed job to its end state (done, failed or cancelled) and return it."""
    reporter = reporter or _Reporter(db, job.id)
    progress = Progress(report=reporter.report, should_stop=reporter.should_stop)
    try:
        if job.plan is None:
            raise StoreError("This job was queued by an earlier version of Blueprint, before analyses were planned; "
                             "press Run again on its page.")
        plan = unit(job.kind).load(job.plan, job.dataset_hash)        # checked when it was planned: trusted here
        on_dataset = getattr(plan, "on_dataset", True)     # False: about no stored dataset (a model's scored file)
        if job.dataset_id is None and on_dataset:
            raise StoreError("The dataset of this job was deleted before it started; nothing was computed.")
        dataset = get_dataset(db, job.dataset_id) if job.dataset_id is not None else None
        computed, seconds = compute(db, plan, job.project_id, progress, _criteria(db, job.project_id))
        if dataset is not None and get_job(db, job.id).dataset_id is None:
            raise StoreError("The dataset was deleted while this job ran; its result was not stored.")
        result = store_result(db, plan, dataset, computed, seconds, job.project_id, _asker(db, job))
        state = "cancelled" if computed.payload.get("status") == "cancelled" else "done"
        message = "cancelled: the finished part is kept" if state == "cancelled" else f"done in {seconds:.1f} s"
        return finish_job(db, job.id, state, result_id=result.id, message=message)
    except Cancelled as stopped:
        return finish_job(db, job.id, "cancelled", error=str(stopped), message="cancelled")
    except (TargetError, ValueError, StoreError, OSError) as error:
        return finish_job(db, job.id, "failed", error=_dataset_gone(db, job) or str(error), message="failed")
    except Exception as error:  # a bug: keep serving, say what it was, log the traceback for the developers
        gone = _dataset_gone(db, job)
        if gone:
            return finish_job(db, job.id, "failed", error=gone, message="failed")
        traceback.print_exc()
        return finish_job(db, job.id, "failed", message="failed",
                          error=f"Unexpected error ({type(error).__name__}: {error}). The app keeps working; "
                                "please report this with the job's settings.")


def _stop_statements(reason: str) -> None:
    """Stop on its database the SQL statement this worker runs, if any (analysis.sources.postgres is loaded only
    by a job that reads a SQL source)."""
    sources = sys.modules.get("analysis.sources.postgres")
    if sources is not None:
        sources.stop_statements(reason)


class _Watch(threading.Thread):
    """Heartbeat of the running job; stops its SQL statement when it is cancelled; ends it when the server is gone
    or a cancel is not honoured in time."""

    def __init__(self, home: str, parent: int) -> None:
        super().__init__(daemon=True)
        self.path = os.path.join(home, "blueprint.sqlite3")
        self.db = connect(self.path)
        self.parent = parent
        self.job_id: int | None = None
        self.reporter: _Reporter | None = None
        self.cancel_seen: float | None = None
        self.switch = threading.Lock()      # held while the job changes, and while stopping the job's statement

    def running(self, job_id: int | None, reporter: _Reporter | None = None) -> None:
        """The main thread starts (or, with None, ends) a job."""
        with self.switch:
            self.job_id, self.reporter = job_id, reporter

    def end(self, state: str, error: str, code: int = 0) -> None:
        """End the worker now (from any thread): its job marked ``state`` with ``error`` (on a connection of its
        own: another thread may be writing), its SQL statement stopped on the database, then exit."""
        job_id = self.job_id
        if job_id is not None:
            finish_job(connect(self.path), job_id, state, message=state, error=error)
        _stop_statements("the worker running it stopped")
        os._exit(code)

    def run(self) -> None:
        while True:
            time.sleep(HEARTBEAT_S)
            job_id = self.job_id
            if os.getppid() != self.parent:
                self.end("interrupted", "The server stopped while this job ran. Run it again.")
            if job_id is None:
                self.cancel_seen = None
                continue
            reporter = self.reporter
            try:
                if reporter is not None and reporter.job_id == job_id:
                    cancel = reporter.flush(self.db)
                else:
                    cancel = report_progress(self.db, job_id)
            except Exception:  # a locked database for a moment: try again next beat
                continue
            if cancel:
                self.cancel_seen = self.cancel_seen or time.monotonic()
                with self.switch:               # every beat: a statement may have started since the last one
                    if self.job_id == job_id:
                        _stop_statements("the job was cancelled")
                if time.monotonic() - self.cancel_seen > CANCEL_GRACE_S and self.job_id == job_id:
                    self.end("cancelled", "Cancelled; the step that was running was stopped.")


def _end_on_terminate(watch: _Watch) -> None:
    """SIGTERM (the pool stopping, a service manager) ends the worker at once, as before, and first marks its job
    interrupted and stops its SQL statement on the database. A thread takes the signal (through the wakeup fd): the
    main thread may be deep in a computation that looks at signals only when it returns."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write)
    signal.signal(signal.SIGTERM, lambda signum, frame: None)     # the thread below acts

    def wait() -> None:
        while signal.SIGTERM not in os.read(read, 64):
            pass
        watch.end("interrupted", "The worker running this job was stopped (SIGTERM). Run it again.",
                  128 + signal.SIGTERM)

    threading.Thread(target=wait, daemon=True, name="blueprint-terminate").start()


def _server_pid() -> int:
    """The pid of the server this worker serves: named by the pool that started it. Not os.getppid() read at
    start: a server stopped while its worker was still starting has already handed it to init, and such a
    worker would never see its server go (it ran the queue on, unwatched, after the server had stopped)."""
    named = os.environ.get(SERVER_PID, "")
    return int(named) if named.isdigit() else os.getppid()


def _gone(home: str) -> bool:
    """Whether the data folder's database is gone (a benchmark's or a test's temporary folder, removed while its
    pool was starting this worker): a worker never makes a data folder, it only serves one."""
    return not os.path.exists(os.path.join(home, DB_FILE))


def _say_gone(home: str) -> None:
    print(f"Blueprint job worker {os.getpid()}: its data folder {home} is gone, so it stops.", file=sys.stderr,
          flush=True)


def main(home: str) -> None:
    """Serve the queue of the store in ``home`` until idle, its server gone, or its data folder gone (one line)."""
    if _gone(home):
        return _say_gone(home)
    try:
        _serve(home, open_store(home))
    except (StoreError, sqlite3.Error, OSError):
        if not _gone(home):
            raise
        _say_gone(home)


def _serve(home: str, db) -> None:
    """Claim and run the queued jobs one at a time (see the module docstring)."""
    server = _server_pid()
    watch = _Watch(home, server)
    watch.start()
    _end_on_terminate(watch)
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < IDLE_EXIT_S and os.getppid() == server:
        job = claim_next_job(db, os.getpid())
        if job is None:
            if _gone(home):
                return _say_gone(home)
            time.sleep(POLL_S)
            continue
        reporter = _Reporter(db, job.id)
        watch.running(job.id, reporter)
        run_job(db, job, reporter)
        watch.running(None)
        idle_since = time.monotonic()
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
