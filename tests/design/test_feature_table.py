"""Feature availability in the design document (issue 14, item 5): the feature-table field, filling it from a
dataset's columns, the leakage scan flagging strong columns the table marks not known at prediction time (or
unknown) with the table as evidence, baselines leaving out columns marked "no", and the exports showing the table.
Synthetic data is built in each test."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.baselines.run import resolve_settings
from analysis.baselines.setup import REASONS, RunSettings
from analysis.column_types import infer_column_types
from analysis.evidence import leakage_settings
from analysis.leakage.scan import LeakageReport, LeakageSettings, Split, scan_leakage
from analysis.reading.read import read_csv
from components.review_view import gather
from design.document import check_section, feature_table, fill_feature_table, not_known_columns, with_section
from design.export import to_html, to_markdown
from design.fields import FieldError, as_text, check_value
from design.sections import section
from jobs.tasks import compute, plan_for
from store.datasets import add_dataset
from store.documents import latest_revision, save_revision
from store.people import System
from store.projects import create_project, get_project

FIELD = section("data").field("feature_table")


# --- the field ------------------------------------------------------------------------------------------------------
def test_rows_are_checked_and_known_defaults_to_unknown():
    rows = check_value(FIELD, [
        {"column": " age ", "known": "Yes", "source": "CRM", "note": None},
        {"column": "refund", "known": "no", "source": "", "note": "after the outcome"},
        {"column": "score", "known": "", "source": None, "note": float("nan")},
        {"column": None, "known": None, "source": None, "note": None},         # an empty row of the editor
    ])
    assert rows == [
        {"column": "age", "known": "yes", "source": "CRM", "note": ""},
        {"column": "refund", "known": "no", "source": "", "note": "after the outcome"},
        {"column": "score", "known": "unknown", "source": "", "note": ""},
    ]
    assert check_value(FIELD, rows) == rows                  # stored values check to themselves
    assert check_value(FIELD, []) is None and check_value(FIELD, None) is None


def test_text_rows_are_read_one_per_line():
    assert check_value(FIELD, "age | yes | CRM\nrefund|no||paid after churn") == [
        {"column": "age", "known": "yes", "source": "CRM", "note": ""},
        {"column": "refund", "known": "no", "source": "", "note": "paid after churn"},
    ]


@pytest.mark.parametrize("rows, message", [
    ([{"column": "a", "known": "maybe"}], "row 1 ('a'): known at prediction time is 'maybe'; write yes, no or unknown"),
    ([{"column": "a"}, {"column": "a", "known": "no"}], "column 'a' is listed twice (rows 1 and 2)"),
    ([{"column": "", "known": "no", "note": "x"}], "row 1 has no column name"),
    ([{"column": "a", "note": "x" * 301}], "the note is 301 characters long; the limit is 300"),
    ("a | later", "row 1 ('a'): known at prediction time is 'later'; write yes, no or unknown"),
    (42, "must be a table of rows (column, known at prediction time, source, note)"),
])
def test_bad_rows_get_a_message_that_says_what_to_fix(rows, message):
    with pytest.raises(FieldError) as error:
        check_value(FIELD, rows)
    assert message in str(error.value) and "'Feature availability'" in str(error.value)


def test_the_table_reads_as_text_for_the_review_and_the_diff():
    rows = [{"column": "age", "known": "yes", "source": "CRM", "note": ""},
            {"column": "refund", "known": "no", "source": "", "note": "after"}]
    assert as_text(FIELD, rows) == "age | yes | CRM\nrefund | no |  | after"


def test_filling_keeps_what_was_written_and_adds_the_missing_columns_as_unknown():
    rows = [{"column": "age", "known": "yes", "source": "CRM", "note": "at signup"}]
    filled, added = fill_feature_table(rows, ["age", "plan", "churned"], "customers.csv")
    assert added == 2
    assert filled == [rows[0], {"column": "plan", "known": "unknown", "source": "customers.csv", "note": ""},
                      {"column": "churned", "known": "unknown", "source": "customers.csv", "note": ""}]
    content = with_section({}, "data", {"feature_table": filled})
    assert check_section("data", content["data"])["feature_table"] == filled
    assert fill_feature_table(filled, ["age", "plan"], "x.csv")[1] == 0


def test_the_document_says_which_columns_are_not_known():
    content = {"data": {"feature_table": [
        {"column": "age", "known": "yes", "source": "", "note": ""},
        {"column": "refund", "known": "no", "source": "billing", "note": ""},
        {"column": "stage", "known": "unknown", "source": "", "note": ""}]}}
    assert not_known_columns(content) == ["refund"]
    assert feature_table(content, ["refund", "stage", "other"]) == {
        "refund": {"known": "no", "source": "billing", "note": ""},
        "stage": {"known": "unknown", "source": "", "note": ""}}
    assert feature_table({}) == {} and not_known_columns({}) == []


# --- the leakage scan -----------------------------------------------------------------------------------------------
def _post_outcome_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """A multiclass target with an honest strong feature and a neutral-named category recorded after the outcome
    that agrees with the target on most rows: by score alone the two look alike."""
    rng = np.random.default_rng(seed)
    y = rng.choice(["a", "b", "c"], rows)
    honest = np.select([y == "a", y == "b"], [0.0, 1.5], 3.0) + rng.normal(0, 0.6, rows)
    agrees = rng.random(rows) < 0.8
    return pd.DataFrame({
        "honest": honest,
        "ward": np.where(agrees, pd.Series(y).map({"a": "north", "b": "south", "c": "east"}),
                         rng.choice(["north", "south", "east"], rows)),
        "weak": rng.normal(size=rows),
        "outcome": y,
    })


def test_without_a_table_the_post_outcome_column_is_not_flagged():
    frame = _post_outcome_frame()
    report = scan_leakage(frame, infer_column_types(frame), "outcome")
    assert not [f for f in report.findings if f.column == "ward"]      # the problem the table solves
    assert report.feature_table == {}


def test_a_strong_column_marked_no_is_high_with_the_table_as_evidence():
    frame = _post_outcome_frame()
    table = {"ward": {"known": "no", "source": "discharge record", "note": "filled at discharge"},
             "weak": {"known": "no", "source": "", "note": ""},
             "honest": {"known": "yes", "source": "lab", "note": ""}}
    report = scan_leakage(frame, infer_column_types(frame), "outcome", feature_table=table)
    flagged = {f.column: f for f in report.findings if f.check == "availability"}
    assert set(flagged) == {"ward"}                                    # weak columns and "yes" columns are not
    finding = flagged["ward"]
    assert finding.severity == "high"
    assert finding.title == "'ward' is not known at prediction time (design document)"
    assert finding.evidence["feature_table"] == {"column": "ward", "known": "no", "source": "discharge record",
                                                 "note": "filled at discharge"}
    assert finding.evidence["lower_bound"] >= LeakageSettings().hint_auc_medium
    assert "(source: discharge record)" in finding.explanation
    assert set(report.feature_table) == {"ward", "weak"}
    again = LeakageReport.from_dict(report.to_dict())
    assert again.feature_table == report.feature_table


def test_a_strong_column_marked_unknown_is_medium():
    frame = _post_outcome_frame()
    report = scan_leakage(frame, infer_column_types(frame), "outcome",
                          feature_table={"ward": {"known": "unknown"}, "honest": {"known": "unknown"}})
    flagged = {f.column: f.severity for f in report.findings if f.check == "availability"}
    assert flagged == {"ward": "medium", "honest": "medium"}


def test_a_bad_table_row_is_refused_with_its_column():
    frame = _post_outcome_frame(rows=100)
    with pytest.raises(ValueError, match="'ward'.*'later'.*yes, no, unknown"):
        scan_leakage(frame, None, "outcome", feature_table={"ward": {"known": "later"}})


def test_the_scan_is_keyed_by_the_rows_it_acts_on():
    plain = leakage_settings("outcome", Split(), LeakageSettings(), None)
    assert "feature_table" not in plain
    all_known = {"honest": {"known": "yes", "source": "", "note": ""}}
    assert leakage_settings("outcome", Split(), LeakageSettings(), None, all_known) == plain
    marked = leakage_settings("outcome", Split(), LeakageSettings(), None,
                              {**all_known, "ward": {"known": "no", "source": "", "note": ""},
                               "outcome": {"known": "no", "source": "", "note": ""}})
    assert marked["feature_table"] == {"ward": {"known": "no", "source": "", "note": ""}}


def test_the_leakage_job_passes_the_table_to_the_scan(db):
    frame = _post_outcome_frame(rows=300)
    table = read_csv(frame.to_csv(index=False).encode(), "wards.csv")
    project = create_project(db, "Wards", "", created_by=System("test", "Ana"))
    dataset, _ = add_dataset(db, project.id, "wards.csv", table, System("test", "Ana"))
    key = leakage_settings("outcome", Split(), LeakageSettings(), None,
                           {"ward": {"known": "no", "source": "", "note": ""}})
    computed, _ = compute(db, plan_for(db, "leakage", dataset, key), dataset.project_id)
    payload, summary = computed.payload, computed.summary
    assert [f["check"] for f in summary["findings"] if f["column"] == "ward"] == ["availability"]
    assert payload["feature_table"] == {"ward": {"known": "no", "source": "", "note": ""}}


# --- baselines ------------------------------------------------------------------------------------------------------
def test_baselines_leave_out_columns_marked_no_with_the_documents_reason():
    frame = _post_outcome_frame()
    content = {"data": {"feature_table": [{"column": "ward", "known": "no", "source": "", "note": ""},
                                          {"column": "outcome", "known": "no", "source": "", "note": ""}]}}
    excluded = {c: REASONS["unavailable"] for c in not_known_columns(content) if c != "outcome"}
    settings = resolve_settings(frame, infer_column_types(frame), RunSettings(target="outcome", excluded=excluded))
    assert settings.features == ("honest", "weak")
    assert settings.excluded == {"ward": "not known at prediction time (design document, Data section)"}


# --- exports --------------------------------------------------------------------------------------------------------
def test_exports_show_the_sample_feature_table_as_a_table_and_escape_its_cells(app_db):
    md = to_markdown(gather(app_db, get_project(app_db, 1)))
    assert "**Feature availability**" in md and "| Column | Known at prediction time | Source | Note |" in md
    assert "| mean_radius | yes | pilot-site image-analysis station" in md
    assert "| diagnosis | no | LIS: final diagnosis" in md

    latest = latest_revision(app_db, 1)
    rows = latest.content["data"]["feature_table"] + [
        {"column": "<script>alert(1)</script>", "known": "no", "source": "a|b", "note": "<b>late</b>"}]
    content = with_section(latest.content, "data", {**latest.content["data"], "feature_table": rows})
    save_revision(app_db, 1, content, System("test", "Rae"), parent_id=latest.id, section="data")
    summary = gather(app_db, get_project(app_db, 1))
    md = to_markdown(summary)
    assert "| &lt;script>alert(1)&lt;/script> | no | a&#124;b | &lt;b>late&lt;/b> |" in md
    html = to_html(summary, [])
    assert '<table class="feature-table">' in html and "<td>mean_radius</td>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<td class="known-no">no</td>' in html
