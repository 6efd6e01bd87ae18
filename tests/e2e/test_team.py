"""In Chromium, as a team: several browser contexts (one per person) on one server.

Long work runs as jobs (store.jobs, jobs/): every session that opens a page sees the same live progress and
then the same result; a closed tab, a server restart, a cancel and a killed worker are all seen as they
are. Every session here is watched for exception boxes and console errors (Person.check).

Data: the seeded sample project plus two generated tables. WIDE (9,000 x 40, binary) gives a baseline run of about
15 s in a worker on an idle 2-core machine (stratified 5-fold; the random forest takes most of it), long enough to
watch. LONG (9,000 x 60, regression), run with a 600 s budget per model, holds the server's only worker until it
is cancelled, so work asked for meanwhile waits in the queue for as long as a test watches it.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from analysis.reading.read import read_csv
from store.datasets import add_dataset
from store.db import DB_FILE, connect, open_store
from store.documents import get_revision, latest_revision, list_revisions
from store.jobs import Job, list_jobs
from store.people import System
from store.results import get_result_meta
from tests.e2e import conftest as e2e
from tests.e2e.conftest import Server, settle, wait_idle

LANDS = 180_000           # ms for a job's result to land on a page: the job's own time on a (shared) 2-core machine
WIDE = "wide.csv"         # dataset 3 of the sample project (after its CSV and its Parquet copy): a baseline run
                          # long enough to watch (~15 s idle)
WIDE_ID = 3
LONG = "long.csv"         # dataset 4, a regression: with a large time budget its run holds the worker for minutes
LONG_ID = 4
SAMPLE = "/baselines?project=1&dataset=1&target=diagnosis"
WIDE_BASELINES = f"/baselines?project=1&dataset={WIDE_ID}&target=label"
# Streamlit's frontend, opened on a page's URL, first looks for its server under that path (a 404 it logs as a
# console error, streamlit/streamlit#7074), then at the root: that probe is not an error of the app.
PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)$")


def generated_csv(rows: int = 9_000, columns: int = 40, regression: bool = False) -> bytes:
    """``columns`` numeric features and a target "label", partly non-linear (numpy seed 12): yes / no, or a
    number when ``regression`` (a random forest then weighs every feature at every split: a slow run)."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=(rows, columns)).round(3)
    signal_ = x[:, 0] - 0.8 * x[:, 1] + 0.6 * x[:, 2] * x[:, 3] + 0.5 * np.sin(2 * x[:, 4])
    frame = pd.DataFrame(x, columns=[f"f{i:02d}" for i in range(columns)])
    if regression:
        frame["label"] = (signal_ + rng.normal(size=rows)).round(3)
    else:
        frame["label"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-signal_)), "yes", "no")
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def team_template(tmp_path_factory, seeded_template):
    """The seeded sample project plus WIDE and LONG (datasets 3 and 4), as a data folder to copy."""
    home = tmp_path_factory.mktemp("team") / "home"
    shutil.copytree(seeded_template, home)
    db = open_store(home)
    dataset, _ = add_dataset(db, 1, WIDE, read_csv(generated_csv(), WIDE), System("test", "Test setup"))
    assert dataset.id == WIDE_ID
    dataset, _ = add_dataset(db, 1, LONG, read_csv(generated_csv(columns=60, regression=True), LONG),
                             System("test", "Test setup"))
    assert dataset.id == LONG_ID
    db.close()
    return home


def start_server(home: Path, log: Path, workers: int) -> Server:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BLUEPRINT_WORKERS", str(workers))
        return Server(home, log)


@pytest.fixture(scope="module")
def team_server(tmp_path_factory, team_template):
    """One server for the team tests, with ONE worker, so that work asked for while a job runs waits in the
    queue (its progress then reads 'waiting for a worker') for as long as a test needs to watch it."""
    tmp = tmp_path_factory.mktemp("team-server")
    shutil.copytree(team_template, tmp / "home")
    server = start_server(tmp / "home", tmp / "streamlit.log", workers=1)
    server.home = tmp / "home"
    yield server
    server.stop()
    assert_no_traceback(tmp / "streamlit.log")


# Streamlit's server (1.67, starlette) logs this when a browser closes a page while its websocket is being set up.
WEBSOCKET_CLOSED = re.compile(r"Exception in ASGI application\n(?:.*\n)*?starlette\.websockets\.WebSocketDisconnected: "
                              r"Cannot call \"send\" once a close message has been sent\.\n")


