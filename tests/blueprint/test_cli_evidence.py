"""What reviewers read of a pipeline's checks (issue 23): the Compare page's tables of CI runs
(design.check_evidence.runs_table, criteria_by_run, started_failing) and the Review page's blocker when the latest
run failed (design.blockers: a failed CI check; a run that measured nothing is a warning, not a blocker), also in the
Markdown and HTML exports. The summaries are the real report's (blueprint.report.CheckReport.evidence_summary),
built from verdicts written here: no check is computed, so these tests are fast."""
from __future__ import annotations

import dataclasses

import pytest

from blueprint.report import CheckReport, Drift, Leakage, Verdict
from components.review_view import charts, gather
from design import blockers as b
from design.check_evidence import criteria_by_run, run_label, runs_table, started_failing, verdict_cell
from design.evidence import build_view
from design.export import to_html, to_markdown
from sample_data.seed import sample_document
from store.checks import record_check
from store.people import see_user
from store.projects import get_project
from store.results import Evidence

TRAIN_HASH = "ab" * 32
SOURCE = "the candidate's predictions (gbm.csv)"


def verdict(criterion: str, status: str, value=None, low=None, high=None) -> Verdict:
    return Verdict(criterion, status, value, low, high, f"{status}, the reason in words")


PASSING = (verdict("recall >= 0.95", "pass", 0.97, 0.955, 0.985),
           verdict("roc auc >= 0.97", "pass", 0.99, 0.98, 0.995),
           verdict("p95 latency_ms <= 300", "not measured"))
FAILING = (verdict("recall >= 0.95", "fail", 0.80, 0.74, 0.86),
           verdict("roc auc >= 0.97", "pass", 0.99, 0.98, 0.995),
           verdict("p95 latency_ms <= 300", "not measured"))


def report(verdicts=PASSING, *, at="2026-12-08T10:42:07+00:00", open_high=0, drift=None, fail_on="fail",
           revision=1) -> CheckReport:
    """A check's report as blueprint.check.run_check builds it."""
    findings = tuple({"key": f"target_proxy:x{i}", "severity": "high", "title": f"x{i} predicts the target alone",
                      "action": f"Drop x{i}.", "resolved": None} for i in range(open_high))
    findings += ({"key": "id_column:sample_id", "severity": "medium", "title": "sample_id is an ID", "action": "",
                  "resolved": None},)
    checked = drift is not None
    return CheckReport(
        project={"name": "Sample", "origin": "a data folder", "id": 1}, document={"number": revision},
        data=({"role": "train", "name": "train.csv", "sha256": TRAIN_HASH, "rows": 569},),
        evidence={"kind": "candidate", "source": SOURCE, "decision_threshold": 0.2, "threshold_from_document": True},
        verdicts=tuple(verdicts),
        leakage=Leakage(True, "", "train.csv", "diagnosis", ("target_proxy", "id_column"), findings),
        drift=Drift(True, checked, "" if checked else "no reference data was given",
                    {"dataset_drift": drift, "drifted_count": 12 if drift else 0, "columns_checked": 30,
                     "share": 0.4 if drift else 0.0, "current": "train.csv", "reference": "reference.parquet"}
                    if checked else None),
        fail_on=fail_on, checked_at=at)


def stored(*reports: CheckReport, first_id: int = 10) -> list[Evidence]:
    """The reports as store.checks.record_check keeps them (kind "check" on Evaluation), newest first as
    store.results.list_evidence returns them; ``reports`` oldest first."""
    rows = [Evidence(first_id + i, 1, "evaluation", "check", 100 + i, None, TRAIN_HASH, None, r.evidence_summary(),
                     "Dana Scientist", r.checked_at) for i, r in enumerate(reports)]
    return rows[::-1]


@pytest.fixture(scope="module")
def content():
    """The sample document (its criteria whatever they are: these tests read the CI runs' own verdicts)."""
    return sample_document()["content"]


def ci_blockers(content, rows):
    view = build_view(rows, {TRAIN_HASH}, content)
    return [x for x in b.find_blockers(1, content, view) if x.kind == b.CHECK_FAILED], b.find_warnings(1, view)


# --- the Compare page's tables -------------------------------------------------------------------------------------

