"""AppTest and exports: the team's candidate beside the baselines on the sample project (issue 22, items 4-5). Review
shows per criterion the proposed candidate's verdict first and the best run's beside it, with the differences on the
same rows in words, stale once its data changed; Compare lists the candidate versions beside the runs with their
numbers, differences and what changed between versions; the exports lead with what fails. The candidate is brought,
judged against the sample's baseline run on the same rows and recorded as the candidate job records it
(tests/candidate_evidence.py)."""
from __future__ import annotations

import re

import pytest

from components.review_view import gather
from design.export import to_html, to_markdown
from store.documents import latest_revision, save_revision
from store.models import delete_model_version
from store.projects import get_project
from tests.apptest import open_app, texts
from tests.candidate_evidence import ANA, bring_candidate


@pytest.fixture
def candidate(app_db):
    """'challenger' v1 on the sample, proposed by the document (whatever candidate the sample brings of its own): a
    weak slice (worst_radius Q4) that fails the sample's slice criterion, against the baseline run on the same rows."""
    latest = latest_revision(app_db, 1)
    content = {**latest.content, "model": {**latest.content["model"], "proposed_candidate": "challenger"}}
    save_revision(app_db, 1, content, ANA, latest.id, "model")
    version, _ = bring_candidate(app_db, name="challenger")
    return version


def _table(at, where):
    """The one table on the page for which ``where(frame)`` holds."""
    found = [d.value for d in at.dataframe if where(d.value)]
    assert len(found) == 1, f"{len(found)} tables found"
    return found[0]


def test_review_shows_the_candidates_verdicts_first_and_the_best_runs_beside_them(candidate):
    at = open_app("pages/review.py", author="Rae")
    assert not at.exception
    markdown = texts(at, "markdown")
    assert "**Criteria: challenger v1 beside the best run (Logistic regression)**" in markdown
    table = _table(at, lambda f: list(f.columns[:1]) == ["Criterion"])
    assert list(table.columns) == ["Criterion", "challenger v1", "challenger v1: evidence", "Best run",
                                   "Best run: evidence"]
    first = table.iloc[0]
    assert first["Criterion"] == "recall[worst_radius=Q4] >= 0.9"                             # what fails first
    assert re.fullmatch(r"fail: 0\.\d{3} \(95 % interval 0\.\d{3}-0\.\d{3}\)", first["challenger v1"])
    assert first["challenger v1: evidence"].startswith("On the slice worst_radius = Q4: recall ")
    assert "from 77 positive rows" in first["challenger v1: evidence"]                      # the counts behind it
    assert first["Best run"].startswith("pass: ")
    assert set(table["Criterion"]) == {"recall >= 0.95", "specificity >= 0.9", "roc auc >= 0.97", "brier score <= 0.05",
                                       "recall[worst_radius=Q4] >= 0.9", "recall[mean_concavity=Q3] >= 0.95",
                                       "p95 latency_ms <= 300"}
    said = next(m for m in markdown if "Logistic regression" in m and "on 569 rows" in m)
    assert "challenger v1 is behind Logistic regression by " in said and "(95 % interval " in said
    blockers = next(m for m in markdown if "fails on the proposed candidate" in m)
    assert "recall[worst_radius=Q4] >= 0.9 fails on the proposed candidate (challenger v1)" in \
        blockers.replace("\\", "")
    assert not [w for w in texts(at, "warning") if w.startswith("Stale")]


def test_review_says_the_candidate_is_stale_once_its_version_is_deleted(app_db, candidate):
    delete_model_version(app_db, candidate.id, by=ANA)
    at = open_app("pages/review.py", author="Rae")
    assert not at.exception
    assert ("Stale: this version (challenger v1) is no longer among the project's candidate models (deleted). "
            "Evaluate challenger v1 again before deciding on these verdicts.") in texts(at, "warning")
    assert any("Stale evidence**: Stale: Candidate challenger v1 on breast_cancer.csv (the proposed candidate)"
               in m
               for m in texts(at, "markdown"))