def assert_no_traceback(log: Path) -> None:
    """No traceback in a server's log (the app's, or a worker's: they write to the same log)."""
    text = WEBSOCKET_CLOSED.sub("", log.read_text(errors="replace"))
    assert "Traceback" not in text, text[-6000:]


class Person:
    """One person: a browser context of their own on ``server``, watched for console errors."""

    def __init__(self, browser, server: Server, name: str) -> None:
        self.server, self.name = server, name
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"{self.name} page error: {e}"))
        return page

    def _console(self, message) -> None:
        url = message.location.get("url", "")
        if message.type != "error" or PROBE.search(url):
            return
        self.errors.append(f"{self.name}, console: {message.text} ({url})")

    def open(self, path: str, page=None):
        page = page or self.page
        page.goto(self.server.url + path)
        wait_idle(page)
        self.check(page)
        return page

    def sign(self, page=None) -> None:
        """Type this person's name in the sidebar. The session keeps it; local mode also remembers it as the
        name a new session starts with (one per machine, so the last name typed by anyone)."""
        page = page or self.page
        box = page.get_by_test_id("stSidebar").get_by_label("Your name", exact=True)
        box.fill(self.name)
        box.press("Enter")
        settle(page)

    def reload(self, page=None) -> None:
        page = page or self.page
        page.reload()
        wait_idle(page)
        self.check(page)

    def check(self, page=None) -> None:
        """No exception box on the page, no console error in this context so far."""
        for p in [page] if page else [p for p in self.context.pages if not p.is_closed()]:
            boxes = p.get_by_test_id("stException")
            assert boxes.count() == 0, f"{self.name} sees an exception on {p.url}: {boxes.all_inner_texts()}"
        assert not self.errors, self.errors

    def close(self) -> None:
        self.check()
        self.context.close()


@pytest.fixture
def people(browser):
    """people(name, server): a new Person; every one is checked and closed at the end of the test."""
    made: list[Person] = []

    def person(name: str, server: Server) -> Person:
        made.append(Person(browser, server, name))
        return made[-1]

    yield person
    problems = []
    for p in made:
        try:
            if p.context.pages:
                p.check()
        except AssertionError as error:
            problems.append(str(error))
        p.context.close()
    assert not problems, problems


def jobs_of(home: Path, kind: str | None = None) -> list[Job]:
    db = connect(home / DB_FILE)
    try:
        return [j for j in list_jobs(db, 1, limit=500) if kind is None or j.kind == kind]
    finally:
        db.close()




def wait_for_job(home: Path, predicate, timeout: float = 60.0, what: str = "a job") -> Job:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [j for j in jobs_of(home) if predicate(j)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"No {what} within {timeout:.0f} s: {jobs_of(home)[:5]}")


def progress_of(page):
    return page.get_by_test_id("stProgress")


TILES = {"Explore": 5, "Leakage": 4, "Drift": 4}    # metric tiles at the top of each page's result


def metrics(page, name: str) -> list[str]:
    """The texts of the metric tiles at the top of a stored result on page ``name``."""
    expect(page.get_by_test_id("stMetric")).to_have_count(TILES[name])
    return page.get_by_test_id("stMetric").all_inner_texts()


def tables(page) -> list[str]:
    """The text of every table in sight once all have loaded (a grid's text is in its accessible table); tables
    in tabs not open are left out."""
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    return page.wait_for_function("""() => {
        const shown = Array.from(document.querySelectorAll('[data-testid="stDataFrame"]')).filter(e => e.offsetParent);
        return shown.every(e => e.textContent.trim().length > 0) && shown.map(e => e.textContent);
    }""", timeout=60_000).json_value()


def nav(page, name: str) -> None:
    """Go to another page through the sidebar (the session, and the name typed in it, stay)."""
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(rf"/{name.lower()}(\?|$)"))
    wait_idle(page)


def choose_row_order(page, dataset: str | None = None) -> None:
    """On the Drift page: one dataset split by row order (first half against the second)."""
    page.get_by_test_id("stRadio").get_by_text("One dataset split by row order").click()
    settle(page)
    if dataset:
        page.get_by_test_id("stSelectbox").filter(has_text="Dataset").click()
        page.get_by_role("option", name=dataset).click()
        settle(page)


