"""Pages read what they show (issue 25): with a large run and a long history of runs stored, opening Review, Compare
and Design document reads no predictions file; Compare reads the summaries of the runs it compares and nothing of
those it only lists; a decoded summary is served to every later session from the server's cache, and a new run of
the same settings makes only its own entry read again.

Reads are counted where they happen: store.results._load_part (every read of a result's summary or body) and
store.result_files.read_arrays (every read of a predictions file), and BaselineRun.from_dict is watched for a run
handed over with its predictions."""
from __future__ import annotations

from collections import Counter

import pytest

import store.result_files
import store.results
from analysis.baselines.run import BaselineRun
from analysis.reading.read import read_csv
from bench.baselines import make_frame
from bench.team import store_runs
from store.datasets import add_dataset
from store.people import System
from store.results import list_evidence, result_meta
from tests.apptest import finish_jobs, open_app

ANA = System("test", "Ana")
ROWS = 20_000            # kept predictions per model: a 20 % holdout, 4,000 rows each, like a large run's 20,000
HISTORY = 10


@pytest.fixture
def reads(monkeypatch):
    """Counts of what is read: ("summary" | "body" | "arrays", result id) -> times; "with predictions" -> runs
    rebuilt with their predictions in them."""
    counts = Counter()
    load_part, read_arrays, from_dict = store.results._load_part, store.result_files.read_arrays, BaselineRun.from_dict

    def counted_part(db, result_id, part):
        counts[(part, result_id)] += 1
        return load_part(db, result_id, part)

    def counted_arrays(path):
        counts[("arrays", path.name)] += 1
        return read_arrays(path)

    def watched(data):
        if any(r.get("predictions") for r in data.get("results", [])):
            counts["with predictions"] += 1
        return from_dict(data)

    monkeypatch.setattr(store.results, "_load_part", counted_part)
    monkeypatch.setattr(store.results, "read_arrays", counted_arrays)
    monkeypatch.setattr(BaselineRun, "from_dict", staticmethod(watched))
    return counts


@pytest.fixture
def history(app_db):
    """The sample project with a large dataset and HISTORY runs on it (one computed, the others its copies)."""
    frame, _ = make_frame(ROWS)
    table = read_csv(frame.to_csv(index=False).encode(), "large.csv")
    dataset, _ = add_dataset(app_db, 1, "large.csv", table, ANA)
    ids = store_runs(app_db, 1, dataset, "churned", HISTORY, ANA, models=("Dummy", "Logistic regression"))
    return app_db, dataset, ids


def _kinds(counts: Counter) -> Counter:
    return Counter({kind: n for (kind, *_), n in ((k if isinstance(k, tuple) else (k,), n) for k, n in counts.items())})


def test_review_compare_and_design_read_no_predictions_and_compare_reads_only_summaries(history, reads):
    db, _, ids = history
    assert all((db.execute("SELECT arrays FROM results WHERE id = ?", [i]).fetchone()[0] or "").endswith(".parquet")
               for i in ids)                       # the predictions are in files a page could read

    for page in ("pages/review.py", "pages/design.py"):
        reads.clear()
        at = open_app(page)
        assert not at.exception, at.exception
        assert not reads, f"{page} read stored results: {dict(reads)}"       # evidence summaries only

    reads.clear()
    at = open_app("pages/compare.py")
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == HISTORY + 1                        # every run listed
    chosen = at.multiselect(key="compare-runs").value
    evidence = {e.id: e.result_id for e in list_evidence(db, 1, "evaluation", "run")}
    assert set(reads) <= {("summary", evidence[i]) for i in chosen}, dict(reads)     # the two compared, nothing else
    assert _kinds(reads)["summary"] <= len(chosen)

    reads.clear()
    at.multiselect(key="compare-runs").set_value(list(evidence)).run()         # all eleven side by side
    assert not at.exception, at.exception
    assert len(at.dataframe[2].value.columns) > HISTORY                          # their metrics, side by side
    kinds = _kinds(reads)
    assert kinds["body"] == kinds["arrays"] == kinds["with predictions"] == 0, dict(reads)
    assert kinds["summary"] <= HISTORY + 1 - len(chosen)                        # the two already decoded are not read


def test_a_summary_is_decoded_once_per_server_and_a_new_run_reads_only_its_own(history, reads):
    db, dataset, ids = history
    open_app("pages/compare.py")
    reads.clear()
    at = open_app("pages/compare.py", author="Ben")                         # another session, later
    assert not at.exception and not reads, dict(reads)

    newest = list_evidence(db, 1, "evaluation", "run")[0]
    before = result_meta(db, newest.result_id)
    # the same settings run again
    store.results.put_result(db, "run", dataset.content_hash, before.settings,
                             store.results.whole_payload(db, before.id), 1.0)
    after = result_meta(db, newest.result_id)
    assert after.id == before.id and after.stamp != before.stamp
    reads.clear()
    at = open_app("pages/compare.py")
    assert not at.exception
    assert dict(reads) == {("summary", after.id): 1}                        # only the replaced run is read again


def test_the_baselines_page_reads_a_run_s_body_once_and_never_its_predictions(history, reads):
    _, dataset, _ = history
    at = open_app("pages/baselines.py", query={"dataset": str(dataset.id), "target": "churned"})
    at.multiselect(key="bl-models-binary").set_value(["Dummy", "Logistic regression"]).run()
    finish_jobs(at.button(key="bl-run").click().run(timeout=300))           # the run the page asked for, by a worker
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "the run's charts are drawn"
    shown = {k for k in reads if isinstance(k, tuple)}
    assert len(shown) == 1 and next(iter(shown))[0] == "body", dict(reads)  # its body, decoded once
    assert reads["with predictions"] == 0
    reads.clear()
    at.run()
    assert not at.exception and not reads, dict(reads)                      # the next run: from the server's cache


def test_review_draws_the_readiness_charts_only_when_their_tab_is_open(app_home):
    at = open_app("pages/review.py")
    assert not at.exception
    assert not at.get("plotly_chart")                                        # the Document tab is open
    assert any("Best baseline run" in i for i in (e.value for e in at.info))
    at = open_app("pages/review.py", query={"tab": "Readiness"})
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 3 and any("Area" in d.value.columns for d in at.dataframe)
