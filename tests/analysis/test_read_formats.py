"""The one reader beyond plain CSV: Parquet, Excel workbooks (.xlsx) and gzip-compressed CSV read to the same
typed table as the CSV of the same data; each kind of bad file gets a message naming its problem."""
from __future__ import annotations

import datetime
import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from analysis.reading.read import ReadError, read_csv, read_table, sheet_names

PEOPLE_CSV = (Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "utf8.csv").read_bytes()
PEOPLE_TYPES = {
    "name": "categorical", "age": "numeric", "city": "categorical",
    "joined": "datetime", "active": "boolean", "score": "numeric",
}


def parquet_bytes(table: pa.Table | pd.DataFrame) -> bytes:
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx written by openpyxl, one worksheet per entry (rows of cell values; None is an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def people_rows() -> list[list]:
    frame = read_csv(PEOPLE_CSV).frame
    cells = [[None if pd.isna(v) else v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
             for row in frame.astype(object).itertuples(index=False)]
    return [list(frame.columns), *cells]


def assert_same_table(table, expected) -> None:
    assert table.column_types == expected.column_types
    pd.testing.assert_frame_equal(table.frame, expected.frame)


def test_gzip_csv_reads_to_the_same_table_as_the_csv():
    compressed = gzip.compress(PEOPLE_CSV)
    table = read_table(compressed, "people.csv.gz")
    assert_same_table(table, read_csv(PEOPLE_CSV))
    assert table.format == "csv.gz" and table.encoding == "utf-8" and table.delimiter == ","
    assert table.content_hash == hashlib.sha256(compressed).hexdigest() and table.size_bytes == len(compressed)
    assert table.notes[0].startswith("Decompressed from gzip")


def test_parquet_reads_to_the_same_table_as_the_csv():
    expected = read_csv(PEOPLE_CSV)
    data = parquet_bytes(expected.frame)
    table = read_table(data, "people.parquet")
    assert_same_table(table, expected)
    assert table.format == "parquet" and table.content_hash == hashlib.sha256(data).hexdigest()
    assert table.column_types == PEOPLE_TYPES


def test_parquet_types_are_inferred_as_for_csv():
    """Text holding numbers or dates becomes those; integers with a gap become floats; booleans with a gap stay
    booleans; a time zone is converted to UTC; a dictionary column is read by its values."""
    data = parquet_bytes(pa.table({
        "amount": pa.array(["1.5", "2", None]),
        "day": pa.array(["2024-01-31", "2024-02-01", "2024-02-02"]),
        "count": pa.array([1, None, 3], pa.int32()),
        "flag": pa.array([True, None, False]),
        "at": pa.array([0, 3_600_000_000, None], pa.timestamp("us", tz="Europe/Berlin")),
        "plan": pa.array(["a", "b", "a"]).dictionary_encode(),
        "__index_level_0__": pa.array([7, 8, 9]),
    }))
    table = read_table(data, "typed.parquet")
    frame = table.frame
    assert list(frame.columns) == ["amount", "day", "count", "flag", "at", "plan"]
    assert frame["amount"].tolist()[:2] == [1.5, 2.0] and frame["day"].dtype == "datetime64[ns]"
    assert frame["count"].dtype == np.float64 and frame["flag"].dtype == "boolean"
    assert table.column_types["plan"] == "categorical" and frame["plan"].tolist() == ["a", "b", "a"]
    assert any("pandas index" in note for note in table.notes)


def test_xlsx_reads_to_the_same_table_as_the_csv():
    data = workbook_bytes({"people": people_rows()})
    table = read_table(data, "people.xlsx")
    assert_same_table(table, read_csv(PEOPLE_CSV))
    assert (table.format, table.sheet) == ("xlsx", "people")
    assert table.content_hash == hashlib.sha256(data).hexdigest()


def test_xlsx_sheet_chooser_reads_the_chosen_sheet_with_a_hash_of_its_own():
    data = workbook_bytes({"people": people_rows(), "prices": [["item", "price", "on sale"], ["pen", 1.5, "yes"],
                                                               ["ink", "12", "no"], ["pad", "#N/A", "yes"]]})
    assert sheet_names(data) == ["people", "prices"]
    first = read_table(data, "book.xlsx")
    assert first.sheet == "people" and "2 sheets" in first.notes[0]
    prices = read_table(data, "book.xlsx", sheet="prices")
    assert prices.frame["price"].tolist()[:2] == [1.5, 12.0] and np.isnan(prices.frame["price"][2])
    assert prices.frame["on sale"].tolist() == [True, False, True]
    assert prices.column_types == {"item": "categorical", "price": "numeric", "on sale": "boolean"}
    assert len({first.content_hash, prices.content_hash, hashlib.sha256(data).hexdigest()}) == 3
    assert sheet_names(PEOPLE_CSV) == []


def test_xlsx_mixed_cells_are_typed_as_csv_text_would_be():
    data = workbook_bytes({"s": [["when", "code", "n"], [datetime.date(2024, 1, 2), 7, 1], ["2024-01-03", "x7", 2],
                                 [datetime.date(2024, 1, 4), 8, None]]})
    frame = read_table(data, "mixed.xlsx").frame
    assert frame["when"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03"),
                                      pd.Timestamp("2024-01-04")]
    assert frame["code"].tolist() == ["7", "x7", "8"]
    assert frame["n"].tolist()[:2] == [1.0, 2.0] and np.isnan(frame["n"][2])


def encrypted_workbook() -> bytes:
    """A workbook saved with a password, as Excel writes it: an OLE compound file holding the encrypted package."""
    sink = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook_bytes({"people": people_rows()}))).encrypt("s3cret", sink)
    return sink.getvalue()


