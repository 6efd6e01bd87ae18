"""The worst predictions of a model, with their feature values: what to read first in error analysis.

Classification: the wrong predictions ranked by the probability the model gave to the wrong class (binary: the
score of a false positive, one minus the score of a false negative; multiclass: the probability of the predicted
class), so the most confident mistakes come first. Regression: the largest absolute errors. At most WORST_ROWS rows
are kept, each with its values of the run's columns (up to MAX_COLUMNS: the sliced columns first, then the features)
and its slice of every sliced column, so the page can filter them by slice without the data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.baselines.setup import label_text
from analysis.error_analysis.columns import SlicedColumn
from analysis.error_analysis.model import WorstErrors, WorstRow
from analysis.target import BINARY, REGRESSION

WORST_ROWS = 100
MAX_COLUMNS = 40


def worst_errors(task: str, truth: np.ndarray, predicted: np.ndarray, score: np.ndarray, positions: np.ndarray,
                 frame: pd.DataFrame, columns: list[SlicedColumn], shown: list[str], classes: tuple[str, ...] = (),
                 positive: int | None = None, limit: int = WORST_ROWS) -> WorstErrors:
    """The ``limit`` worst rows among predictions (``positions``: each one's row in ``frame``); ``shown``: the
    columns whose values to keep (in order; at most MAX_COLUMNS)."""
    shown = [c for c in dict.fromkeys(shown) if c in frame.columns][:MAX_COLUMNS]
    fp = fn = 0
    if task == REGRESSION:
        error = np.abs(truth - predicted)
        candidates = np.arange(len(truth))
        wrong = len(truth)
        kind = "absolute"
    else:
        truth, predicted = truth.astype(np.int64), predicted.astype(np.int64)
        mistaken = truth != predicted
        candidates = np.flatnonzero(mistaken)
        wrong = len(candidates)
        kind = "confident"
        if task == BINARY:
            error = np.where(predicted == positive, score, 1.0 - score)
            fp = int(np.sum(mistaken & (predicted == positive)))
            fn = wrong - fp
        else:
            error = score
    top = candidates[np.argsort(-error[candidates], kind="stable")[:limit]]
    rows = positions[top]
    values = frame.iloc[rows][shown] if len(rows) else frame.iloc[:0][shown]
    texts = {c: values[c].astype(object).map(_text).to_numpy() for c in shown}
    sliced = [(c.name, c.labels, c.codes[rows]) for c in columns]
    entries = []
    for k, i in enumerate(top):
        if task == REGRESSION:
            said_truth, said_pred, shown_score = _number(truth[i]), _number(predicted[i]), float(predicted[i])
        else:
            said_truth, said_pred = classes[truth[i]], classes[predicted[i]]
            shown_score = float(score[i])
        entries.append(WorstRow(int(rows[k]), said_truth, said_pred, round(shown_score, 6), round(float(error[i]), 6),
                                tuple(str(texts[c][k]) for c in shown),
                                tuple(labels[code[k]] for _, labels, code in sliced)))
    return WorstErrors(kind, int(wrong), len(truth), tuple(shown), tuple(c.name for c in columns), tuple(entries),
                       fp, fn)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return label_text(value)


def _number(value: float) -> str:
    return f"{value:.6g}"
