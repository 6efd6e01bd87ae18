"""Team benchmark: many people on one real app server, with and without two baseline jobs running on a large
dataset: page times, exceptions, jobs finished, lost writes.

    python -m bench team [--sessions 20] [--rows 100000] [--seconds 60] [--think 10] [--writers 2] [--runs 0]

In order:
1. starts ``streamlit run app.py`` on a fresh data folder (its own process group: server and job workers);
   a first visit prepares the folder and seeds the sample project, and the bench waits until the sample's
   jobs are done; then it adds a generated dataset of ``--rows`` rows (20 features and a binary target,
   bench.baselines.make_frame) to the sample project through the store, as an upload does; with ``--runs N``,
   N baseline runs on it are stored as the project's evidence (store_runs: a project with a long history; the
   Compare page then shows two of them, the newest, from the first idle window on);
2. IDLE BEFORE (``--seconds``): ``--sessions`` readers open the sample project's pages in a loop (Projects, Design
   document, Explore, Leakage, Baselines, Compare, Review, Jobs, with ?project=&dataset=&target=) and stay
   on each for about ``--think`` seconds; ``--writers`` writers post a comment on the Review page or save
   the Design document's Requirements section through its form, one every ``--writer-think`` seconds or so;
3. a data scientist in Chromium opens the Baselines page of the large dataset in two tabs, chooses 5-fold
   cross-validation in one (the other keeps the automatic protocol: two settings, so the jobs do not join)
   and presses "Run baselines" in both; the tabs are closed, and from then on one more session (a
   watcher) keeps that page open, following the jobs' progress, until they end;
4. BUSY: the same traffic while the jobs run, until both have ended (at most ``--job-timeout``);
5. IDLE AFTER (``--seconds``) once the jobs have ended, with their two runs stored: the same traffic as idle
   before, reported apart from it. A server that slows down because evidence was stored shows here
   (after_over_before: the idle-after p95 over the idle-before p95), and busy is compared with idle before
   (busy_over_before). On a shared machine, read both with the other processes' CPU and the load;
6. checks that every write the app acknowledged is in the store, stops the server and its workers.

Readers and writers are websocket clients speaking Streamlit's own protocol, not browser tabs. A visit is
a new session, as a page load is: connect to /_stcore/stream, ask for the page (URL path and query), and
the page time runs until the server's ``script_finished`` for that run (the page's last element delivered:
what the browser shows as no status widget). On the page, a reader runs its fragment timers (``auto_rerun``:
the Jobs list and a job's progress poll the store) as the frontend does; a writer types its name in the
sidebar, then fills the form and submits it, sending the widget states the frontend sends (widget ids read
from the page the server delivered), so the server runs the same callbacks, saves and reruns as for a
browser. Why not 20 Chromium contexts: on this 2-core machine a page load costs Chromium 0.7-1.7 CPU seconds
against 0.1-0.5 for the server (measured with one context), and an earlier version of this benchmark with
just two writers and one watcher in Chromium saw them take as much CPU as the server (about 0.3 core each
side): tabs would measure Chromium fighting the server for the cores, where real browsers run on people's
own machines. Chromium is kept for the job submission: the real Baselines
page, its settings expander, select box and button; its tabs are checked for exception boxes and console
errors, and are closed before the busy phase is measured.

Think time: a visit costs the server about 0.1-0.15 CPU seconds, and one server process runs its scripts
on about one core (the GIL), so it serves some 8 pages a second at most. 20 readers pausing 1 s would ask
for about 15 a second: the server would be saturated before any job runs, and the idle figure would be a
queue, not a page. 10 s (uniform 5-15 s) is a busy team, about 2 pages a second; ``--think 1`` is the
stress test.

Exceptions: exception elements delivered to any session (what shows as stException), stException boxes,
page errors and console errors in Chromium ("Failed to load resource" lines are listed apart: the sandbox has
no internet for the Google-hosted page icon, and the frontend probes /<page>/_stcore/health first),
failed or timed-out loads, and tracebacks in the server's log. Lost writes: acknowledged by the app (its
"Comment posted" / "Saved ... as revision" message) but absent from the store afterwards; a save refused
as stale (the app says who saved in between, and keeps the text on screen) is not acknowledged.

The table gives the CPU seconds each process group used in each phase: the server, its job workers, the
clients (this process, and Chromium while it runs), every other process (on a shared machine: other people's
work), and the load average: on a shared machine, read the ratio with them.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import os
import random
import re
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import websockets
from playwright.async_api import async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from analysis.baselines.run import RunSettings
from analysis.evidence import run_settings_key
from analysis.reading.read import read_csv
from analysis.units import Computed
from bench.baselines import make_frame
from bench.common import AppServer, print_result
from design.document import success_criteria
from jobs.tasks import compute, plan_for, store_result
from store.datasets import add_dataset, list_datasets
from store.db import connect, open_store
from store.documents import latest_revision
from store.people import System
from store.projects import list_projects

# (URL path, label): the Projects page is the default page, served at the app's root.
PAGES = [("", "Projects"), ("design", "Design document"), ("explore", "Explore"), ("leakage", "Leakage"),
         ("baselines", "Baselines"), ("compare", "Compare"), ("review", "Review"), ("jobs", "Jobs")]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
SAMPLE_TARGET = "diagnosis"
BIG_TARGET = "churned"
LOAD_TIMEOUT_S = 120.0
PHASES = ("idle-before", "busy", "idle-after")     # the measured phases, in order

# A Chromium page is fully rendered when the run finished, no status widget is left (it fades out 200 ms
# after the run) and the page's title shows in the main area.
RENDERED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const title = document.querySelector('[data-testid="stMain"] h1');
  return !!title && title.offsetParent !== null;
}"""


