"""An MLflow run imported with its metrics only (issue 22, item 2) is said as what it is wherever a person reads it: the
metrics a tracking server reported for a run, with no rows here; never "0 rows of 'gbm-mlflow v1', target 'None'" (the
Models page), "Candidate gbm-mlflow v1 on gbm-mlflow v1" and "0 rows judged" (Review's note) or "the predictions file
itself" (Compare). The evidence is computed and stored by the candidate unit, as its job does."""
from __future__ import annotations

import pytest

from components.compare_view import candidate_versions
from design.candidates import candidate_evidence
from jobs.candidates import evaluated_on, evidence_key
from jobs.tasks import compute_and_store, plan_for
from store.documents import latest_revision
from store.grants import Grant
from store.models import add_model_version, list_models
from store.results import list_evidence
from tests.apptest import open_app, texts
from tests.candidate_evidence import ANA

BY = "MLflow for run abcdef12 on 'tracking'"


@pytest.fixture
def reported(app_db):
    """'gbm-mlflow' v1: what MLflow run abcdef12... logged (metrics only), evaluated as its job evaluates it."""
    version = add_model_version(app_db, 1, "gbm-mlflow", by=ANA, grant=Grant(everyone=True),
                                mlflow={"server": "tracking", "run_id": "abcdef1234567890"},
                                run={"run_id": "abcdef1234567890", "metrics": {"recall_score": 0.97,
                                                                             "specificity": 0.85}})
    subject = evaluated_on(app_db, version)
    plan = plan_for(app_db, "candidate", subject, evidence_key(version, latest_revision(app_db, 1).content))
    compute_and_store(app_db, plan, 1, None, ANA)
    return version


def test_reviews_note_names_the_reported_metrics_not_a_dataset_or_rows(app_db, reported):
    content = latest_revision(app_db, 1).content
    rows = list_evidence(app_db, 1, "evaluation", "candidate")
    [found] = [c for c in candidate_evidence(rows, set(), content) if c.label == "gbm-mlflow v1"]
    assert found.note.title == f"Candidate gbm-mlflow v1, metrics reported by {BY}"
    assert found.note.lines[0].startswith(f"gbm-mlflow v1: metrics reported by {BY}, no rows judged here; criteria: ")
    assert "0 rows" not in " ".join(found.note.lines)


def test_compare_says_the_version_has_no_dataset_and_no_file(app_db, reported):
    models = [m for m in list_models(app_db, 1) if m.name == "gbm-mlflow"]
    table = candidate_versions(models, {}, {})
    assert table.loc[0, "Dataset"] == "none (the run's metrics only)"


def test_the_models_page_heads_the_evidence_with_whose_metrics_they_are(app_db, reported):
    at = open_app("pages/models.py", query={"project": "1", "model": "gbm-mlflow", "version": "1"})
    assert not at.exception
    markdown = texts(at, "markdown")
    assert f"gbm-mlflow v1: the metrics reported by {BY} (point values, no rows here)" in markdown, markdown[:8]
    assert not [m for m in markdown if "0 rows of" in m or "target 'None'" in m]
