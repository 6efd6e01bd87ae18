"""What each column holds: numeric, categorical, boolean, datetime, text or id, and turning text into those.

Rules (vectorised; text rules look at up to TYPE_SAMPLE values):
- boolean: a bool column; or a numeric column whose values are exactly 0 and 1 (the data stays 0/1 numbers,
  only the label says boolean); text columns of true/false or yes/no are turned into booleans by the reader.
- datetime: a datetime64 column (the reader parses ISO 8601 and other date formats it can recognise).
- id: every value distinct, at least MIN_ID_ROWS values, and either text that is not prose, or integers (no
  missing values) that increase row by row or sit in a column whose name says id (``id``, ``user_id``, ``key``).
- text: values average TEXT_MIN_WORDS words or more and at least half of them are distinct (free text).
- numeric: any other number column.
- categorical: any other column.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pandas.tseries.api import guess_datetime_format

NUMERIC, CATEGORICAL, BOOLEAN, DATETIME, TEXT, ID = "numeric", "categorical", "boolean", "datetime", "text", "id"
COLUMN_TYPES = (NUMERIC, CATEGORICAL, BOOLEAN, DATETIME, TEXT, ID)

MIN_ID_ROWS = 20         # below this many values, all-distinct is too likely by chance to call a column an id
TEXT_MIN_WORDS = 3.0     # average words per value from which a mostly-distinct column is free text
TYPE_SAMPLE = 1_000      # values looked at to tell prose from labels and to find a date format

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key)$|^id([_\W]|$)|[a-z]Id$", re.I)
_DATE_LIKE = re.compile(r"\d{1,4}[-/. ][A-Za-z]{3,9}[-/. ,]+\d{2,4}|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
                        r"|\d{1,2} [A-Za-z]{3,9},? \d{4}")
_DOT_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")   # 1.234.567,5 with a decimal comma
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}


def infer_column_types(frame: pd.DataFrame) -> dict[str, str]:
    """Map each column name to one of COLUMN_TYPES (see the module docstring for the rules)."""
    return {name: infer_column_type(frame[name]) for name in frame.columns}


def infer_column_type(series: pd.Series) -> str:
    """The type of one column; its name takes part (an all-distinct integer ``user_id`` is an id)."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return BOOLEAN
    if ptypes.is_datetime64_any_dtype(dtype):
        return DATETIME
    if ptypes.is_numeric_dtype(dtype):
        return _number_type(series)
    count = int(series.count())
    if count == 0:
        return CATEGORICAL
    distinct = count_distinct(series)
    if distinct < count / 2:
        return CATEGORICAL
    sample = pd.Series(series.array[spread_positions(len(series), TYPE_SAMPLE)]).dropna().astype(str)
    if sample.str.split().str.len().mean() >= TEXT_MIN_WORDS:
        return TEXT
    if distinct == count >= MIN_ID_ROWS:
        return ID
    return CATEGORICAL


def _number_type(series: pd.Series) -> str:
    """boolean for 0/1 columns, id for all-distinct integers that count up or are named like an id, else numeric.
    Reads the column without copying it (min/max, a monotonic scan, a hash only for id candidates)."""
    values = series.to_numpy()
    if values.dtype.kind not in "iuf":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    count = int(series.count())
    if count == 0:
        return NUMERIC
    low, high = np.nanmin(values), np.nanmax(values)
    if low == 0 and high == 1 and np.count_nonzero((values == 0) | (values == 1)) == count:
        return BOOLEAN
    if values.dtype.kind in "iu" and count >= MIN_ID_ROWS:
        if (_ID_NAME.search(str(series.name)) or series.is_monotonic_increasing) and series.is_unique:
            return ID
    return NUMERIC


ID_LIKE_SHARE = 0.5      # a categorical column with distinct values on at least this share of its filled rows ...
ID_LIKE_MIN_DISTINCT = MIN_ID_ROWS   # ... and at least this many distinct values is ID-like (names, not categories)