@dataclass
class Load:
    phase: str
    page: str
    seconds: float
    ok: bool


@dataclass
class Run:
    """What every session records (all in one asyncio thread)."""

    phase: str = "warmup"
    stop: bool = False
    loads: list[Load] = field(default_factory=list)          # readers' page visits
    fragment_runs: int = 0
    exceptions: list[str] = field(default_factory=list)
    network_noise: set[str] = field(default_factory=set)
    # {"phase", "kind", "text", "acked", "refused", "error", "seconds"}
    writes: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- CPU per group

class CpuMeter(threading.Thread):
    """CPU seconds per process group, sampled from /proc every second: the server process, its job workers
    (the rest of its process group), the clients (this process and its descendants: Playwright's driver,
    Chromium) and every other process ("other"; one that starts and ends between two samples is missed).
    ``mark(phase)`` starts a phase; ``seconds[phase][group]`` is what each group used in it."""

    GROUPS = ("server", "workers", "clients", "other")

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.tick = os.sysconf("SC_CLK_TCK")
        self.last: dict[int, tuple[str, float]] = {}
        self.at_mark: dict[int, float] = {}
        self.phase: str | None = None
        self.seconds: dict[str, dict[str, float]] = {}
        self.wall: dict[str, float] = {}
        self.load: dict[str, float] = {}       # the machine's 1-minute load average at the end of each phase
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.done = threading.Event()

    def _sample(self) -> None:
        me = os.getpid()
        procs = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2:].split()
            procs[int(entry)] = (int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / self.tick)
        mine = {me}
        for _ in range(8):          # descendants of this process, a few levels deep
            mine |= {pid for pid, (ppid, _, _) in procs.items() if ppid in mine}
        for pid, (_, pgid, cpu) in procs.items():
            group = ("server" if pid == self.server_pid else "workers" if pgid == self.server_pid
                     else "clients" if pid in mine else "other")
            self.last[pid] = (group, cpu)

    def mark(self, phase: str | None) -> None:
        with self.lock:
            self._sample()
            now = time.monotonic()
            if self.phase is not None:
                used = self.seconds.setdefault(self.phase, dict.fromkeys(self.GROUPS, 0.0))
                for pid, (group, cpu) in self.last.items():
                    used[group] += cpu - self.at_mark.get(pid, 0.0)
                self.wall[self.phase] = self.wall.get(self.phase, 0.0) + now - self.started
                self.load[self.phase] = float(Path("/proc/loadavg").read_text().split()[0])
            self.phase, self.started = phase, now
            self.at_mark = {pid: cpu for pid, (_, cpu) in self.last.items()}

    def run(self) -> None:
        while not self.done.wait(1.0):
            with self.lock:
                self._sample()


# ------------------------------------------------------------------------------------------- data and store

def big_csv(rows: int) -> bytes:
    frame, _ = make_frame(rows)
    return frame.to_csv(index=False).encode()