def test_compare_lists_candidate_versions_beside_the_runs_with_differences_and_what_changed(app_db, candidate):
    bring_candidate(app_db, name="challenger", seed=1, missed=0.1)                     # v2, fewer misses
    at = open_app("pages/compare.py", author="Rae")
    assert not at.exception
    versions = _table(at, lambda f: "Version" in f.columns)
    versions = versions[versions["Version"].str.startswith("challenger")]
    assert list(versions["Version"]) == ["challenger v2", "challenger v1"]
    assert list(versions["By"]) == ["Ana", "Ana"] and list(versions["From"]) == ["challenger-scores.csv"] * 2
    assert versions["Verdicts"].iloc[1].startswith("1 fail")
    assert versions["Against the baseline"].iloc[0].startswith("challenger v2 ")
    at.multiselect(key="compare-candidates").set_value(["challenger v2", "challenger v1"]).run()
    metrics = _table(at, lambda f: "specificity" in f.index and "challenger v1" in f.columns)
    run = metrics.columns[0]
    assert run.endswith(" Logistic regression") and list(metrics.columns[1:]) == [
        "challenger v2", "challenger v1", f"challenger v2 − {run}", f"challenger v1 − {run}"]
    row = metrics.loc["specificity"]
    assert row[f"challenger v1 − {run}"] == pytest.approx(row["challenger v1"] - row[run])
    criteria = _table(at, lambda f: "p95 latency_ms <= 300" in f.index and "challenger v1" in f.columns)
    assert list(criteria.columns) == ["challenger v2", "challenger v1", run]
    assert criteria.loc["recall[worst_radius=Q4] >= 0.9", "challenger v1"].startswith("fail: ")
    assert criteria.loc["recall[worst_radius=Q4] >= 0.9", run].startswith("pass: ")
    changed = _table(at, lambda f: "File content hash" in f.index and "challenger v1" in f.columns)
    assert list(changed.columns) == ["challenger v1", "challenger v2"] and "File content hash" in changed.index
    assert changed.loc["File content hash", "challenger v1"] != changed.loc["File content hash", "challenger v2"]
    assert "Brought by" not in changed.index                                    # the same person: not a change
    assert any("challenger v2 " in m and " Logistic regression " in m and "on 569 rows" in m
               for m in texts(at, "markdown"))


def test_exports_lead_with_the_proposed_candidates_failures_and_show_its_verdicts_beside_the_runs(app_db, candidate):
    summary = gather(app_db, get_project(app_db, 1))
    assert summary.blockers[0].title == ("recall[worst_radius=Q4] >= 0.9 fails on the proposed candidate "
                                         "(challenger v1)")
    md = to_markdown(summary)
    blocking, beside, readiness = (md.index(h) for h in (
        "## What blocks approval", "## Candidate challenger v1 beside the best run (Logistic regression)",
        "## Readiness"))
    assert blocking < beside < readiness
    part = md[beside:readiness]
    assert "challenger v1 is the candidate the Model section proposes ('challenger')." in part
    assert "| Criterion | challenger v1 | Best run |" in part
    rows = [line for line in part.splitlines() if line.startswith("| ") and "Criterion" not in line]
    assert rows[0].startswith("| recall\\[worst_radius=Q4\\] >= 0.9 | **fail**: ")            # what fails first
    assert "- challenger v1 is behind Logistic regression by " in part
    assert ("1. **Failing criterion**: recall\\[worst_radius=Q4\\] >= 0.9 fails on the proposed candidate "
            "(challenger v1)") in md

    html = to_html(summary, [])
    start, end = html.index('id="candidate"'), html.index("<h2>Readiness")
    assert html.index('id="blockers"') < start < end
    part = html[start:end]
    assert "Candidate challenger v1 beside the best run (Logistic regression)" in part
    assert re.search(r'<td>recall\[worst_radius=Q4\] &gt;= 0.9</td><td class="fail">fail: ', part)
    assert "challenger v1 is behind Logistic regression by " in part
