"""Look at the first bytes of an upload: refuse what is not a CSV, and find its encoding, delimiter and decimal mark."""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from analysis.errors import ReadError

# The csv module refuses fields above 128 KB by default; a valid CSV may hold one cell as large as the upload.
CSV_FIELD_LIMIT = 200 * 2**20
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))

HEAD_BYTES = 256 * 1024          # encoding and binary checks look at this prefix
SNIFF_BYTES = 64 * 1024          # delimiter, decimal mark and header are found in this prefix
CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\f\r\x1a")   # rare in text; \x1a ends old DOS files
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAVE_AS_CSV = "Save it as CSV (File > Save As > CSV UTF-8) and upload that."

# (leading bytes, what the file is, what to do)
MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)", SAVE_AS_CSV),
    (b"PAR1", "a Parquet file", "Export the table as CSV and upload that."),
    (b"SQLite format 3\x00", "an SQLite database", "Export the table as CSV and upload that."),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it (for example with gunzip) and upload the CSV inside."),
    (b"BZh", "a bzip2-compressed file", "Decompress it and upload the CSV inside."),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "Decompress it and upload the CSV inside."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Extract it and upload the CSV inside."),
    (b"%PDF", "a PDF document", "Export the table as CSV and upload that."),
    (b"\x89PNG", "a PNG image", "Upload the data as a CSV file."),
    (b"\xff\xd8\xff", "a JPEG image", "Upload the data as a CSV file."),
)

_LINE_END = re.compile(rb"\r\n?|\n")
_COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+")
_DOT_NUMBER = re.compile(r"[+-]?\d*\.\d+")


@dataclass(frozen=True)
class Dialect:
    """How to read one CSV file.

    encoding: codec of the text after ``skip`` bytes: "utf-8", "cp1252" or "latin-1".
    skip: bytes to skip at the start (a UTF-8 byte-order mark).
    delimiter: "," ";" "\\t" or "|".
    decimal: "." or ",".
    header: the column names as written in the first row (not yet cleaned).
    quoted: True when the file contains a double quote, so fields may hold delimiters and newlines.
    notes: what the reader noticed, in words for the user (e.g. "Read as Latin-1 (cp1252)").
    """

    encoding: str
    skip: int
    delimiter: str
    decimal: str
    header: tuple[str, ...]
    quoted: bool
    notes: tuple[str, ...]


def refuse_binary(data: bytes) -> None:
    """Raise ReadError when ``data`` is a known binary format (Excel, zip, Parquet, ...) or not text at all."""
    if data.startswith(b"PK\x03\x04"):
        raise ReadError(_zip_message(data))
    for magic, what, fix in MAGIC:
        if data.startswith(magic):
            raise ReadError(f"This looks like {what}, not a CSV. {fix}")
    head = data[:HEAD_BYTES]
    control = len(head) - len(head.translate(None, CONTROL_BYTES))
    if b"\x00" in head or control > len(head) // 100:
        raise ReadError(
            "This file contains binary data, not text. Upload a CSV file: if the data is in a spreadsheet, "
            + SAVE_AS_CSV[0].lower() + SAVE_AS_CSV[1:]
        )


def _zip_message(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        names = []
    if any(n.startswith("xl/") for n in names) or b"xl/" in data[:HEAD_BYTES]:
        return f"This looks like an Excel workbook, not a CSV. {SAVE_AS_CSV}"
    if names:
        return "This looks like a ZIP archive, not a CSV. Unzip it and upload the CSV inside."
    return (
        "This looks like an Excel workbook or a ZIP archive, not a CSV. If it is a workbook, save it as CSV "
        "(File > Save As > CSV UTF-8); if it is an archive, unzip it; then upload the CSV."
    )


def transcode_utf16(data: bytes) -> tuple[bytes, str | None]:
    """Convert UTF-16 text (recognised by its byte-order mark) to UTF-8; return the bytes and a note (or None)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "Read as UTF-16 and converted to UTF-8."
        except UnicodeDecodeError:
            raise ReadError(
                "The file starts like UTF-16 text but is not valid UTF-16. Save it as CSV UTF-8 and upload that."
            ) from None
    return data, None


def sniff_encoding(data: bytes) -> tuple[str, int, str | None]:
    """Return (encoding, bytes to skip, note) from the head: UTF-8 (with or without BOM), else cp1252, else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8), "Read as UTF-8 with a byte-order mark (BOM)."
    head = data[:HEAD_BYTES]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == len(data))
        return "utf-8", 0, None
    except UnicodeDecodeError:
        return fallback_encoding(head)


