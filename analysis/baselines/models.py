"""The baseline models: a dummy floor, a linear model, gradient boosting, a random forest and a cheap family
(naive Bayes for classification, k-NN for regression), each a scikit-learn Pipeline whose preprocessing
(imputation, one-hot, ordinal or target encoding, text vectorising, scaling) is fitted inside each fold.

    (X,), columns = prepare_features([frame], features, column_types, many_values=50)
    fitted = fit_model(MODELS["Random forest"], columns, "binary", X_train, y_train, random_state=0, deadline=t)
    scores = predict_scores(fitted.predictor, X_test, "binary", n_classes=2)

Ensembles grow in steps (``warm_start``) so that a fit stops adding trees when its model's time budget runs out,
instead of running over it; what a fit did is said in ``Fitted.note`` ("stopped at 50 of 100 trees").
Settings are chosen for speed (see bench/baselines.py): a forest of 100 trees on at most FOREST_MAX_SAMPLES rows
per tree on 2 cores, boosting of 100 rounds (early stopping from 2,000 training rows) on one thread, k-NN skipped
above KNN_MAX_TRAIN_ROWS training rows.

What the models read (prepare_features makes the columns, the pipelines encode them inside each fold):
- numbers and booleans (0/1) as they are; missing values imputed with the training rows' median;
- a date as numbers derived row by row (no fitting, so nothing learnt from other rows' targets): "order_date: year",
  "order_date: month", "order_date: day of week", "order_date: day of year", "order_date: hour" and "order_date: days
  since first" (days since the earliest date of the column); a part that is the same in every row (the hour of dates
  without times, the year of one year's dates) is left out;
- a category with at most RunSettings.many_values distinct values: one-hot (at most MAX_ONE_HOT columns, rare values
  pooled) for the linear model, naive Bayes and k-NN, codes for the forest, native categories for boosting; with more
  values, scikit-learn's TargetEncoder, whose own cross-fitting (5 folds inside the training rows) gives each training
  row a code learnt from other rows' targets, so the code of a category seen once says nothing (no leak);
- free text: each cell cut to its first text_limit(rows) characters (TEXT_MAX_CHARS, fewer above 20,000 rows so that
  a column holds at most TEXT_TOTAL_CHARS; TEXT_MIN_CHARS at the least), then the TF-IDF of its words, hashed into
  TEXT_HASH_FEATURES columns (no vocabulary is kept; analysis.baselines.text), plus character CHAR_NGRAMS-grams when
  the column holds at most CHAR_NGRAM_MAX_CHARS characters (they cost 10-17x the words' time: 67 s against 4 s for
  80,000 cells of 180 characters, measured on this 2-core machine under load). The linear model reads the sparse
  TF-IDF; boosting reads TEXT_COMPONENTS components of it (TruncatedSVD, fitted inside each fold too); naive Bayes,
  k-NN and the forest leave text out (ModelSpec.text).
  Memory and time bound: hashing keeps no vocabulary, whatever the text, so both follow the words read: at most one
  per three characters (two letters and a separator), 6.7 million for a column of TEXT_TOTAL_CHARS. Measured at the
  worst (20,000 cells of 1,000 characters of two-letter words, 295 distinct per cell): the linear model's fit peaked
  at 290 MB above the data (about 48 bytes per word read: the float32 TF-IDF, its float64 copy, the stacked
  columns) and took 33 s on this loaded 2-core machine, so a column costs at most about 320 MB, whatever its rows.
  Real text has about one word per six characters: bench baselines --text (100,000 tickets of about 150
  characters) peaks 100 MB above the same run without the text.
"""
from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from threadpoolctl import threadpool_limits

