"""The one reader takes a table logged with mlflow.log_table (a JSON file {"columns": [...], "data": [[...]]}) and
types it as every format; what is not such a table gets a message saying what is wrong and what to do."""
from __future__ import annotations

import json

import pytest

from analysis.reading.read import ReadError, read_table


def test_a_logged_table_is_typed_as_every_format():
    data = json.dumps({"columns": ["id", "score", "label", "when"],
                       "data": [[1, 0.9, "yes", "2024-01-02"], [2, float("nan"), "no", "2024-01-03"],
                                [3, 0.1, "no", "2024-01-04"]]}).encode()
    table = read_table(data, "predictions.json")
    assert table.format == "json" and table.frame.shape == (3, 4)
    assert table.frame["id"].tolist() == [1, 2, 3] and table.frame["score"].isna().tolist() == [False, True, False]
    assert table.column_types["score"] == "numeric" and table.column_types["when"] == "datetime"
    csv = read_table(b"id,score,label,when\n1,0.9,yes,2024-01-02\n2,,no,2024-01-03\n3,0.1,no,2024-01-04\n", "t.csv")
    assert table.column_types == csv.column_types            # yes/no read as booleans, as in a CSV file


def test_a_column_mixing_kinds_is_read_as_text():
    table = read_table(b'{"columns": ["a"], "data": [[1], ["x"], [null]]}', "t.json")
    assert table.frame["a"].astype(str).tolist()[:2] == ["1", "x"] and table.frame["a"].isna().iloc[2]


@pytest.mark.parametrize("data,message", [
    (b'{"threshold": 0.4}', 'not a table logged with mlflow.log_table, which is an object with "columns"'),
    (b'{"columns": ["a", "b"], "data": [[1]]}', "Row 1 of the table logged with mlflow.log_table has 1 value, but the "
                                                "table has 2 columns"),
    (b'{"columns": ["a"], "data": [[[1, 2]]]}', "Column 'a' holds nested values"),
    (b'{"columns": ["a"], "data": []}', "has columns (a) but no rows"),
    (b'{"columns": ["a"], "data": [[1],', "not valid JSON"),
    (b"[1, 2, 3]", "not a table logged with mlflow.log_table"),
])
def test_what_is_not_a_logged_table_is_named(data, message):
    with pytest.raises(ReadError, match="^t.json: .*" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        read_table(data, "t.json")
