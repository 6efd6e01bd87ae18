"""AppTest: the Datasets page takes Parquet files and Excel workbooks; a workbook with two sheets asks which one."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from tests.analysis.test_read_formats import parquet_bytes, people_rows, workbook_bytes
from tests.apptest import open_app, shown, stored_datasets, texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRICES = [["item", "price", "on sale"], ["pen", 1.5, "yes"], ["ink", 12, "no"], ["pad", 3, "yes"]]


def test_workbook_with_two_sheets_asks_which_sheet_and_stores_each_chosen(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    at.file_uploader[0].upload("book.xlsx", workbook_bytes({"people": people_rows(), "prices": PRICES}), XLSX).run()
    assert not at.exception
    chooser = at.selectbox(key=[k for k in (w.key for w in at.selectbox) if k.startswith("sheet-")][0])
    assert chooser.options == ["people", "prices"] and "book.xlsx" in shown(chooser.label)
    assert "book.xlsx · people" not in stored_datasets(app_home)           # nothing stored before a sheet is chosen
    chooser.select("prices").run()
    at.button(key=[b.key for b in at.button if b.key.startswith("store-sheet-")][0]).click().run()
    assert not at.exception
    assert any("Stored 'book.xlsx · prices': 3 rows × 3 columns" in s for s in texts(at, "success"))
    stored = stored_datasets(app_home)["book.xlsx · prices"]
    assert stored.column_types == {"item": "categorical", "price": "numeric", "on sale": "boolean"}
    chooser = at.selectbox(key=chooser.key)
    chooser.select("people").run()
    at.button(key=[b.key for b in at.button if b.key.startswith("store-sheet-")][0]).click().run()
    assert any("Stored 'book.xlsx · people': 5 rows × 6 columns" in s for s in texts(at, "success"))
    assert {"book.xlsx · prices", "book.xlsx · people"} <= set(stored_datasets(app_home))
    assert "book.xlsx · people" in set(at.dataframe[0].value["Dataset"])


def test_parquet_upload_is_stored_and_a_nested_one_is_refused_with_its_reason(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    frame = pd.DataFrame({"age": [34, 51, 29, 40], "plan": ["basic", "pro", "basic", "pro"],
                          "churned": [True, False, False, True]})
    at.file_uploader[0].upload("customers.parquet", parquet_bytes(frame), "application/octet-stream").run()
    assert not at.exception
    assert any("Stored 'customers.parquet': 4 rows × 3 columns" in s for s in texts(at, "success"))
    assert stored_datasets(app_home)["customers.parquet"].column_types == {"age": "numeric", "plan": "categorical",
                                                                   "churned": "boolean"}

    nested = parquet_bytes(pa.table({"id": [1, 2], "tags": [["a"], ["b"]]}))
    at.file_uploader[0].upload("nested.parquet", nested, "application/octet-stream").run()
    assert any("nested.parquet: Column(s) 'tags' (lists) hold nested values" in e for e in texts(at, "error"))
    assert "nested.parquet" not in stored_datasets(app_home)
