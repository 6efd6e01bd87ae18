"""The baseline models: a dummy floor, a linear model, gradient boosting, a random forest and a cheap family
(naive Bayes for classification, k-NN for regression), each a scikit-learn Pipeline whose preprocessing
(imputation, one-hot or ordinal encoding, scaling) is fitted inside each fold.

    (X,), columns = prepare_features([frame], features, column_types)
    fitted = fit_model(MODELS["Random forest"], columns, "binary", X_train, y_train, random_state=0, deadline=t)
    scores = predict_scores(fitted.predictor, X_test, "binary", n_classes=2)

Ensembles grow in steps (``warm_start``) so that a fit stops adding trees when its model's time budget runs out,
instead of running over it; what a fit did is said in ``Fitted.note`` ("stopped at 50 of 100 trees").
Settings are chosen for speed (see bench/baselines.py): a forest of 100 trees on at most FOREST_MAX_SAMPLES rows
per tree on 2 cores, boosting of 100 rounds (early stopping from 2,000 training rows) on one thread, k-NN skipped
above KNN_MAX_TRAIN_ROWS training rows.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.column_types import BOOLEAN, DATETIME, NUMERIC
from analysis.target import BINARY, MULTICLASS, REGRESSION

DUMMY = "Dummy"
MAX_ONE_HOT = 20             # a categorical column becomes at most this many one-hot columns (rare values pooled)
MAX_ORDINAL = 250            # categories kept by gradient boosting's native categorical support (< its 255 bins)
BOOSTING_ROUNDS = 100
BOOSTING_EARLY_STOP_ROWS = 2_000   # from this many training rows, boosting holds out 10% to stop early
FOREST_TREES = 100
FOREST_MAX_SAMPLES = 10_000  # rows drawn per tree: keeps a forest on 100,000 rows within seconds
GROW_FROM_ROWS = 5_000         # ensembles fitted on fewer rows are fast: they grow in one go
FOREST_PARALLEL_ROWS = 5_000   # below, starting threads costs more than it saves
KNN_MAX_TRAIN_ROWS = 50_000  # above, k-NN prediction gets slow: the model is skipped
N_JOBS = 2


class Cancelled(Exception):
    """The run was cancelled while a model was fitting."""


@dataclass(frozen=True)
class Columns:
    """The model input's columns: ``numeric`` (numbers, booleans as 0/1, dates as days) and ``categorical``
    (integer codes, NaN when missing), in that order in the prepared frame."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]


@dataclass(frozen=True)
class ModelSpec:
    """One model of the suite.

    name: shown to the user. tasks: the tasks it serves. build(columns, task, random_state, n_train) -> (preprocessor
    or None, estimator). grow: (parameter, step, total) to grow an ensemble within its budget, or None.
    max_train_rows: above this many training rows the model is skipped (None: no limit).
    """

    name: str
    tasks: tuple[str, ...]
    build: Callable
    grow: tuple[str, int, int] | None = None
    max_train_rows: int | None = None


@dataclass
class Fitted:
    """A fitted model: ``predictor`` has predict / predict_proba on the prepared frame; ``note`` says when its
    growth was cut short by the time budget; fit_s is the wall time of the fit."""

    predictor: object
    note: str
    fit_s: float


def _one_hot_prep(columns: Columns, scale: bool = True):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if columns.numeric:
        steps = [SimpleImputer(strategy="median", keep_empty_features=True)] + ([StandardScaler()] if scale else [])
        parts.append(("numeric", make_pipeline(*steps), list(columns.numeric)))
    if columns.categorical:
        parts.append(("categorical", make_pipeline(
            SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True),
            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_ONE_HOT, sparse_output=False),
        ), list(columns.categorical)))
    return ColumnTransformer(parts)


def _impute_prep(columns: Columns):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer

    parts = []
    if columns.numeric:
        parts.append(("numeric", SimpleImputer(strategy="median", keep_empty_features=True), list(columns.numeric)))
    if columns.categorical:
        parts.append(("categorical", SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True),
                      list(columns.categorical)))
    return ColumnTransformer(parts)