def fallback_encoding(head: bytes) -> tuple[str, int, str]:
    """The encoding for text that is not UTF-8: cp1252 when it decodes, else Latin-1 (which always decodes)."""
    try:
        head.decode("cp1252")
        return "cp1252", 0, "Read as Latin-1 (cp1252): the file is not valid UTF-8."
    except UnicodeDecodeError:
        return "latin-1", 0, "Read as Latin-1 (ISO-8859-1): the file is not valid UTF-8."


def sniff_dialect(data: bytes) -> Dialect:
    """Refuse non-CSV input and find how to read ``data`` (UTF-16 already transcoded); raise ReadError saying what is
    wrong and what to do: empty, binary or a known non-CSV format, only a header row."""
    if not data or data.isspace():
        raise ReadError(
            "The file is empty. Export the data again with a header row and at least one data row, then upload it."
        )
    refuse_binary(data)
    encoding, skip, note = sniff_encoding(data)
    text, complete = _head_text(data, skip, encoding)
    if not text.strip():
        raise ReadError(
            "The file is empty: it holds only a byte-order mark or blank lines. Export the data again with a header "
            "row and at least one data row, then upload it."
        )
    delimiter, rows = _sniff_delimiter(text, complete)
    header = tuple(rows[0])
    if len(rows) == 1:
        names = ", ".join(h.strip() for h in header[:8]) + (", ..." if len(header) > 8 else "")
        raise ReadError(
            f"The file has only a header row ({names}) and no data rows. Export it again with its data rows "
            "(check that the export finished and that no filter hid the rows), then upload it."
        )
    decimal = _sniff_decimal(rows[1:]) if delimiter != "," else "."
    notes = [note] if note else []
    if delimiter != ",":
        notes.append(f"Fields are separated by {DELIMITER_NAMES[delimiter]}s.")
    if decimal == ",":
        notes.append("Numbers use a decimal comma (1,5 is read as 1.5).")
    return Dialect(encoding, skip, delimiter, decimal, header, b'"' in data, tuple(notes))


def _head_text(data: bytes, skip: int, encoding: str) -> tuple[str, bool]:
    """The first SNIFF_BYTES (at least two whole lines) as text, cut after the last full line; and whether that is
    the whole file."""
    end = skip
    for _ in range(2):
        found = _LINE_END.search(data, end)
        end = len(data) if found is None else found.end()
    head = data[skip : max(skip + SNIFF_BYTES, end)]
    complete = skip + len(head) == len(data)
    text = head.decode(encoding, errors="replace")
    if not complete:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    return text, complete


def _sniff_delimiter(text: str, complete: bool) -> tuple[str, list[list[str]]]:
    """The delimiter whose rows have the most consistent field count (then the most fields); with its parsed rows."""
    best_score, best, problem = None, None, None
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row]
        except csv.Error as error:
            problem = error
            continue
        if not complete and len(rows) > 2:
            rows = rows[:-1]  # the last row may be cut off by the end of the head
        width = len(rows[0])
        body = rows[1:] or rows
        consistent = sum(len(r) == width for r in body) / len(body)
        score = (width > 1, consistent, width)
        if best_score is None or score > best_score:
            best_score, best = score, (delimiter, rows)
    if best is None:
        raise ReadError(f"The start of the file is not valid CSV text ({problem}). "
                        "Check that it is a plain CSV export.")
    return best


def _sniff_decimal(rows: list[list[str]]) -> str:
    """"," when more fields look like 1,5 than like 1.5 (only asked when the delimiter is not a comma)."""
    counts = Counter()
    for row in rows:
        for field in row:
            field = field.strip()
            if _COMMA_NUMBER.fullmatch(field):
                counts[","] += 1
            elif _DOT_NUMBER.fullmatch(field):
                counts["."] += 1
    return "," if counts[","] > counts["."] else "."
