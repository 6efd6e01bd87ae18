"""Reading a candidate model's predictions: which column is which, and the rows as arrays.

    key = find_key(asked.get("key"), predictions, dataset)           # a Found, or None for a scored dataset
    target = find_target(asked.get("target"), document_target, predictions, dataset)
    columns = find_model_columns(asked, predictions, task, classes, positive, target.value)
    rows = read_rows(roles, task, classes, positive, predictions, dataset)

A predictions table (a DataFrame the one reader produced; the caller reads the file) is either
- a scored dataset: the feature columns, the target and the model's score(s) or label, one row per prediction; or
- a key column plus the score(s) or label, joined by that key to a stored dataset holding the target and features.
Scores: binary: the probability of the positive class (one column; or one per class, of which the positive class's is
read); multiclass: one probability column per class, named after it (proba_<class>, p_<class>, <class>_score, ... or
the class itself); regression: one column of predicted values. A label column (the predicted class) may stand alone:
a labels-only model, judged on the metrics that need no score. Columns are found by these names when nobody names
them, and each choice says why (a Found's ``text``). A column that cannot be found raises NotFound, saying what to
name; read_rows never refuses: a value it cannot read becomes missing (NaN, code -1) and checks.py names it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.baselines.setup import label_text
from analysis.target import REGRESSION

SCORE_NAMES = ("score", "proba", "probability", "prob", "y_score", "y_proba", "pred_proba", "predicted_proba",
               "predicted_probability", "prediction_score", "p")
LABEL_NAMES = ("predicted", "prediction", "pred", "y_pred", "yhat", "y_hat", "predicted_label", "predicted_class",
               "pred_label", "predicted_value")
TARGET_NAMES = ("target", "y_true", "truth", "actual", "label", "outcome", "y")
KEY_NAMES = ("id", "key", "row_id", "row", "index", "uid", "uuid")
CLASS_PATTERNS = ("proba_{}", "prob_{}", "p_{}", "score_{}", "probability_{}", "{}_proba", "{}_prob", "{}_score",
                  "{}_probability", "{}")
UNMATCHED, NOT_A_CLASS = -1, -2     # codes of a prediction whose key matches no row / whose label is not a class


class NotFound(ValueError):
    """A column the evaluation needs was neither named nor found by its name; the message says what to name."""


@dataclass(frozen=True)
class Found:
    """A column chosen for a role: ``value`` (the column, or columns), ``source`` ("asked", "document" or "data",
    as analysis.units.Reason says) and ``text``: why, in words."""

    value: object
    source: str
    text: str


@dataclass(frozen=True)
class Roles:
    """What each column of the predictions means.

    target: the target column (in the stored dataset for a key join, else in the predictions). scores: class label ->
    the column holding its probability (binary: the positive class's column is enough; {} for labels only and for
    regression). label: the predicted class (classification) or the predicted value (regression), None when the
    scores say it. key: the column joining the predictions to the stored dataset (None: a scored dataset)."""

    target: str
    scores: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    key: str | None = None

    def model_columns(self) -> tuple[str, ...]:
        """The columns the model wrote (not features): its scores, its label and the key."""
        return tuple(c for c in (*self.scores.values(), self.label, self.key) if c is not None)


@dataclass(frozen=True)
class Rows:
    """A candidate's predictions as arrays, one entry per row of the predictions table.

    positions: the row of ``frame`` each prediction is about (UNMATCHED: its key matches no row). truth: class codes
    into the plan's classes (-1: missing or not a class) or values (NaN: missing). scores: classification with
    scores: (n, K) probabilities per class (NaN where unreadable); labels only: (n, K) one-hot of the labels;
    regression: (n,) predicted values. labels: the predicted class codes when the model gave a label column
    (-1 missing, NOT_A_CLASS), else None. frame: the rows ``positions`` point into: the stored dataset (key join) or
    the predictions table itself."""

    positions: np.ndarray
    truth: np.ndarray
    scores: np.ndarray
    labels: np.ndarray | None
    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.positions)


def _named(columns, names: tuple[str, ...], exclude: tuple[str, ...] = ()) -> str | None:
    """The first column whose name (ignoring case) is one of ``names``."""
    folded = {str(c).strip().lower(): c for c in columns if c not in exclude}
    return next((folded[n] for n in names if n in folded), None)


def _listed(columns) -> str:
    names = [str(c) for c in columns]
    return ", ".join(names[:15]) + (f" and {len(names) - 15} more" if len(names) > 15 else "")


def _asked_column(name: str, frame: pd.DataFrame, role: str, where: str) -> str:
    if name not in frame.columns:
        raise NotFound(f"The {role} column '{name}' is not in {where}; its columns are {_listed(frame.columns)}. "
                       f"Name one of them as the {role}.")
    return name


def find_key(asked: str | None, predictions: pd.DataFrame, dataset: pd.DataFrame | None) -> Found | None:
    """The column joining the predictions to the stored ``dataset`` (None without one): the one asked for, else the
    only column both have, else the one of them named like a key (id, key, row_id, ..., or ending in _id)."""
    if dataset is None:
        if asked:
            _asked_column(asked, predictions, "key", "the predictions")
            return Found(asked, "asked", f"Key column '{asked}', as chosen.")
        return None
    if asked:
        _asked_column(asked, predictions, "key", "the predictions")
        _asked_column(asked, dataset, "key", "the stored dataset")
        return Found(asked, "asked", f"The predictions join the dataset's rows by '{asked}', as chosen.")
    common = [c for c in predictions.columns if c in set(dataset.columns)]
    keyish = [c for c in common if str(c).lower() in KEY_NAMES or str(c).lower().endswith(("_id", "_key"))]
    chosen = common[0] if len(common) == 1 else keyish[0] if len(keyish) == 1 else None
    if chosen is None:
        shared = f"they share {_listed(common)}" if common else "they share no column"
        raise NotFound(f"Name the key column that joins the predictions to the dataset's rows ({shared}); the key "
                       "holds one value per row, such as a customer or row id.")
    why = "only column both have" if len(common) == 1 else "column both have named as a key"
    return Found(chosen, "data", f"The predictions join the dataset's rows by '{chosen}', the {why}.")


def find_target(asked: str | None, document: str | None, predictions: pd.DataFrame,
                dataset: pd.DataFrame | None) -> Found:
    """The target column, where the true values are (the stored dataset for a key join, else the predictions): the
    one asked for, else the one the design document names, else one named like a target (target, y_true, ...)."""
    frame = dataset if dataset is not None else predictions
    where = "the stored dataset" if dataset is not None else "the predictions"
    if asked:
        return Found(_asked_column(asked, frame, "target", where), "asked", f"Target '{asked}', as chosen.")
    if document and document in frame.columns:
        return Found(document, "document", f"Target '{document}', as the design document's Data section names it.")
    found = _named(frame.columns, TARGET_NAMES)
    if found is not None:
        return Found(found, "data", f"Target '{found}', found by its name.")
    said = f" (the design document names '{document}', which {where} lacks)" if document else ""
    raise NotFound(f"Name the target column: the one holding the true outcome in {where}{said}. Its columns are "
                   f"{_listed(frame.columns)}.")


def find_model_columns(asked: Mapping, predictions: pd.DataFrame, task: str, classes: tuple[str, ...],
                       positive: str | None, target: str) -> tuple[Found | None, Found | None]:
    """(the score columns as {class: column}, the label column): those asked for (``asked["scores"]``: a column, a
    list of columns or {class: column}; ``asked["label"]``), else found by their names. Regression reads one
    prediction column as its label. NotFound when neither a score nor a label is there."""
    columns = predictions.columns
    label = _asked_label(asked, predictions) if asked.get("label") else None
    if task == REGRESSION:
        if label is None:
            found = asked.get("scores") or _named(columns, LABEL_NAMES + SCORE_NAMES, (target,))
            found = found[0] if isinstance(found, (list, tuple)) and len(found) == 1 else found
            if not isinstance(found, str):
                raise NotFound("Name the column holding the model's predicted values (for example 'prediction'); "
                               f"the predictions' columns are {_listed(columns)}.")
            label = Found(_asked_column(found, predictions, "prediction", "the predictions"),
                          "asked" if asked.get("scores") else "data", f"Predicted values in '{found}'.")
        return None, label
    scores = _asked_scores(asked.get("scores"), predictions, task, classes, positive) if asked.get("scores") else None
    if scores is None:
        scores = _found_scores(columns, task, classes, positive, target)
    if label is None and scores is None:       # with scores, a label column is read only when asked for
        found = _named(columns, LABEL_NAMES, (target,))
        if found is not None and len(classes) == 2 and _probabilities(predictions[found]):
            scores = Found({positive: found}, "data", f"The probability of '{positive}' in '{found}': it holds "
                                                      "numbers between 0 and 1, not classes.")
        elif found is not None:
            label = Found(found, "data", f"Predicted class in '{found}', found by its name.")
    if scores is None and label is None:
        raise NotFound("Name the model's score column(s) or its predicted label column: no column is named like one "
                       "(score, proba, proba_<class>, prediction, ...). The predictions' columns are "
                       f"{_listed(columns)}.")
    return scores, label


def _probabilities(series: pd.Series) -> bool:
    """A numeric column whose values lie in 0-1 and are not all whole numbers: scores, though named like labels."""
    if not ptypes.is_float_dtype(series.dtype):
        return False
    values = series.dropna().to_numpy()
    return bool(len(values)) and values.min() >= 0.0 and values.max() <= 1.0 and not np.all(values == np.round(values))


def _asked_label(asked: Mapping, predictions: pd.DataFrame) -> Found:
    name = _asked_column(asked["label"], predictions, "label", "the predictions")
    return Found(name, "asked", f"The model's predictions in '{name}', as chosen.")


def _asked_scores(asked, predictions: pd.DataFrame, task: str, classes: tuple[str, ...],
                  positive: str | None) -> Found:
    """The score columns as asked: {class: column}, or columns in class order, or one column (binary: the positive
    class's probability)."""
    if isinstance(asked, str):
        asked = [asked]
    if isinstance(asked, Mapping):
        unknown = [c for c in asked if str(c) not in classes]
        if unknown:
            raise NotFound(f"Score column(s) are named for class(es) {', '.join(repr(str(u)) for u in unknown)}, which "
                           f"the target does not have; its classes are {', '.join(classes)}.")
        chosen = {str(c): _asked_column(col, predictions, "score", "the predictions") for c, col in asked.items()}
    elif len(asked) == 1 and len(classes) == 2:
        chosen = {positive: _asked_column(asked[0], predictions, "score", "the predictions")}
    elif len(asked) == len(classes):
        chosen = {c: _asked_column(col, predictions, "score", "the predictions")
                  for c, col in zip(classes, asked, strict=True)}
    else:
        raise NotFound(f"{len(asked)} score columns were named for {len(classes)} classes ({', '.join(classes)}): name "
                       "one per class, or for a binary target one, the positive class's probability.")
    return Found(chosen, "asked", "Score columns as chosen: " + ", ".join(f"'{c}' for {k}" for k, c in chosen.items())
                 + ".")


def _found_scores(columns, task: str, classes: tuple[str, ...], positive: str | None, target: str) -> Found | None:
    """Score columns found by their names: per class (proba_<class>, ...), else, binary, one score column."""
    exclude = (target,)
    for pattern in CLASS_PATTERNS:
        per_class = {c: _named(columns, (pattern.format(c).lower(),), exclude) for c in classes}
        if all(per_class.values()) and (pattern != "{}" or len(classes) > 2):
            return Found(per_class, "data", "Probabilities per class in " + ", ".join(
                f"'{col}'" for col in per_class.values()) + ", found by their names.")
    if len(classes) == 2:
        own = _named(columns, tuple(p.format(positive).lower() for p in CLASS_PATTERNS[:-1]), exclude)
        single = own or _named(columns, SCORE_NAMES, exclude)
        if single is not None:
            return Found({positive: single}, "data",
                         f"The probability of '{positive}' in '{single}', found by its name.")
    return None


# --- the rows ------------------------------------------------------------------------------------------------------

def read_rows(roles: Roles, task: str, classes: tuple[str, ...], positive: str | None, predictions: pd.DataFrame,
              dataset: pd.DataFrame | None) -> Rows:
    """The predictions as arrays (see Rows), joined to ``dataset`` by the key when there is one."""
    if dataset is not None and roles.key is not None:
        frame, positions = dataset, join_positions(predictions[roles.key], dataset[roles.key])
    else:
        frame, positions = predictions, np.arange(len(predictions), dtype=np.int64)
    target = frame[roles.target]
    if task == REGRESSION:
        values = numbers(target)
        truth = np.where(positions >= 0, values[np.maximum(positions, 0)], np.nan)
        return Rows(positions, truth, numbers(predictions[roles.label]), None, frame)
    codes = class_codes(target, classes)
    truth = np.where(positions >= 0, codes[np.maximum(positions, 0)], -1)
    labels = class_codes(predictions[roles.label], classes, NOT_A_CLASS) if roles.label else None
    return Rows(positions, truth, score_matrix(roles, classes, positive, predictions, labels), labels, frame)


def score_matrix(roles: Roles, classes: tuple[str, ...], positive: str | None, predictions: pd.DataFrame,
                 labels: np.ndarray | None) -> np.ndarray:
    """(n, K) probabilities per class: from the score columns (binary with the positive class's column alone: 1 - p
    for the other), else one-hot of the labels."""
    n, k = len(predictions), len(classes)
    if not roles.scores:
        onehot = np.zeros((n, k))
        ok = labels >= 0
        onehot[np.flatnonzero(ok), labels[ok]] = 1.0
        return onehot
    if k == 2:
        p = numbers(predictions[roles.scores[positive]])
        at = classes.index(positive)
        matrix = np.empty((n, 2))
        matrix[:, at], matrix[:, 1 - at] = p, 1.0 - p
        return matrix
    return np.column_stack([numbers(predictions[roles.scores[c]]) for c in classes])


def numbers(series: pd.Series) -> np.ndarray:
    """``series`` as float64; text that is not a number, and infinities, become NaN."""
    if ptypes.is_bool_dtype(series.dtype) or not ptypes.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series.astype(object), errors="coerce")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    values[~np.isfinite(values)] = np.nan
    return values