def _dummy(columns, task, random_state, n_train):
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if task == REGRESSION:
        return None, DummyRegressor(strategy="mean")
    return None, DummyClassifier(strategy="prior")


def _logistic(columns, task, random_state, n_train):
    from sklearn.linear_model import LogisticRegression

    return _one_hot_prep(columns), LogisticRegression(C=1.0, max_iter=500, random_state=random_state)


def _ridge(columns, task, random_state, n_train):
    from sklearn.linear_model import Ridge

    return _one_hot_prep(columns), Ridge(alpha=1.0)


def _boosting(columns, task, random_state, n_train):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.preprocessing import OrdinalEncoder

    parts = []
    if columns.numeric:
        parts.append(("numeric", "passthrough", list(columns.numeric)))
    if columns.categorical:
        parts.append(("categorical", OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=MAX_ORDINAL,
        ), list(columns.categorical)))
    mask = [False] * len(columns.numeric) + [True] * len(columns.categorical)
    model = HistGradientBoostingRegressor if task == REGRESSION else HistGradientBoostingClassifier
    estimator = model(max_iter=BOOSTING_ROUNDS, learning_rate=0.15, early_stopping=n_train >= BOOSTING_EARLY_STOP_ROWS,
                      categorical_features=mask if any(mask) else None, random_state=random_state)
    return ColumnTransformer(parts), estimator


def _forest(columns, task, random_state, n_train):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    model = RandomForestRegressor if task == REGRESSION else RandomForestClassifier
    max_samples = min(1.0, FOREST_MAX_SAMPLES / max(n_train, 1))
    estimator = model(n_estimators=FOREST_TREES, min_samples_leaf=3, max_features="sqrt", max_samples=max_samples,
                      n_jobs=N_JOBS if n_train >= FOREST_PARALLEL_ROWS else 1, random_state=random_state)
    return _impute_prep(columns), estimator


def _naive_bayes(columns, task, random_state, n_train):
    from sklearn.naive_bayes import GaussianNB

    return _one_hot_prep(columns), GaussianNB()


def _knn(columns, task, random_state, n_train):
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    model = KNeighborsRegressor if task == REGRESSION else KNeighborsClassifier
    return _one_hot_prep(columns), model(n_neighbors=15, weights="distance", n_jobs=N_JOBS)


CLASSIFY = (BINARY, MULTICLASS)
ALL = CLASSIFY + (REGRESSION,)
MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (
        ModelSpec(DUMMY, ALL, _dummy),
        ModelSpec("Logistic regression", CLASSIFY, _logistic),
        ModelSpec("Ridge", (REGRESSION,), _ridge),
        ModelSpec("Naive Bayes", CLASSIFY, _naive_bayes),
        ModelSpec("k-NN", ALL, _knn, max_train_rows=KNN_MAX_TRAIN_ROWS),
        ModelSpec("HistGradientBoosting", ALL, _boosting, grow=("max_iter", 25, BOOSTING_ROUNDS)),
        ModelSpec("Random forest", ALL, _forest, grow=("n_estimators", 25, FOREST_TREES)),
    )
}
DEFAULT_MODELS = {   # cheap ones first, so that results appear early
    BINARY: (DUMMY, "Logistic regression", "Naive Bayes", "HistGradientBoosting", "Random forest"),
    MULTICLASS: (DUMMY, "Logistic regression", "Naive Bayes", "HistGradientBoosting", "Random forest"),
    REGRESSION: (DUMMY, "Ridge", "k-NN", "HistGradientBoosting", "Random forest"),
}
GROWTH_UNITS = {"n_estimators": "trees", "max_iter": "boosting rounds"}


def model_names(task: str) -> tuple[str, ...]:
    """Names of the models that can serve ``task``."""
    return tuple(name for name, spec in MODELS.items() if task in spec.tasks)