from analysis.baselines.setup import MANY_VALUES
from analysis.column_types import BOOLEAN, DATETIME, NUMERIC, TEXT
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
TEXT_MAX_CHARS = 1_000       # characters of a text cell read: a 300 KB cell is read as its first 1,000
TEXT_TOTAL_CHARS = 20_000_000   # characters of a text column read in all: above 20,000 rows, fewer per cell
TEXT_MIN_CHARS = 100         # ... but at least this many per cell (above 200,000 rows, so beyond the default sample)
TEXT_HASH_FEATURES = 2**17   # columns the words (and character n-grams) of a text column are hashed into
CHAR_NGRAMS = (3, 5)         # character n-grams (within words) of short text
CHAR_NGRAM_MAX_CHARS = 300_000   # a text column of at most this many characters is read as character n-grams too
TEXT_COMPONENTS = 30         # SVD components of a text column's TF-IDF that gradient boosting reads
TEXT_SVD_ITERATIONS = 3      # power iterations of the randomized SVD (the default 5 takes twice as long)
DATE_PARTS = ("year", "month", "day of week", "day of year", "hour", "days since first")


class Cancelled(Exception):
    """The run was cancelled while a model was fitting."""


@dataclass(frozen=True)
class Columns:
    """The model input's columns, in this order in the prepared frame: ``numeric`` (numbers, booleans as 0/1, the
    parts of dates), ``categorical`` (integer codes, NaN when missing), ``many`` (codes of categories with more than
    many_values distinct values: target-encoded), ``text`` (free text cut to ``text_limit`` characters, "" when
    missing). ``chars``: the text columns also read as character n-grams (short text).
    What was derived, for the run's notes: ``dates`` (date column -> its parts kept), ``constant_parts`` (date column
    -> parts left out as the same in every row), ``values`` (target-encoded column -> distinct values), ``cut`` (text
    column -> cells longer than ``text_limit``)."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    many: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    chars: tuple[str, ...] = ()
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constant_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    text_limit: int = TEXT_MAX_CHARS

    def without_text(self) -> Columns:
        """These columns for a model that leaves free text out."""
        return dataclasses.replace(self, text=(), chars=())

    @property
    def only_text(self) -> bool:
        """Free text is every feature: a model that leaves text out has nothing to read."""
        return bool(self.text) and not (self.numeric or self.categorical or self.many)


@dataclass(frozen=True)
class ModelSpec:
    """One model of the suite.

    name: shown to the user. tasks: the tasks it serves. build(columns, task, random_state, n_train) -> (preprocessor
    or None, estimator). grow: (parameter, step, total) to grow an ensemble within its budget, or None.
    max_train_rows: above this many training rows the model is skipped (None: no limit).
    text: how the model reads free text, for the run's notes ("" : it leaves text out, and fit_model gives it none).
    """

    name: str
    tasks: tuple[str, ...]
    build: Callable
    grow: tuple[str, int, int] | None = None
    max_train_rows: int | None = None
    text: str = ""


@dataclass
class Fitted:
    """A fitted model: ``predictor`` has predict / predict_proba on the prepared frame; ``note`` says when its
    growth was cut short by the time budget; fit_s is the wall time of the fit."""

    predictor: object
    note: str
    fit_s: float


def _one_hot_prep(columns: Columns, task: str, random_state: int, scale: bool = True):
    """Numbers imputed (and scaled), few-valued categories one-hot, many-valued ones target-encoded (and scaled), free
    text as its sparse TF-IDF."""
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
    if columns.many:
        steps = [_target_encoder(task, random_state)] + ([StandardScaler()] if scale else [])
        parts.append(("many", make_pipeline(*steps), list(columns.many)))
    parts += [(f"text{i}", _tf_idf(name in columns.chars), name) for i, name in enumerate(columns.text)]
    return ColumnTransformer(parts)


def _impute_prep(columns: Columns, task: str, random_state: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer

    parts = []
    if columns.numeric:
        parts.append(("numeric", SimpleImputer(strategy="median", keep_empty_features=True), list(columns.numeric)))
    if columns.categorical:
        parts.append(("categorical", SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True),
                      list(columns.categorical)))
    if columns.many:
        parts.append(("many", _target_encoder(task, random_state), list(columns.many)))
    return ColumnTransformer(parts)


def _target_encoder(task: str, random_state: int):
    """scikit-learn's TargetEncoder: in fit_transform, each training row's code is learnt on the other 4 of 5 folds
    of the training rows (cross-fitting); a category it has not seen gets the target's mean. Missing is a category."""
    from sklearn.preprocessing import TargetEncoder

    return TargetEncoder(target_type="continuous" if task == REGRESSION else "auto", shuffle=True,
                         random_state=random_state)