def nested_parquet() -> bytes:
    return parquet_bytes(pa.table({"id": [1, 2], "tags": [["a"], ["b", "c"]], "address": [{"zip": "1"}, {"zip": "2"}]}))


@pytest.mark.parametrize(
    "make, name, words",
    [
        (encrypted_workbook, "secret.xlsx", ["protected with a password", "remove the password"]),
        (lambda: workbook_bytes({"people": people_rows()})[:400], "cut.xlsx",
         ["cut short or damaged", "save it again"]),
        (lambda: workbook_bytes({"empty": [], "people": people_rows()}), "book.xlsx", ["Sheet 'empty' is empty"]),
        (lambda: workbook_bytes({"head": [["a", "b"]]}), "head.xlsx", ["only a header row (a, b)", "no data rows"]),
        (lambda: workbook_bytes({"dup": [["a", "a"], [1, 2]]}), "dup.xlsx", ["Duplicate column name 'a'"]),
        (nested_parquet, "nested.parquet", ["'tags' (lists)", "'address' (records)", "nested values", "Flatten"]),
        (lambda: parquet_bytes(pa.table({"a": [1, 2, 3]}))[:-12], "cut.parquet",
         ["cannot be read as Parquet", "cut short"]),
        (lambda: parquet_bytes(pa.table({"a": pa.array([], pa.int64())})), "none.parquet", ["columns (a) but no rows"]),
        (lambda: b"\x00\x01garbage" * 20, "renamed.parquet", ["named .parquet but is not a Parquet file"]),
        (lambda: gzip.compress(PEOPLE_CSV)[:-12], "people.csv.gz", ["gzip file is truncated", "cut short"]),
        (lambda: gzip.compress(PEOPLE_CSV)[:10] + b"\xff" * 40, "bad.csv.gz", ["gzip file is damaged"]),
        (lambda: gzip.compress(parquet_bytes(pa.table({"a": [1]}))), "t.parquet.gz",
         ["Inside the gzip file", "Parquet"]),
    ],
)
def test_bad_file_of_each_format_gets_a_message_naming_the_problem(make, name, words):
    with pytest.raises(ReadError) as caught:
        read_table(make(), name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    for word in words:
        assert word in message


def test_empty_sheet_chosen_is_named_and_other_sheets_still_read():
    data = workbook_bytes({"people": people_rows(), "notes": []})
    with pytest.raises(ReadError, match="Sheet 'notes' is empty. Choose the sheet that holds the table"):
        read_table(data, "book.xlsx", sheet="notes")
    with pytest.raises(ReadError, match="no sheet 'summary'; its sheets are 'people', 'notes'"):
        read_table(data, "book.xlsx", sheet="summary")


def test_csv_named_like_another_format_is_read_as_csv():
    assert read_table(PEOPLE_CSV, "people.xlsx").column_types == PEOPLE_TYPES


def test_size_limit_applies_to_every_format():
    with pytest.raises(ReadError, match="over the upload limit of 100 bytes"):
        read_table(parquet_bytes(read_csv(PEOPLE_CSV).frame), "p.parquet", max_bytes=100)