def check_models(models: tuple[str, ...] | None, task: str) -> tuple[str, ...]:
    """The models to run: the task's default suite when None; ValueError naming any that cannot serve ``task``."""
    if models is None:
        return DEFAULT_MODELS[task]
    unknown = [m for m in models if m not in MODELS or task not in MODELS[m].tasks]
    if unknown:
        raise ValueError(f"Model(s) {', '.join(repr(m) for m in unknown)} cannot run a {task} task; "
                         f"choose from {', '.join(model_names(task))}.")
    if not models:
        raise ValueError(f"No model chosen; choose from {', '.join(model_names(task))}.")
    return tuple(dict.fromkeys(models))


def prepare_features(frames: list[pd.DataFrame], features: tuple[str, ...], column_types: dict[str, str]
                     ) -> tuple[list[pd.DataFrame], Columns]:
    """The model input of each frame: float64 columns, numeric ones first (booleans as 0/1, dates as days since
    1970, infinities as missing), then categorical ones as integer codes shared by all frames (NaN when missing).
    Codes follow first appearance: they carry no information about the target."""
    numeric, categorical = [], []
    for name in features:
        kind = column_types.get(name)
        dtype = frames[0][name].dtype
        numbers = ptypes.is_numeric_dtype(dtype) or ptypes.is_bool_dtype(dtype)
        if kind in (NUMERIC, BOOLEAN, DATETIME) or (kind is None and numbers):
            numeric.append(name)
        else:
            categorical.append(name)
    sizes = [len(f) for f in frames]
    data = {}
    for name in numeric:
        series = pd.concat([f[name] for f in frames], ignore_index=True) if len(frames) > 1 else frames[0][name]
        data[name] = _as_numbers(series)
    for name in categorical:
        series = pd.concat([f[name].astype(object) for f in frames], ignore_index=True) if len(frames) > 1 else frames[0][name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
        else:   # as text, so that 1 and "1" from two files are one category
            codes = pd.factorize(series.astype(str).to_numpy(dtype=object))[0]
            codes[series.isna().to_numpy()] = -1
        values = codes.astype(np.float64)
        values[codes < 0] = np.nan
        data[name] = values
    whole = pd.DataFrame(data, columns=numeric + categorical)
    bounds = np.cumsum([0] + sizes)
    parts = [whole.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:])]
    return parts, Columns(tuple(numeric), tuple(categorical))


def _as_numbers(series: pd.Series) -> np.ndarray:
    if ptypes.is_datetime64_any_dtype(series.dtype):
        days = series.to_numpy(dtype="datetime64[ns]").astype(np.int64) / 86_400e9
        days[series.isna().to_numpy()] = np.nan
        return days
    if ptypes.is_bool_dtype(series.dtype) or ptypes.is_extension_array_dtype(series.dtype):
        values = series.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    elif ptypes.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, copy=True)
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    values[~np.isfinite(values)] = np.nan
    return values


