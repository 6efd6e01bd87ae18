"""AppTest: the Baselines and Compare pages: the stored sample run, a new run, bad inputs, leakage
warnings, and comparing runs against the criteria."""
from __future__ import annotations

import re

import numpy as np

from tests.apptest import finish_jobs, open_app, texts


def _upload(at, name: str, rows: list[str]):
    at.file_uploader[0].upload(name, ("\n".join(rows) + "\n").encode(), "text/csv").run()
    assert not at.exception


def _baselines_for(at, target: str):
    """Open Baselines on the newest dataset (listed first) with ``target``."""
    at.switch_page("pages/baselines.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    at.selectbox(key="target").select(target).run()
    assert not at.exception
    return at


def _run(at):
    finish_jobs(at.button(key="bl-run").click().run(timeout=300))
    assert not at.exception
    return at


def _words(values: list[str]) -> str:
    """Texts as a person reads them (plain()'s Markdown escapes removed), joined."""
    return " ".join(re.sub(r"\\(.)", r"\1", v) for v in values)


def test_sample_run_is_shown_with_criteria_checked(app_home):
    at = open_app("pages/baselines.py", query={"target": "diagnosis"})
    assert not at.exception
    assert any("beats the dummy floor by 0.50 ROC AUC" in s for s in texts(at, "success"))
    criteria = at.dataframe[1].value
    assert dict(zip(criteria["Criterion"], criteria["Result"])) == {
        "recall >= 0.95": "pass", "specificity >= 0.9": "pass", "roc auc >= 0.97": "pass",
        "brier score <= 0.05": "pass", "p95 latency_ms <= 300": "not measured"}
    at.slider(key="bl-threshold").set_value(0.2).run()
    assert any("At 0.20:" in c for c in texts(at, "caption"))


def test_pure_noise_does_not_beat_the_dummy(app_home):
    rng = np.random.default_rng(3)
    rows = ["a,b,c,label"] + [f"{rng.normal():.3f},{rng.normal():.3f},{rng.choice(['x', 'y'])},{rng.choice(['p', 'q'])}" for _ in range(300)]
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "noise.csv", rows)
    _run(_baselines_for(at, "label"))
    assert any("No model beats the dummy floor" in w or "does not" in w.lower() for w in texts(at, "warning")), texts(at, "warning")


def test_bad_targets_and_no_features_get_messages(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "tiny.csv", ["x,y", "1,a", "2,b", "3,a", "4,b", "5,a"])
    _baselines_for(at, "y")
    assert any("20" in e and "rows" in e for e in texts(at, "error")), texts(at, "error")
    at.switch_page("pages/datasets.py").run()
    _upload(at, "ok.csv", ["x,z,y"] + [f"{i},{i % 7},{'a' if i % 3 else 'b'}" for i in range(60)])
    _baselines_for(at, "y")
    at.multiselect(key="bl-features-y").set_value([]).run()
    _run(at)
    assert any("No feature left" in e for e in texts(at, "error")), texts(at, "error")


def test_unresolved_high_leakage_finding_is_shown_on_baselines_while_its_column_is_a_feature(app_home):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    rows = ["x1,leak,label"] + [f"{rng.normal():.3f},{yi + rng.normal(0, 0.1):.3f},{'yes' if yi else 'no'}" for yi in y]
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "leaky.csv", rows)
    at.switch_page("pages/leakage.py").run()
    at.selectbox(key="target").select("label").run()
    finish_jobs(at.button(key="leak-run").click().run())
    _baselines_for(at, "label")
    # Left out by default, with the reason; the banner is about the run's features, so it says nothing of it.
    assert "leak (flagged by the leakage checks" in _words(texts(at, "caption"))
    assert "Unresolved high-severity" not in _words(texts(at, "error")), texts(at, "error")
    at.multiselect(key="bl-features-label").set_value(["x1", "leak"]).run()
    assert "Unresolved high-severity leakage finding: 'leak'" in _words(texts(at, "error")), texts(at, "error")


def test_compare_two_runs_shows_differing_settings_and_criteria(app_home):
    at = open_app("pages/baselines.py", query={"target": "diagnosis"}, author="Ana")
    at.multiselect(key="bl-models-binary").set_value(["Dummy", "Logistic regression"]).run()
    _run(at)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    runs = at.dataframe[0].value
    assert len(runs) == 2
    differing = at.dataframe[1].value
    assert "models" in differing.index
    criteria = at.dataframe[2].value
    assert list(criteria.loc["recall >= 0.95"]) == ["pass", "pass"]
