"""AppTest: the Leakage page: a scan on the sample, a planted leak, resolving a finding, bad targets."""
from __future__ import annotations

import numpy as np

from store.db import open_store
from store.resolutions import list_resolutions
from tests.apptest import finish_jobs, open_app, texts


def _leakage(app_home, query=None, author="Rae"):
    at = open_app("pages/leakage.py", author=author, query=query)
    assert not at.exception
    return at


def _run(at):
    finish_jobs(at.button(key="leak-run").click().run())
    assert not at.exception
    return at


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_sample_scan_is_stored_finds_the_id_column_resolved_and_nothing_high(app_home):
    at = _leakage(app_home, {"target": "diagnosis"})
    assert _metrics(at)["High"] == "0" and _metrics(at)["Medium"] == "1"
    assert any("'sample_id' is an ID column that predicts the target" in m and "resolved" in m
               for m in texts(at, "markdown"))
    assert any("Resolved by Blueprint sample" in s for s in texts(at, "success"))


def test_other_settings_are_not_run_until_asked(app_home):
    at = _leakage(app_home, {"target": "diagnosis"})
    at.radio(key="leak-split").set_value("random").run()
    assert any("Not run yet" in i for i in texts(at, "info"))
    _run(at)
    assert _metrics(at)["High"] == "0"


def test_planted_target_copy_is_high_and_can_be_resolved_with_a_reason(app_home):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    rows = ["x1,x2,refund_issued,label"] + [
        f"{rng.normal():.3f},{rng.normal():.3f},{yi + rng.normal(0, 0.2):.3f},{'yes' if yi else 'no'}" for yi in y]
    at = open_app("pages/datasets.py", author="Rae")
    at.file_uploader[0].upload("planted.csv", ("\n".join(rows) + "\n").encode(), "text/csv").run()
    at.switch_page("pages/leakage.py").run()
    at.selectbox(key="target").select("label").run()
    _run(at)
    assert int(_metrics(at)["High"]) >= 1
    titles = [m for m in texts(at, "markdown") if "**HIGH**" in m]
    assert any("refund_issued" in t for t in titles), titles
    form_buttons = [b for b in at.button if b.label == "Mark resolved"]
    form_buttons[0].click().run()
    assert any("Say why" in e for e in texts(at, "error"))
    reason = next(w for w in at.text_input if w.key.startswith("reason-"))
    reason.input("Column removed from the export; refunds are only known after the label.")
    [b for b in at.button if b.label == "Mark resolved"][0].click().run()
    assert any("Resolved:" in s for s in texts(at, "success"))
    db = open_store(app_home)
    resolutions = list_resolutions(db, 1)
    db.close()
    assert resolutions[-1].resolved_by == "Rae" and "refunds" in resolutions[-1].reason


def test_one_class_target_gets_a_message(app_home):
    at = open_app("pages/datasets.py", author="Rae")
    at.file_uploader[0].upload("flat.csv", b"a,b\n" + b"".join(b"%d,same\n" % i for i in range(40)), "text/csv").run()
    at.switch_page("pages/leakage.py").run()
    at.selectbox(key="target").select("b").run()
    _run(at)
    assert any("'b'" in e and "class" in e for e in texts(at, "error")), texts(at, "error")