def test_baselines_seen_live_and_after_by_a_second_session_while_the_first_closes_its_tab(team_server, people):
    """Ana starts baselines; Ben opens the page during the run (live progress, who started it, Cancel) and
    after it (the result lands by itself); Ana closes her tab mid-run and the run goes on; reloads and a new
    tab show the same stored result. No exception box, no console error anywhere."""
    ana, ben = people("Ana", team_server), people("Ben", team_server)
    ana.open(WIDE_BASELINES)
    ana.sign()
    ana.page.get_by_role("button", name="Run baselines").click()
    expect(progress_of(ana.page)).to_contain_text("started by Ana")
    job = wait_for_job(team_server.home, lambda j: j.kind == "run" and j.dataset_id == WIDE_ID and j.active,
                       what="baseline job")
    assert job.created_by == "Ana"

    ben.open(WIDE_BASELINES)                 # Ben comes in while it runs: the same job, live
    expect(progress_of(ben.page)).to_contain_text(re.compile(r"fold \d of 5"))
    expect(progress_of(ben.page)).to_contain_text("started by Ana")
    expect(ben.page.get_by_role("button", name="Cancel")).to_be_visible()
    assert wait_for_job(team_server.home, lambda j: j.id == job.id).active, "the run ended before Ana left"
    ana.close()                              # Ana closes her tab mid-run: the job goes on
    ben.reload()                             # (still running on a loaded machine, or already done)
    expect(progress_of(ben.page).or_(ben.page.get_by_text(re.compile(r"rows · (done|partial) in")))).to_be_visible()

    done = re.compile(r"rows · (done|partial) in")
    expect(ben.page.get_by_text(done)).to_be_visible(timeout=LANDS)   # the result lands on Ben's page by itself
    expect(progress_of(ben.page)).to_have_count(0)
    ben.check()
    finished = wait_for_job(team_server.home, lambda j: j.id == job.id)
    print(f"baseline run: {finished.seconds():.1f} s")
    assert finished.state == "done"
    assert [j.id for j in jobs_of(team_server.home, "run") if j.settings == job.settings] == [job.id]   # Ben joined it
    settle(ben.page)
    shown = tables(ben.page)
    assert any("Random forest" in t for t in shown), shown
    ben.reload()
    expect(ben.page.get_by_text(done)).to_be_visible()
    expect(progress_of(ben.page)).to_have_count(0)

    ana = people("Ana", team_server)         # Ana opens the page again in a new tab: the same stored result
    ana.open(WIDE_BASELINES)
    expect(ana.page.get_by_text(done)).to_be_visible()
    settle(ana.page)
    assert tables(ana.page) == shown
    ana.check()


