"""The leakage checks: each a small object with a name and one ``compute(context) -> list[Finding]``.

    DEFAULT_CHECKS = (TargetProxy(), PostOutcome(), FeatureAvailability(), IdColumn(), DuplicateRows(),
                      TrainTestOverlap(), ConflictingLabels(), DateOverlap(), GroupOverlap())

A check reads what it needs from the ScanContext, which computes each shared piece once, when first asked:
the sample and its single-feature scores, the ID-like columns, row hashes, the split. Checks that need a
split (overlap, dates, groups) return nothing without one. A check may name checks it ``supersedes``: their
finding on the same column is dropped when it reports one at the same or a higher severity (a post-outcome
column is not also listed as a target proxy).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analysis.cells import shorten
from analysis.column_types import CATEGORICAL, DATETIME, ID, NUMERIC, id_like_text
from analysis.leakage.model import HIGH, INFO, MEDIUM, SEVERITIES, Finding, LeakageSettings, Split
from analysis.leakage.rows import (
    MISSING_HASH,
    RowHashes,
    as_dates,
    distinct_sorted,
    first_rows,
    in_sorted,
    repeat_count,
    sample_positions,
    split_rows,
)
from analysis.leakage.scores import REGRESSION, ROC_AUC, FeatureScore, assign_folds, encode_target, score_feature

_GENERIC_NAME_TOKENS = {"is", "has", "flag", "status", "type", "class", "value", "label", "target", "the", "of",
                        "and", "num", "count", "total", "code", "date", "time", "at", "on", "in", "yes", "no"}


class ScanContext:
    """Everything the checks share, computed once on first use.

    frame: the dataset. column_types: column -> type. target, task: the target and "binary" / "multiclass" /
    "regression". split, settings: as given to scan_leakage. test_frame: the second dataset, or None.
    feature_table: the design document's feature table, column -> {"known": "yes" / "no" / "unknown", "source",
    "note"} (columns it does not list are absent).
    """

    def __init__(self, frame: pd.DataFrame, column_types: dict[str, str], target: str, task: str, split: Split,
                 settings: LeakageSettings, test_frame: pd.DataFrame | None = None,
                 feature_table: dict[str, dict[str, str]] | None = None):
        self.frame, self.column_types, self.target, self.task = frame, column_types, target, task
        self.split, self.settings, self.test_frame = split, settings, test_frame
        self.feature_table = dict(feature_table or {})
        self.features = [c for c in frame.columns if c != target]

    # --- the sample and scores -------------------------------------------------------------------------------
    @cached_property
    def labelled(self) -> np.ndarray:
        """Mask of the rows with a target value."""
        return self.frame[self.target].notna().to_numpy()

    @cached_property
    def sample_positions(self) -> np.ndarray:
        """Sorted positions of the labelled rows scored (all of them up to settings.sample_rows)."""
        labelled = np.flatnonzero(self.labelled)
        labels = None if self.task == REGRESSION else self.frame[self.target]
        s = self.settings
        return sample_positions(labels, labelled, s.sample_rows, s.min_class_rows, s.random_state)

    @cached_property
    def labelled_rows(self) -> int:
        return int(self.labelled.sum())

    @cached_property
    def sample(self) -> pd.DataFrame:
        positions = self.sample_positions
        whole = len(positions) == len(self.frame) and isinstance(self.frame, pd.DataFrame)
        return self.frame if whole else self.frame.take(positions)   # a FileTable reads the rows by position

    @cached_property
    def y(self):
        return encode_target(self.sample[self.target], self.task)

    @cached_property
    def folds(self) -> np.ndarray:
        return assign_folds(self.y, self.settings.cv_folds, self.settings.random_state)

    @cached_property
    def smallest_class(self) -> int:
        """Rows of the smallest class in the sample (half the rows for a numeric target)."""
        if self.task == REGRESSION:
            return len(self.y.codes) // 2
        return int(np.bincount(self.y.codes).min())

    def score(self, column: str, numbers: np.ndarray | None = None) -> FeatureScore:
        s = self.settings
        return score_feature(self.sample[column], self.column_types[column], self.y, self.folds, bins=s.score_bins,
                             smoothing=s.smoothing, confidence_z=s.confidence_z, numbers=numbers)

    @cached_property
    def scores(self) -> dict[str, FeatureScore]:
        """Single-feature score of every feature that is not an ID-like column, strongest first."""
        scored = [self.score(c) for c in self.features if c not in self.id_columns]
        return {s.column: s for s in sorted(scored, key=lambda s: -s.score)}

    # --- columns ---------------------------------------------------------------------------------------------
    @cached_property
    def id_columns(self) -> dict[str, list[str]]:
        """ID-like feature columns -> the reasons they look like identifiers."""
        found = {}
        for column in self.features:
            reasons = _id_reasons(self.frame[column], self.column_types[column], self.settings)
            if reasons:
                found[column] = reasons
        return found

    def encoding(self, column: str) -> str | None:
        """How a feature column is the target written another way (see _encoding), or None; computed once per
        column, and asked only of columns strong enough to be target proxies."""
        cache = self.__dict__.setdefault("_encodings", {})
        if column not in cache:
            cache[column] = (None if column in self.id_columns
                             else _encoding(self.sample[column], self.sample[self.target], self.task))
        return cache[column]

    def encodes_target(self, score: FeatureScore) -> bool:
        """True when the scored column is strong enough to be a target proxy and is the target written another way:
        the target proxy check names it so, and no other check reports it."""
        return self.proxy_level(score) is not None and self.encoding(score.column) is not None

    def proxy_level(self, score: FeatureScore) -> str | None:
        """The target-proxy level of a score's lower bound (high, medium or None), before the sample-size cap."""
        s = self.settings
        high, medium = ((s.proxy_auc_high, s.proxy_auc_medium) if self.task != REGRESSION
                        else (s.proxy_r2_high, s.proxy_r2_medium))
        return _level(score.low, high, medium)

    @cached_property
    def prediction_time_column(self) -> str | None:
        if self.split.prediction_time_column:
            return self.split.prediction_time_column
        return self.split.date_column if self.split.kind == "date" else None

    # --- rows ------------------------------------------------------------------------------------------------
    @cached_property
    def hashes(self) -> RowHashes:
        return RowHashes(self.frame, self.column_types)

    @cached_property
    def test_hashes(self) -> RowHashes | None:
        return RowHashes(self.test_frame, self.column_types) if self.test_frame is not None else None

    @cached_property
    def sides(self):
        """The split's train and test positions (analysis.leakage.rows.SplitRows), or None without a split."""
        return split_rows(self.frame, self.split, self.test_frame, self.settings.random_state)

    def test_source(self) -> pd.DataFrame:
        return self.test_frame if self.sides.external else self.frame

    def side_values(self, column: str) -> tuple[pd.Series, pd.Series]:
        """The column's values on the train side and on the test side."""
        train = self.frame[column].take(self.sides.train)
        return train, self.test_source()[column].take(self.sides.test)

    def side_hashes(self, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row hashes over ``columns`` on the train side and on the test side."""
        train = self.hashes.rows(columns)[self.sides.train]
        source = self.test_hashes if self.sides.external else self.hashes
        return train, source.rows(columns)[self.sides.test]

    def side_column_hashes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """The column's value hashes on the train side and on the test side."""
        source = self.test_hashes if self.sides.external else self.hashes
        return self.hashes.column(column)[self.sides.train], source.column(column)[self.sides.test]

    # --- evidence --------------------------------------------------------------------------------------------
    def examples(self, frame: pd.DataFrame, positions, first: list[str],
                 extra: dict[str, list] | None = None) -> list[dict]:
        """Up to max_examples rows of ``frame`` as dicts: "row" (1-based row number in its file), the columns in
        ``first``, the target, then other columns up to example_columns; ``extra`` adds values per example."""
        positions = list(positions)[: self.settings.max_examples]
        columns = list(dict.fromkeys([c for c in first if c in frame.columns]
                                     + ([self.target] if self.target in frame.columns else [])))
        rest = [c for c in frame.columns if c not in columns]
        columns += rest[: max(self.settings.example_columns - len(columns), 0)]
        part = frame.take(positions)[columns]
        rows = []
        for i, position in enumerate(positions):
            row: dict[str, Any] = {"row": int(position) + 1}
            row.update({str(c): shown_value(part[c].iloc[i]) for c in columns})
            for key, values in (extra or {}).items():
                row[key] = plain_value(values[i])
            rows.append(row)
        return rows


def shown_value(value) -> Any:
    """plain_value, with long text cut to what a finding shows (analysis.cells.shorten)."""
    value = plain_value(value)
    return shorten(value) if isinstance(value, str) else value


def plain_value(value) -> Any:
    """A cell as a JSON scalar: None for missing, ISO text for dates, Python numbers, text otherwise."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not np.isfinite(value) else value
    if isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _tokens(name: str) -> list[str]:
    """Lower-case words of a column name: split at non-letters and at camelCase humps."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [t for t in re.split(r"[^A-Za-z]+", spaced.lower()) if t]


def _id_reasons(series: pd.Series, kind: str, settings: LeakageSettings) -> list[str]:
    """Why a column looks like an identifier (empty: it does not)."""
    if kind == ID:
        return ["every value is distinct, and the values are codes or counters (column type 'id')"]
    if kind == CATEGORICAL and id_like_text(series, kind):
        filled = int(series.count())
        distinct = int(series.nunique(dropna=True))
        return [f"a distinct value on most rows ({distinct:,} values in {filled:,} filled rows, "
                f"{distinct / filled:.0%}), like names of people or products"]
    if kind not in (NUMERIC, "categorical") or len(series) == 0:
        return []
    named = re.search(settings.id_name_pattern, str(series.name)) is not None
    monotonic = (kind == NUMERIC and (series.is_monotonic_increasing or series.is_monotonic_decreasing)
                 and _whole(series))
    if not (named or monotonic):
        return []
    distinct = series.nunique(dropna=True) / len(series)
    if distinct < settings.id_unique_share:
        return []
    reasons = [f"{distinct:.0%} of the values are distinct"]
    if named:
        reasons.append("its name says identifier")
    if monotonic:
        reasons.append("whole numbers that only " + ("rise" if series.is_monotonic_increasing else "fall")
                       + " down the rows")
    return reasons


def _whole(series: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(series.dtype):
        return True
    if not pd.api.types.is_float_dtype(series.dtype):
        return False
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    return bool(values.size) and bool(np.all(np.mod(values, 1) == 0))


ENCODING_PURITY = 0.99      # share of rows whose code gives their class, from which a column encodes the target
ENCODING_CODES_PER_CLASS = 3  # at most this many codes per class (more: a feature with many values, not a code)
ENCODING_MIN_FILLED = 0.5   # the column has a value on at least this share of the labelled rows


def _encoding(series: pd.Series, target: pd.Series, task: str) -> str | None:
    """How ``series`` is ``target`` written another way, or None: "equals the target" (the same values on
    ENCODING_PURITY of the rows; 1.0, 1 and "1" read alike), for a numeric target also "is a rescaled copy of the
    target" (|Pearson r| >= 0.9999), and for a class target "one code per class" / "k codes for c classes": a column
    with at most ENCODING_CODES_PER_CLASS values per class whose value gives the row's class on at least
    ENCODING_PURITY of the rows, with every class reached. Works on distinct values: a column with more values than
    codes could be is passed over at the cost of one factorize."""
    both = series.notna().to_numpy() & target.notna().to_numpy()
    n = int(both.sum())
    if n < 20 or n < ENCODING_MIN_FILLED * len(series):
        return None
    values, labels = series[both], target[both]
    if task == REGRESSION:
        if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            return None
        x, y = values.to_numpy(dtype=np.float64), labels.to_numpy(dtype=np.float64)
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() < 20 or np.std(x[keep]) == 0 or np.std(y[keep]) == 0:
            return None
        if np.mean(x[keep] == y[keep]) >= ENCODING_PURITY:
            return "equals the target"
        return "is a rescaled copy of the target" if abs(np.corrcoef(x[keep], y[keep])[0, 1]) >= 0.9999 else None
    codes, uniques = pd.factorize(values)
    classes, class_names = pd.factorize(labels)
    n_codes, n_classes = len(uniques), len(class_names)
    if n_codes < 2 or n_codes > ENCODING_CODES_PER_CLASS * n_classes:
        return None
    if np.mean(_label_texts(uniques)[codes] == _label_texts(class_names)[classes]) >= ENCODING_PURITY:
        return "equals the target"
    table = np.bincount(codes * n_classes + classes, minlength=n_codes * n_classes).reshape(n_codes, n_classes)
    if table.max(axis=1).sum() < ENCODING_PURITY * n or len(set(table.argmax(axis=1))) < n_classes:
        return None
    return "one code per class" if n_codes == n_classes else f"{n_codes} codes for {n_classes} classes"


def _label_texts(values) -> np.ndarray:
    """Distinct values as trimmed text, whole floats without their ".0" (1.0 and 1 and "1" read alike)."""
    def text(v) -> str:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return np.array([text(v) for v in values], dtype=object)


def _metric_name(score: FeatureScore) -> str:
    return "ROC AUC" if score.metric == ROC_AUC else "R2"


def _score_evidence(score: FeatureScore) -> dict[str, Any]:
    return {
        "metric": score.metric, "score": round(score.score, 4), "lower_bound": round(score.low, 4),
        "raw": None if score.raw is None else round(score.raw, 4), "cross_validated": round(score.cv, 4),
        "z": round(score.z, 1),
        "rank_correlation": None if score.rank_correlation is None else round(score.rank_correlation, 4),
        "mi_bits": round(score.mi_bits, 4), "mi_share": round(score.mi_share, 4), "rows_scored": score.rows,
        "missing_share": round(score.missing_share, 4),
    }


def _level(value: float, high: float, medium: float) -> str | None:
    return HIGH if value >= high else MEDIUM if value >= medium else None


def _spread_examples(ctx: ScanContext, column: str, numbers: np.ndarray | None = None) -> list[int]:
    """Positions of sample rows spread over the column's sorted values (shows how the target follows it);
    ``numbers`` sorts by those instead of the values (a text id by its digits)."""
    values = ctx.sample[column]
    if numbers is None and pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if numbers is None:
        numbers = pd.factorize(values, sort=True)[0]
    order = np.argsort(numbers, kind="stable")
    picks = order[np.unique(np.linspace(0, len(order) - 1, ctx.settings.max_examples).astype(int))]
    return [int(ctx.sample_positions[i]) for i in picks]


# ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetProxy:
    """A single feature that predicts the target almost perfectly (its score's lower bound above proxy_*)."""

    name: str = "target_proxy"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        s = ctx.settings
        high, medium = ((s.proxy_auc_high, s.proxy_auc_medium) if ctx.task != REGRESSION
                        else (s.proxy_r2_high, s.proxy_r2_medium))
        findings = []
        for score in ctx.scores.values():
            severity = _level(score.low, high, medium)
            if severity is None:
                continue
            past = _matching_token(score.column, s.pre_outcome_patterns)
            if severity == HIGH and (ctx.smallest_class < s.proxy_min_class_rows or past):
                severity = MEDIUM
            few = severity == MEDIUM and score.score >= high and not past   # high but for the sample size
            metric = _metric_name(score)
            strength = "almost perfectly" if severity == HIGH else "suspiciously well"
            explanation = (
                f"Alone, '{score.column}' reaches {metric} {score.score:.3f} (cross-validated on {score.rows:,} rows); "
                "honest features rarely do, a copy or a consequence of the target does."
            )
            if few:
                explanation += (f" With {score.rows:,} rows ({ctx.smallest_class:,} in the smallest class), "
                                "that is not enough to be sure it is not chance.")
            elif past and score.low >= high:
                explanation += f" Its name ('{past}') says it is from before the outcome, so it may well be honest."
            evidence = _score_evidence(score)
            evidence["examples"] = ctx.examples(ctx.frame, _spread_examples(ctx, score.column), [score.column])
            title = f"'{score.column}' predicts '{ctx.target}' {strength}"
            action = (f"Find out how and when '{score.column}' is recorded. If it is derived from the outcome or "
                      "known only after it, drop it from the features; if it is truly known at prediction time, "
                      "mark this finding as checked.")
            encoding = ctx.encoding(score.column)
            if encoding:
                evidence["encoding"] = encoding
                title = (f"'{score.column}' equals the target '{ctx.target}'" if encoding.startswith("equals")
                         else f"'{score.column}' encodes the target '{ctx.target}'")
                how = {"equals the target": f"holds the same values as '{ctx.target}'",
                       "is a rescaled copy of the target": f"is '{ctx.target}' rescaled"}.get(
                    encoding, f"is '{ctx.target}' written as codes ({encoding})")
                explanation = (f"'{score.column}' {how}: its value gives the target on almost every row (alone it "
                               f"reaches {metric} {score.score:.3f} on {score.rows:,} rows). A model that reads it "
                               "reads the answer.")
                action = (f"Drop '{score.column}' from the features: it is the target under another name or code "
                          "(a copy made when the data was exported, or a field filled from the outcome).")
            findings.append(Finding(
                check=self.name, severity=severity, column=score.column, title=title,
                explanation=explanation, action=action, evidence=evidence,
            ))
        return findings


@dataclass(frozen=True)
class PostOutcome:
    """A strong feature with a hint that it is recorded after the outcome: a name (post_outcome_patterns, or the
    target's own name), or dates later than the prediction time in at least after_share of the rows."""

    name: str = "post_outcome"
    supersedes: tuple[str, ...] = ("target_proxy",)

    def compute(self, ctx: ScanContext) -> list[Finding]:
        s = ctx.settings
        patterns = [re.compile(p) for p in s.post_outcome_patterns]
        target_tokens = [t for t in _tokens(ctx.target) if len(t) >= 4 and t not in _GENERIC_NAME_TOKENS]
        time_column = ctx.prediction_time_column
        high, medium = ((s.hint_auc_high, s.hint_auc_medium) if ctx.task != REGRESSION
                        else (s.hint_r2_high, s.hint_r2_medium))
        findings = []
        for column, score in ctx.scores.items():
            if column == time_column or ctx.encodes_target(score):
                continue   # the target written another way: the target proxy check names it so
            hints = ([] if _matching_token(column, s.pre_outcome_patterns)
                     else _name_hints(column, patterns, target_tokens))
            after = self._after(ctx, column, time_column) if time_column else None
            late = after is not None and after["share_after"] >= s.after_share
            if late:
                hints.append(f"dated after '{time_column}' in {after['share_after']:.0%} of the "
                             f"{after['rows_compared']:,} rows that have both dates")
                severity = HIGH if score.low >= medium else MEDIUM
            else:
                severity = _level(score.low, high, medium) if hints else None
            if severity is None:
                continue
            metric = f"{_metric_name(score)} {score.score:.3f}"
            if severity == HIGH:
                title = f"'{column}' looks recorded after the outcome"
                explanation = (f"'{column}' is {hints[0]} and alone reaches {metric}: at prediction time its value "
                               "would not be known yet, so the model learns from the answer.")
            elif late:
                title = f"'{column}' is dated after the prediction time"
                explanation = (f"'{column}' is {hints[-1]}: its value is not known when the prediction is made. It "
                               f"predicts the target only moderately here ({metric}), yet it should not be a feature.")
            else:
                title = f"'{column}' may be recorded after the outcome"
                explanation = (f"'{column}' is {hints[0]} and predicts the target strongly ({metric}): check that its "
                               "value is known at prediction time.")
            evidence = {"hints": hints, **_score_evidence(score), **(after or {})}
            first = [column] + ([time_column] if time_column else [])
            evidence["examples"] = ctx.examples(ctx.frame, _spread_examples(ctx, column), first)
            findings.append(Finding(
                check=self.name, severity=severity, column=column, title=title, explanation=explanation,
                action=f"Drop '{column}' from the features, or replace it by its value as of the prediction time.",
                evidence=evidence,
            ))
        return findings

    @staticmethod
    def _after(ctx: ScanContext, column: str, time_column: str) -> dict[str, Any] | None:
        if ctx.column_types.get(column) != DATETIME or time_column not in ctx.frame.columns:
            return None
        when, reference = as_dates(ctx.sample[column]), as_dates(ctx.sample[time_column])
        both = ~np.isnat(when) & ~np.isnat(reference)
        if not both.any():
            return None
        later = when[both] > reference[both]
        return {"prediction_time_column": time_column, "rows_compared": int(both.sum()),
                "rows_after": int(later.sum()), "share_after": round(float(later.mean()), 4)}


def _matching_token(column: str, patterns: tuple[str, ...]) -> str | None:
    """The first token of the column's name that one of ``patterns`` matches whole, or None."""
    for token in _tokens(column):
        if any(re.fullmatch(p, token) for p in patterns):
            return token
    return None


def _name_hints(column: str, patterns: list[re.Pattern], target_tokens: list[str]) -> list[str]:
    hints = []
    tokens = _tokens(column)
    for token in tokens:
        for pattern in patterns:
            if pattern.fullmatch(token):
                hints.append(f"named '{token}' (a word for something recorded after the outcome)")
                break
        if hints:
            break
    shared = [t for t in target_tokens if any(len(w) >= 4 and w[:5] == t[:5] for w in tokens)]
    if shared:
        hints.insert(0, f"named after the target ('{shared[0]}')")
    return hints


@dataclass(frozen=True)
class FeatureAvailability:
    """A strong feature that the design document's feature table (Data section) marks as not known at prediction
    time ("no": high) or not yet settled ("unknown": medium). Strong means a score bound from the medium level of
    the name-hint rule (hint_auc_medium / hint_r2_medium): no threshold on the score alone can tell a column recorded
    after the outcome from an honest strong feature, but the document can say when each column is known.
    Supersedes the target proxy and post-outcome findings on the same column (the document's word is the evidence);
    a column that encodes the target keeps its target-proxy title."""

    name: str = "availability"
    supersedes: tuple[str, ...] = ("target_proxy", "post_outcome")

    def compute(self, ctx: ScanContext) -> list[Finding]:
        if not ctx.feature_table:
            return []
        s = ctx.settings
        medium = s.hint_auc_medium if ctx.task != REGRESSION else s.hint_r2_medium
        findings = []
        for column, score in ctx.scores.items():
            row = ctx.feature_table.get(column)
            if row is None or row.get("known") not in ("no", "unknown") or score.low < medium:
                continue
            if ctx.encodes_target(score):
                continue
            metric = f"{_metric_name(score)} {score.score:.3f}"
            source = f" (source: {row['source']})" if row.get("source") else ""
            if row["known"] == "no":
                severity = HIGH
                title = f"'{column}' is not known at prediction time (design document)"
                explanation = (f"The feature table in the design document's Data section says '{column}'{source} "
                               f"is not known when the prediction is made, and alone it predicts '{ctx.target}' "
                               f"strongly ({metric}): a model trained with it learns from what production will not "
                               "have.")
                action = (f"Keep '{column}' out of the features (the baselines leave it out), or replace it by its "
                          "value as of the prediction time. If the table is wrong, correct it in the Data section.")
            else:
                severity = MEDIUM
                title = f"'{column}' predicts the target strongly; when it is known is not settled"
                explanation = (f"Alone, '{column}'{source} predicts '{ctx.target}' strongly ({metric}), and the design "
                               "document's feature table marks when it is known as 'unknown'. A strong column recorded "
                               "after the outcome scores like an honest one; "
                               "only when it is recorded tells them apart.")
                action = (f"Find out when '{column}' is recorded and mark it 'yes' or 'no' in the feature table "
                          "(Design document, Data section); a 'no' keeps it out of the baselines.")
            evidence = {"feature_table": {"column": column, **{k: row.get(k, "") for k in ("known", "source", "note")}},
                        **_score_evidence(score)}
            evidence["examples"] = ctx.examples(ctx.frame, _spread_examples(ctx, column), [column])
            findings.append(Finding(check=self.name, severity=severity, column=column, title=title,
                                    explanation=explanation, action=action, evidence=evidence))
        return findings


@dataclass(frozen=True)
class IdColumn:
    """ID-like columns (type id; or named like an id, or whole numbers rising down the rows, with almost every
    value distinct), and whether they predict the target, which means the row order carries the label."""

    name: str = "id_column"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        s = ctx.settings
        high, medium = (s.id_auc_high, s.id_auc_medium) if ctx.task != REGRESSION else (s.id_r2_high, s.id_r2_medium)
        findings = []
        for column, reasons in ctx.id_columns.items():
            numbers = _id_numbers(ctx.sample[column])
            score = ctx.score(column, numbers=numbers) if numbers is not None else None
            severity = (score and _level(score.low, high, medium)) or INFO
            evidence: dict[str, Any] = {"reasons": reasons, **(_score_evidence(score) if score else {})}
            shown = _spread_examples(ctx, column, numbers) if score else range(min(s.max_examples, len(ctx.frame)))
            evidence["examples"] = ctx.examples(ctx.frame, shown, [column])
            metric = _metric_name(score) if score else ""
            if severity == HIGH:
                explanation = (f"'{column}' is an identifier, yet alone it reaches {metric} {score.score:.3f}: "
                               "the ids were given in the order of the label, so the id and the row order give the "
                               "answer away.")
            elif severity == MEDIUM:
                explanation = (f"'{column}' is an identifier, yet it predicts the target ({metric} {score.score:.3f}): "
                               "the rows are ordered in a way related to the label (collected by class, or over time).")
            else:
                explanation = (f"'{column}' looks like an identifier: {'; '.join(reasons)}. "
                               "It tells a model nothing about "
                               "a new row. ID-like column; if used as a feature, a model learns the training rows by "
                               "their id or name instead of a pattern, and its score will not hold on new rows: the "
                               "baselines leave it out by default and warn (medium) when it is put back among the "
                               "features.")
            named = reasons[0].startswith("a distinct value on most rows")
            findings.append(Finding(
                check=self.name, severity=severity, column=column,
                title=(f"'{column}' is ID-like (a distinct value on most rows)" if named and severity == INFO
                       else f"'{column}' is an ID column" + (" that predicts the target" if severity != INFO else "")),
                explanation=explanation,
                action=(f"Drop '{column}' from the features" + (
                    "; shuffle the rows before any split that follows their order, "
                    "or split by time if the order is time."
                    if severity != INFO else ".")),
                evidence=evidence,
            ))
        return findings


def _id_numbers(series: pd.Series) -> np.ndarray | None:
    """The id as numbers: numeric ids as they are; text ids by their digits when every value has some."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    digits = series.astype("string").str.extract(r"(\d+)", expand=False)
    present = series.notna()
    if digits[present].isna().any() or not present.any():
        return None
    return pd.to_numeric(digits, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass(frozen=True)
class DuplicateRows:
    """Rows that repeat an earlier row of the dataset: exactly, and once the ID-like columns are dropped."""

    name: str = "duplicates"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        frame = ctx.frame
        exact, _ = repeat_count(ctx.hashes.rows(list(frame.columns)))
        kept = [c for c in frame.columns if c not in ctx.id_columns]
        hashes = ctx.hashes.rows(kept)
        count, values = repeat_count(hashes)
        if count == 0:
            return []
        share = count / len(frame)
        severity = MEDIUM if share >= ctx.settings.duplicate_share_medium else INFO
        dropped = list(ctx.id_columns)
        copies = first_rows(hashes, values, ctx.settings.max_examples)   # the first repeated rows, in row order
        examples = ctx.examples(frame, [rows[1] for rows in copies], [],
                                {"same_as_row": [int(rows[0]) + 1 for rows in copies]})
        evidence = {
            "rows": len(frame), "exact_duplicates": exact, "duplicates_without_ids": count,
            "share": round(share, 4), "id_columns_dropped": dropped, "examples": examples,
        }
        also = f" ({exact:,} exactly, {count:,} once {', '.join(dropped)} is dropped)" if dropped else ""
        return [Finding(
            check=self.name, severity=severity, column=None,
            title=f"{count:,} duplicate rows ({share:.1%})",
            explanation=(f"{count:,} rows repeat an earlier row{also}: a random split puts copies on both sides, "
                         "so the test score counts rows the model has already seen."),
            action="Deduplicate before splitting (keep one copy of each row), "
                   "or keep copies together with a group split.",
            evidence=evidence,
        )]


@dataclass(frozen=True)
class TrainTestOverlap:
    """Test rows whose features (target left out) equal a training row's: exactly, and without the ID columns."""

    name: str = "train_test_overlap"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        if ctx.sides is None or len(ctx.sides.test) == 0 or len(ctx.sides.train) == 0:
            return []
        s = ctx.settings
        features = [c for c in ctx.features if c in ctx.test_source().columns]
        kept = [c for c in features if c not in ctx.id_columns]
        train, test = ctx.side_hashes(features)
        exact = int(in_sorted(np.sort(test), np.sort(train)).sum())
        if len(kept) < len(features):
            train, test = ctx.side_hashes(kept)
        ordered_test = np.sort(test)
        found = in_sorted(ordered_test, np.sort(train))
        count = int(found.sum())
        if count == 0:
            return []
        share = count / len(test)
        severity = _level(share, s.overlap_share_high, s.overlap_share_medium) or INFO
        where = "the test dataset" if ctx.sides.external else "the test side of the split"
        shown = np.flatnonzero(in_sorted(test, ordered_test[found]))[: s.max_examples]   # the first ones, in row order
        pairs = [(t, np.flatnonzero(train == test[t])[0]) for t in shown]
        examples = ctx.examples(ctx.test_source(), [ctx.sides.test[t] for t, _ in pairs], [],
                                {"same_as_train_row": [int(ctx.sides.train[r]) + 1 for _, r in pairs]})
        dropped = list(ctx.id_columns)
        return [Finding(
            check=self.name, severity=severity, column=None,
            title=f"{count:,} test rows ({share:.1%}) also appear in training",
            explanation=(f"{count:,} rows of {where} have the same features as a training row"
                         + (f" ({exact:,} exactly, {count:,} once {', '.join(dropped)} is dropped)" if dropped else "")
                         + ": the model is tested on rows it has learned, so the test score is optimistic."),
            action="Deduplicate before splitting, and drop from the test set the rows that are in training "
                   "(or split by group).",
            evidence={"test_rows": len(test), "train_rows": len(train), "exact_rows": exact,
                      "rows_without_ids": count, "share": round(share, 4), "id_columns_dropped": dropped,
                      "examples": examples},
        )]


@dataclass(frozen=True)
class ConflictingLabels:
    """Rows with identical features (ID columns dropped) but different labels (class targets only)."""

    name: str = "conflicting_labels"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        if ctx.task == REGRESSION:
            return []
        frame = ctx.frame
        labelled = np.flatnonzero(ctx.labelled)
        kept = [c for c in ctx.features if c not in ctx.id_columns]
        if not kept:
            return []
        features = ctx.hashes.rows(kept)[labelled]
        repeats, values = repeat_count(features)
        if repeats == 0:
            return []
        candidates = np.flatnonzero(in_sorted(features, values))   # rows whose features occur more than once
        labelled, features = labelled[candidates], features[candidates]
        labels = ctx.hashes.column(ctx.target)[labelled]
        order = np.argsort(features)
        ordered, ordered_labels = features[order], labels[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        mixed = np.minimum.reduceat(ordered_labels, starts) != np.maximum.reduceat(ordered_labels, starts)
        if not mixed.any():
            return []
        sizes = np.diff(np.r_[starts, len(ordered)])
        rows = int(sizes[mixed].sum())
        conflicted = ordered[starts[mixed]]
        groups = int(conflicted.size)
        share = rows / ctx.labelled_rows
        severity = MEDIUM if share >= ctx.settings.conflict_share_medium else INFO
        shown = labelled[features == conflicted[0]]
        return [Finding(
            check=self.name, severity=severity, column=None,
            title=f"{rows:,} rows ({share:.1%}) share their features with a row of another label",
            explanation=(f"{groups:,} sets of rows have identical features but different '{ctx.target}' values: label "
                         "noise, or the feature that tells them apart is missing; no model can get all of them right."),
            action="Check how these rows were labelled: fix or drop wrong labels, "
                   "or add the information that separates them.",
            evidence={"groups": groups, "rows": rows, "share": round(share, 4),
                      "id_columns_dropped": list(ctx.id_columns),
                      "examples": ctx.examples(frame, np.sort(shown), [ctx.target])},
        )]


@dataclass(frozen=True)
class DateOverlap:
    """Test rows dated before the last training date, when the split names a date column."""

    name: str = "date_overlap"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        column = ctx.split.date_column
        if ctx.sides is None or not column or len(ctx.sides.train) == 0 or len(ctx.sides.test) == 0:
            return []
        s = ctx.settings
        train, test = (as_dates(v) for v in ctx.side_values(column))
        train, test_known = train[~np.isnat(train)], ~np.isnat(test)
        if train.size == 0 or not test_known.any():
            return []
        last_train = train.max()
        before = test_known & (test < last_train)
        count = int(before.sum())
        if count == 0:
            return []
        share = count / int(test_known.sum())
        severity = _level(share, s.date_overlap_share_high, s.date_overlap_share_medium) or INFO
        positions = ctx.sides.test[before]
        examples = ctx.examples(ctx.test_source(), positions[np.argsort(test[before], kind="stable")], [column])
        return [Finding(
            check=self.name, severity=severity, column=column,
            title=f"{count:,} test rows ({share:.1%}) are dated before the last training date",
            explanation=(f"Training reaches {plain_value(last_train)[:10]} in '{column}' while test rows start at "
                         f"{plain_value(test[test_known].min())[:10]}: the model learns from the future of the rows "
                         "it is tested on, which production never allows, so the test score is optimistic."),
            action=f"Split by time: train on rows before a cut date in '{column}' and test on the rows after it.",
            evidence={"last_train_date": plain_value(last_train),
                      "first_test_date": plain_value(test[test_known].min()),
                      "test_rows_dated": int(test_known.sum()), "test_rows_before": count, "share": round(share, 4),
                      "examples": examples},
        )]


@dataclass(frozen=True)
class GroupOverlap:
    """The same group (customer, patient) on both sides of the split, when the split names a group column."""

    name: str = "group_overlap"
    supersedes: tuple[str, ...] = ()

    def compute(self, ctx: ScanContext) -> list[Finding]:
        column = ctx.split.group_column
        if ctx.sides is None or not column or len(ctx.sides.train) == 0 or len(ctx.sides.test) == 0:
            return []
        s = ctx.settings
        train, test = ctx.side_column_hashes(column)   # equal groups, equal hashes; missing values: MISSING_HASH
        train, known_test = train[train != MISSING_HASH], test != MISSING_HASH
        ordered_train, ordered_test = np.sort(train), np.sort(test[known_test])
        found = in_sorted(ordered_test, ordered_train)
        count = int(found.sum())
        if count == 0:
            return []
        shared_groups = distinct_sorted(ordered_test[found])
        train_groups, test_groups = distinct_sorted(ordered_train), distinct_sorted(ordered_test)
        shown = np.flatnonzero(known_test & in_sorted(test, ordered_test[found]))[: s.max_examples]
        share = count / len(test)
        severity = _level(share, s.group_overlap_share_high, s.group_overlap_share_medium) or INFO
        examples = ctx.examples(ctx.test_source(), ctx.sides.test[shown], [column])
        return [Finding(
            check=self.name, severity=severity, column=column,
            title=f"{shared_groups:,} groups of '{column}' are in both training and test",
            explanation=(f"{count:,} test rows ({share:.1%}) belong to a '{column}' also seen in training: "
                         "the model can recognise the group instead of learning what generalises to new ones."),
            action=f"Split by group: keep all rows of each '{column}' on one side.",
            evidence={"train_groups": train_groups, "test_groups": test_groups, "shared_groups": shared_groups,
                      "test_rows_in_shared_groups": count, "share": round(share, 4), "examples": examples},
        )]


DEFAULT_CHECKS = (TargetProxy(), PostOutcome(), FeatureAvailability(), IdColumn(), DuplicateRows(), TrainTestOverlap(),
                  ConflictingLabels(), DateOverlap(), GroupOverlap())


def run_checks(ctx: ScanContext, checks) -> tuple[list[Finding], dict[str, float]]:
    """Run ``checks`` in order; drop superseded findings; sort high first, then medium, then info.
    Returns the findings and the seconds each check took."""
    findings: list[Finding] = []
    timings: dict[str, float] = {}
    superseding: dict[tuple[str, str | None], int] = {}
    for check in checks:
        start = time.perf_counter()
        found = check.compute(ctx)
        timings[check.name] = round(time.perf_counter() - start, 4)
        for finding in found:
            for other in check.supersedes:
                rank = SEVERITIES.index(finding.severity)
                superseding[(other, finding.column)] = min(rank, superseding.get((other, finding.column), rank))
        findings.extend(found)
    kept = [f for f in findings if SEVERITIES.index(f.severity) < superseding.get((f.check, f.column), len(SEVERITIES))]
    return sorted(kept, key=lambda f: SEVERITIES.index(f.severity)), timings
