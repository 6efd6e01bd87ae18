"""In Chromium, two people on one server (issue 22, part 3): Ana (an editor) brings a candidate's predictions file on
the Models page and its evidence is computed by a job; Ben (a reviewer), in his own browser context, reads the
candidate's verdicts with no form to bring one, before and after a reload, and so does Ana. Header mode (a sign-in
proxy, Playwright's extra HTTP headers) names them; neither is an admin."""
from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from sample_data.seed import SAMPLE_CSV
from store.access import EDITOR, REVIEWER, add_member
from store.db import open_store
from store.people import system_user
from tests.e2e.conftest import Server, settle, wait_idle
from tests.e2e.test_team import LANDS, assert_no_traceback

SECRETS = ('[blueprint]\nsign_in = "header"\nuser_header = "X-Forwarded-Email"\nname_header = "X-Forwarded-User"\n'
           'admins = ["lead@example.org"]\n')
PEOPLE = {"Ana": ("ana@example.org", EDITOR), "Ben": ("ben@example.org", REVIEWER)}


def _predictions(path) -> None:
    """A key file joined to the sample dataset by sample_id: a fair model's probability of malignant (seeded)."""
    data = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(5)
    truth = (data["diagnosis"] == "malignant").to_numpy()
    score = 1 / (1 + np.exp(-(3.0 * np.where(truth, 1, -1) + rng.normal(scale=1.7, size=len(truth)))))
    pd.DataFrame({"sample_id": data["sample_id"], "score": score.round(6)}).to_csv(path, index=False)


def _person(browser, server: Server, name: str):
    email, _ = PEOPLE[name]
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  extra_http_headers={"X-Forwarded-Email": email, "X-Forwarded-User": name})
    return context.new_page()


def _sees_the_candidates_verdicts(page) -> None:
    expect(page.get_by_text("lr v1: 569 rows of 'breast_cancer.csv'")).to_be_visible(timeout=LANDS)
    expect(page.get_by_text("Criteria:", exact=False).first).to_be_visible()
    criteria = page.get_by_test_id("stDataFrame").filter(has_text="Criterion").first
    expect(criteria).to_be_visible()
    expect(page.get_by_text("on the same 569 rows (paired 95 % intervals)", exact=False).first).to_be_visible()


def test_ana_brings_predictions_and_ben_reads_the_verdicts_before_and_after_a_reload(tmp_path, seeded_template,
                                                                                      browser, secrets_file):
    shutil.copytree(seeded_template, tmp_path / "home")
    db = open_store(tmp_path / "home")
    for email, role in PEOPLE.values():           # invited by email: members from their first visit
        add_member(db, system_user(db), 1, email, role)
    db.close()
    _predictions(tmp_path / "lr.csv")
    server = Server(tmp_path / "home", tmp_path / "streamlit.log", secrets=secrets_file(SECRETS))
    try:
        ana, ben = _person(browser, server, "Ana"), _person(browser, server, "Ben")
        ana.goto(server.url + "/models?project=1")
        wait_idle(ana)
        ana.get_by_text("A predictions file or an MLflow run, stored as a named, numbered version").click()
        ana.get_by_label("Model name", exact=True).fill("lr")
        ana.get_by_label("Model name", exact=True).press("Enter")
        settle(ana)
        ana.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / "lr.csv"))
        expect(ana.get_by_test_id("stFileChipName")).to_have_text("lr.csv")
        settle(ana)
        ana.get_by_text("A key and the model's score or label, joined to a stored dataset by that key").click()
        settle(ana)
        ana.get_by_test_id("stSelectbox").filter(has_text="Joined to the dataset").click()
        ana.get_by_role("option", name="breast_cancer.csv", exact=True).click()
        settle(ana)
        ana.get_by_role("button", name="Bring these predictions").click()
        expect(ana.get_by_test_id("stAlertContentSuccess")).to_contain_text("Stored lr v1 from lr.csv")
        _sees_the_candidates_verdicts(ana)

        ben.goto(server.url + "/models?project=1&model=lr&version=1")
        wait_idle(ben)
        _sees_the_candidates_verdicts(ben)
        expect(ben.get_by_text("You are a reviewer of this project: only editors and owners can bring candidate "
                               "models.", exact=False)).to_be_visible()
        expect(ben.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
        for page in (ben, ana):
            page.reload()
            wait_idle(page)
            _sees_the_candidates_verdicts(page)
        expect(ana).to_have_url(re.compile(r"/models\?.*model=lr.*version=1"))      # the reload kept her choice
        for page in (ana, ben):
            expect(page.get_by_test_id("stException")).to_have_count(0)
            page.context.close()
    finally:
        server.stop()
    assert_no_traceback(tmp_path / "streamlit.log")
