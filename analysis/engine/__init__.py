"""The data engine: issue-sized work on a data source without loading it whole.

connection: a DuckDB connection held to a memory limit and a thread count (EngineSettings), and identifier quoting.
figures: exact figures by queries written once for every engine (table_figures; file_figures for a Parquet or CSV
    file by DuckDB): row count, missing values, distinct counts, min / max / mean / std / skew, quantiles,
    histograms, top values, duplicate rows by hash; in three rounds of queries, each scanning all columns at once
    or grouping one column's values once.
dialect: how each engine (DuckDB, PostgreSQL) spells the parts of those queries SQL does not standardise.
pushdown: the same figures of a SQL source computed by PostgreSQL itself (sql_figures).
sample: the rows that views needing data in memory work on, drawn by the engine (draw_sample: seeded, uniform or
    stratified by a target's classes), the same rows a frame in memory would give (sample_positions).
table: a stored Parquet file as a table for the analyses that need rows (FileTable: leakage, baselines, drift): one
    column read whole at a time, rows read by position; open_table decides by the analysis's in-memory size.

No streamlit here; analysis.profile.describe.describe_file and jobs.tasks (open_dataset) decide when to use it.
"""
