"""Evidently glue for analysis.drift.run: the stat-test rule, running the report, reading its result, offline HTML.

Evidently is imported inside the functions that need it (``import evidently`` takes about 7 s), so importing
this module costs nothing. Written against Evidently 0.7.23 (see notes/stack.md for the snapshot layout).
"""
from __future__ import annotations

import re
from importlib.metadata import version

import numpy as np
import pandas as pd

from analysis.drift.model import ColumnDrift

SMALL_REFERENCE = 1_000   # Evidently 0.7 uses p-value tests up to this many reference values, distances above
FEW_VALUES = 5            # a numeric column with at most this many distinct values is tested like categories


def load_evidently() -> None:
    """Import the parts of Evidently a report needs (about 7 s the first time in a process, then free)."""
    import evidently.presets  # noqa: F401


def evidently_version() -> str:
    return version("evidently")


def default_method(kind: str, reference_values: int, distinct: int) -> str | None:
    """The stat test Evidently 0.7.23 picks for a column when none is given
    (evidently.legacy.calculations.stattests.registry._get_default_stattest), by registry name.

    kind: "numeric" or "categorical"; reference_values: non-missing values of the reference column;
    distinct: distinct non-missing values over both sides. None for a numeric column with at most 5 distinct
    values and at most 1,000 reference values: Evidently then runs chi-square or z, which it does not accept
    when named for a numeric column, so only its automatic choice can give it.
    """
    if reference_values > SMALL_REFERENCE:
        if kind == "numeric" and distinct > FEW_VALUES:
            return "wasserstein"
        return "jensenshannon"
    if kind == "numeric":
        return "ks" if distinct > FEW_VALUES else None
    return "chisquare" if distinct > 2 else "z"


def method_names(kind: str) -> tuple[str, ...]:
    """Registry names of the Evidently stat tests that accept a column of ``kind`` ("numeric"/"categorical")."""
    from evidently.legacy.calculations.stattests.registry import _registered_stat_tests
    from evidently.legacy.core import ColumnType

    wanted = ColumnType.Numerical if kind == "numeric" else ColumnType.Categorical
    return tuple(sorted(name for name, impls in _registered_stat_tests.items() if wanted in impls))


def display_name(method: str, kind: str) -> str:
    """Evidently's display name of a stat test given by registry name ("wasserstein" -> "Wasserstein distance
    (normed)"); a name that is already a display name comes back unchanged."""
    from evidently.legacy.calculations.stattests.registry import get_registered_stattest
    from evidently.legacy.core import ColumnType

    try:
        test = get_registered_stattest(method, ColumnType.Numerical if kind == "numeric" else ColumnType.Categorical)
    except ValueError:
        return method
    return test.display_name or method


def evidently_frame(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """The columns Evidently should see, as it handles them best: numbers as float64 (missing = NaN),
    categories and booleans as pandas categoricals of text labels ("true"/"false" for booleans; missing = NaN).
    Categoricals run about 15 % faster through Evidently than the same labels as Python strings."""
    columns = {}
    for name, kind in types.items():
        series = frame[name]
        if kind == "numeric":
            columns[name] = pd.to_numeric(series, errors="coerce").astype("float64")
        elif kind == "boolean":
            columns[name] = series.astype(object).map({True: "true", False: "false"}).astype("category")
        elif isinstance(series.dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in series.cat.categories):
            columns[name] = series
        else:
            values = series.astype(object)
            columns[name] = values.where(values.isna(), values.astype(str)).astype("category")
    return pd.DataFrame(columns, index=frame.index)


def run_report(reference: pd.DataFrame, current: pd.DataFrame, types: dict[str, str], preset_args: dict):
    """Evidently's DataDriftPreset (with its tests) on the columns of ``types``; returns the Snapshot."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(
        numerical_columns=[c for c, k in types.items() if k == "numeric"],
        categorical_columns=[c for c, k in types.items() if k != "numeric"],
    )
    report = Report([DataDriftPreset(columns=list(types), **preset_args)], include_tests=True)
    return report.run(
        current_data=Dataset.from_pandas(evidently_frame(current, types), data_definition=definition),
        reference_data=Dataset.from_pandas(evidently_frame(reference, types), data_definition=definition),
    )


def read_snapshot(snapshot, types: dict[str, str]) -> tuple[list[ColumnDrift], bool, int, float]:
    """Per-column verdicts, dataset drift, drifted count and share from a DataDriftPreset snapshot.

    The drifted flag of a column exists only as its test's status (FAIL = drifted), joined to the ValueDrift
    metric by metric id; the dataset verdict is the "Share of Drifted Columns" test."""
    data = snapshot.dict()
    status = {t["metric_config"]["metric_id"]: _status(t["status"]) for t in data["tests"]}
    columns, dataset_drift, count, share = [], False, 0, 0.0
    for metric in data["metrics"]:
        kind = metric["config"]["type"]
        if kind.endswith(":ValueDrift"):
            name = metric["config"]["column"]
            column_type = types[name]
            score = metric["value"]
            columns.append(ColumnDrift(
                column=name,
                type=column_type,
                method=display_name(metric["config"]["method"],
                                    "numeric" if column_type == "numeric" else "categorical"),
                threshold=float(metric["config"]["threshold"]),
                score=None if score is None else float(score),
                drifted=status.get(metric["id"]) == "FAIL",
            ))
        elif kind.endswith(":DriftedColumnsCount"):
            count, share = int(metric["value"]["count"]), float(metric["value"]["share"])
            dataset_drift = status.get(metric["id"]) == "FAIL"
    return columns, dataset_drift, count, share


def _status(value) -> str:
    return str(getattr(value, "value", value))


# Tags and CSS that make a browser fetch something: <script src>, <link href>, <img/iframe/source/... src>,
# <object data>, CSS url(...) and @import. Links a user clicks (<a href>) fetch nothing by themselves.
_FETCHING_TAG = re.compile(
    r"<(script|link|img|iframe|source|video|audio|embed|track|input)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?\s*"
    r"(?:https?:)?//[^>]*>(?:\s*</script>)?",
    re.IGNORECASE,
)
_OBJECT_DATA = re.compile(r"<object\b[^>]*?\bdata\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+[\"']\s*(?:https?:)?//[^;]*;", re.IGNORECASE)
_FETCHING = (_FETCHING_TAG, _OBJECT_DATA, _CSS_URL, _CSS_IMPORT)


def external_resources(html: str) -> list[str]:
    """Every tag or CSS rule in ``html`` that would fetch from another host when the page opens
    (an empty list for a self-contained page)."""
    found = []
    for pattern in _FETCHING:
        found.extend(m.group(0)[:200] for m in pattern.finditer(html))
    return found


def strip_external_resources(html: str) -> str:
    """``html`` without the tags and CSS rules external_resources() finds, so it opens offline without trying
    the network (Evidently 0.7.23's report has none: its JavaScript, styles and fonts are inline)."""
    for pattern in _FETCHING:
        html = pattern.sub("", html)
    return html


def sample_positions(rows: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` distinct row positions out of ``rows``, uniformly, in ascending order."""
    return np.sort(rng.choice(rows, size=size, replace=False))
