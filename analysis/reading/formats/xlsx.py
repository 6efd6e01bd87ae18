"""Excel workbooks (.xlsx, .xlsm): the worksheets' names, and one sheet's cells as columns.

Cells keep the type Excel gave them: a column of numbers, of booleans or of dates becomes that; any other column
(text, or a mix) becomes text, which analysis.reading.read then types the way it types CSV text (numbers written as text
become numbers, and so on). Empty cells, and text cells holding a missing-value marker (#N/A, NA, ...), are missing.
A workbook protected with a password is an OLE compound file holding an encrypted package: it is named as such.
"""
from __future__ import annotations

import datetime
import io
import zipfile

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from analysis.errors import ReadError
from analysis.reading.parse import NULL_VALUES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"             # OLE compound file: .xls, or an encrypted .xlsx
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")    # the stream Excel stores an encrypted workbook in
MISSING_TEXT = frozenset(NULL_VALUES)


def is_workbook(data: bytes) -> bool:
    """True for a zip file holding an Excel workbook (xl/workbook.xml)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return b"xl/workbook.xml" in data[:65536]    # cut short: the start still names its parts


def is_encrypted_workbook(data: bytes) -> bool:
    """True for an OLE compound file holding an encrypted Office package (a workbook saved with a password)."""
    return data.startswith(OLE_MAGIC) and ENCRYPTED_STREAM in data


def sheet_names(data: bytes) -> list[str]:
    """The visible worksheets of a workbook, in workbook order (chart sheets and hidden sheets left out)."""
    book = _open(data)
    return [m.name for m in book.sheets_metadata
            if str(m.typ).endswith("WorkSheet") and str(m.visible).endswith(".Visible")]


def sheet_columns(data: bytes, sheet: str | None) -> tuple[str, list[str], list, tuple[str, ...]]:
    """(sheet name, header, one array per column, notes) of ``sheet`` (None: the first worksheet); ReadError
    naming the problem: no such sheet, an empty sheet, a header without rows."""
    book = _open(data)
    names = sheet_names(data)
    if not names:
        raise ReadError("The workbook has no visible worksheet. "
                        "Unhide a sheet that holds the table, save, and upload again.")
    notes = []
    if sheet is None:
        sheet = names[0]
        if len(names) > 1:
            notes.append(f"The workbook has {len(names)} sheets; read the first, '{sheet}'.")
    elif sheet not in names:
        raise ReadError(f"The workbook has no sheet '{sheet}'; its sheets are {', '.join(repr(n) for n in names)}. "
                        "Choose one of them.")
    try:
        cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
    except Exception as error:     # python-calamine raises its own error types for damaged parts
        raise ReadError(f"Sheet '{sheet}' cannot be read ({error}). "
                        "Open the workbook in Excel, save it again, then upload it.") from None
    while cells and all(v == "" for v in cells[-1]):
        cells.pop()
    if not cells:
        raise ReadError(
            f"Sheet '{sheet}' is empty. Choose the sheet that holds the table (a header row, then one row per record)."
        )
    header = [_text(v) if v != "" else "" for v in cells[0]]
    if len(cells) == 1:
        shown = ", ".join(h for h in header[:8] if h) + (", ..." if len(header) > 8 else "")
        raise ReadError(f"Sheet '{sheet}' has only a header row ({shown}) and no data rows. Choose the sheet with the "
                        "data, or add its rows, then upload it again.")
    body = cells[1:]
    columns = [_column([row[i] for row in body]) for i in range(len(header))]
    notes.append(f"Read sheet '{sheet}' of the workbook.")
    return sheet, header, columns, tuple(notes)


def _open(data: bytes):
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:     # a damaged or cut-short zip, a missing part
        raise ReadError(
            f"The file starts like an Excel workbook but cannot be opened ({error}). It may be cut short or damaged: "
            "open it in Excel, save it again as .xlsx, then upload it."
        ) from None


def _column(values: list):
    """One column's cells as the reader's arrays: bool, int64/float64, datetime64[ns], or text as a Categorical."""
    cells = [None if v == "" or (isinstance(v, str) and v.strip() in MISSING_TEXT) else v for v in values]
    present = [v for v in cells if v is not None]
    if not present:
        return np.full(len(cells), np.nan)
    kinds = {_kind(v) for v in present}
    missing = len(present) < len(cells)
    if kinds == {"bool"}:
        flags = np.array([bool(v) for v in (False if v is None else v for v in cells)])
        return pd.arrays.BooleanArray(flags, np.array([v is None for v in cells])) if missing else flags
    if kinds == {"number"}:
        numbers = np.array([np.nan if v is None else float(v) for v in cells])
        finite = numbers[np.isfinite(numbers)]
        if not missing and np.all(np.mod(finite, 1) == 0) and np.all(np.abs(finite) < 2**53):
            return numbers.astype(np.int64)
        return numbers
    if kinds == {"date"}:
        try:
            return pd.to_datetime(pd.Series(cells, dtype=object)).to_numpy(dtype="datetime64[ns]")
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass    # a date outside 1677-2262: kept as text
    codes, labels = pd.factorize(pd.Series([None if v is None else _text(v) for v in cells], dtype=object))
    return pd.Categorical.from_codes(codes, categories=labels)     # categories in order of appearance, as for CSV


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return "date"
    return "text"


def _text(value) -> str:
    """A cell as text: whole numbers without '.0', dates in ISO 8601, the rest as Python writes it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)
