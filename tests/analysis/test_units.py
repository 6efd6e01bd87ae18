"""The registry of analysis units (analysis.units): every kind is planned once and run from its plan, and a new kind
is one module of its own (tests/unit_kind.py) made known by name, with nothing else of Blueprint changed for it."""
from __future__ import annotations

import time

import pytest

from analysis.baselines.run import RunSettings
from analysis.drift.model import DriftSettings
from analysis.evidence import drift_settings, leakage_settings, profile_settings, run_settings_key
from analysis.leakage.scan import LeakageSettings, Split
from analysis.units import EXTRA_UNITS_ENV, REGISTERED, PlanError, kinds, section_of, unit
from jobs.candidates import evaluated_on, evidence_key
from jobs.pool import WorkerPool
from jobs.tasks import plan_for
from store.datasets import list_datasets
from store.documents import latest_revision
from store.jobs import get_job, submit_job
from store.models import list_models
from store.people import System
from store.results import get_result, list_evidence
from tests.apptest import open_app, texts

ANA = System("test", "Ana")


def test_every_kind_plans_once_and_a_plan_reads_back_the_same(app_db):
    """plan -> to_dict (what a job stores) -> load (what a worker runs) gives the same plan and the same key."""
    dataset = list_datasets(app_db, 1)[0]
    version = list_models(app_db, 1)[0].latest              # the sample's candidate, gbm v1
    asked = {"profile": profile_settings("diagnosis"),
             "leakage": leakage_settings("diagnosis", Split(), LeakageSettings(), None),
             "drift": drift_settings({"kind": "order", "share": 0.5}, DriftSettings()),
             "run": run_settings_key(RunSettings(target="diagnosis", models=("Dummy",)), None),
             "candidate": evidence_key(version, latest_revision(app_db, 1).content)}
    assert set(asked) == set(REGISTERED)
    for kind, key in asked.items():
        planned_on = evaluated_on(app_db, version) if kind == "candidate" else dataset
        plan = plan_for(app_db, kind, planned_on, key)
        again = unit(kind).load(plan.to_dict(), planned_on.content_hash)
        assert again == plan and again.key() == key, kind
        if kind == "run":
            assert plan.resolved.task == "binary" and plan.resolved.positive_label == "malignant"
            assert plan.reasons["task"].source == "data"


@pytest.mark.parametrize("kind, key, said", [
    ("profile", profile_settings("no_such_column"), "'no_such_column' is not a column"),
    ("leakage", leakage_settings("no_such_column", Split(), LeakageSettings(), None), "no_such_column"),
    ("drift", drift_settings({"kind": "order", "share": 1.5}, DriftSettings()), "between 0 and 1"),
    ("run", run_settings_key(RunSettings(target="diagnosis", folds=1), None), "folds == 1"),
    ("candidate", {"version": 999}, "no candidate model version with id 999"),
])
def test_a_bad_choice_is_the_units_own_error_with_what_to_change(app_db, kind, key, said):
    with pytest.raises(unit(kind).error, match=said) as refused:
        plan_for(app_db, kind, list_datasets(app_db, 1)[0], key)
    assert isinstance(refused.value, PlanError)


def test_an_unknown_kind_names_the_kinds():
    with pytest.raises(KeyError, match="the kinds are profile, leakage, run, drift"):
        unit("forecast")


def test_a_new_kind_is_one_module_run_as_a_job_end_to_end(app_db, app_home, monkeypatch):
    monkeypatch.setenv(EXTRA_UNITS_ENV, "tests.unit_kind")        # inherited by the worker processes
    assert kinds()[-1] == "missing_values" and section_of("missing_values") == "data"
    dataset = list_datasets(app_db, 1)[0]
    with pytest.raises(PlanError, match="'nope' is not a column"):
        plan_for(app_db, "missing_values", dataset, {"column": "nope"})
    column = next(iter(dataset.column_types))
    job, joined = submit_job(app_db, plan_for(app_db, "missing_values", dataset, {"column": column}), 1, dataset.id,
                             f"Missing values of {column}", ANA)
    assert not joined and job.plan == {"column": column}
    pool = WorkerPool(str(app_home), size=1)
    try:
        pool.wake()
        deadline = time.monotonic() + 120
        while (job := get_job(app_db, job.id)).active:
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.2)
    finally:
        pool.stop()
    assert job.state == "done", job.error
    stored = get_result(app_db, "missing_values", dataset.content_hash, {"column": column})
    assert stored.payload == {"column": column, "missing": 0, "rows": dataset.rows}
    [evidence] = list_evidence(app_db, 1, "data", "missing_values")
    assert evidence.summary == {"dataset": dataset.name, "column": column, "missing": 0}
    at = open_app("pages/review.py")            # the reviewer reads it under the unit's section, in its own words
    assert not at.exception
    said = " ".join(texts(at, "info"))
    assert f"Missing values of '{column}' in {dataset.name}" in said and "0 missing values." in said, said[:2000]