def test_runs_table_lists_each_run_newest_first_with_what_it_checked_and_found():
    rows = stored(report(at="2026-12-07T09:00:00+00:00"),
                  report(FAILING, at="2026-12-08T10:42:07+00:00", open_high=1, drift=True, revision=2))
    table = runs_table(rows)
    assert list(table[0]) == ["Run", "When (UTC)", "By", "Outcome", "Exit code", "Document revision",
                              "Criteria checked on", "Data hash", "Pass", "Fail", "Inconclusive",
                              "Unresolved high leakage", "Drift"]
    newest, oldest = table
    assert newest == {"Run": "#11", "When (UTC)": "2026-12-08 10:42", "By": "Dana Scientist", "Outcome": "failed",
                      "Exit code": 1, "Document revision": 2, "Criteria checked on": SOURCE,
                      "Data hash": TRAIN_HASH[:12], "Pass": 1, "Fail": 1, "Inconclusive": 0,
                      "Unresolved high leakage": 1, "Drift": "drifted (12 of 30 columns)"}
    assert (oldest["Run"], oldest["Outcome"], oldest["Exit code"], oldest["Pass"], oldest["Fail"]) == (
        "#10", "passed", 0, 2, 0)
    assert oldest["Unresolved high leakage"] == 0 and oldest["Drift"] == "not checked"   # asked for, no reference


def test_a_run_without_leakage_scan_and_one_that_measured_nothing():
    nothing = report((verdict("p95 latency_ms <= 300", "not measured"),))
    nothing = dataclasses.replace(nothing, leakage=Leakage(False, "no training data given"))
    row = runs_table(stored(nothing))[0]
    assert (row["Outcome"], row["Exit code"], row["Unresolved high leakage"]) == ("nothing could be checked", 2, None)


def test_criteria_by_run_reads_oldest_to_newest_each_cell_verdict_value_and_interval():
    rows = stored(report(), report(FAILING, at="2026-12-08T10:42:07+00:00"))
    table = criteria_by_run(rows)
    older, newer = list(table)
    assert (older, newer) == ("#10 2026-12-08 10:42", "#11 2026-12-08 10:42") == (run_label(rows[1]),
                                                                                   run_label(rows[0]))
    assert list(table[newer]) == ["recall >= 0.95", "roc auc >= 0.97", "p95 latency_ms <= 300"]
    assert table[older]["recall >= 0.95"] == "pass (0.970, 0.955-0.985)"
    assert table[newer]["recall >= 0.95"] == "fail (0.800, 0.740-0.860)"
    assert table[newer]["p95 latency_ms <= 300"] == "not measured"


def test_criteria_by_run_keeps_the_latest_five_runs_and_says_not_checked_for_a_criterion_a_run_lacked():
    added = (*PASSING, verdict("specificity >= 0.9", "fail", 0.85, 0.8, 0.89))
    rows = stored(*[report(at=f"2026-12-0{day}T08:00:00+00:00") for day in range(1, 7)],
                  report(added, at="2026-12-07T08:00:00+00:00"))
    table = criteria_by_run(rows)
    assert list(table) == [run_label(r) for r in reversed(rows[:5])]      # the latest five, oldest on the left
    assert list(table)[-1].startswith("#16 2026-12-07")
    assert table[list(table)[0]]["specificity >= 0.9"] == "not checked"
    assert table[list(table)[-1]]["specificity >= 0.9"] == "fail (0.850, 0.800-0.890)"
    assert verdict_cell(None) == "not checked"


def test_started_failing_names_a_criterion_that_passed_in_the_run_before():
    rows = stored(report(at="2026-12-07T09:00:00+00:00"), report(FAILING))
    assert started_failing(rows) == ["recall >= 0.95 started failing: fail (0.800, 0.740-0.860) in #11 2026-12-08 "
                                     "10:42, pass (0.970, 0.955-0.985) in #10 2026-12-07 09:00"]
    assert started_failing(stored(report(FAILING), report(FAILING))) == []     # it failed already
    assert started_failing(stored(report(FAILING))) == []                      # one run: nothing to compare with
    assert started_failing(stored(report(FAILING), report())) == []            # it passes again


# --- what blocks approval ------------------------------------------------------------------------------------------