def _tf_idf(chars: bool):
    """A text column's TF-IDF (analysis.baselines.text): sparse rows of the words (and character n-grams)."""
    from analysis.baselines.text import tf_idf

    return tf_idf(chars=chars, width=TEXT_HASH_FEATURES, ngrams=CHAR_NGRAMS)


def _dummy(columns, task, random_state, n_train):
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if task == REGRESSION:
        return None, DummyRegressor(strategy="mean")
    return None, DummyClassifier(strategy="prior")


def _logistic(columns, task, random_state, n_train):
    from sklearn.linear_model import LogisticRegression

    return (_one_hot_prep(columns, task, random_state),
            LogisticRegression(C=1.0, max_iter=500, random_state=random_state))


def _ridge(columns, task, random_state, n_train):
    from sklearn.linear_model import Ridge

    return _one_hot_prep(columns, task, random_state), Ridge(alpha=1.0)


def _boosting(columns, task, random_state, n_train):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    from analysis.baselines.text import Components

    parts = []
    if columns.numeric:
        parts.append(("numeric", "passthrough", list(columns.numeric)))
    if columns.categorical:
        parts.append(("categorical", OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=MAX_ORDINAL,
        ), list(columns.categorical)))
    if columns.many:
        parts.append(("many", _target_encoder(task, random_state), list(columns.many)))
    parts += [(f"text{i}", make_pipeline(_tf_idf(name in columns.chars), Components(
        TEXT_COMPONENTS, TEXT_SVD_ITERATIONS, random_state)), name) for i, name in enumerate(columns.text)]
    first = len(columns.numeric)   # the categories' columns follow the numbers'
    categories = list(range(first, first + len(columns.categorical)))
    model = HistGradientBoostingRegressor if task == REGRESSION else HistGradientBoostingClassifier
    estimator = model(max_iter=BOOSTING_ROUNDS, learning_rate=0.15, early_stopping=n_train >= BOOSTING_EARLY_STOP_ROWS,
                      categorical_features=categories or None, random_state=random_state)
    return ColumnTransformer(parts), estimator


def _forest(columns, task, random_state, n_train):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    model = RandomForestRegressor if task == REGRESSION else RandomForestClassifier
    max_samples = min(1.0, FOREST_MAX_SAMPLES / max(n_train, 1))
    estimator = model(n_estimators=FOREST_TREES, min_samples_leaf=3, max_features="sqrt", max_samples=max_samples,
                      n_jobs=N_JOBS if n_train >= FOREST_PARALLEL_ROWS else 1, random_state=random_state)
    return _impute_prep(columns, task, random_state), estimator


def _naive_bayes(columns, task, random_state, n_train):
    from sklearn.naive_bayes import GaussianNB

    return _one_hot_prep(columns, task, random_state), GaussianNB()


def _knn(columns, task, random_state, n_train):
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    model = KNeighborsRegressor if task == REGRESSION else KNeighborsClassifier
    return _one_hot_prep(columns, task, random_state), model(n_neighbors=15, weights="distance", n_jobs=N_JOBS)


