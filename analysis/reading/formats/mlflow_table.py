"""Tables logged with ``mlflow.log_table``: a JSON file ``{"columns": [...], "data": [[...], ...]}`` (pandas' "split"
orient without the index), read into the same raw columns as a Parquet file's (analysis.reading.parse.arrow_columns), so
analysis.reading.read types them as it types every format."""
from __future__ import annotations

import json
import math

import pyarrow as pa

from analysis.errors import ReadError
from analysis.reading.parse import arrow_columns

SHAPE = '{"columns": ["id", "score"], "data": [[1, 0.91], [2, 0.12]]}'
NOT_A_TABLE = ("This JSON file is not a table logged with mlflow.log_table, which is an object with \"columns\" (the "
               f"names) and \"data\" (one list per row), e.g. {SHAPE}. "
               "Log the predictions with mlflow.log_table(frame, "
               "\"predictions.json\"), or as a Parquet or CSV file with mlflow.log_artifact.")


def is_json(data: bytes) -> bool:
    """Whether the bytes start like a JSON object (after blanks and a UTF-8 byte-order mark)."""
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def table_columns(data: bytes) -> tuple[list[str], list, tuple[str, ...]]:
    """(column names, one array per column, notes) of a table logged with mlflow.log_table; ReadError saying what is
    wrong: not JSON, not that shape, rows of another length than the header, nested cells, no rows."""
    names, rows = _split(_parse(data))
    columns = [_column(name, [row[i] for row in rows]) for i, name in enumerate(names)]
    schema = pa.schema([pa.field(str(i), column.type) for i, column in enumerate(columns)])
    batch = pa.RecordBatch.from_arrays(columns, schema=schema)
    return names, arrow_columns(schema, [batch], len(rows)), ()


def _parse(data: bytes):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReadError("The JSON file is not UTF-8 text. Log the table again with mlflow.log_table.") from None
    except json.JSONDecodeError as error:
        raise ReadError(f"The file starts like JSON but is not valid JSON ({error.msg} at line {error.lineno}, column "
                        f"{error.colno}): it may be cut short. {NOT_A_TABLE}") from None


def _split(document) -> tuple[list[str], list[list]]:
    if not isinstance(document, dict) or not isinstance(document.get("columns"), list) \
            or not isinstance(document.get("data"), list):
        raise ReadError(NOT_A_TABLE)
    names, rows = document["columns"], document["data"]
    if not names:
        raise ReadError("The table logged with mlflow.log_table has no columns. Log it again with its columns.")
    if not rows:
        raise ReadError(f"The table logged with mlflow.log_table has columns ({', '.join(map(str, names[:8]))}) but "
                        "no rows. Log it again with its rows.")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != len(names):
            found = (f"{len(row)} value{'' if len(row) == 1 else 's'}" if isinstance(row, list) else "not a list")
            raise ReadError(f"Row {number} of the table logged with mlflow.log_table has {found}, but the table has "
                            f"{len(names)} columns. Log the table again with mlflow.log_table.")
    return [str(name) for name in names], rows


def _column(name: str, values: list) -> pa.Array:
    """One column as Arrow infers it from the JSON values (NaN as missing); text when its values mix kinds."""
    nested = next((v for v in values if isinstance(v, (list, dict))), None)
    if nested is not None:
        raise ReadError(f"Column '{name}' holds nested values (lists or objects, e.g. {json.dumps(nested)[:60]}); "
                        "Blueprint reads tables of one value per cell. Log one column per value, then log it again.")
    values = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
