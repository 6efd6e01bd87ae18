"""What is wrong with a candidate's predictions, each problem in one sentence that says what to do.

    problems = prediction_problems(roles, task, classes, positive, predictions, dataset, rows)
    problems += baseline_problems(spec, table, rows, baseline)

The plan (analysis.candidate.plan) gathers every problem of a table and refuses it with all of them in one message,
so a person fixes the file once: rows whose key matches no row of the stored dataset (all of them: a file for another
dataset), keys repeated in the predictions or in the dataset, a score column with text or empty cells, scores outside
0-1, probabilities per class that do not sum to 1 (within SUM_TOLERANCE), labels that are not classes of the target,
a score or label column that is the target itself, no true outcome on any predicted row; for a baseline's
predictions: no shared row, or true values that differ from the candidate's on the same rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.baselines.setup import label_text
from analysis.candidate.reading import NOT_A_CLASS, UNMATCHED, Roles, Rows, comparable_keys, numbers
from analysis.target import BINARY, REGRESSION

SUM_TOLERANCE = 0.01     # probabilities per class may sum to 1 +- this (rounding in a CSV export)
EXAMPLES = 3             # values quoted in a message


def _examples(values) -> str:
    shown = [f"'{label_text(v)}'" for v in list(dict.fromkeys(values))[:EXAMPLES]]
    return ", ".join(shown)


def prediction_problems(roles: Roles, task: str, classes: tuple[str, ...], positive: str | None,
                        predictions: pd.DataFrame, dataset: pd.DataFrame | None, rows: Rows) -> list[str]:
    """Every problem of the predictions table (see the module docstring); [] when it can be evaluated."""
    problems = _join_problems(roles, predictions, dataset, rows)
    problems += _is_target(roles, task, classes, positive, predictions, rows)
    if task == REGRESSION:
        problems += _number_problems(predictions[roles.label], roles.label, "Prediction", None)
    else:
        for column in dict.fromkeys(roles.scores.values()):
            problems += _number_problems(predictions[column], column, "Score", (0.0, 1.0))
        if len(roles.scores) > 2 or (len(roles.scores) == 2 and len(classes) == 2):
            problems += _sum_problems(roles, classes, predictions)
        if roles.label:
            problems += _label_problems(predictions[roles.label], rows.labels, roles, classes)
    labelled = (rows.truth >= 0) if task != REGRESSION else np.isfinite(rows.truth)
    if not (labelled & (rows.positions != UNMATCHED)).any() and (rows.positions != UNMATCHED).any():
        problems.append(f"No predicted row has a value in the target '{roles.target}': the true outcomes are needed "
                        "to judge the model. Bring predictions for rows whose outcome is known (a test set).")
    return problems


def _join_problems(roles: Roles, predictions: pd.DataFrame, dataset: pd.DataFrame | None, rows: Rows) -> list[str]:
    if dataset is None or roles.key is None:
        return []
    key = roles.key
    problems = []
    ours, theirs = comparable_keys(predictions[key], dataset[key])
    repeated = pd.Series(ours).dropna()
    repeated = repeated[repeated.duplicated()]
    if len(repeated):
        problems.append(f"{repeated.nunique():,} key(s) appear more than once in the predictions' '{key}' (for "
                        f"example {_examples(repeated)}): each row needs one prediction. Keep one prediction per key.")
    twice = pd.Series(theirs).dropna()
    twice = twice[twice.duplicated()]
    if len(twice):
        problems.append(f"The stored dataset's '{key}' repeats {twice.nunique():,} value(s) (for example "
                        f"{_examples(twice)}), so a prediction cannot be joined to one row. Choose a key that names "
                        "each row once.")
    unmatched = rows.positions == UNMATCHED
    if unmatched.all():
        problems.append(f"No key in the predictions' '{key}' matches a row of the stored dataset (the predictions "
                        f"have {_examples(ours[:50])}, the dataset {_examples(theirs[:50])}): this predictions file is "
                        "for another dataset. Choose the dataset the model predicted on, or the right key column.")
    elif unmatched.any():
        problems.append(f"{int(unmatched.sum()):,} of {len(unmatched):,} prediction rows have a '{key}' the stored "
                        f"dataset lacks (for example {_examples(ours[unmatched])}). Bring predictions for this "
                        "dataset's rows only, or choose the dataset they were made on.")
    return problems


def _is_target(roles: Roles, task: str, classes: tuple[str, ...], positive: str | None, predictions: pd.DataFrame,
               rows: Rows) -> list[str]:
    """A score or label column that is the target itself (by name, or a score equal to the target's 0/1)."""
    problems = []
    for column in roles.model_columns():
        if column == roles.target and column != roles.key:
            problems.append(f"The {'score' if column in roles.scores.values() else 'label'} column '{column}' is the "
                            "target itself: a model's prediction would be the answer. Name the column holding the "
                            "model's output.")
    if task == BINARY and positive in roles.scores and roles.scores[positive] != roles.target:
        column = roles.scores[positive]
        score = numbers(predictions[column])
        known = (rows.truth >= 0) & np.isfinite(score)
        truth = rows.truth[known] == classes.index(positive)
        if 0 < truth.sum() < len(truth) and np.array_equal(score[known], truth.astype(np.float64)):
            problems.append(f"Score column '{column}' holds exactly the target (1 on every '{positive}' row, 0 "
                            "elsewhere): it is the answer, not a model's score. Name the column holding the model's "
                            "score.")
    return problems


def _number_problems(series: pd.Series, column: str, role: str, bounds: tuple[float, float] | None) -> list[str]:
    """Text, empty cells and (for a score) values outside 0-1 in one column."""
    values = numbers(series)
    present = series.notna().to_numpy()
    text = present & np.isnan(values)
    problems = []
    if text.any():
        problems.append(f"{role} column '{column}' holds text: {int(text.sum()):,} of {len(values):,} values are not "
                        f"numbers (for example {_examples(series[text])}). "
                        + ("A score is the model's probability, a number between 0 and 1: fix those values, or name "
                           "the column as the label if it holds predicted classes." if bounds else
                           "Fix those values: a prediction is a number."))
    if (~present).any():
        problems.append(f"{role} column '{column}' is empty on {int((~present).sum()):,} of {len(values):,} rows: "
                        "every prediction needs one. Fill them in, or leave those rows out of the file.")
    if bounds is not None:
        outside = np.isfinite(values) & ((values < bounds[0]) | (values > bounds[1]))
        if outside.any():
            low, high = np.nanmin(values), np.nanmax(values)
            problems.append(f"{role} column '{column}' has {int(outside.sum()):,} value(s) outside 0-1 (from "
                            f"{low:.4g} to {high:.4g}): a score must be a probability. If these are logits or "
                            "margins, turn them into probabilities (a sigmoid or softmax) before bringing them.")
    return problems


def _sum_problems(roles: Roles, classes: tuple[str, ...], predictions: pd.DataFrame) -> list[str]:
    """Probabilities per class that do not sum to 1 (within SUM_TOLERANCE) on some rows."""
    columns = [roles.scores[c] for c in classes if c in roles.scores]
    total = np.zeros(len(predictions))
    for column in columns:
        total += numbers(predictions[column])
    off = np.isfinite(total) & (np.abs(total - 1.0) > SUM_TOLERANCE)
    if not off.any():
        return []
    first = int(np.flatnonzero(off)[0])
    return [f"The probabilities per class ({', '.join(repr(c) for c in columns)}) do not sum to 1 on "
            f"{int(off.sum()):,} of {len(total):,} rows (row {first + 1} sums to {total[first]:.4g}; allowed "
            f"1 +- {SUM_TOLERANCE:g}): a row's probabilities must share 1 among the classes. Bring one probability "
            "column per class, each row normalised (a softmax), and none missing."]


def _label_problems(series: pd.Series, codes: np.ndarray, roles: Roles, classes: tuple[str, ...]) -> list[str]:
    problems = []
    foreign = codes == NOT_A_CLASS
    if foreign.any():
        problems.append(f"Label column '{roles.label}' holds {int(foreign.sum()):,} value(s) that are not classes of "
                        f"the target '{roles.target}' (for example {_examples(series[foreign])}); its classes are "
                        f"{', '.join(repr(c) for c in classes)}. Write each predicted label as one of them.")
    if not roles.scores and (codes == -1).any():
        problems.append(f"Label column '{roles.label}' is empty on {int((codes == -1).sum()):,} rows: every "
                        "prediction needs a label. Fill them in, or leave those rows out of the file.")
    return problems


def baseline_problems(name: str, rows: Rows, positions: np.ndarray, truth: np.ndarray | None,
                      scores: np.ndarray, task: str) -> list[str]:
    """What keeps a baseline's predictions (``positions`` into the candidate's frame, their ``truth`` when they carry
    it, their ``scores``) from being compared with the candidate's on the same rows."""
    shared, ours, theirs = np.intersect1d(rows.positions[rows.positions >= 0], positions[positions >= 0],
                                          return_indices=True)
    if len(shared) == 0:
        return [f"The baseline's predictions ({name}) share no row with the candidate's: they were made on another "
                "dataset. Compare with a baseline run on the dataset the candidate predicted (or with that dataset as "
                "the run's test dataset)."]
    problems = []
    if truth is not None:
        mine = rows.truth[rows.positions >= 0][ours]
        other = truth[positions >= 0][theirs]
        differ = ~np.isclose(mine, other, equal_nan=True) if task == REGRESSION else (mine != other) & (other >= 0)
        if differ.any():
            problems.append(f"The baseline's true values differ from the target on {int(differ.sum()):,} of "
                            f"{len(shared):,} shared rows: its predictions are for other rows (a differently sorted "
                            "or filtered file). Align them by a key column both have.")
    bad = ~np.isfinite(scores[positions >= 0][theirs]).all(axis=-1) if scores.ndim == 2 else \
        ~np.isfinite(scores[positions >= 0][theirs])
    if bad.any():
        problems.append(f"The baseline's predictions ({name}) have no score or value on {int(bad.sum()):,} shared "
                        "rows. Bring a baseline run whose predictions are complete.")
    return problems