CLASSIFY = (BINARY, MULTICLASS)
ALL = CLASSIFY + (REGRESSION,)
MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (
        ModelSpec(DUMMY, ALL, _dummy),
        ModelSpec("Logistic regression", CLASSIFY, _logistic, text="its TF-IDF terms"),
        ModelSpec("Ridge", (REGRESSION,), _ridge, text="its TF-IDF terms"),
        ModelSpec("Naive Bayes", CLASSIFY, _naive_bayes),
        ModelSpec("k-NN", ALL, _knn, max_train_rows=KNN_MAX_TRAIN_ROWS),
        ModelSpec("HistGradientBoosting", ALL, _boosting, grow=("max_iter", 25, BOOSTING_ROUNDS),
                  text=f"{TEXT_COMPONENTS} SVD components of its TF-IDF"),
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


def prepare_features(frames: list[pd.DataFrame], features: tuple[str, ...], column_types: dict[str, str], *,
                     many_values: int = MANY_VALUES) -> tuple[list[pd.DataFrame], Columns]:
    """The model input of each frame (see the module docstring for what each kind becomes): float64 columns, numeric
    ones first (booleans as 0/1, infinities as missing, each date as the numbers derived from it, named "date:
    month"), then categorical ones as integer codes shared by all frames (NaN when missing), those with more than
    ``many_values`` distinct values last among them, then free text (object, cut to text_limit(rows) characters).
    Every value is derived from its own row (codes follow first appearance, "days since first" counts from the
    column's earliest date): nothing here knows the target, so nothing leaks across a split."""
    kinds = {name: _kind(column_types.get(name), frames[0][name].dtype) for name in features}
    data, dates, constant, values, cut = {}, {}, {}, {}, {}
    numeric, categorical, many, text, chars = [], [], [], [], []
    limit = text_limit(sum(len(f) for f in frames))
    for name in features:
        series = _joined(frames, name, as_object=kinds[name] in ("categorical", TEXT))
        if kinds[name] == DATETIME:
            derived = _date_parts(series)
            kept = [p for p in DATE_PARTS if _varies(derived[p])] or ["days since first"]
            dates[name], constant[name] = tuple(kept), tuple(p for p in DATE_PARTS if p not in kept)
            for part in kept:
                data[f"{name}: {part}"] = derived[part]
                numeric.append(f"{name}: {part}")
        elif kinds[name] == NUMERIC:
            data[name] = _as_numbers(series)
            numeric.append(name)
        elif kinds[name] == TEXT:
            data[name], cut[name], total = _text(series, limit)
            text.append(name)
            if total <= CHAR_NGRAM_MAX_CHARS:
                chars.append(name)
        else:
            data[name], distinct = _codes(series)
            if distinct > many_values:
                many.append(name)
                values[name] = distinct
            else:
                categorical.append(name)
    whole = pd.DataFrame(data, columns=numeric + categorical + many + text)
    bounds = np.cumsum([0] + [len(f) for f in frames])
    parts = [whole.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return parts, Columns(tuple(numeric), tuple(categorical), tuple(many), tuple(text), tuple(chars), dates,
                          {c: p for c, p in constant.items() if p}, values, {c: n for c, n in cut.items() if n}, limit)


def text_limit(rows: int) -> int:
    """Characters of each text cell read when a column has ``rows`` rows: TEXT_MAX_CHARS, fewer from 20,000 rows on
    so that the column holds at most TEXT_TOTAL_CHARS, never fewer than TEXT_MIN_CHARS."""
    return max(TEXT_MIN_CHARS, min(TEXT_MAX_CHARS, TEXT_TOTAL_CHARS // max(rows, 1)))


def reading_notes(columns: Columns, models: tuple[str, ...], many_values: int) -> list[str]:
    """Sentences for the run's notes: which numbers each date became, which categories were target-encoded, and how
    each of the run's ``models`` reads free text (or leaves it out)."""
    notes = []
    for name, parts in columns.dates.items():
        left = columns.constant_parts.get(name, ())
        said = f" ({_listed(left)} left out: the same in every row)" if left else ""
        notes.append(f"Date '{name}' read as {len(parts)} number{'s' if len(parts) != 1 else ''}, each from its own "
                     f"row: {_listed(parts)}{said}.")
    if columns.values:
        listed = _listed([f"'{c}' ({n:,} values)" for c, n in columns.values.items()])
        notes.append(f"Categories with more than {many_values} values, {listed}: target-encoded inside each fold by "
                     "every model but the dummy (scikit-learn's TargetEncoder: each training row's code is learnt on "
                     "other rows of the fold, so a row's own target never makes its code).")
    for name in columns.text:
        notes.append(_text_note(name, columns, models))
    return notes


def _text_note(name: str, columns: Columns, models: tuple[str, ...]) -> str:
    grams = f" and character {CHAR_NGRAMS[0]}-{CHAR_NGRAMS[1]}-grams" if name in columns.chars else ""
    cut = columns.cut.get(name, 0)
    longer = f"; {cut:,} cell{'s' if cut != 1 else ''} longer than that" if cut else ""
    readers = [f"{m} reads {MODELS[m].text}" for m in models if m in MODELS and MODELS[m].text]
    others = [m for m in models if m in MODELS and not MODELS[m].text and m != DUMMY]
    said = (f"Free text '{name}': the TF-IDF of its words{grams} (each cell's first {columns.text_limit:,} characters"
            f"{longer}), fitted inside each fold. ")
    if not readers:
        able = _listed([n for n, spec in MODELS.items() if spec.text])
        return said + f"No model of this run reads it ({able} do)."
    return said + "; ".join(readers) + (f"; {_listed(others)} leave{'s' if len(others) == 1 else ''} it out." if others
                                        else ".")


def _listed(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else ""


def _kind(kind: str | None, dtype) -> str:
    """How prepare_features reads a column: DATETIME, NUMERIC, TEXT or "categorical"."""
    if kind == DATETIME or (kind is None and ptypes.is_datetime64_any_dtype(dtype)):
        return DATETIME
    numbers = ptypes.is_numeric_dtype(dtype) or ptypes.is_bool_dtype(dtype)
    if kind in (NUMERIC, BOOLEAN) or (kind is None and numbers):
        return NUMERIC
    return TEXT if kind == TEXT else "categorical"


def _joined(frames: list[pd.DataFrame], name: str, as_object: bool) -> pd.Series:
    if len(frames) == 1:
        return frames[0][name]
    return pd.concat([f[name].astype(object) if as_object else f[name] for f in frames], ignore_index=True)


def _date_parts(series: pd.Series) -> dict[str, np.ndarray]:
    """DATE_PARTS of each row's date (NaN when missing); "days since first" counts from the column's earliest date."""
    when = series if ptypes.is_datetime64_any_dtype(series.dtype) else pd.to_datetime(series, errors="coerce")
    if getattr(when.dtype, "tz", None) is not None:
        when = when.dt.tz_convert("UTC").dt.tz_localize(None)
    days = (when - when.min()) / pd.Timedelta(days=1)
    found = {"year": when.dt.year, "month": when.dt.month, "day of week": when.dt.dayofweek,
             "day of year": when.dt.dayofyear, "hour": when.dt.hour, "days since first": days}
    return {part: pd.Series(found[part]).to_numpy(dtype=np.float64, na_value=np.nan) for part in DATE_PARTS}


def _varies(values: np.ndarray) -> bool:
    present = values[~np.isnan(values)]
    return present.size > 0 and bool(present.min() != present.max())


def _text(series: pd.Series, limit: int) -> tuple[np.ndarray, int, int]:
    """(each cell as text cut to ``limit`` characters, "" when missing; cells that were longer; characters kept)."""
    cells = series.astype(object).where(series.notna(), "").astype(str)
    lengths = cells.str.len().to_numpy()
    longer = lengths > limit
    if longer.any():
        cells = cells.str.slice(0, limit)
    return cells.to_numpy(dtype=object), int(longer.sum()), int(np.minimum(lengths, limit).sum())


def _codes(series: pd.Series) -> tuple[np.ndarray, int]:
    """(integer codes as float64, NaN when missing; distinct values)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
    else:   # as text, so that 1 and "1" from two files are one category
        codes = pd.factorize(series.astype(str).to_numpy(dtype=object))[0]
        codes[series.isna().to_numpy()] = -1
    values = codes.astype(np.float64)
    values[codes < 0] = np.nan
    return values, int(np.unique(codes[codes >= 0]).size)


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
    end after ``deadline`` (a time.perf_counter() value). Raises Cancelled when ``should_stop()`` turns True mid-fit.
    The preparation (encoders, the text's TF-IDF) is fitted here too, so it counts in fit_s and against the budget."""
    start = time.perf_counter()
    prep, estimator = spec.build(columns if spec.text else columns.without_text(), task, random_state, len(X))
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
    """(transform, model, groups) such that ``model`` predicts on ``transform(X)`` (a numpy array, or a sparse matrix
    when the model reads a text column's TF-IDF) and groups[feature] lists the positions of the transformed columns
    that feature alone makes (a text column's whole TF-IDF or SVD block is one group); a feature the model leaves out
    (text, for some models) has no group. Every preparation step here works row by row and column by column once
    fitted, so shuffling a feature's rows before the transform is the same as shuffling its columns' rows after it:
    permutation importance can transform once. Falls back to the identity (the predictor on the frame's columns) for
    anything else."""
    from sklearn.pipeline import Pipeline

    if isinstance(predictor, Pipeline):
        prep, model = predictor[0], predictor[-1]
        groups = _output_groups(prep)
        if groups and set(groups) <= set(features):
            return prep.transform, model, groups

    return _frame_values, _OnFrame(predictor, features), {name: [i] for i, name in enumerate(features)}


def _frame_values(X: pd.DataFrame) -> np.ndarray:
    """The frame's values: float64, or objects when it holds text."""
    numbers = all(ptypes.is_numeric_dtype(dtype) for dtype in X.dtypes)
    return X.to_numpy(dtype=np.float64 if numbers else object)


class _OnFrame:
    """A predictor fitted on a frame, called with the frame's values as a numpy array."""

    def __init__(self, predictor, columns: list[str]):
        self.predictor, self.columns = predictor, columns
        self.classes_ = getattr(predictor, "classes_", None)

    def _frame(self, values: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame(values, columns=self.columns)
        return frame if values.dtype != object else frame.infer_objects()

    def predict(self, values: np.ndarray):
        return self.predictor.predict(self._frame(values))

    def predict_proba(self, values: np.ndarray):
        return self.predictor.predict_proba(self._frame(values))


def _output_groups(prep) -> dict[str, list[int]] | None:
    """Feature -> the positions of the transformed columns it makes, or None when they cannot be told apart."""
    groups: dict[str, list[int]] = {}
    for name, transformer, names in prep.transformers_:
        columns = [names] if isinstance(names, str) else list(names)
        if name == "remainder" or transformer == "drop" or not columns:
            continue
        out = prep.output_indices_[name]
        widths = _widths(transformer, len(columns), out.stop - out.start)
        if sum(widths) != out.stop - out.start:
            return None
        start = out.start
        for column, width in zip(columns, widths, strict=True):
            groups[column] = list(range(start, start + width))
            start += width
    return groups


def _widths(transformer, n_columns: int, width: int) -> list[int]:
    """How many transformed columns each of a transformer's ``n_columns`` input columns makes (``width`` in all)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, TargetEncoder

    if n_columns == 1:   # one input column: the whole block is its (a text column's TF-IDF or SVD components)
        return [width]
    steps = list(transformer) if isinstance(transformer, Pipeline) else [transformer]
    encoder = next((s for s in steps if isinstance(s, TargetEncoder)), None)
    if encoder is not None:   # one column per class of a multiclass target, else one
        return [len(encoder.classes_) if encoder.target_type_ == "multiclass" else 1] * n_columns
    last = steps[-1]
    if isinstance(last, OneHotEncoder):
        infrequent = getattr(last, "infrequent_categories_", [None] * n_columns)
        return [len(c) - (len(i) - 1 if i is not None else 0)
                for c, i in zip(last.categories_, infrequent, strict=True)]
    return [1] * n_columns   # imputers (keeping empty columns), scalers, ordinal encoders, passthrough


def native_threads(limit: int):
    """A context in which BLAS and OpenMP use at most ``limit`` threads (joblib's n_jobs is not affected).

    threadpoolctl limits only the libraries loaded when it starts, so the models' modules are imported first."""
    import sklearn.ensemble  # noqa: F401  (loads OpenMP)
    import sklearn.linear_model  # noqa: F401  (loads BLAS)

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
    full = np.zeros((proba.shape[0], n_classes))
    full[:, seen] = proba
    return full
