"""How each engine spells the few parts of the profile's figure queries that SQL does not standardise.

    DUCKDB("count_if", x="v = 0")          # 'count_if(v = 0)'
    POSTGRESQL("count_if", x="v = 0")      # 'count(*) FILTER (WHERE v = 0)'

The queries themselves are written once, in analysis.engine.figures; a Dialect fills in its engine's spelling of
each part named in SPELLINGS (one line per part: DuckDB's spelling, then PostgreSQL's), and says which of its type
names are numbers, times, booleans and text. A new engine is one more spelling per line and its type names.
"""
from __future__ import annotations

from dataclasses import dataclass

NUMBER, TIME, LABEL = "number", "time", "label"
ROWS = "blueprint_rows"          # the alias of a SQL source's rows (analysis.engine.pushdown reads a query as it)
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)$"

# part: (DuckDB, PostgreSQL). {x}: an expression; {q}: numbers separated by commas; {columns}: quoted column names.
SPELLINGS = {
    "float": ("DOUBLE", "float8"),
    "timestamp": ("TIMESTAMP", "timestamp"),
    "count_if": ("coalesce(count_if({x}), 0)", "count(*) FILTER (WHERE {x})"),     # DuckDB's: NULL over NULLs
    "is_nan": ("isnan({x})", "({x} = 'NaN'::float8)"),
    "is_finite": ("isfinite({x})", "({x} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8))"),
    "infinity": ("CAST('inf' AS DOUBLE)", "CAST('Infinity' AS float8)"),
    "epoch_ns": ("epoch_ns({x})", "CAST(extract(epoch FROM {x}) * 1000000000 AS int8)"),
    "text_bytes": ("strlen(CAST({x} AS VARCHAR))", "octet_length(CAST({x} AS text))"),
    "quantiles": ("quantile_cont({x}, [{q}])", "percentile_cont(ARRAY[{q}]::float8[]) WITHIN GROUP (ORDER BY {x})"),
    "numbers": ("(CAST([{q}] AS DOUBLE[]))", "(ARRAY[{q}]::float8[])"),
    "row_key": ("hash({columns})", f"CAST({ROWS} AS text)"),
    "text_order": ("{x}", '{x} COLLATE "C"'),
    "reads_as_number": ("TRY_CAST(trim(CAST({x} AS VARCHAR)) AS DOUBLE) IS NOT NULL",
                        f"trim(CAST({{x}} AS text)) ~* '{NUMBER_TEXT}'"),
}


@dataclass(frozen=True)
class Dialect:
    """One engine's spelling (its column in SPELLINGS) and type names (upper case for DuckDB, as it names them).

    name: the engine ("duckdb", "postgresql"), as Profile.exact_engine says it.
    integer_types, number_types (integers too), time_types, boolean_types, text_types: its type names of each kind
    (text: those ordered by code point only when asked to, see text_order); any other type is a label.
    """

    name: str
    column: int
    integer_types: frozenset[str]
    number_types: frozenset[str]
    time_types: frozenset[str]
    boolean_types: frozenset[str]
    text_types: frozenset[str]

    def __call__(self, part: str, **pieces) -> str:
        """The engine's spelling of ``part`` with ``pieces`` ({x}, {q}, {columns}) filled in."""
        return SPELLINGS[part][self.column].format(**pieces)

    def kind(self, type_name: str | None) -> str:
        """number, time or label for one of the engine's type names (booleans, text and anything else are labels)."""
        base = (type_name or "").split("(")[0]
        if base in self.number_types:
            return NUMBER
        if base in self.time_types:
            return TIME
        return LABEL

    def order(self, value: str, type_name: str | None) -> str:
        """``value`` in an ORDER BY: text by code point (as Python orders it), other types as they are."""
        return self("text_order", x=value) if type_name in self.text_types else value


DUCKDB_INTEGERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                             "UINTEGER", "UBIGINT", "UHUGEINT"})
POSTGRESQL_INTEGERS = frozenset({"int2", "int4", "int8", "oid"})
DUCKDB = Dialect(
    "duckdb", 0,
    integer_types=DUCKDB_INTEGERS,
    number_types=DUCKDB_INTEGERS | {"FLOAT", "DOUBLE", "DECIMAL"},
    time_types=frozenset({"DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPTZ",
                          "TIMESTAMP WITH TIME ZONE"}),
    boolean_types=frozenset({"BOOLEAN"}),
    text_types=frozenset({"VARCHAR"}),
)
POSTGRESQL = Dialect(
    "postgresql", 1,
    integer_types=POSTGRESQL_INTEGERS,
    number_types=POSTGRESQL_INTEGERS | {"float4", "float8", "numeric"},
    time_types=frozenset({"timestamp", "timestamptz", "date"}),
    boolean_types=frozenset({"bool"}),
    text_types=frozenset({"text", "varchar", "bpchar", "name", "char", "citext"}),
)
