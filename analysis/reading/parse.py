"""Parse CSV bytes into pandas columns with pyarrow's streaming CSV reader, one block at a time.

Each column is filled into an array sized from the file's newline count, so memory stays near the final
DataFrame plus one block, instead of an arrow table and a DataFrame side by side. Text columns become
pandas Categoricals here (codes plus distinct values); ``analysis.column_types`` decides what they are.
pyarrow infers each column's type from the first block; when a later block disagrees (an integer column
with a 1.5 further down), that column is re-read as float or text.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis.errors import ReadError
from analysis.reading.sniff import Dialect

BLOCK_BYTES = 1 << 20   # pyarrow block size; peak memory grows with it, speed barely does above 1 MB
NULL_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "None", "#N/A", "#NA", "<NA>"]
TRUE_VALUES = ["true", "True", "TRUE", "yes", "Yes", "YES"]
FALSE_VALUES = ["false", "False", "FALSE", "no", "No", "NO"]
ARROW_ENCODINGS = {"utf-8": "utf8", "cp1252": "cp1252", "latin-1": "latin-1"}

_CONVERSION_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+).*?: invalid value '(.*)'", re.S)
_FIELD_COUNT_ERROR = re.compile(r"Expected (\d+) columns, got (\d+)")


class EncodingMismatch(Exception):
    """The text is not valid in the sniffed encoding beyond the sniffed head; read again with the next one."""


def parse_columns(data: bytes, dialect: Dialect) -> list[np.ndarray | pd.api.extensions.ExtensionArray]:
    """Parse ``data`` (minus ``dialect.skip`` bytes) into one array per column, in header order.

    Raises ReadError for ragged rows (naming the line) and EncodingMismatch when a later part of the
    file is not valid in ``dialect.encoding``.
    """
    capacity = (data.count(b"\n") or data.count(b"\r")) + 1  # rows end in \n, \r\n or (old Mac) \r
    overrides: dict[str, pa.DataType] = {}
    while True:
        try:
            return _parse_once(data, dialect, capacity, overrides)
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            message = str(error)
            conversion = _CONVERSION_ERROR.search(message)
            if "utf8" in message.lower() or isinstance(error, UnicodeDecodeError):
                raise EncodingMismatch(message) from None
            if conversion is None:
                raise _parse_error(data, dialect, message) from None
            index, to_type, value = int(conversion[1]), conversion[2], conversion[3]
            name = dialect.header[index]
            if name in overrides and overrides[name] == pa.string():
                raise ReadError(f"Column '{name}' could not be read: {message}.") from None
            overrides[name] = pa.float64() if to_type == "int64" and _is_float(value, dialect.decimal) else pa.string()


def _parse_once(data, dialect, capacity, overrides) -> list:
    buffer = pa.py_buffer(data)[dialect.skip :]
    reader = pacsv.open_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding=ARROW_ENCODINGS[dialect.encoding]),
        parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=dialect.quoted),
        convert_options=pacsv.ConvertOptions(
            column_types=overrides,
            null_values=NULL_VALUES,
            strings_can_be_null=True,
            true_values=TRUE_VALUES,
            false_values=FALSE_VALUES,
            decimal_point=dialect.decimal,
        ),
    )
    return arrow_columns(reader.schema, reader, capacity)


def arrow_columns(schema: pa.Schema, batches, capacity: int) -> list[np.ndarray | pd.api.extensions.ExtensionArray]:
    """Record batches of ``schema`` into one pandas-ready array per field, the way CSV columns are built: numbers,
    booleans and times as numpy arrays (integers with a missing value as float, booleans as a BooleanArray), text
    (and any other type, as text) as a Categorical for ``analysis.column_types.convert_text``. ``capacity``: rows
    expected (arrays grow when there are more)."""
    builders = [_builder(field.type, capacity) for field in schema]
    rows = 0
    for batch in batches:
        for builder, column in zip(builders, batch.columns, strict=True):
            builder.append(column, rows)
        rows += batch.num_rows
    return [builder.finish(rows) for builder in builders]


def _builder(arrow_type: pa.DataType, capacity: int):
    if pa.types.is_null(arrow_type):
        return _Missing()
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_boolean(arrow_type):
        return _Values(arrow_type.to_pandas_dtype(), capacity)
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return _Values(np.dtype("datetime64[ns]"), capacity, getattr(arrow_type, "tz", None))
    return _Strings(capacity)


class _Missing:
    """A column that is empty in every row (a later value would have stopped the parse with a conversion error)."""

    def append(self, column: pa.Array, start: int) -> None:
        pass

    def finish(self, rows: int) -> np.ndarray:
        return np.full(rows, np.nan)


class _Values:
    """Numbers, booleans and times: values into a preallocated array, missing positions into a mask."""

    def __init__(self, dtype: np.dtype, capacity: int, tz: str | None = None) -> None:
        self.values = np.empty(capacity, dtype=dtype)
        self.mask: np.ndarray | None = None
        self.tz = tz

    def append(self, column: pa.Array, start: int) -> None:
        stop = start + len(column)
        self.values = _room(self.values, stop)
        if column.null_count:
            self.mask = np.zeros(len(self.values), dtype=bool) if self.mask is None else _room(self.mask, stop)
            self.mask[start:stop] = column.is_null().to_numpy(zero_copy_only=False)
            column = column.fill_null(pa.scalar(False if pa.types.is_boolean(column.type) else 0, type=column.type))
        self.values[start:stop] = column.to_numpy(zero_copy_only=False)

    def finish(self, rows: int):
        values = self.values[:rows]
        mask = None if self.mask is None else self.mask[:rows]
        if mask is not None and mask.any():
            if values.dtype.kind == "b":
                return pd.arrays.BooleanArray(values, mask)
            if values.dtype.kind in "iu":
                values = values.astype(np.float64)
            values[mask] = np.datetime64("NaT") if values.dtype.kind == "M" else np.nan
        if self.tz is not None:
            return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(self.tz).array
        return values


class _Strings:
    """Text: each block's distinct values are mapped onto one growing list of categories; rows keep codes."""

    def __init__(self, capacity: int) -> None:
        self.codes = np.empty(capacity, dtype=np.int32)
        self.lookup: dict[str, int] = {}

    def append(self, column: pa.Array, start: int) -> None:
        if not pa.types.is_string(column.type):
            column = column.cast(pa.string())
        encoded = pc.dictionary_encode(column)
        block_values = encoded.dictionary.to_pylist()
        to_code = np.empty(len(block_values) + 1, dtype=np.int32)
        to_code[-1] = -1  # missing
        lookup = self.lookup
        for i, value in enumerate(block_values):
            to_code[i] = lookup.setdefault(value, len(lookup))
        indices = encoded.indices.fill_null(len(block_values)).to_numpy(zero_copy_only=False)
        self.codes = _room(self.codes, start + len(column))
        self.codes[start : start + len(column)] = to_code[indices]

    def finish(self, rows: int) -> pd.Categorical:
        categories = pd.Index(list(self.lookup), dtype=object)
        return pd.Categorical.from_codes(self.codes[:rows], categories=categories, validate=False)


