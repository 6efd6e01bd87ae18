"""Data that stays where it is (issue 16, part 2): files in the server's data folders, and SQL sources.

settings: the data folders and named SQL connections an admin lists in `.streamlit/secrets.toml`, checked
    (read_source_settings), or SourceSettingsError saying what to set.
folders: the path rules: a file picked under a data folder, never outside it (``..``, absolute paths and links
    that lead outside are refused); the files a folder offers.
query: what a person may send to a SQL source: a table of the list, or one read-only query (SELECT / WITH).
postgres: a PostgreSQL source: a read-only transaction with a time limit, its tables, the identity of what a
    query returns (rows and a checksum), and a seeded sample (stratified by a target) drawn by the database.
mlflow_runs: an MLflow tracking server, read under a time limit: experiments, runs, registered model versions, a
    run's artifacts, and a predictions table downloaded with a size limit (store.models keeps candidate models).

The exact figures of a SQL source are computed in its database: analysis.engine.pushdown. No streamlit here.
"""