def fit_model(spec: ModelSpec, columns: Columns, task: str, X: pd.DataFrame, y: np.ndarray, *, random_state: int,
              deadline: float, should_stop: Callable[[], bool] | None = None) -> Fitted:
    """Fit ``spec``'s pipeline on (X, y); an ensemble grows step by step and stops growing when the next step would
    end after ``deadline`` (a time.perf_counter() value). Raises Cancelled when ``should_stop()`` turns True mid-fit."""
    start = time.perf_counter()
    prep, estimator = spec.build(columns, task, random_state, len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence and small-fold warnings: the metrics say how well it did
        Xt = prep.fit_transform(X, y) if prep is not None else X
        grow = spec.grow and len(X) >= GROW_FROM_ROWS
        note = _fit_growing(spec, estimator, Xt, y, deadline, should_stop) if grow else _fit_once(estimator, Xt, y)
    if prep is not None:
        from sklearn.pipeline import Pipeline

        predictor = Pipeline([("prepare", prep), ("model", estimator)])
    else:
        predictor = estimator
    return Fitted(predictor, note, time.perf_counter() - start)


def _fit_once(estimator, Xt, y) -> str:
    estimator.fit(Xt, y)
    return ""


def _fit_growing(spec: ModelSpec, estimator, Xt, y, deadline: float, should_stop) -> str:
    parameter, step, total = spec.grow
    estimator.set_params(warm_start=True)
    size = 0
    while size < total:
        began = time.perf_counter()
        size = min(total, size + step)
        estimator.set_params(**{parameter: size})
        estimator.fit(Xt, y)
        if parameter == "max_iter" and estimator.n_iter_ < size:
            break   # early stopping: boosting has converged
        if size < total:
            if should_stop is not None and should_stop():
                raise Cancelled()
            now = time.perf_counter()
            if now + (now - began) > deadline:
                grown = estimator.n_iter_ if parameter == "max_iter" else size
                return f"stopped at {grown} of {total} {GROWTH_UNITS[parameter]}"
    return ""


def split_predictor(predictor, features: list[str]):
    """(transform, model, groups) such that ``model`` predicts on ``transform(X)`` (a numpy array) and
    groups[feature] lists the positions of the transformed columns that feature alone makes. Every preparation step
    here works row by row and column by column, so shuffling a feature's rows before the transform is the same as
    shuffling its columns' rows after it: permutation importance can transform once. Falls back to the identity
    (the predictor on the frame's columns) for anything else."""
    from sklearn.pipeline import Pipeline

    if isinstance(predictor, Pipeline):
        prep, model = predictor[0], predictor[-1]
        groups = _output_groups(prep)
        if groups is not None and set(groups) == set(features):
            return prep.transform, model, groups

    return _to_numbers, _OnFrame(predictor, features), {name: [i] for i, name in enumerate(features)}


def _to_numbers(X: pd.DataFrame) -> np.ndarray:
    return X.to_numpy(dtype=np.float64)


class _OnFrame:
    """A predictor fitted on a frame, called with the frame's values as a numpy array."""

    def __init__(self, predictor, columns: list[str]):
        self.predictor, self.columns = predictor, columns
        self.classes_ = getattr(predictor, "classes_", None)

    def predict(self, values: np.ndarray):
        return self.predictor.predict(pd.DataFrame(values, columns=self.columns))

    def predict_proba(self, values: np.ndarray):
        return self.predictor.predict_proba(pd.DataFrame(values, columns=self.columns))


def _output_groups(prep) -> dict[str, list[int]] | None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    groups: dict[str, list[int]] = {}
    for name, transformer, names in prep.transformers_:
        if name == "remainder" or not len(names):
            continue
        out = prep.output_indices_[name]
        last = transformer[-1] if isinstance(transformer, Pipeline) else transformer
        if isinstance(last, OneHotEncoder):
            infrequent = getattr(last, "infrequent_categories_", [None] * len(names))
            widths = [len(c) - (len(i) - 1 if i is not None else 0) for c, i in zip(last.categories_, infrequent)]
        else:   # imputers (keeping empty columns), scalers, ordinal encoders, passthrough: one column each
            widths = [1] * len(names)
        if sum(widths) != out.stop - out.start:
            return None
        start = out.start
        for column, width in zip(names, widths):
            groups[column] = list(range(start, start + width))
            start += width
    return groups


def native_threads(limit: int):
    """A context in which BLAS and OpenMP use at most ``limit`` threads (joblib's n_jobs is not affected).

    threadpoolctl limits only the libraries loaded when it starts, so the models' modules are imported first."""
    import sklearn.ensemble  # noqa: F401  (loads OpenMP)
    import sklearn.linear_model  # noqa: F401  (loads BLAS)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=limit)


def predict_scores(predictor, X: pd.DataFrame, task: str, n_classes: int) -> np.ndarray:
    """Regression: predicted values. Classification: probabilities, one column per class code 0..n_classes-1
    (a class absent from a fold's training rows gets probability 0)."""
    if task == REGRESSION:
        return np.asarray(predictor.predict(X), dtype=np.float64)
    proba = np.asarray(predictor.predict_proba(X), dtype=np.float64)
    seen = np.asarray(predictor.classes_, dtype=np.int64)
    if len(seen) == n_classes:
        return proba
    full = np.zeros((len(X), n_classes))
    full[:, seen] = proba
    return full