def add_big_dataset(home: Path, rows: int):
    """The generated dataset, added to the sample project as an upload is: (project, sample dataset, it)."""
    db = open_store(home)
    try:
        project = next(p for p in list_projects(db) if p.is_sample)
        sample = next(d for d in list_datasets(db, project.id) if SAMPLE_TARGET in d.column_types)
        name = f"team-bench-{rows}.csv"
        big, _ = add_dataset(db, project.id, name, read_csv(big_csv(rows), name), System("benchmark", "bench"))
        return project, sample, big
    finally:
        db.close()


def store_runs(db, project_id: int, dataset, target: str, runs: int, author, models: tuple[str, ...] | None = None
               ) -> list[int]:
    """A project with a long history: ``runs`` baseline runs on ``dataset`` stored as evidence of the project, each
    under its own settings (random_state 1000, 1001, ...). The first is computed as a job computes it (every model,
    its predictions kept, error analysis); the others are copies of it under their own seeds: as large as a computed
    run (on 100,000 rows: 2.9 MB of payload, 100,000 kept predictions) without the minute each would take. Returns
    the stored results' ids."""
    revision = latest_revision(db, project_id)
    criteria = success_criteria(revision.content) if revision else []
    asked = RunSettings(target=target, models=models)
    computed, seconds = None, 0.0
    ids = []
    for seed in range(1000, 1000 + runs):
        plan = plan_for(db, "run", dataset, run_settings_key(dataclasses.replace(asked, random_state=seed), None),
                        criteria)
        if computed is None:
            computed, seconds = compute(db, plan, project_id, criteria=criteria)
        payload = {**computed.payload, "settings": {**computed.payload["settings"], "random_state": seed}}
        ids.append(store_result(db, plan, dataset, Computed(payload, computed.summary), seconds, project_id, author).id)
    return ids


def add_history(home: Path, project_id: int, dataset, runs: int) -> None:
    """store_runs on the bench's data folder: ``runs`` runs of the default suite on ``dataset``."""
    db = open_store(home)
    try:
        store_runs(db, project_id, dataset, BIG_TARGET, runs, System("benchmark", "bench"))
    finally:
        db.close()


def _query(home: Path, sql: str, params: list) -> list[dict]:
    db = connect(home / "blueprint.sqlite3")
    try:
        return [dict(r) for r in db.query(sql, params)]
    finally:
        db.close()


def active_jobs(home: Path) -> int:
    return _query(home, "SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running')", [])[0]["n"]


def jobs_of(home: Path, dataset_hash: str) -> list[dict]:
    return _query(home, "SELECT id, state, settings_hash, error, message, started_at, finished_at FROM jobs "
                        "WHERE kind = 'run' AND dataset_hash = ? ORDER BY id", [dataset_hash])


def lost_writes(home: Path, project_id: int, writes: list[dict]) -> int:
    """Writes the app acknowledged that the store does not hold."""
    comments = {r["body"] for r in _query(home, "SELECT body FROM comments WHERE project_id = ?", [project_id])}
    objectives = {r["o"] for r in _query(
        home, "SELECT json_extract(content, '$.requirements.business_objective') AS o FROM revisions "
              "WHERE project_id = ?", [project_id])}
    held = {"comment": comments, "revision": objectives}
    return sum(1 for w in writes if w["acked"] and w["text"] not in held[w["kind"]])


