"""The CSV reader: each dialect of tests/fixtures/csv reads to the same table; each bad file gets its message."""
from __future__ import annotations

import codecs
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.leakage.scan import scan_leakage
from analysis.profile.describe import describe_dataset
from analysis.reading.parse import BLOCK_BYTES
from analysis.reading.read import ReadError, infer_column_types, read_csv
from analysis.reading.sniff import HEAD_BYTES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
PEOPLE_TYPES = {
    "name": "categorical", "age": "numeric", "city": "categorical",
    "joined": "datetime", "active": "boolean", "score": "numeric",
}


def read_fixture(name: str, **options):
    return read_csv((FIXTURES / name).read_bytes(), name, **options)


@pytest.mark.parametrize(
    "name, encoding, delimiter, decimal",
    [
        ("utf8.csv", "utf-8", ",", "."),
        ("utf8_bom.csv", "utf-8-sig", ",", "."),
        ("latin1.csv", "cp1252", ",", "."),
        ("semicolon_decimal_comma.csv", "utf-8", ";", ","),
        ("tab.csv", "utf-8", "\t", "."),
        ("pipe.csv", "utf-8", "|", "."),
    ],
)
def test_each_dialect_reads_to_the_same_people(name, encoding, delimiter, decimal):
    table = read_fixture(name)
    frame = table.frame
    assert (table.encoding, table.delimiter, table.decimal) == (encoding, delimiter, decimal)
    assert frame.shape == (5, 6)
    assert list(frame.columns) == list(PEOPLE_TYPES)
    assert frame["name"].tolist() == ["Zoë", "José", "Ana", "Søren", "Chloé"]
    assert frame["city"].tolist()[:2] == ["München", "São Paulo"]
    assert frame["age"].tolist()[:2] == [34, 28] and pd.isna(frame["age"][2])
    assert frame["score"].tolist()[:2] == [1.5, 2.25] and pd.isna(frame["score"][2])
    assert frame["joined"].dtype == "datetime64[ns]" and frame["joined"][0] == pd.Timestamp("2021-03-04")
    assert frame["active"].tolist() == [True, False, True, False, True]
    assert table.column_types == PEOPLE_TYPES


def test_notes_say_how_the_file_was_read():
    assert any("Latin-1 (cp1252)" in n for n in read_fixture("latin1.csv").notes)
    assert any("byte-order mark" in n for n in read_fixture("utf8_bom.csv").notes)
    assert any("decimal comma" in n for n in read_fixture("semicolon_decimal_comma.csv").notes)
    assert read_fixture("utf8.csv").notes == ()


def test_quoted_fields_keep_delimiters_quotes_and_newlines():
    frame = read_fixture("quoted_newline.csv").frame
    assert frame.shape == (3, 3)
    assert frame["comment"].tolist() == ["Great, fast\ndelivery", "plain", 'He said "wow"\nthen left']
    assert frame["rating"].tolist() == [5, 3, 4]


def test_day_first_dates_next_to_decimal_commas():
    table = read_fixture("day_first_dates.csv")
    assert table.frame["day"].tolist() == [pd.Timestamp("2023-12-31"), pd.Timestamp("2024-02-01"),
                                           pd.Timestamp("2024-03-15")]
    assert table.frame["amount"].tolist() == [1.5, 2.0, 3.25]
    assert any("%d.%m.%Y" in n for n in table.notes)


def test_content_hash_and_size_describe_the_uploaded_bytes():
    data = (FIXTURES / "utf8.csv").read_bytes()
    table = read_csv(data)
    assert table.content_hash == hashlib.sha256(data).hexdigest()
    assert table.size_bytes == len(data)


@pytest.mark.parametrize(
    "name, words",
    [
        ("empty.csv", ["empty"]),
        ("header_only.csv", ["only a header row", "name, age, city", "no data rows"]),
        ("excel_named.csv", ["Excel workbook", "File > Save As > CSV UTF-8"]),
        ("binary.csv", ["binary data, not text"]),
        ("ragged.csv", ["Line 4 has 5 fields but the header has 4", "unquoted delimiter"]),
        ("ragged_short.csv", ["Line 3 has 2 fields but the header has 3", "missing fields"]),
        ("duplicate_columns.csv", ["Duplicate column name 'price'", "columns 2 and 4", "rename"]),
    ],
)
def test_bad_file_gets_a_message_naming_the_problem(name, words):
    with pytest.raises(ReadError) as caught:
        read_fixture(name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    for word in words:
        assert word in message


def test_file_over_the_size_limit_is_refused_before_reading():
    with pytest.raises(ReadError, match=r"upload.csv: The file is 222 bytes, over the upload limit of 100 bytes"):
        read_csv((FIXTURES / "utf8.csv").read_bytes(), max_bytes=100)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"PAR1" + b"\x00" * 20, "Parquet file"),
        (gzip.compress(b"a,b\n1,2\n", mtime=0), "gzip-compressed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "Excel 97-2003 workbook"),
        (b"PK\x03\x04" + b"\x00" * 20, "Excel workbook or a ZIP archive"),
        (b"\xef\xbb\xbf\n\n", "empty"),
    ],
)
def test_other_formats_are_named(data, words):
    with pytest.raises(ReadError, match=words):
        read_csv(data)


def test_ragged_line_number_counts_quoted_newlines():
    with pytest.raises(ReadError, match="Line 4 has 3 fields but the header has 2"):
        read_csv(b'a,b\n1,"two\nlines"\n2,3,4\n')