def class_codes(series: pd.Series, classes: tuple[str, ...], unknown: int = -1) -> np.ndarray:
    """Each value's class code (its label as text in ``classes``); -1 for a missing value, ``unknown`` for a value
    that is not a class. Values are read once each (factorize), so a million rows take a few milliseconds."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    index = {c: i for i, c in enumerate(classes)}
    lookup = np.array([index.get(label_text(u), unknown) for u in uniques] + [-1], dtype=np.int64)
    return lookup[codes]


def class_labels(series: pd.Series) -> tuple[str, ...]:
    """The classes of a target column, as text, sorted (as the baselines order them)."""
    uniques = pd.unique(series.dropna())
    return tuple(sorted({label_text(u) for u in uniques}))


def join_positions(keys: pd.Series, frame_keys: pd.Series) -> np.ndarray:
    """Each key's row in ``frame_keys`` (its first, when a key repeats there); UNMATCHED when none has it. Numbers
    are compared as numbers, anything else as text (so 7 and "7" match)."""
    a, b = comparable_keys(keys, frame_keys)
    unique = ~pd.Index(b).duplicated()
    where = np.flatnonzero(unique)
    found = pd.Index(b[unique]).get_indexer(a)
    found = np.where(pd.isna(a), -1, found)
    return np.where(found >= 0, where[np.maximum(found, 0)], UNMATCHED).astype(np.int64)


def comparable_keys(keys: pd.Series, frame_keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Both key columns as numbers when both are numeric, else both as text (missing values stay missing)."""
    numeric = [ptypes.is_numeric_dtype(s.dtype) and not ptypes.is_bool_dtype(s.dtype) for s in (keys, frame_keys)]
    if all(numeric):
        return tuple(s.to_numpy(dtype=np.float64, na_value=np.nan) for s in (keys, frame_keys))
    return _as_text(keys), _as_text(frame_keys)