async def wait_for(predicate, timeout_s: float, every_s: float = 0.5) -> bool:
    """Poll ``predicate`` (a store query: run in a thread, so that the sessions' event loop never waits on it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return True
        await asyncio.sleep(every_s)
    return await asyncio.to_thread(predicate)


# ------------------------------------------------------------------------------ sessions (websocket protocol)

class Session:
    """One browser session as the server sees it: a websocket to /_stcore/stream that asks for script runs
    with the frontend's messages (page, query, widget states, fragment timers) and reads what comes back."""

    def __init__(self, port: int, run: Run, label: str) -> None:
        self.port, self.run, self.label = port, run, label
        self.ws = None
        self.query, self.page_hash = "", ""
        self.timers: dict[str, float] = {}           # fragment id -> interval (s) of the page's fragment timers
        self.elements: list = []                      # the elements of the last run

    async def open(self, path: str, query: str) -> None:
        """A page load: a new session asking for the page at ``path`` with ``query``; returns when it is served."""
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                           max_size=None, open_timeout=LOAD_TIMEOUT_S)
        self.query = query
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_name = path
        await self._send(back)

    async def rerun(self, widgets: dict | None = None, fragment_id: str = "") -> None:
        """A rerun as the frontend asks for one: after a widget changed (``widgets``: {id: (kind, value)},
        kind a WidgetState value field such as "string_value" or "trigger_value"), or a fragment's timer."""
        back = BackMsg()
        back.rerun_script.query_string = self.query
        back.rerun_script.page_script_hash = self.page_hash
        for widget_id, (kind, value) in (widgets or {}).items():
            state = back.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            setattr(state, kind, value)
        if fragment_id:
            back.rerun_script.fragment_id = fragment_id
            back.rerun_script.is_auto_rerun = True
        await self._send(back)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _send(self, back) -> None:
        async with asyncio.timeout(LOAD_TIMEOUT_S):
            await self.ws.send(back.SerializeToString())
            await self._until_finished()

    async def _until_finished(self) -> None:
        """Read until the run's script_finished (a run cut short by a rerun, e.g. st.rerun, goes on to the next)."""
        self.elements = []
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                self.elements.append(element)
                if element.WhichOneof("type") == "exception":
                    self.run.exceptions.append(f"{self.label}: {element.exception.type}: "
                                               f"{element.exception.message[:200]}")
            elif kind == "new_session":      # a full run: its fragments announce their timers again
                self.timers = {}
            elif kind == "page_not_found":
                self.run.exceptions.append(f"{self.label}: page not found")
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "auto_rerun":
                self.timers[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment_id in msg.stop_auto_rerun.fragment_ids:
                    self.timers.pop(fragment_id, None)
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.run.exceptions.append(f"{self.label}: the script did not compile")
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return

    async def stay(self, seconds: float, until=None) -> None:
        """Stay on the page for ``seconds`` (or until ``until()`` is true), running its fragment timers as the
        frontend does (the Jobs list and a job's progress poll the store this way)."""
        end, due = time.monotonic() + seconds, {}
        while not self.run.stop and not (until and until()) and time.monotonic() < end:
            for fid, interval in list(self.timers.items()):
                if interval > 0 and due.setdefault(fid, time.monotonic() + interval) <= time.monotonic():
                    await self.rerun(fragment_id=fid)
                    self.run.fragment_runs += 1
                    due[fid] = time.monotonic() + self.timers.get(fid, interval)
            upcoming = [due[fid] for fid in self.timers if fid in due]
            await asyncio.sleep(max(0.0, min([0.25, end - time.monotonic(),
                                              *(t - time.monotonic() for t in upcoming)])))

    def widget(self, kind: str, label: str):
        """The first widget of ``kind`` (text_input, text_area, button...) labelled ``label`` in the last run."""
        for element in self.elements:
            if element.WhichOneof("type") == kind and getattr(element, kind).label == label:
                return getattr(element, kind)
        raise LookupError(f"{self.label}: no {kind} labelled {label!r} on the page")

    def alert(self, starts: str) -> str | None:
        """The text of the first message (st.success, st.error...) in the last run that starts with ``starts``, as a
        reader sees it (without the backslashes components.text.plain puts before Markdown's characters, such as
        "Not saved\\: ...")."""
        for element in self.elements:
            if element.WhichOneof("type") == "alert":
                shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", element.alert.body)
                if shown.startswith(starts):
                    return shown
        return None


class Reader:
    """A person reading: opens the sample project's pages in turn, each a page load (a new session), and
    stays on each for about ``think_s`` seconds."""

    def __init__(self, index: int, port: int, query: str, run: Run, think_s: float) -> None:
        self.index, self.port, self.query, self.run, self.think_s = index, port, query, run, think_s
        self.rng = random.Random(index)

    async def loop(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.think_s))     # people do not all arrive at the same instant
        for step in itertools.count(self.index):
            if self.run.stop:
                return
            path, label = PAGES[step % len(PAGES)]
            await self.visit(path, label)

    async def visit(self, path: str, label: str) -> None:
        """One page load, timed from the connection to the run's end; then the stay on the page."""
        phase, start, loaded = self.run.phase, time.perf_counter(), False
        session = Session(self.port, self.run, label)
        try:
            await session.open(path, self.query)
            self.run.loads.append(Load(phase, label, time.perf_counter() - start, True))
            loaded = True
            await session.stay(self.rng.uniform(0.5, 1.5) * self.think_s)
        except Exception as error:  # a timeout or a dropped connection: a failed load, with its time
            what = "failed while on the page" if loaded else "load failed"
            self.run.exceptions.append(f"{label}: {what}: {type(error).__name__}: {str(error)[:200]}")
            if not loaded:
                self.run.loads.append(Load(phase, label, time.perf_counter() - start, False))
        finally:
            await session.close()


