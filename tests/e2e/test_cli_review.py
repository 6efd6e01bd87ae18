"""A pipeline's check seen by the reviewers (issue 23): an editor runs ``blueprint check --home ... --as`` on the
server's data folder; a second person, the sample's pathology reviewer signed in through a proxy (header mode),
opens the Review page and reads "Checked by CI" with who ran it, when, on which data, and the Compare page's list of
the pipeline's runs, before and after a reload. Then the editor's next run fails (random predictions) while the
server runs: the reviewer's Review page blocks approval on it and links to Compare, which lists both runs and the
criteria that started failing."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from store.db import open_store
from store.people import see_user
from tests.cli_runs import EDITOR, SAMPLE_CSV, write_predictions
from tests.e2e.conftest import ROOT, Server, settle

SECRETS = ('[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\n'
           'admins = ["admin@example.org"]\n')
SECTION = "Checks from the pipeline (blueprint check)"
FAILED = re.compile(r"The latest CI check failed \(run \d{4}-\d\d-\d\d \d\d:\d\d UTC\)")


def _check(home: Path, predictions: Path) -> subprocess.CompletedProcess:
    """The editor's pipeline step: the real command on the server's data folder, stored under her name."""
    return subprocess.run([sys.executable, "-m", "blueprint", "check", "--home", str(home), "--project", "1",
                           "--as", EDITOR, "--data", str(SAMPLE_CSV), "--predictions", str(predictions)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def _sees_the_runs_on_compare(page, outcomes: str) -> None:
    """Compare's section of CI runs: the runs table (``outcomes`` in its order, newest first) by the editor, and the
    criteria across the runs."""
    app = page.get_by_test_id("stApp")
    expect(app).to_contain_text(SECTION)
    runs = page.get_by_test_id("stDataFrame").filter(has_text="Exit code")
    expect(runs).to_contain_text("Dana Scientist")
    expect(runs).to_contain_text(re.compile(outcomes))
    criteria = page.get_by_test_id("stDataFrame").filter(has_text="p95 latency_ms <= 300").filter(
        has_text=re.compile(r"#\d+ \d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(criteria).to_contain_text(re.compile(r"recall >= 0\.95pass \(1\.000, 0\.\d{3}-1\.000\)"))
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_reviewer_reads_the_check_an_editor_ran_from_a_pipeline(tmp_path, seeded_template, browser, secrets_file):
    home = tmp_path / "home"
    shutil.copytree(seeded_template, home)
    db = open_store(home)
    see_user(db, EDITOR, "Dana Scientist")                              # signed in once: the invite made her editor
    db.close()
    done = _check(home, write_predictions(tmp_path / "predictions.csv", "good", seed=1))
    assert done.returncode == 0, done.stderr
    server = Server(home, tmp_path / "streamlit.log", secrets=secrets_file(SECRETS))
    try:
        context = browser.new_context(extra_http_headers={"X-Forwarded-Email": "pathology.reviewer@example.org"})
        page = context.new_page()
        page.goto(server.url + "/review?project=1")
        settle(page)
        app = page.get_by_test_id("stApp")
        expect(app).to_contain_text("Checked by CI: passed (exit 0), run ")
        expect(app).to_contain_text("Checked by CI (blueprint check) as Dana Scientist, run ")
        expect(app).to_contain_text(f"data hash {hashlib.sha256(SAMPLE_CSV.read_bytes()).hexdigest()[:12]}")
        expect(app).to_contain_text(re.compile(r"recall (>=|≥) 0\.95: pass"))     # Markdown draws >= as ≥
        expect(app).not_to_contain_text(FAILED)                          # a passing run blocks nothing

        page.goto(server.url + "/compare?project=1")
        settle(page)
        _sees_the_runs_on_compare(page, r"passed0")
        page.reload()                                                   # the runs are read from the store again
        settle(page)
        _sees_the_runs_on_compare(page, r"passed0")

        failed = _check(home, write_predictions(tmp_path / "random.csv", "random"))     # the next pipeline run
        assert failed.returncode == 1, failed.stderr
        page.goto(server.url + "/review?project=1")
        settle(page)
        blockers = page.locator(".st-key-blockers")                   # the Review page's box of blockers
        expect(blockers).to_contain_text(FAILED)
        expect(blockers).to_contain_text("Failed pipeline check")
        expect(app).to_contain_text("Checked by CI: failed (exit 1), run ")
        blockers.get_by_role("link", name=f"Fix it on Compare · {SECTION}").click()
        settle(page)
        expect(page).to_have_url(re.compile(r"/compare\?project=1"))
        _sees_the_runs_on_compare(page, r"failed1.*passed0")
        expect(app).to_contain_text(re.compile(r"recall (>=|≥) 0\.95 started failing: fail \(0\.\d{3}, "))
        page.reload()
        settle(page)
        _sees_the_runs_on_compare(page, r"failed1.*passed0")
        context.close()
    finally:
        server.stop()