def test_same_section_saved_by_two_people_from_one_revision_refuses_the_second_and_loses_nothing(team_server, people):
    """Ana and Ben edit Requirements from the same revision; Ana saves first. Ben's save is refused with who
    saved which revision when, his text stays on screen beside hers; he keeps his text on top of hers and
    saves. The store holds both revisions, and the one before them unchanged."""
    db = connect(team_server.home / DB_FILE)
    before = latest_revision(db, 1)
    db.close()
    ana, ben = people("Ana", team_server), people("Ben", team_server)
    for person in (ana, ben):                # both open the Requirements section of the same revision
        person.open("/design?project=1&section=requirements")
        person.sign()
    objective = ana.page.get_by_label("Business objective", exact=True)
    ana_text = "Ana: cut the time to a first cytology read by half, without missing more malignant cases."
    ben_text = "Ben: send every likely malignant sample to a pathologist within a day."
    objective.fill(ana_text)
    ben.page.get_by_label("Business objective", exact=True).fill(ben_text)
    ana.page.get_by_role("button", name="Save Requirements").click()
    expect(ana.page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Saved Requirements as revision {before.number + 1}")

    ben.page.get_by_role("button", name="Save Requirements").click()
    refused = ben.page.get_by_test_id("stAlertContentError")
    who_when = rf"Not saved: Ana saved revision {before.number + 1} at \d{{4}}-\d\d-\d\d \d\d:\d\d"
    expect(refused).to_contain_text(re.compile(who_when))
    expect(ben.page.get_by_label("Business objective", exact=True)).to_have_value(ben_text)   # his text stays
    expect(ben.page.get_by_text(ana_text)).to_be_visible()                                      # theirs, beside it
    ben.check()
    ana.check()

    db = connect(team_server.home / DB_FILE)
    try:
        revisions = list_revisions(db, 1)
        assert [r.number for r in revisions[:2]] == [before.number + 1, before.number]
        ana_rev = get_revision(db, revisions[0].id)
        assert (ana_rev.author, ana_rev.parent_id) == ("Ana", before.id)
        assert ana_rev.content["requirements"]["business_objective"] == ana_text
        assert get_revision(db, before.id).content == before.content          # the earlier one is untouched
    finally:
        db.close()

    # Ben keeps his text on top of Ana's revision and saves again: both versions are in the store.
    ben.page.get_by_role("button", name="Keep my text; my next save goes on top of theirs").click()
    expect(refused).to_have_count(0)
    settle(ben.page)
    expect(ben.page.get_by_label("Business objective", exact=True)).to_have_value(ben_text)
    ben.page.get_by_role("button", name="Save Requirements").click()
    expect(ben.page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Saved Requirements as revision {before.number + 2}")
    ben.check()
    db = connect(team_server.home / DB_FILE)
    try:
        ben_rev = latest_revision(db, 1)
        assert (ben_rev.number, ben_rev.author, ben_rev.parent_id) == (before.number + 2, "Ben", ana_rev.id)
        assert ben_rev.content["requirements"]["business_objective"] == ben_text
        assert get_revision(db, ana_rev.id).content["requirements"]["business_objective"] == ana_text
    finally:
        db.close()


def test_two_sessions_see_the_same_stored_results_on_every_data_page(team_server, people):
    """The sample's stored profile, leakage scan, drift check and baseline run: the same in two sessions and
    after a reload, with nothing recomputed (no job)."""
    ana, ben = people("Ana", team_server), people("Ben", team_server)
    pages = {"Explore": "/explore?project=1&dataset=1&target=diagnosis",
             "Leakage": "/leakage?project=1&dataset=1&target=diagnosis",
             "Drift": "/drift?project=1",
             "Baselines": SAMPLE}
    for name, path in pages.items():
        seen = []
        for person in (ana, ben):
            person.open(path)
            if name == "Drift":
                choose_row_order(person.page, "breast_cancer.csv")
            seen.append(metrics(person.page, name) if name != "Baselines" else
                        person.page.get_by_text(re.compile(r"rows · done in")).inner_text())
            expect(progress_of(person.page)).to_have_count(0)    # stored: nothing to run
            person.check()
        assert seen[0] == seen[1], (name, seen)
        if name == "Explore":
            assert "569" in seen[0][0], seen
        ben.reload()
        if name == "Drift":
            choose_row_order(ben.page, "breast_cancer.csv")
        assert (metrics(ben.page, name) if name != "Baselines" else
                ben.page.get_by_text(re.compile(r"rows · done in")).inner_text()) == seen[0], name
    assert not [j for j in jobs_of(team_server.home) if j.dataset_id == 1 and j.active]


def test_work_asked_for_during_a_job_is_seen_queued_by_a_second_session_and_cancel_stops_the_job(team_server, people):
    """One worker: while Ana's baseline run on LONG holds it, the leakage scan, profile and drift check of WIDE
    she asks for wait; Ben, opening those pages, sees each one's progress (and joins, not repeats, the work).
    Ana cancels the run from its page: it stops within seconds, keeps its finished models and says so; the
    queued jobs then run and land on Ben's pages."""
    home = team_server.home
    ana, ben = people("Ana", team_server), people("Ben", team_server)
    ana.open(f"/baselines?project=1&dataset={LONG_ID}&target=label")
    ana.sign()
    ana.page.get_by_text("Run settings").click()       # a budget that keeps the worker busy until the cancel
    budget = ana.page.get_by_label("Time budget per model (seconds)")
    budget.fill("600")
    budget.press("Enter")
    settle(ana.page)
    ana.page.get_by_role("button", name="Run baselines").click()
    run = wait_for_job(home, lambda j: j.kind == "run" and j.dataset_id == LONG_ID and j.state == "running",
                       what="running baseline job")

    labels = {"Leakage": "Leakage scan of wide.csv for 'label'", "Explore": "Profile of wide.csv for 'label'",
              "Drift": "Drift check wide.csv first 50% → wide.csv last 50%"}
    # In a second tab (a new session: it starts with the name she typed, which local mode remembers).
    wide = f"project=1&dataset={WIDE_ID}&target=label"
    other = ana.new_page()
    ana.open(f"/leakage?{wide}", other)
    other.get_by_role("button", name="Run leakage checks").click()
    expect(progress_of(other)).to_contain_text(f"{labels['Leakage']}: waiting for a worker")
    ana.open(f"/explore?{wide}", other)      # the profile starts by itself
    expect(progress_of(other)).to_contain_text(f"{labels['Explore']}: waiting for a worker")
    ana.open("/drift?project=1", other)
    choose_row_order(other, WIDE)
    other.get_by_role("button", name="Run drift check").click()
    expect(progress_of(other)).to_contain_text(f"{labels['Drift']}: waiting for a worker")
    ana.check()

    tabs = {"Leakage": ben.page, "Explore": ben.new_page(), "Drift": ben.new_page()}
    for name, tab in tabs.items():
        ben.open(f"/{name.lower()}?{wide}", tab)
        if name == "Drift":
            choose_row_order(tab, WIDE)
        expect(progress_of(tab)).to_contain_text(labels[name])
        expect(progress_of(tab)).to_contain_text("waiting for a worker")
        expect(progress_of(tab)).to_contain_text("started by Ana")
    queued = [j for j in jobs_of(home) if j.dataset_id == WIDE_ID and j.kind != "run" and j.active]
    assert sorted(j.kind for j in queued) == ["drift", "leakage", "profile"], queued   # Ben joined, none doubled
    assert all(j.state == "queued" and j.created_by == "Ana" for j in queued), queued

    # Cancel from the page, once a model has finished (it is kept).
    wait_for_job(home, lambda j: j.id == run.id and (j.partial or not j.active), what="a finished model")
    expect(progress_of(ana.page)).to_contain_text("Baselines on long.csv")    # her first tab follows the run
    asked = time.time()
    ana.page.get_by_role("button", name="Cancel").click()
    stopped = wait_for_job(home, lambda j: j.id == run.id and not j.active, timeout=30, what="cancelled run")
    took = time.time() - asked
    assert stopped.state == "cancelled" and stopped.cancel_requested, stopped
    assert took < 15, f"the cancel took {took:.1f} s"        # a few seconds (CANCEL_GRACE_S 4), on a loaded machine
    # The page says so and keeps the finished models: stored as a cancelled run when the run stopped between two
    # steps, else (a step outlived the grace period and the worker ended it) from the job's record.
    expect(ana.page.get_by_text(re.compile(r"rows · cancelled in|was cancelled by request"))).to_be_visible()
    expect(progress_of(ana.page)).to_have_count(0)
    assert any("Dummy" in t for t in tables(ana.page)), tables(ana.page)
    print(f"cancel: {took:.1f} s, {'stored the finished models' if stopped.result_id else 'stopped mid-step'}")

    for name, tab in tabs.items():           # the queued work runs now and lands on Ben's pages
        expect(progress_of(tab)).to_have_count(0, timeout=LANDS)
        assert metrics(tab, name), name
        ben.check(tab)
    assert {j.kind: j.state for j in jobs_of(home) if j.id in {q.id for q in queued}} == \
        {"leakage": "done", "profile": "done", "drift": "done"}
    ana.check()

    nav(ana.page, "Jobs")
    table = ana.page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text("cancelled")
    expect(table).to_contain_text("Profile of wide.csv")
    ana.check()



def stored_run(home: Path, job: Job):
    """The stored result (without payload) of ``job``'s key, or None."""
    db = connect(home / DB_FILE)
    try:
        return get_result_meta(db, job.kind, job.dataset_hash, job.settings)
    finally:
        db.close()


def test_a_worker_killed_with_sigkill_leaves_its_job_interrupted_and_the_app_serving(team_server, people):
    """SIGKILL to the worker mid-run: the job is interrupted with the signal named (page and Jobs page), the
    stored run stays as it was, other pages load, and Run again runs it to the end."""
    home = team_server.home
    ana, ben = people("Ana", team_server), people("Ben", team_server)
    ana.open(SAMPLE)
    ana.sign()
    ana.page.get_by_role("button", name="Run baselines").click()
    job = wait_for_job(home, lambda j: j.kind == "run" and j.dataset_id == 1 and j.state == "running" and j.worker_pid,
                       what="running baseline job on the sample")
    before = stored_run(home, job)
    os.kill(job.worker_pid, signal.SIGKILL)

    killed = "was interrupted: The worker process running this job was killed (signal 9, SIGKILL). Run it again."
    expect(ana.page.get_by_test_id("stAlertContentWarning")).to_contain_text(killed)
    assert wait_for_job(home, lambda j: j.id == job.id and not j.active).state == "interrupted"
    assert stored_run(home, job) == before                    # nothing half-written replaced the stored run
    ana.check()

    ben.open("/jobs?project=1")                               # the app serves: the Jobs page lists it
    # (A grid's text is in its accessible table, which holds the columns in view: What, State, Message here.)
    jobs_table = ben.page.get_by_test_id("stDataFrame").first
    expect(jobs_table).to_contain_text("interrupted")
    expect(jobs_table).to_contain_text("was killed (signal 9, SIGKILL)")
    ben.open(SAMPLE)                                          # the stored run, and the interrupted attempt after it
    expect(ben.page.get_by_text(re.compile(r"rows · done in"))).to_be_visible()
    expect(ben.page.get_by_test_id("stAlertContentWarning")).to_contain_text(killed)

    ana.page.get_by_role("button", name="Run again").click()
    again = wait_for_job(home, lambda j: j.kind == "run" and j.id > job.id, what="the job run again")
    assert (again.settings, again.dataset_id, again.created_by) == (job.settings, 1, "Ana")
    assert wait_for_job(home, lambda j: j.id == again.id and not j.active, timeout=LANDS / 1000).state == "done"
    expect(ana.page.get_by_text(re.compile(r"rows · done in"))).to_be_visible()     # the page follows by itself
    expect(progress_of(ana.page)).to_have_count(0)
    expect(ana.page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
    assert stored_run(home, job).computed_at > before.computed_at
    ana.check()
    ben.reload()
    expect(ben.page.get_by_test_id("stAlertContentWarning")).to_have_count(0)


def test_a_server_restart_mid_job_shows_it_interrupted_and_run_again_finishes_it(people, seeded_template, tmp_path,
                                                                                   monkeypatch):
    """The server stops mid-run and starts again on the same data folder and address: Ana's open tab reconnects
    and shows the job interrupted, so do the Jobs page and a new session; nothing half-written is stored, and
    Run again runs it to the end."""
    home = tmp_path / "home"
    shutil.copytree(seeded_template, home)
    first = Server(home, tmp_path / "first.log")
    try:
        ana = people("Ana", first)
        ana.open(SAMPLE)
        ana.sign()
        ana.page.get_by_role("button", name="Run baselines").click()
        job = wait_for_job(home, lambda j: j.kind == "run" and j.state == "running" and j.worker_pid,
                           what="running baseline job")
        before = stored_run(home, job)
    finally:
        first.stop()                          # mid-job; Ana's tab stays open

    monkeypatch.setattr(e2e, "free_port", lambda: first.port)      # the same address: Ana's tab reconnects
    second = Server(home, tmp_path / "second.log")
    ben = None
    try:
        # The orphaned worker marks its job interrupted when it sees its server gone (or the new server's pool
        # does, on start): never left "running", never half-written.
        assert wait_for_job(home, lambda j: j.id == job.id and not j.active).state == "interrupted"
        interrupted = "was interrupted: The server stopped while this job ran"
        expect(ana.page.get_by_test_id("stAlertContentWarning")).to_contain_text(interrupted)
        ana.errors.clear()                    # the lost connection while the server was down, logged by the browser
        assert stored_run(home, job) == before   # nothing half-written

        ben = people("Ben", second)
        ben.open("/jobs?project=1")
        expect(ben.page.get_by_test_id("stDataFrame").first).to_contain_text("interrupted")
        expect(ben.page.get_by_test_id("stDataFrame").first).to_contain_text("The server stopped while this job ran")
        ben.open(SAMPLE)
        expect(ben.page.get_by_test_id("stAlertContentWarning")).to_contain_text(interrupted)
        expect(ben.page.get_by_text(re.compile(r"rows · done in"))).to_be_visible()

        ben.page.get_by_role("button", name="Run again").click()
        again = wait_for_job(home, lambda j: j.kind == "run" and j.id > job.id, what="the job run again")
        assert again.settings == job.settings
        assert wait_for_job(home, lambda j: j.id == again.id and not j.active, timeout=LANDS / 1000).state == "done"
        expect(ben.page.get_by_text(re.compile(r"rows · done in"))).to_be_visible()
        expect(progress_of(ben.page)).to_have_count(0)
        expect(ben.page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
        assert stored_run(home, job).computed_at > before.computed_at
        ana.reload()
        expect(ana.page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
        expect(ana.page.get_by_text(re.compile(r"rows · done in"))).to_be_visible()
        ana.close()
        ben.close()
    finally:
        for person in filter(None, (ana, ben)):   # before the server goes: its pages would log the lost connection
            person.context.close()
        second.stop()
    assert_no_traceback(tmp_path / "first.log")
    assert_no_traceback(tmp_path / "second.log")