class Writer:
    """A person writing through the forms, in turn: a comment on the Review page's first section, then the
    Requirements section of the Design document saved as a new revision. Each write opens the page, types the
    name in the sidebar (every save records who wrote it), fills the form and submits it, as the frontend
    sends it; it is acknowledged when the app's next run says so ("Comment posted on ..." / "Saved
    Requirements as revision N."), and refused when the app says a colleague saved in between ("Not saved: ...")."""

    def __init__(self, index: int, port: int, project_id: int, run: Run, think_s: float) -> None:
        self.index, self.port, self.project_id, self.run, self.think_s = index, port, project_id, run, think_s
        self.who = f"bench writer {index}"
        self.rng = random.Random(1000 + index)

    async def loop(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.think_s))
        for step in itertools.count(self.index):
            if self.run.stop:
                return
            kind = ("comment", "revision")[step % 2]
            record = {"phase": self.run.phase, "kind": kind, "acked": False, "refused": False, "error": None,
                      "text": f"team bench {kind} by {self.who}: {uuid.uuid4().hex[:12]}", "seconds": None}
            self.run.writes.append(record)
            session = Session(self.port, self.run, f"{self.who} ({kind})")
            try:
                async with asyncio.timeout(3 * LOAD_TIMEOUT_S):
                    await (self.comment if kind == "comment" else self.revision)(session, record)
            except Exception as error:
                record["error"] = f"{type(error).__name__}: {str(error)[:300]}"
            finally:
                await session.close()
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think_s)

    async def sign(self, session: Session) -> None:
        await session.rerun({session.widget("text_input", "Your name").id: ("string_value", self.who)})

    async def comment(self, session: Session, record: dict) -> None:
        await session.open("review", f"project={self.project_id}")
        await self.sign(session)
        start = time.perf_counter()
        await session.rerun({session.widget("text_input", "Your name").id: ("string_value", self.who),
                             session.widget("text_area", "Comment").id: ("string_value", record["text"]),
                             session.widget("button", "Post comment").id: ("trigger_value", True)})
        record["seconds"] = time.perf_counter() - start
        record["acked"] = session.alert("Comment posted on") is not None
        if not record["acked"]:
            record["error"] = "no acknowledgement: " + (session.alert("") or "the page said nothing")[:200]

    async def revision(self, session: Session, record: dict) -> None:
        await session.open("design", f"project={self.project_id}&section=requirements")
        await self.sign(session)
        start = time.perf_counter()
        await session.rerun({session.widget("text_input", "Your name").id: ("string_value", self.who),
                             session.widget("text_area", "Business objective").id: ("string_value", record["text"]),
                             session.widget("button", "Save Requirements").id: ("trigger_value", True)})
        record["seconds"] = time.perf_counter() - start
        record["acked"] = session.alert("Saved Requirements as revision") is not None
        record["refused"] = session.alert("Not saved:") is not None
        if not (record["acked"] or record["refused"]):
            record["error"] = "no acknowledgement: " + (session.alert("") or "the page said nothing")[:200]


# ------------------------------------------------------------------------------------ Chromium (the UI)

async def rendered(page, timeout_s: float = LOAD_TIMEOUT_S) -> None:
    await page.wait_for_function(RENDERED_JS, polling=50, timeout=timeout_s * 1000)


