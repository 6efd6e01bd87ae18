"""Jobs on datasets that stay in their source: a SQL dataset's profile is computed by its database.

The worker reads the connection from the same secrets the server reads (analysis.sources.settings
.secrets_from_files: Streamlit's default files, or BLUEPRINT_SECRETS_FILES), by the connection's name stored with
the dataset; the address never enters the store. A statement stopped on the database by the job's Cancel
(jobs.worker calls analysis.sources.postgres.stop_statements) ends the job as cancelled.
"""
from __future__ import annotations

from analysis.evidence import profile_summary
from analysis.profile.describe import describe_sql
from analysis.sources.settings import SourceSettingsError, UnknownConnection, read_source_settings, secrets_from_files
from analysis.units import Cancelled
from store.datasets import Dataset
from store.errors import NotFoundError, StoreError


class SourceChanged(StoreError):
    """The SQL source returns other rows than when it was stored: its evidence would describe other data."""


def connection_of(dataset: Dataset):
    """The SqlConnection a SQL dataset was read through, from this server's settings."""
    try:
        return read_source_settings(secrets_from_files()).connection(dataset.source["connection"])
    except (UnknownConnection, SourceSettingsError) as error:
        raise NotFoundError(f"'{dataset.name}' is read through the SQL connection '{dataset.source['connection']}': "
                            f"{error}") from None


def profile_sql(db, dataset: Dataset, key: dict, progress):
    """(profile dict, evidence summary) of a SQL dataset: exact figures by its database, the sampled views on a
    sample it draws; SourceChanged when the source's identity is no longer the stored one; analysis.units.Cancelled
    when its statement was stopped on the database (the job's Cancel)."""
    from analysis.sources.postgres import SourceCancelled  # noqa: PLC0415 (psycopg: loaded for a SQL source only)

    try:
        return _profile_sql(dataset, key, progress)
    except SourceCancelled as stopped:
        raise Cancelled(str(stopped)) from None


def _profile_sql(dataset: Dataset, key: dict, progress):
    # imported here: psycopg: loaded for a SQL source only
    from analysis.sources.postgres import open_source, source_identity  # noqa: PLC0415

    source = dataset.source
    connection = connection_of(dataset)
    progress.report(0.05, f"checking the SQL source '{connection.name}' (rows and checksum)", None)
    with open_source(connection) as conn:
        identity = source_identity(conn, connection.name, source["query"])
        if identity.key != dataset.content_hash:
            raise SourceChanged(
                f"The SQL source of '{dataset.name}' changed since it was read on {source['checked_at']}: "
                f"{source['rows']:,} rows then, {identity.rows:,} now"
                f"{' (same count, other values)' if identity.rows == source['rows'] else ''}. "
                "An editor reads it again on the Datasets page ('Read the source again'); the evidence computed on "
                "the former rows is then marked stale.")
        progress.report(0.15, f"profiling {identity.rows:,} rows in the database (pushdown)", None)
        profile = describe_sql(conn, source["query"], source["pg_types"], dataset.column_types, identity.rows,
                               target=key["target"], sample_rows=key["sample_rows"], random_state=key["random_state"])
    summary = profile_summary(dataset.name, profile)
    summary["source"] = {"kind": "sql", "connection": connection.name, "rows": identity.rows,
                         "checksum": identity.checksum, "checked_at": identity.checked_at, "identity": identity.key}
    return profile.to_dict(), summary