def test_a_failed_latest_ci_run_blocks_approval_with_its_failures_and_a_link_to_compare(content):
    found, warnings = ci_blockers(content, stored(report(), report(FAILING, at="2026-12-08T10:42:07+00:00")))
    assert warnings == []
    assert [x.title for x in found] == ["The latest CI check failed (run 2026-12-08 10:42 UTC)"]
    blocker = found[0]
    assert blocker.detail.startswith("recall >= 0.95: fail, the reason in words. Checked on "
                                     f"{SOURCE}, document revision 1, data hash {TRAIN_HASH[:12]}.")
    assert blocker.url == "compare?project=1" and blocker.page == "compare"
    assert blocker.place == "Compare · Checks from the pipeline (blueprint check)"


def test_an_older_failed_run_followed_by_a_passing_one_blocks_nothing(content):
    found, warnings = ci_blockers(content, stored(report(FAILING, at="2026-12-07T09:00:00+00:00"), report()))
    assert found == [] and warnings == []


def test_a_leak_or_an_inconclusive_criterion_under_fail_on_inconclusive_fails_the_run_and_blocks(content):
    leak, _ = ci_blockers(content, stored(report(open_high=1)))
    assert len(leak) == 1 and "Unresolved high leakage finding: x0 predicts the target alone" in leak[0].detail
    strict = (verdict("recall >= 0.95", "inconclusive", 0.96, 0.93, 0.99),)
    found, _ = ci_blockers(content, stored(report(strict, fail_on="inconclusive")))
    assert len(found) == 1 and found[0].detail.startswith("recall >= 0.95: ")
    assert ci_blockers(content, stored(report(strict)))[0] == []                # inconclusive passes by default


def test_a_run_that_measured_nothing_is_a_warning_not_a_blocker(content):
    nothing = report((verdict("p95 latency_ms <= 300", "not measured"),), at="2026-12-08T10:42:07+00:00")
    assert nothing.exit_code == 2
    found, warnings = ci_blockers(content, stored(report(FAILING), nothing))
    assert found == []                  # the latest run decides; it measured nothing, so it clears nothing either
    assert [(w.kind, w.title, w.url) for w in warnings] == [
        (b.CHECK_NOTHING, "The latest CI check could measure no criterion (run 2026-12-08 10:42 UTC)",
         "compare?project=1")]
    assert "None of the 1 success criteria could be measured on the candidate's predictions" in warnings[0].detail
    assert b.CHECK_NOTHING not in b.KINDS


def test_the_failed_ci_check_comes_in_the_order_of_kinds(content):
    view = build_view(stored(report(FAILING)), {TRAIN_HASH}, content)
    kinds = [x.kind for x in b.find_blockers(1, content, view)]
    assert b.CHECK_FAILED in kinds and kinds == sorted(kinds, key=b.KINDS.index)
    assert b.KINDS.index(b.FAILING) < b.KINDS.index(b.CHECK_FAILED) < b.KINDS.index(b.INCONCLUSIVE_CRITERION)


# --- the exports list them -----------------------------------------------------------------------------------------

def test_exports_list_the_failed_ci_check_and_the_warning(app_db):
    editor = see_user(app_db, "data.scientist@example.org", "Dana Scientist")   # the sample invites her as editor
    failed = report(FAILING, at="2026-12-08T10:42:07+00:00")
    record_check(app_db, 1, failed.to_dict(), failed.evidence_summary(), 0.1, by=editor)
    summary = gather(app_db, get_project(app_db, 1))
    blocker = next(x for x in summary.blockers if x.kind == b.CHECK_FAILED)
    md = to_markdown(summary)
    assert "**Failed pipeline check**: The latest CI check failed (run 2026-12-08 10:42 UTC). recall >= 0.95: " in md
    assert f"Fix it on: {blocker.place} (`compare?project=1`)" in md
    html = to_html(summary, charts(summary))
    assert "<strong>The latest CI check failed (run 2026-12-08 10:42 UTC)</strong>" in html
    assert "<code>compare?project=1</code>" in html

    nothing = report((verdict("p95 latency_ms <= 300", "not measured"),), at="2026-12-09T08:00:00+00:00")
    record_check(app_db, 1, nothing.to_dict(), nothing.evidence_summary(), 0.1, by=editor)
    summary = gather(app_db, get_project(app_db, 1))
    assert not [x for x in summary.blockers if x.kind == b.CHECK_FAILED]
    assert "Worth a look (not blocking): **Pipeline check measured nothing**: The latest CI check could measure no " \
           "criterion (run 2026-12-09 08:00 UTC)" in to_markdown(summary)
    assert "Worth a look (not blocking)" in to_html(summary, charts(summary))