def _as_text(series: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = np.array([label_text(u) for u in uniques] + [None], dtype=object)
    return text[codes]


# --- a baseline's predictions on the same rows ---------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineRows:
    """A baseline's predictions, laid out as a run keeps them (analysis.baselines.stored: ``row``, ``truth``,
    ``predicted``, ``score``): ``positions`` into the candidate's frame (UNMATCHED: no such row), ``truth`` in the
    candidate's class codes or values (None when the table has none), ``scores`` as the candidate's are ((n, K)
    probabilities, one-hot predicted classes when the baseline kept no probabilities of every class, or values),
    ``labels_only``: the scores are one-hot labels."""

    positions: np.ndarray
    truth: np.ndarray | None
    scores: np.ndarray
    labels_only: bool


def read_baseline(table: pd.DataFrame, frame: pd.DataFrame, align: str, task: str, classes: tuple[str, ...],
                  positive: str | None, their_classes: tuple[str, ...] = (),
                  their_positive: str | None = None) -> BaselineRows:
    """A baseline's predictions aligned with the candidate's rows: by ``align`` = "row" (positions into ``frame``,
    as a run keeps them) or by a key column both tables have. Class codes are read through ``their_classes`` (the
    run's classes; () when they are the candidate's); a binary score is the probability of ``their_positive``."""
    if align == "row":
        where = numbers(table["row"])
        ok = np.isfinite(where) & (where >= 0) & (where < len(frame)) & (where == np.round(where))
        positions = np.where(ok, np.nan_to_num(where), UNMATCHED).astype(np.int64)
    else:
        positions = join_positions(table[align], frame[align])
    if task == REGRESSION:
        truth = numbers(table["truth"]) if "truth" in table.columns else None
        return BaselineRows(positions, truth, numbers(table["predicted"]), False)
    truth = _their_codes(table["truth"], classes, their_classes) if "truth" in table.columns else None
    score = numbers(table["score"]) if "score" in table.columns else np.full(len(table), np.nan)
    if len(classes) == 2 and np.isfinite(score).any():
        at = classes.index(positive)
        p = score if (their_positive or positive) == positive else 1.0 - score
        matrix = np.empty((len(table), 2))
        matrix[:, at], matrix[:, 1 - at] = p, 1.0 - p
        return BaselineRows(positions, truth, matrix, False)
    codes = _their_codes(table["predicted"], classes, their_classes)
    onehot = np.full((len(table), len(classes)), np.nan)
    ok = codes >= 0
    onehot[ok] = 0.0
    onehot[np.flatnonzero(ok), codes[ok]] = 1.0
    return BaselineRows(positions, truth, onehot, True)


def _their_codes(series: pd.Series, classes: tuple[str, ...], their_classes: tuple[str, ...]) -> np.ndarray:
    """Class codes (a run's codes into ``their_classes``, or labels as text) as the candidate's codes; -1 when
    missing or not a class of the candidate."""
    if not ptypes.is_numeric_dtype(series.dtype) or not their_classes:
        if ptypes.is_numeric_dtype(series.dtype) and not their_classes:
            values = numbers(series)
            ok = np.isfinite(values) & (values >= 0) & (values < len(classes))
            return np.where(ok, np.nan_to_num(values), -1).astype(np.int64)
        return class_codes(series, classes)
    values = numbers(series)
    index = {c: i for i, c in enumerate(classes)}
    lookup = np.array([index.get(c, -1) for c in their_classes] + [-1], dtype=np.int64)
    ok = np.isfinite(values) & (values >= 0) & (values < len(their_classes))
    return lookup[np.where(ok, np.nan_to_num(values), len(their_classes)).astype(np.int64)]
