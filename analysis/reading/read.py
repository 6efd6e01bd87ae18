"""The one reader of the app: bytes of an upload in, a typed DataFrame (or a clear ReadError) out.

    table = read_table(uploaded.getvalue(), uploaded.name)          # CSV, gzip-compressed CSV, Parquet, .xlsx
    table = read_table(data, "book.xlsx", sheet="2024")             # one sheet of a workbook (sheet_names(data))
    table.frame, table.column_types, table.notes, table.format

read_table looks at the content (and the file name only to word its messages): Parquet files, Excel workbooks and
tables logged with mlflow.log_table (JSON) are read by analysis.reading.formats, gzip files are decompressed, and every
other file is read as CSV.
Every format ends in the same typing step as CSV, so a column means the same whatever file it came from.

CSV steps (read_csv): refuse what is not a CSV (size, empty, binary, Excel, archives), sniff encoding, delimiter and
decimal mark on the head of the file, check the header, parse everything with pyarrow (analysis.reading.parse),
turn text columns that hold booleans, numbers or dates into those, and label each column
(analysis.column_types). Text labelled categorical stays a pandas Categorical; text and id columns are
plain Python strings (object dtype); empty fields are missing values.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.column_types import CATEGORICAL, convert_text, infer_column_types
from analysis.errors import ReadError
from analysis.reading.formats import compressed, mlflow_table, parquet, xlsx
from analysis.reading.formats.mlflow_table import NOT_A_TABLE
from analysis.reading.parse import EncodingMismatch, parse_columns
from analysis.reading.sniff import Dialect, sniff_dialect, transcode_utf16

__all__ = ["FORMATS", "MAX_UPLOAD_BYTES", "ReadError", "Table", "format_size", "infer_column_types", "read_csv",
           "read_table", "sheet_names", "table_from_source"]

MAX_UPLOAD_BYTES = 200 * 2**20   # same as Streamlit's default upload limit
MAX_FRAME_BYTES = 4 * 2**30      # a compressed upload (gzip, Parquet) may unpack to at most this much
FORMATS = {"csv": "CSV", "csv.gz": "gzip-compressed CSV", "parquet": "Parquet", "xlsx": "Excel workbook",
           "sql": "SQL source", "json": "table logged with mlflow.log_table"}
EXTENSIONS = ("csv", "tsv", "txt", "gz", "parquet", "xlsx", "xlsm")   # what the upload widget offers
ENCODING_NAMES = {"cp1252": "Latin-1 (cp1252)", "latin-1": "Latin-1 (ISO-8859-1)"}
NEXT_ENCODING = {"utf-8": "cp1252", "cp1252": "latin-1"}   # when the sniffed one fails further into the file


@dataclass(frozen=True, eq=False)
class Table:
    """A CSV file read into a DataFrame, with what the reader found out about it.

    frame: the data, one column per header field, columns named as in the header (surrounding spaces removed;
        a blank name becomes ``column_<position>``). Numbers are int64/float64 (float when a value is missing),
        booleans bool (or pandas "boolean" when a value is missing), dates datetime64[ns], categorical text a
        pandas Categorical, other text object dtype. Missing values are NaN / NaT / <NA>.
    column_types: column name -> one of analysis.column_types.COLUMN_TYPES
        ("numeric", "categorical", "boolean", "datetime", "text", "id").
    encoding: "utf-8", "utf-8-sig" (UTF-8 with a byte-order mark), "utf-16", "cp1252" or "latin-1".
    delimiter: "," ";" "\\t" or "|".
    decimal: "." or ",".
    content_hash: SHA-256 (hex) of the uploaded bytes, as given.
    size_bytes: length of the uploaded bytes.
    notes: what the reader noticed or changed, in words for the user (e.g. "Read as Latin-1 (cp1252): ...").
    format: the file's format, a key of FORMATS: "csv", "csv.gz", "parquet", "xlsx" or "json" (mlflow.log_table).
    sheet: the worksheet read, for a workbook; else None. A sheet of a workbook with several sheets has a content
        hash of its own (SHA-256 of the bytes followed by the sheet's name), so each sheet can be stored.

    encoding, delimiter and decimal describe the CSV text (inside the gzip file for "csv.gz"); they are empty
    strings for Parquet files and workbooks.
    """

    frame: pd.DataFrame
    column_types: dict[str, str]
    encoding: str
    delimiter: str
    decimal: str
    content_hash: str
    size_bytes: int
    notes: tuple[str, ...]
    format: str = "csv"
    sheet: str | None = None


def read_table(data: bytes, name: str = "upload", sheet: str | None = None, *,
               max_bytes: int = MAX_UPLOAD_BYTES) -> Table:
    """Read the bytes of a CSV, gzip-compressed CSV, Parquet file or Excel workbook into a Table; raise ReadError
    (named after ``name``) saying what is wrong and what to do. ``sheet``: the worksheet of a workbook to read
    (None: the first; see sheet_names); other formats ignore it."""
    try:
        if len(data) > max_bytes:
            raise ReadError(_too_large(len(data), max_bytes))
        if data.startswith(parquet.PARQUET_MAGIC):
            return _from_columns(data, *parquet.parquet_columns(data, MAX_FRAME_BYTES, format_size), "parquet")
        if mlflow_table.is_json(data):
            return _from_columns(data, *mlflow_table.table_columns(data), "json")
        if xlsx.is_workbook(data):
            sheet, header, columns, notes = xlsx.sheet_columns(data, sheet)
            return _from_columns(data, header, columns, notes, "xlsx", sheet, several=len(xlsx.sheet_names(data)) > 1)
        if xlsx.is_encrypted_workbook(data):
            raise ReadError(
                "This workbook is protected with a password (encrypted), so its cells cannot be read. Open it in "
                "Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it), save, "
                "and upload it again; or save the sheet as CSV and upload that."
            )
        if data.startswith(compressed.GZIP_MAGIC):
            inner = compressed.gunzip(data, MAX_FRAME_BYTES, format_size)
            try:
                table = _read(inner, MAX_FRAME_BYTES)
            except ReadError as error:
                raise ReadError(f"Inside the gzip file: {error}") from None
            note = f"Decompressed from gzip ({format_size(len(data))} to {format_size(len(inner))})."
            return replace(table, content_hash=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                           notes=(note, *table.notes), format="csv.gz")
        _check_named_format(data, name)
        return _read(data, max_bytes)
    except ReadError as error:
        raise ReadError(f"{name}: {error}") from None


def sheet_names(data: bytes) -> list[str]:
    """The visible worksheets of an Excel workbook, in order; an empty list for any other file."""
    if not xlsx.is_workbook(data):
        return []
    try:
        return xlsx.sheet_names(data)
    except ReadError:
        return []     # a damaged workbook: read_table says what is wrong with it


def _check_named_format(data: bytes, name: str) -> None:
    """A file named .parquet, .xlsx or .gz whose content is not that format (and not text either) is named so."""
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    what = {"parquet": "a Parquet file (it does not start with PAR1)", "xlsx": "an Excel workbook",
            "xlsm": "an Excel workbook", "gz": "a gzip file", "json": "a JSON table (mlflow.log_table)"}.get(extension)
    if what is None:
        return
    if extension == "json":
        raise ReadError(NOT_A_TABLE)
    if extension in ("xlsx", "xlsm") and data.startswith(b"PK\x03\x04"):
        raise ReadError(
            f"The file is named .{extension} and starts like an Excel workbook, but it is cut short or damaged (its "
            "zip directory cannot be read). Open it in Excel, save it again, then upload it."
        )
    try:
        sniff_dialect(transcode_utf16(data)[0])
    except ReadError:
        raise ReadError(
            f"The file is named .{extension} but is not {what}: it may be damaged, or another kind of file renamed. "
            f"Export it again as .{extension} (or as CSV), then upload it."
        ) from None


def _from_columns(data: bytes, header, columns, notes, file_format: str, sheet: str | None = None,
                  several: bool = False) -> Table:
    """A Table from a binary format's raw columns: names checked and typed as for CSV."""
    names, name_notes = _column_names(tuple(header))
    columns, text_notes = _convert_text_columns(names, columns, day_first=False, decimal=".")
    frame, column_types = _typed_frame(names, columns)
    digest = hashlib.sha256(data)
    if several:
        digest.update(b"\n#sheet=" + sheet.encode("utf-8"))
    return Table(frame, column_types, "", "", "", digest.hexdigest(), len(data),
                 tuple(notes) + name_notes + text_notes, file_format, sheet)


def table_from_source(names: list[str], columns: list, content_hash: str, notes: tuple[str, ...] = (),
                      file_format: str = "sql") -> Table:
    """A Table of columns a database returned (analysis.sources.postgres.fetch_sample), typed as every file is,
    except that text is not read again as numbers or dates: the database's own types stand, so the figures it
    computes and the rows it returns describe the same columns. ``content_hash``: the source's identity."""
    frame, column_types = _typed_frame(list(names), list(columns))
    if frame.empty:
        raise ReadError("The source returned no rows. Pick a table or write a query that returns rows.")
    return Table(frame, column_types, "", "", "", content_hash, 0, tuple(notes), file_format)


def read_csv(data: bytes, name: str = "upload.csv", *, max_bytes: int = MAX_UPLOAD_BYTES) -> Table:
    """Read the bytes of a CSV file into a Table; raise ReadError (named after ``name``) saying what is wrong and what
    to do: too large, empty, binary / Excel / archive, only a header, duplicate column names, a ragged row."""
    try:
        return _read(data, max_bytes)
    except ReadError as error:
        raise ReadError(f"{name}: {error}") from None


def _too_large(size: int, max_bytes: int) -> str:
    return (f"The file is {format_size(size)}, over the upload limit of {format_size(max_bytes)}. "
            "Upload a smaller file: a sample of the rows, or fewer columns.")


def _read(data: bytes, max_bytes: int) -> Table:
    if len(data) > max_bytes:
        raise ReadError(_too_large(len(data), max_bytes))
    content_hash = hashlib.sha256(data).hexdigest()
    size = len(data)
    data, utf16_note = transcode_utf16(data)
    dialect = sniff_dialect(data)
    names, name_notes = _column_names(dialect.header)
    columns, dialect = _parse(data, dialect)
    if len(columns) != len(names):
        raise ReadError(f"The header has {len(names)} fields but the rows have {len(columns)}. Check the header row.")
    if len(columns[0]) == 0:
        raise ReadError(
            "The file has only a header row and no data rows. Export it again with its data rows, then upload it."
        )
    columns, text_notes = _convert_text_columns(names, columns, day_first=dialect.decimal == ",",
                                                decimal=dialect.decimal)
    frame, column_types = _typed_frame(names, columns)
    encoding = "utf-16" if utf16_note else "utf-8-sig" if dialect.skip else dialect.encoding
    notes = tuple(n for n in (utf16_note,) if n) + dialect.notes + name_notes + text_notes
    return Table(frame, column_types, encoding, dialect.delimiter, dialect.decimal, content_hash, size, notes)


def _parse(data: bytes, dialect: Dialect) -> tuple[list, Dialect]:
    """Parse with the sniffed encoding; when a later part of the file is not valid in it, try the next one."""
    while True:
        try:
            return parse_columns(data, dialect), dialect
        except EncodingMismatch:
            encoding = NEXT_ENCODING.get(dialect.encoding)
            if encoding is None:
                raise ReadError("The file's text could not be decoded. "
                                "Save it as CSV UTF-8 and upload it again.") from None
            note = f"Read as {ENCODING_NAMES[encoding]}: the file is not valid UTF-8."
            notes = tuple(n for n in dialect.notes if not n.startswith("Read as")) + (note,)
            dialect = replace(dialect, encoding=encoding, notes=notes)


def _column_names(header: tuple[str, ...]) -> tuple[list[str], tuple[str, ...]]:
    """Header fields without surrounding spaces, blanks named by position; ReadError on duplicates."""
    names, notes = [], []
    for position, raw in enumerate(header, start=1):
        label = raw.strip()
        if not label:
            label = f"column_{position}"
            notes.append(f"Column {position} has no name in the header; it is called {label}.")
        names.append(label)
    repeated = [n for n, k in Counter(names).items() if k > 1]
    if repeated:
        first = repeated[0]
        positions = [str(i) for i, n in enumerate(names, start=1) if n == first]
        more = f" ({len(repeated) - 1} more name(s) are repeated too)" if len(repeated) > 1 else ""
        raise ReadError(
            f"Duplicate column name '{first}' in columns {' and '.join(positions)}{more}. Column names must be unique: "
            "rename the duplicates in the header row and upload the file again."
        )
    return names, tuple(notes)


def _typed_frame(names: list[str], columns: list) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame of the columns and their types; text stays a Categorical only where its type is categorical."""
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)), copy=False)
    column_types = infer_column_types(frame)
    for column, kind in column_types.items():
        if isinstance(frame[column].dtype, pd.CategoricalDtype) and kind != CATEGORICAL:
            frame[column] = np.asarray(frame[column].array, dtype=object)
    return frame, column_types


def _convert_text_columns(names, columns, *, day_first: bool, decimal: str) -> tuple[list, tuple[str, ...]]:
    """Text columns whose values are all booleans, numbers or dates become those (see column_types.convert_text)."""
    converted, notes = [], []
    for label, values in zip(names, columns, strict=True):
        if isinstance(values, pd.Categorical):
            values, note = convert_text(values, day_first=day_first, decimal=decimal)
            if note:
                notes.append(f"Column '{label}' {note}.")
        converted.append(values)
    return converted, tuple(notes)


def format_size(n: int) -> str:
    """A byte count as people read it: "222 bytes", "4.5 KB", "113.5 MB", "1.2 GB"."""
    if n >= 2**30:
        return f"{n / 2**30:,.1f} GB"
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MB"
    if n >= 2**10:
        return f"{n / 2**10:,.1f} KB"
    return f"{n:,} bytes"
