"""A pipeline's check seen by the reviewers (issue 23): an editor runs ``blueprint check --home ... --as`` on the
server's data folder; a second person, the sample's pathology reviewer signed in through a proxy (header mode),
opens the Review page and reads "Checked by CI" with who ran it, when, on which data."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from store.db import open_store
from store.people import see_user
from tests.e2e.conftest import ROOT, Server, settle

SAMPLE_CSV = ROOT / "sample_data" / "breast_cancer.csv"
SECRETS = ('[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\n'
           'admins = ["admin@example.org"]\n')


def _good_predictions(path: Path) -> Path:
    frame = pd.read_csv(SAMPLE_CSV)
    malignant = (frame["diagnosis"] == "malignant").to_numpy()
    rng = np.random.default_rng(1)
    score = np.clip(np.where(malignant, 0.9, 0.05) + rng.normal(0, 0.05, len(frame)), 0, 1).round(4)
    pd.DataFrame({"sample_id": frame["sample_id"], "score": score}).to_csv(path, index=False)
    return path


def test_a_reviewer_reads_the_check_an_editor_ran_from_a_pipeline(tmp_path, seeded_template, browser, secrets_file):
    home = tmp_path / "home"
    shutil.copytree(seeded_template, home)
    db = open_store(home)
    see_user(db, "data.scientist@example.org", "Dana Scientist")       # signed in once: the invite made her editor
    db.close()
    done = subprocess.run([sys.executable, "-m", "blueprint", "check", "--home", str(home), "--project", "1",
                           "--as", "data.scientist@example.org", "--data", str(SAMPLE_CSV),
                           "--predictions", str(_good_predictions(tmp_path / "predictions.csv"))],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
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
        context.close()
    finally:
        server.stop()
