"""Parquet files: checked from the footer first (columns, nesting, size), then read one row group at a time into
the same arrays as CSV columns (analysis.reading.parse.arrow_columns)."""
from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.errors import ReadError
from analysis.reading.parse import arrow_columns

PARQUET_MAGIC = b"PAR1"
ENCRYPTED_FOOTER = b"PARE"             # files written with Parquet modular encryption end with this
PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def parquet_columns(data: bytes, max_frame_bytes: int, size_text) -> tuple[list[str], list, tuple[str, ...]]:
    """(column names, one array per column, notes) of a Parquet file; ReadError saying what is wrong: damaged or
    cut short, encrypted, nested columns, no rows, no columns, too large for memory."""
    if data.endswith(ENCRYPTED_FOOTER):
        raise ReadError("This Parquet file is encrypted. Write it again without encryption, then upload it.")
    try:
        file = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise ReadError(
            f"The file starts like Parquet but cannot be read as Parquet ({error}). It may be cut short or damaged: "
            "write or download it again, then upload it."
        ) from None
    schema = file.schema_arrow
    nested = [f"'{f.name}' ({_kind(f.type)})" for f in schema if pa.types.is_nested(f.type)]
    if nested:
        shown = ", ".join(nested[:5]) + (f" and {len(nested) - 5} more" if len(nested) > 5 else "")
        raise ReadError(
            f"Column(s) {shown} hold nested values; Blueprint reads tables of one value per cell. Flatten them "
            "(one column per field, or a list joined into text) or leave them out, then upload the file again."
        )
    keep = [f.name for f in schema if not PANDAS_INDEX.fullmatch(f.name)]
    notes = (("The pandas index stored in the file was left out (it holds row labels, not data).",)
             if len(keep) < len(schema) else ())
    rows = file.metadata.num_rows
    if not keep:
        raise ReadError("The Parquet file has no columns. Write it again with its columns, then upload it.")
    if rows == 0:
        raise ReadError(
            f"The Parquet file has columns ({', '.join(keep[:8])}{', ...' if len(keep) > 8 else ''}) but no rows. "
            "Write it again with its rows, then upload it."
        )
    estimate = rows * len(keep) * 8
    if estimate > max_frame_bytes:
        raise ReadError(
            f"The Parquet file holds {rows:,} rows × {len(keep)} columns, about {size_text(estimate)} in memory, "
            f"over the limit of {size_text(max_frame_bytes)} for an upload. "
            "Upload a sample of the rows or fewer columns."
        )
    try:
        batches = (batch for i in range(file.num_row_groups)
                   for batch in file.read_row_group(i, columns=keep).to_batches())
        columns = arrow_columns(pa.schema([schema.field(n) for n in keep]), batches, rows)
    except (pa.ArrowException, OSError) as error:
        raise ReadError(
            f"The Parquet file is damaged: a part of its data cannot be read ({error}). Write or download it again, "
            "then upload it."
        ) from None
    return keep, columns, notes


def _kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_struct(arrow_type):
        return "records"
    if pa.types.is_map(arrow_type):
        return "maps"
    return "lists"