def _room(array: np.ndarray, size: int) -> np.ndarray:
    """``array`` if it holds ``size`` items, else a copy grown by half (more rows than newlines: stray carriage
    returns)."""
    if size <= len(array):
        return array
    grown = np.zeros(max(size, len(array) * 3 // 2), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _is_float(value: str, decimal: str) -> bool:
    try:
        float(value.replace(decimal, ".") if decimal != "." else value)
        return True
    except ValueError:
        return False


def _parse_error(data: bytes, dialect: Dialect, message: str) -> ReadError:
    """A ReadError for a parse failure; for a row with the wrong number of fields, name its line."""
    counts = _FIELD_COUNT_ERROR.search(message)
    ragged = _find_ragged_line(data, dialect, int(counts[1])) if counts else None
    if ragged is None:
        return ReadError(f"The file could not be read as CSV ({message}). Check that it is a plain CSV export.")
    line, fields, width = *ragged, int(counts[1])
    if fields > width:
        fix = (
            "Check for an unquoted delimiter in that row (a value containing "
            f"'{_shown(dialect.delimiter)}' must be in double quotes), or remove the extra fields."
        )
    else:
        fix = "Fill in the missing fields (empty values still need their delimiters) or remove the row."
    return ReadError(f"Line {line} has {fields} fields but the header has {width}. {fix}")


def _find_ragged_line(data: bytes, dialect: Dialect, width: int) -> tuple[int, int] | None:
    """The first line (1-based, the header is line 1) whose row does not have ``width`` fields, with its field count."""
    text = io.StringIO(data[dialect.skip :].decode(dialect.encoding, errors="replace"), newline="")
    reader = csv.reader(text, delimiter=dialect.delimiter)
    line = 1
    for row in reader:
        if row and len(row) != width:
            return line, len(row)
        line = reader.line_num + 1
    return None


def _shown(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter
