"""analysis.drift.run: splits, column matching, Evidently's drift report and its summary, overlays and charts.

Evidently is imported once (about 7 s); each report runs on small frames, shared by module-scoped fixtures.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drift.evidently_report import default_method, strip_external_resources
from analysis.drift.run import (
    ColumnDrift,
    DriftInputError,
    DriftSettings,
    DriftSummary,
    MissingColumn,
    RetypedColumn,
    external_resources,
    match_columns,
    overlay,
    run_drift,
    split_by_date,
    split_by_order,
)
from analysis.reading.read import read_csv
from bench.drift import SHIFTED, column_types, make_pair
from components.drift_charts import drift_scores_figure, overlay_figure

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings(
    "ignore::RuntimeWarning", "ignore::FutureWarning", "ignore::UserWarning", "ignore::DeprecationWarning"
)


@pytest.fixture(scope="module")
def cancer():
    return read_csv((ROOT / "sample_data" / "breast_cancer.csv").read_bytes(), "breast_cancer.csv")


@pytest.fixture(scope="module")
def macro():
    return read_csv((ROOT / "tests" / "fixtures" / "drift" / "macrodata.csv").read_bytes(), "macrodata.csv")


@pytest.fixture(scope="module")
def generated():
    """make_pair at 1,500 rows (Evidently then uses distances: Wasserstein / Jensen-Shannon, threshold 0.1)."""
    reference, current = make_pair(1_500, seed=0)
    types = column_types(reference)
    return reference, current, types, run_drift(reference, current, types, types, DriftSettings())


@pytest.fixture(scope="module")
def mismatched():
    """40 rows a side: 'ok' and 'label' usable, 'gone' all missing in current, 'kind' numeric vs categorical,
    'extra' only in current, 'fresh' mostly a category the reference never had, 'flag' booleans (with a gap)."""
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"ok": rng.normal(size=40), "gone": rng.normal(size=40), "kind": rng.normal(size=40),
                              "label": rng.choice(["a", "b", "c"], 40), "fresh": rng.choice(["a", "b"], 40),
                              "flag": rng.random(40) < 0.5})
    current = pd.DataFrame({"ok": rng.normal(size=40), "gone": np.nan, "kind": rng.choice(["x", "y"], 40),
                            "label": rng.choice(["a", "b", "c"], 40), "extra": 1.0,
                            "fresh": ["z"] * 30 + ["a"] * 10, "flag": pd.array([True, False, None, True] * 10)})
    ref_types = {"ok": "numeric", "gone": "numeric", "kind": "numeric", "label": "categorical",
                 "fresh": "categorical", "flag": "boolean"}
    cur_types = {**ref_types, "kind": "categorical", "extra": "numeric"}
    return reference, current, ref_types, cur_types, run_drift(reference, current, ref_types, cur_types)


# --- the data tests -----------------------------------------------------------------------------------

def test_no_drift_between_random_halves_of_real_data(cancer):
    shuffled = cancer.frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    reference, current = split_by_order(shuffled, 0.5)
    summary = run_drift(reference, current, cancer.column_types, cancer.column_types,
                        DriftSettings(target="diagnosis")).summary
    assert not summary.dataset_drift
    assert len(summary.columns) == 31                      # 30 features + the target; sample_id is an id
    assert summary.drifted_count <= 2, summary.drifted_columns   # K-S at 0.05 on 31 columns: chance alone
    assert summary.columns[0].method == "K-S p_value"      # 284 rows: Evidently's small-data test
    assert summary.target_drift is not None and summary.target_drift.column == "diagnosis"
    assert not summary.target_drift.drifted
    assert "sample_id" in [s.column for s in summary.column_match.not_tested]
    assert not summary.sampled and summary.reference_sample_rows == 284 and summary.current_sample_rows == 285


def test_drift_found_on_shifted_columns_and_not_on_others(generated):
    reference, _, _, result = generated
    summary = result.summary
    assert set(summary.drifted_columns) == set(SHIFTED)
    assert summary.drifted_count == 4 and summary.share == pytest.approx(4 / 20)
    assert not summary.dataset_drift                       # 20 % < drift_share 0.5
    assert {c.column for c in summary.columns[:4]} == set(SHIFTED)
    methods = {c.column: c.method for c in summary.columns}
    assert methods["num_mean"] == "Wasserstein distance (normed)"
    assert methods["cat_mix"] == methods["rating"] == "Jensen-Shannon distance"   # rating has 5 values
    assert all(c.threshold == 0.1 for c in summary.columns)


def test_columns_sorted_most_drifted_first(generated):
    columns = generated[3].summary.columns
    flags = [c.drifted for c in columns]
    assert flags == sorted(flags, reverse=True)
    drifted = [c.severity for c in columns if c.drifted]
    stable = [c.severity for c in columns if not c.drifted]
    assert drifted == sorted(drifted, reverse=True) and stable == sorted(stable, reverse=True)
    assert min(drifted) >= 1 > max(stable)


def test_sampled_check_keeps_full_data_tests_and_verdicts(generated):
    reference, current, types, full = generated
    columns = ("num_mean", "num_normal_0", "rating", "cat_mix", "cat_plan")
    settings = DriftSettings(max_rows_per_side=1_000, random_state=3, columns=columns)
    summary = run_drift(reference, current, types, types, settings).summary
    assert summary.sampled and summary.seed == 3
    assert (summary.reference_rows, summary.reference_sample_rows, summary.current_sample_rows) == (1_500, 1_000, 1_000)
    assert "1,000 of 1,500 reference rows" in summary.notes[0] and "seed 3" in summary.notes[0]
    for column in summary.columns:                         # 1,000 rows alone would make Evidently pick K-S / chi-square
        assert column.method == full.summary.column(column.column).method
        assert column.drifted == full.summary.column(column.column).drifted


def test_temporal_split_of_real_data_with_a_date_column(macro):
    reference, current = split_by_date(macro.frame, "date", "1990-01-01")
    assert (len(reference), len(current)) == (124, 79)
    assert reference["date"].max() < pd.Timestamp("1990-01-01") <= current["date"].min()
    summary = run_drift(reference, current, macro.column_types, macro.column_types).summary
    assert summary.dataset_drift
    assert {"realgdp", "cpi", "pop", "m1"} <= set(summary.drifted_columns)     # 50 years of growth
    assert [s.column for s in summary.column_match.not_tested] == ["date"]
    assert len(summary.columns) == 12


# --- bad input ------------------------------------------------------------------------------------------------

def test_no_common_columns_is_refused():
    reference = pd.DataFrame({"a": range(50), "b": range(50)})
    current = pd.DataFrame({"x": range(50)})
    with pytest.raises(DriftInputError, match=r"no column in common \(reference: a, b; current: x\)"):
        run_drift(reference, current)


def test_current_with_three_rows_is_refused():
    reference = pd.DataFrame({"a": np.arange(100.0)})
    current = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(DriftInputError) as error:
        run_drift(reference, current, {"a": "numeric"}, {"a": "numeric"})
    assert str(error.value).startswith("The current data has 3 rows; a drift check needs at least 30 on each side.")


def test_all_missing_column_is_reported_and_skipped(mismatched):
    summary = mismatched[4].summary
    assert summary.column_match.all_missing == (MissingColumn("gone", "current"),)
    assert "gone" not in [c.column for c in summary.columns]
    assert "Column 'gone' has no values in the current data, so it is not checked." in summary.notes


def test_different_types_on_each_side_are_reported(mismatched):
    summary = mismatched[4].summary
    assert summary.column_match.retyped == (RetypedColumn("kind", "numeric", "categorical"),)
    assert summary.column_match.only_in_current == ("extra",)
    assert {c.column for c in summary.columns} == {"ok", "label", "fresh", "flag"}
    assert any(n.startswith("Column 'kind' is numeric in the reference data but categorical") for n in summary.notes)


def test_new_category_and_booleans_are_checked(mismatched):
    summary = mismatched[4].summary
    fresh, flag = summary.column("fresh"), summary.column("flag")
    assert fresh.drifted and fresh.method == "chi-square p_value" and summary.columns[0] == fresh
    assert flag.type == "boolean" and flag.method == "Z-test p_value"


def test_nothing_usable_is_refused(mismatched):
    reference, current, ref_types, cur_types, _ = mismatched
    with pytest.raises(DriftInputError, match=r"None of the 2 common column\(s\) can be checked for drift\. "
                                              r"Column 'kind' is numeric"):
        run_drift(reference[["gone", "kind"]], current[["gone", "kind"]], ref_types, cur_types)


def test_requested_column_that_cannot_be_checked_is_refused(mismatched):
    reference, current, ref_types, cur_types, _ = mismatched
    with pytest.raises(DriftInputError, match="Column 'kind' cannot be checked: it is numeric in the reference data"):
        run_drift(reference, current, ref_types, cur_types, DriftSettings(columns=("ok", "kind")))


def test_target_and_prediction_drift_are_reported(mismatched):
    reference, current, ref_types, cur_types, _ = mismatched
    settings = DriftSettings(columns=("ok",), target="label", prediction="fresh")
    summary = run_drift(reference, current, ref_types, cur_types, settings).summary
    assert {c.column for c in summary.columns} == {"ok", "label", "fresh"} and summary.columns[0].column == "fresh"
    assert summary.target_drift == summary.column("label") and not summary.target_drift.drifted
    assert summary.prediction_drift == summary.column("fresh") and summary.prediction_drift.drifted


def test_missing_target_is_a_note_not_an_error(mismatched):
    reference, current, ref_types, cur_types, _ = mismatched
    summary = run_drift(reference, current, ref_types, cur_types,
                        DriftSettings(target="extra", columns=("ok",))).summary
    assert summary.target_drift is None
    assert "The target column 'extra' is not checked: it is only in the current data; no target drift is reported." \
        in summary.notes


def test_unknown_method_is_refused():
    frame = pd.DataFrame({"a": np.arange(40.0)})
    with pytest.raises(DriftInputError,
                       match="Drift method 'nope' does not apply to numeric columns. Choose one of: .*wasserstein"):
        run_drift(frame, frame, settings=DriftSettings(method="nope"))


@pytest.mark.parametrize("share", [0, 1, 1.5])
def test_split_by_order_refuses_a_share_outside_0_1(share):
    with pytest.raises(DriftInputError, match=f"The reference share is {share}; it must be between 0 and 1"):
        split_by_order(pd.DataFrame({"a": range(10)}), share)


def test_split_by_order_keeps_the_row_order():
    reference, current = split_by_order(pd.DataFrame({"a": range(10)}), 0.3)
    assert reference["a"].tolist() == [0, 1, 2] and current["a"].tolist() == list(range(3, 10))


def test_split_by_date_errors_say_what_to_do(macro):
    with pytest.raises(DriftInputError, match=r"No rows fall on or after 2030-01-01 in 'date' \(its dates run from "
                                              r"1959-01-01 to 2009-07-01\)\. Pick a cut date inside that range\."):
        split_by_date(macro.frame, "date", "2030-01-01")
    with pytest.raises(DriftInputError, match="Column 'cpi' holds float64 values, not dates.*Date columns: date."):
        split_by_date(macro.frame, "cpi", "2000-01-01")
    with pytest.raises(DriftInputError, match="The cut date 'soon' is not a date"):
        split_by_date(macro.frame, "date", "soon")


def test_match_columns_infers_types_when_not_given():
    match = match_columns(pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]}),
                          pd.DataFrame({"b": ["x", "z"], "a": [1.0, 2.0]}))
    assert match.common == ("a", "b") and match.usable == ("a", "b") and not match.notes()


# --- results: storage, ordering, HTML -------------------------------------------------------------------------

def test_summary_round_trips_through_json(generated, mismatched):
    for result in (generated[3], mismatched[4]):
        stored = json.dumps(result.summary.to_dict())
        assert DriftSummary.from_dict(json.loads(stored)) == result.summary


def test_summary_from_another_format_is_refused(generated):
    data = {**generated[3].summary.to_dict(), "format": 99}
    with pytest.raises(ValueError, match="stored in format 99"):
        DriftSummary.from_dict(data)


def test_settings_round_trip():
    settings = DriftSettings(method="psi", threshold=0.2, columns=["a", "b"], target="y")
    assert settings.columns == ("a", "b")
    assert DriftSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings


def test_severity_reads_the_direction_from_the_verdict():
    p_value = ColumnDrift("a", "numeric", "K-S p_value", 0.05, 1e-10, True)
    distance = ColumnDrift("b", "numeric", "Wasserstein distance (normed)", 0.1, 0.35, True)
    calm = ColumnDrift("c", "numeric", "K-S p_value", 0.05, 0.5, False)
    zero = ColumnDrift("d", "categorical", "chi-square p_value", 0.05, 0.0, True)
    assert p_value.severity == pytest.approx(np.log(1e-10) / np.log(0.05))
    assert distance.severity == pytest.approx(3.5)
    assert calm.severity < 1 and calm.lower_is_drift
    assert zero.severity == pytest.approx(np.log(1e-300) / np.log(0.05))


def test_html_report_opens_offline(generated):
    html = generated[3].html
    assert len(html) > 1_000_000 and "<script>" in html      # plotly and Evidently's UI inline
    assert external_resources(html) == []


def test_external_resources_are_found_and_stripped():
    page = ('<html><head><script src="https://cdn.example.com/lib.js"></script>'
            "<link rel='stylesheet' href='//fonts.example.com/css'><style>@import 'https://x.example/a.css';"
            "body{background:url(https://x.example/bg.png)}</style></head>"
            '<body><a href="https://evidentlyai.com">docs</a><script>var a = 1;</script></body></html>')
    assert len(external_resources(page)) == 4
    stripped = strip_external_resources(page)
    assert external_resources(stripped) == []
    assert '<a href="https://evidentlyai.com">docs</a>' in stripped and "var a = 1;" in stripped


def test_evidently_is_imported_only_when_a_report_runs():
    code = ("import sys, analysis.drift.run, components.drift_charts; "
            "print('evidently' in sys.modules, 'streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_default_method_mirrors_evidently():
    assert default_method("numeric", 1_001, 6) == "wasserstein"
    assert default_method("numeric", 1_001, 5) == "jensenshannon"
    assert default_method("categorical", 5_000, 3) == "jensenshannon"
    assert default_method("numeric", 1_000, 6) == "ks"
    assert default_method("numeric", 1_000, 5) is None      # chi-square / z: only Evidently's own choice gives them
    assert (default_method("categorical", 500, 3), default_method("categorical", 500, 2)) == ("chisquare", "z")


# --- overlays and charts --------------------------------------------------------------------------------------

def test_numeric_overlay_shares_bins_and_draws(cancer):
    reference, current = split_by_order(cancer.frame, 0.5)
    data = overlay(reference, current, "mean_radius", "numeric")
    assert data["kind"] == "histogram" and len(data["edges"]) == 31
    assert sum(data["reference"]) == pytest.approx(1) and sum(data["current"]) == pytest.approx(1)
    assert data["edges"][0] == cancer.frame["mean_radius"].min()
    assert data["edges"][-1] == cancer.frame["mean_radius"].max()
    json.dumps(data)
    figure = overlay_figure(data)
    assert figure.layout.title.text == "mean_radius: reference vs current"
    assert [t.type for t in figure.data] == ["bar", "bar"] and figure.layout.barmode == "overlay"


def test_categorical_overlay_and_missing_values():
    reference = pd.DataFrame({"c": ["a"] * 30 + ["b"] * 10, "n": [1.0] * 38 + [np.nan] * 2})
    current = pd.DataFrame({"c": ["b"] * 30 + ["z"] * 10, "n": [2.0] * 40})
    data = overlay(reference, current, "c", "categorical")
    assert data["categories"] == ["b", "a", "z"]
    assert data["reference"] == [0.25, 0.75, 0.0] and data["current"] == [0.75, 0.0, 0.25]
    numbers = overlay(reference, current, "n", "numeric")
    assert numbers["edges"] == [0.5, 1.5, 2.5] and numbers["reference_missing"] == 2   # one bin per whole number
    assert "missing values (not drawn): reference 2" in overlay_figure(numbers).layout.title.text
    with pytest.raises(DriftInputError, match="an overlay needs a numeric, datetime, categorical or boolean column"):
        overlay(reference, current, "c", "text")


def test_datetime_overlay(macro):
    reference, current = split_by_date(macro.frame, "date", "1990-01-01")
    data = overlay(reference, current, "date", "datetime")
    assert data["edges"][0] == "1959-01-01T00:00:00" and data["edges"][-1] == "2009-07-01T00:00:00"
    assert sum(data["current"][:15]) == 0                 # the current side starts in 1990
    assert overlay_figure(data).data[0].width[0] > 0


def test_drift_scores_figure(generated):
    summary = generated[3].summary
    figure = drift_scores_figure(summary)
    bars = figure.data[0]
    assert len(bars.y) == 20 and set(bars.y[-4:]) == set(SHIFTED)        # most drifted drawn on top
    assert "4 of 20 drifted" in figure.layout.title.text