def id_like_text(series: pd.Series, kind: str) -> str | None:
    """Why a categorical column names rows rather than describing them, or None.

    A categorical (text) column with a distinct value on most of its filled rows (at least ID_LIKE_SHARE, and at
    least ID_LIKE_MIN_DISTINCT values) holds names of people, products or places, or free codes: a model one-hot
    encodes it into one column per row and learns the training rows by name, which tells it nothing about a new
    row (and can make such a column the "top feature" of a model). Columns typed id are identifiers already.
    """
    if kind != CATEGORICAL:
        return None
    filled = int(series.count())
    distinct = count_distinct(series)
    if filled == 0 or distinct < ID_LIKE_MIN_DISTINCT or distinct < ID_LIKE_SHARE * filled:
        return None
    return (f"ID-like: {distinct:,} distinct values in {filled:,} filled rows ({distinct / filled:.0%}), like names "
            "of people or products; it names rows instead of describing them")


def date_like(values: pd.Series) -> pd.Series:
    """Whether each text value looks like a date (2021-03-04, 04/03/2021, 4 Mar 2021): the test the reader applies
    before it tries date formats, so a column of such values that stayed text holds dates in no one format."""
    return values.astype(str).str.contains(_DATE_LIKE)


def spread_positions(n: int, k: int) -> np.ndarray:
    """Up to ``k`` positions spread evenly over ``range(n)`` (a cheap, deterministic look at a long column)."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).astype(np.int64))


def count_distinct(series: pd.Series) -> int:
    """Distinct non-missing values; fast for Categoricals (counts used codes)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        codes = codes[codes >= 0]
        return int(np.count_nonzero(np.bincount(codes, minlength=len(series.cat.categories)))) if codes.size else 0
    return int(series.nunique(dropna=True))


def convert_text(values: pd.Categorical, *, day_first: bool = False, decimal: str = ".") -> tuple[object, str | None]:
    """Turn a text column into booleans, numbers or datetimes when every distinct value fits; else return it as is.

    Works on the distinct values (the categories), tried first on the first TYPE_SAMPLE of them, then spreads
    the result over the rows by code. Returns (array, note): the note says what was recognised, for the user,
    or is None. ``day_first`` breaks ties for dates like 01/02/2020 (both orders fit); ``decimal`` is the
    decimal mark. Dates with time-zone offsets are converted to UTC.
    """
    categories, codes = values.categories, values.codes
    if len(categories) == 0:
        return values, None
    head = _stripped(categories[:TYPE_SAMPLE])
    if len(categories) <= len(_TRUE | _FALSE):
        lowered = set(head.str.lower())
        if lowered <= _TRUE | _FALSE and lowered & _TRUE and lowered & _FALSE:
            flags = head.str.lower().isin(_TRUE).to_numpy()
            return pd.arrays.BooleanArray(flags[codes], codes < 0), None
    if _to_numbers(head, decimal) is not None:
        numbers = _to_numbers(_stripped(categories), decimal)
        if numbers is not None:
            out = numbers[codes]
            if (codes < 0).any():
                out[codes < 0] = np.nan
            elif np.all(np.mod(numbers, 1) == 0) and np.all(np.abs(numbers) < 2**53):
                out = out.astype(np.int64)
            return out, None
    fmt = _date_format(head, day_first)
    if fmt is not None:
        parsed = _to_datetimes(_stripped(categories), fmt)
        if parsed is not None:
            out = parsed[codes]
            out[codes < 0] = np.datetime64("NaT")
            return out, f"read as dates with the format {fmt}"
    return values, None


def _stripped(values: pd.Index) -> pd.Series:
    return pd.Series(values, dtype=object).astype(str).str.strip()


def _to_numbers(text: pd.Series, decimal: str) -> np.ndarray | None:
    """Every value as a float (decimal commas and 1.234.567 groups understood), or None if one is not a number."""
    if decimal == ",":
        grouped = text.str.fullmatch(_DOT_GROUPED)
        text = text.where(~grouped, text.str.replace(".", "", regex=False)).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    return None if np.isnan(numbers).any() else numbers


def _date_format(head: pd.Series, day_first: bool) -> str | None:
    """A strftime format that parses every value of ``head`` (day-first or month-first as asked first), or None."""
    if not head.str.contains(_DATE_LIKE).all():
        return None
    with warnings.catch_warnings():  # a day-first guess warns when asked month-first; both orders are tried
        warnings.simplefilter("ignore", UserWarning)
        candidates = [guess_datetime_format(head.iloc[0], dayfirst=first) for first in (day_first, not day_first)]
    for fmt in dict.fromkeys(f for f in candidates if f):
        if _to_datetimes(head, fmt) is not None:
            return fmt
    return None


def _to_datetimes(text: pd.Series, fmt: str) -> np.ndarray | None:
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if parsed.isna().any():
        return None
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[ns]")