def test_utf16_with_byte_order_mark_is_converted():
    table = read_csv(codecs.BOM_UTF16_LE + "a,b\n1,é\n".encode("utf-16-le"))
    assert table.encoding == "utf-16"
    assert table.frame["b"].tolist() == ["é"]


def test_latin1_byte_after_the_sniffed_head_switches_encoding():
    rows = b"".join(b"%d,plain\n" % i for i in range(HEAD_BYTES // 8 + 10))
    table = read_csv(b"n,word\n" + rows + b"1,caf\xe9\n")
    assert table.encoding == "cp1252"
    assert table.frame["word"].iloc[-1] == "café"


def test_type_change_after_the_first_block_is_reread():
    rows = BLOCK_BYTES // 6 + 100
    data = b"n,x,later\n" + b"1,2,\n" * rows + b"3,4.5,text\n"
    frame = read_csv(data).frame
    assert frame["x"].dtype == np.float64 and frame["x"].iloc[-1] == 4.5 and frame["x"].iloc[0] == 2.0
    assert frame["later"].isna().sum() == rows and frame["later"].iloc[-1] == "text"


def test_missing_markers_and_empty_fields_are_missing():
    frame = read_csv(b'a,b,c\n1,,x\nNA,"",\n3,null,y\n').frame
    assert frame["a"].isna().tolist() == [False, True, False]
    assert frame["b"].isna().all()
    assert frame["c"].isna().tolist() == [False, True, False]


def test_infinities_and_padded_numbers_are_numbers():
    frame = read_csv(b"x,y\n1.5, 7\ninf, 8\n-inf, 9\n").frame
    assert frame["x"].tolist() == [1.5, np.inf, -np.inf]
    assert frame["y"].tolist() == [7, 8, 9]


def test_booleans_and_zero_one_columns():
    table = read_csv(b"answer,flag,maybe\nyes,1,\nno,0,true\nYes,1,false\n")
    assert table.frame["answer"].tolist() == [True, False, True]
    assert table.frame["flag"].tolist() == [1, 0, 1]              # the data stay numbers
    assert table.frame["maybe"].dtype == "boolean"                # missing value: nullable booleans
    assert table.column_types == {"answer": "boolean", "flag": "boolean", "maybe": "boolean"}


def test_ids_text_and_categories_are_told_apart():
    lines = ["user_id,code,review,plan"] + [
        f"{i},C{i:04d},this product number {i} was fine,{['basic', 'plus'][i % 2]}" for i in range(1, 41)
    ]
    table = read_csv("\n".join(lines).encode())
    assert table.column_types == {"user_id": "id", "code": "id", "review": "text", "plan": "categorical"}
    assert table.frame["code"].dtype == object and table.frame["review"].dtype == object
    assert isinstance(table.frame["plan"].dtype, pd.CategoricalDtype)


def test_blank_header_name_is_named_by_position():
    table = read_csv(b",value\n0,1\n1,2\n")
    assert list(table.frame.columns) == ["column_1", "value"]
    assert any("column_1" in n for n in table.notes)


def test_infer_column_types_on_a_plain_frame():
    frame = pd.DataFrame({
        "n": [1.5, 2.5, None], "when": pd.to_datetime(["2024-01-01", None, "2024-01-03"]),
        "label": ["a", "b", "a"], "ok": [True, False, True],
    })
    assert infer_column_types(frame) == {"n": "numeric", "when": "datetime", "label": "categorical", "ok": "boolean"}


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_any_line_ending(newline):
    frame = read_csv(newline.join([b"a,b", b"1,x", b'2,"y' + newline + b'z"', b""])).frame
    assert frame["a"].tolist() == [1, 2]
    assert frame["b"].tolist() == ["x", "y" + newline.decode() + "z"]


def test_valid_csv_with_cells_larger_than_the_csv_modules_default_limit():
    """The csv module's 128 KB field limit is not a property of CSV: a 300 KB cell in the first row is valid."""
    data = b"id,note,y\n1," + b"x" * 300_000 + b",b\n2,short,a\n3,\"" + b"q," * 200_000 + b"\",a\n"
    frame = read_csv(data, "big.csv").frame
    assert frame["note"].str.len().tolist() == [300_000, 5, 400_000]
    assert frame["y"].tolist() == ["b", "a", "a"]


def test_a_long_cell_is_kept_whole_in_the_data_and_shown_cut_in_results():
    """The 300 KB cell stays whole in the frame; the profile's top values and a leakage finding's examples show
    its first 200 characters and its length."""
    long = "x" * 300_000
    rows = [f"{i},{long if i % 2 else 'short'},{'a' if i % 3 else 'b'}" for i in range(40)]
    table = read_csv(("id,note,y\n" + "\n".join(rows + rows[:4]) + "\n").encode())
    assert table.frame["note"].str.len().max() == 300_000
    profile = describe_dataset(table.frame, table.column_types)
    note = next(c for c in profile.columns if c.name == "note")
    shown = [v.value for v in note.top]
    assert f"{'x' * 200}… (300,000 characters)" in shown and all(len(v) < 230 for v in shown)
    report = scan_leakage(table.frame, table.column_types, "y")
    examples = [row for f in report.findings for row in f.evidence.get("examples", [])]
    assert examples and all(len(str(v)) < 230 for row in examples for v in row.values())