async def new_context(browser, run: Run, who: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(LOAD_TIMEOUT_S * 1000)
    page = await context.new_page()

    def console(message) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource"):
            run.network_noise.add(re.sub(r"/\d+$", "", (message.location or {}).get("url", "?")))
        else:
            run.exceptions.append(f"{who} console: {message.text[:200]}")

    page.on("console", console)
    page.on("pageerror", lambda error: run.exceptions.append(f"{who} page error: {str(error)[:200]}"))
    return context, page


async def exception_boxes(page, run: Run, where: str) -> None:
    boxes = page.get_by_test_id("stException")
    for i in range(await boxes.count()):
        run.exceptions.append(f"{where}: {(await boxes.nth(i).inner_text())[:300]}")


async def choose(page, expander: str, label: str, option: str, attempts: int = 5) -> None:
    """Pick ``option`` in the selectbox ``label`` inside the expander ``expander`` (opened when closed), retrying
    when a rerun redraws the page under the click; returns once the page has rerun with it."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    for attempt in range(attempts):
        try:
            if not await box.is_visible():
                await page.get_by_test_id("stExpander").filter(has_text=expander).locator("summary").click()
            await box.click(timeout=10_000)
            await page.get_by_role("option", name=option).click(timeout=10_000)
            for _ in range(50):
                if await box.locator("input").input_value() == option:
                    break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"{label} does not show {option!r}")
            await asyncio.sleep(0.5)
            await rendered(page)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            await page.keyboard.press("Escape")
            await rendered(page)


async def submit_jobs(browser, base: str, home: Path, project_id: int, big, run: Run) -> None:
    """The data scientist, in Chromium, with two tabs on the Baselines page of the large dataset: the page's
    settings in one, 5-fold cross-validation chosen in the other; "Run baselines" pressed in both, one right
    after the other, so the two jobs run together. The tabs are then closed (the jobs go on; a watcher
    session follows them)."""
    context, first = await new_context(browser, run, "data scientist")
    try:
        second = await context.new_page()
        url = f"{base}/baselines?project={project_id}&dataset={big.id}&target={BIG_TARGET}"
        for page in (first, second):
            await page.goto(url, wait_until="commit")
            await rendered(page)
        await choose(second, "Run settings", "Evaluation protocol", "k-fold cross-validation")
        for page in (first, second):
            await page.get_by_role("button", name="Run baselines").click()
        if not await wait_for(lambda: len(jobs_of(home, big.content_hash)) >= 2, LOAD_TIMEOUT_S):
            raise RuntimeError("the two baseline jobs did not reach the store (did the two settings join?)")
        for page in (first, second):
            await asyncio.sleep(1.0)
            await rendered(page)
            await exception_boxes(page, run, "data scientist (Baselines)")
    finally:
        await context.close()


async def first_visit(url: str, home: Path, timeout_s: float = 600) -> None:
    """A first visit prepares the data folder (seeding the sample project); then wait until no job is left.
    An exception on that page (a broken checkout) ends the benchmark at once, with its text."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page()
            await page.goto(url, wait_until="commit")
            error = page.get_by_test_id("stException")
            await page.wait_for_function(f"() => ({RENDERED_JS})() "
                                         "|| !!document.querySelector('[data-testid=\"stException\"]')",
                                         polling=100, timeout=timeout_s * 1000)
            if await error.count():
                raise RuntimeError(f"the app failed on its first visit:\n{(await error.first.inner_text())[:2000]}")
        finally:
            await browser.close()
    if not await wait_for(lambda: active_jobs(home) == 0, timeout_s, every_s=1.0):
        raise RuntimeError("the sample project's jobs did not finish")


# ------------------------------------------------------------------------------------------------ the run

def jobs_running(home: Path, dataset_hash: str) -> bool:
    return any(j["state"] in ("queued", "running") for j in jobs_of(home, dataset_hash))


async def phase(run: Run, meter: CpuMeter, name: str, note: str) -> None:
    run.phase = name
    meter.mark(name)
    print(f"{name}: {note}", flush=True)


async def watch(port: int, project_id: int, big, run: Run, ended) -> None:
    """Someone following the jobs: the Baselines page of the jobs' dataset, open (its progress polling the
    store) until ``ended()``; not counted with the readers' page times."""
    session = Session(port, run, "watcher (Baselines of the jobs' dataset)")
    try:
        await session.open("baselines", f"project={project_id}&dataset={big.id}&target={BIG_TARGET}")
        await session.stay(24 * 3600, until=ended)
    except Exception as error:
        run.exceptions.append(f"watcher: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await session.close()


async def drive(args, server: AppServer, home: Path, project, sample, big, run: Run, meter: CpuMeter) -> float:
    """Warm-up, idle before, submit, busy (while the jobs run), idle after; returns the busy phase's seconds."""
    query = f"project={project.id}&dataset={sample.id}&target={SAMPLE_TARGET}"
    busy_s, ended = 0.0, False
    tasks = [asyncio.create_task(Reader(i, server.port, query, run, args.think).loop()) for i in range(args.sessions)]
    tasks += [asyncio.create_task(Writer(i, server.port, project.id, run, args.writer_think).loop())
              for i in range(args.writers)]
    await asyncio.sleep(args.warmup)          # every page has been served a few times: caches are warm

    await phase(run, meter, "idle-before",
                f"{args.sessions} readers and {args.writers} writers, no job, {args.seconds:.0f} s")
    await asyncio.sleep(args.seconds)
    await phase(run, meter, "submit", "the data scientist presses Run baselines twice (two settings), in Chromium")
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                await submit_jobs(browser, server.url, home, project.id, big, run)
            finally:
                await browser.close()
    except Exception as error:  # said in the report; no busy phase then
        run.exceptions.append(f"submitting the jobs failed: {type(error).__name__}: {str(error)[:300]}")
    else:
        tasks.append(asyncio.create_task(watch(server.port, project.id, big, run, lambda: ended)))
        await phase(run, meter, "busy", f"the same traffic while the jobs run (at most {args.job_timeout:.0f} s)")
        start = time.monotonic()
        await wait_for(lambda: not jobs_running(home, big.content_hash), args.job_timeout, every_s=0.5)
        busy_s, ended = time.monotonic() - start, True
    if await asyncio.to_thread(jobs_running, home, big.content_hash):
        print("the jobs did not end in time: no idle-after phase", flush=True)
    else:
        await phase(run, meter, "idle-after", f"the jobs have ended; the same traffic for {args.seconds:.0f} s")
        await asyncio.sleep(args.seconds)
    await phase(run, meter, "drain", "stopping the sessions")
    run.stop, ended = True, True
    done, pending = await asyncio.wait(tasks, timeout=3 * LOAD_TIMEOUT_S + 30)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            run.exceptions.append(f"session crashed: {task.exception()!r}"[:300])
    meter.mark(None)
    return busy_s


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def times(loads: list[Load], phase: str, page: str | None = None) -> list[float]:
    """Page times of a phase, of one page when given."""
    return [load.seconds for load in loads if load.phase == phase and (page is None or load.page == page)]


def print_report(args, run: Run, meter: CpuMeter, jobs: list[dict], lost: int, busy_s: float,
                 log_tracebacks: list[str]) -> None:
    print()
    print(f"{'phase':<12}{'sessions':>9}{'pages':>7}{'failed':>7}{'p50 s':>7}{'p95 s':>7}{'max s':>7}{'wall s':>8}"
          f"{'cpu server':>11}{'cpu workers':>12}{'cpu clients':>12}{'cpu other':>10}{'load':>6}")
    for name in PHASES:
        values = times(run.loads, name)
        failed = sum(1 for load in run.loads if load.phase == name and not load.ok)
        cpu = meter.seconds.get(name, dict.fromkeys(CpuMeter.GROUPS, 0.0))
        print(f"{name:<12}{args.sessions:>9}{len(values):>7}{failed:>7}{percentile(values, 50):>7.2f}"
              f"{percentile(values, 95):>7.2f}{max(values, default=float('nan')):>7.2f}"
              f"{meter.wall.get(name, 0.0):>8.1f}"
              + "".join(f"{cpu[g]:>{w}.1f}" for g, w in zip(CpuMeter.GROUPS, (11, 12, 12, 10), strict=True))
              + f"{meter.load.get(name, float('nan')):>6.1f}")
    print(f"(cpu: CPU seconds used in the phase by the server process, the job workers, this benchmark's clients "
          f"and every other process on the machine, of {os.cpu_count()} cores x wall; load: the 1-minute load average "
          "at the end of the phase)")
    print()
    print(f"{'page (readers)':<18}" + "".join(f"{f'{name} {q}':>17}" for name in PHASES for q in ("p50", "p95")))
    for _, label in PAGES:
        cells = [percentile(times(run.loads, name, label), q) for name in PHASES for q in (50, 95)]
        print(f"{label:<18}" + "".join(f"{c:>17.2f}" for c in cells))
    print(f"fragment timer reruns (Jobs list, job progress): {run.fragment_runs}")
    print()
    for job in jobs:
        print(f"job {job['id']}: {job['state']}, {job['message']} (started {job['started_at']}, finished "
              f"{job['finished_at']})" + (f": {job['error']}" if job["error"] else ""))
    print(f"busy phase: {busy_s:.1f} s")
    for name in PHASES:
        writes = [w for w in run.writes if w["phase"] == name]
        waits = [w["seconds"] for w in writes if w["seconds"] is not None]
        print(f"writes, {name}: {len(writes)} tried, {sum(w['acked'] for w in writes)} acknowledged, "
              f"{sum(w['refused'] for w in writes)} refused as stale (the app said so), "
              f"{sum(1 for w in writes if w['error'])} did not complete; submit to acknowledgement "
              f"p50 {percentile(waits, 50):.2f} s, p95 {percentile(waits, 95):.2f} s")
    print(f"lost writes (acknowledged, missing from the store): {lost}")
    for error in [w["error"] for w in run.writes if w["error"]][:5]:
        print(f"  write error: {error}")
    for text in run.exceptions[:10]:
        print(f"  exception: {text}")
    for line in log_tracebacks[:5]:
        print(f"  server log: {line}")
    if run.network_noise:
        print("not counted (the sandbox's network, the frontend's probes): failed resources "
              + ", ".join(sorted(run.network_noise))[:400])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench team")
    parser.add_argument("--sessions", type=int, default=20, help="readers: concurrent sessions opening pages")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the dataset the baseline jobs run on")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="length of each idle window (before the jobs and after them); "
                             "busy lasts while the jobs run")
    parser.add_argument("--writers", type=int, default=2,
                        help="sessions posting comments and saving revisions through the forms")
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds a reader stays on a page")
    parser.add_argument("--writer-think", type=float, default=10.0, help="mean seconds between a writer's saves")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of traffic before measuring")
    parser.add_argument("--job-timeout", type=float, default=600.0, help="the most the busy phase (the jobs) may last")
    parser.add_argument("--workers", type=int, default=None,
                        help="BLUEPRINT_WORKERS for the server (default: the app's)")
    parser.add_argument("--worker-nice", type=int, default=None,
                        help="BLUEPRINT_WORKER_NICE for the server: the job workers' CPU priority (0: as the server's)")
    parser.add_argument("--runs", type=int, default=0,
                        help="baseline runs on the --rows dataset stored in the sample project before the first idle "
                             "window (a project with a long history)")
    args = parser.parse_args(argv)

    run = Run()
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp:
        home, log = Path(tmp) / "home", Path(tmp) / "streamlit.log"
        env = {name: str(value) for name, value in (("BLUEPRINT_WORKERS", args.workers),
                                                    ("BLUEPRINT_WORKER_NICE", args.worker_nice)) if value is not None}
        server = AppServer(home, log, env=env)
        meter = CpuMeter(server.proc.pid)
        meter.start()
        try:
            print(f"server on {server.url}; first visit (seeds the sample project)", flush=True)
            start = time.perf_counter()
            asyncio.run(first_visit(server.url, home))
            print(f"first visit and the sample's jobs: {time.perf_counter() - start:.1f} s", flush=True)
            start = time.perf_counter()
            project, sample, big = add_big_dataset(home, args.rows)
            print(f"added {big.name}: {big.rows:,} rows x {big.columns} columns in {time.perf_counter() - start:.1f} s",
                  flush=True)
            if args.runs:
                start = time.perf_counter()
                add_history(home, project.id, big, args.runs)
                print(f"stored {args.runs} runs on {big.name} (one computed, {args.runs - 1} copies under other seeds) "
                      f"in {time.perf_counter() - start:.1f} s", flush=True)
            busy_s = asyncio.run(drive(args, server, home, project, sample, big, run, meter))
            jobs = jobs_of(home, big.content_hash)
            lost = lost_writes(home, project.id, run.writes)
        finally:
            meter.done.set()
            server.stop()
        log_tracebacks = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("Traceback")]
    print_report(args, run, meter, jobs, lost, busy_s, log_tracebacks)
    before, busy, after = (percentile(times(run.loads, name), 95) for name in PHASES)
    print_result(p95_idle_before_s=before, p95_idle_after_s=after, p95_busy_s=busy, after_over_before=after / before,
                 busy_over_before=busy / before, exceptions=len(run.exceptions) + len(log_tracebacks),
                 jobs_done=sum(j["state"] == "done" for j in jobs), lost_writes=lost)
    return 0
