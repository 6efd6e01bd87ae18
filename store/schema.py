"""The one place that knows the schema: forward migrations, applied in order and recorded by version.

Add a table or column by appending a migration; never edit one that has shipped. A database made by an
older version is brought forward on open; one made by a newer version is refused.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from store.db import now, write_txn
from store.errors import NewerSchemaError


@dataclass(frozen=True)
class Migration:
    """One schema step: ``version`` (1, 2, ...), a one-line ``description``, and ``apply(db)``."""

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


def _run_ddl(db: sqlite_utils.Database, script: str) -> None:
    """Run DDL statements one by one: sqlite3's executescript would COMMIT the open migration transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1_projects_and_revisions(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            archived_at TEXT,
            is_sample INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            number INTEGER NOT NULL,
            parent_id INTEGER REFERENCES revisions(id),
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            section TEXT,
            content TEXT NOT NULL,
            UNIQUE (project_id, number)
        );
        CREATE INDEX revisions_project ON revisions(project_id, number);
        """
    )


def _v2_datasets_results_evidence(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE datasets (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            name TEXT NOT NULL COLLATE NOCASE,
            content_hash TEXT NOT NULL,
            rows INTEGER NOT NULL,
            columns INTEGER NOT NULL,
            column_types TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            encoding TEXT NOT NULL,
            delimiter TEXT NOT NULL,
            decimal TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '[]',
            role TEXT,
            uploaded_by TEXT NOT NULL DEFAULT '',
            uploaded_at TEXT NOT NULL,
            UNIQUE (project_id, content_hash),
            UNIQUE (project_id, name)
        );
        CREATE TABLE results (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            dataset_hash TEXT NOT NULL,
            settings TEXT NOT NULL,
            settings_hash TEXT NOT NULL,
            payload TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            seconds REAL NOT NULL,
            versions TEXT NOT NULL,
            UNIQUE (kind, dataset_hash, settings_hash)
        );
        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            section TEXT NOT NULL,
            kind TEXT NOT NULL,
            result_id INTEGER NOT NULL REFERENCES results(id),
            dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
            dataset_hash TEXT NOT NULL,
            revision_id INTEGER REFERENCES revisions(id),
            summary TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX evidence_project ON evidence(project_id, section, kind)
        """,
    )


def _v3_reviews(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            section TEXT NOT NULL,
            parent_id INTEGER REFERENCES comments(id),
            revision_id INTEGER REFERENCES revisions(id),
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_by TEXT,
            resolved_at TEXT
        );
        CREATE INDEX comments_project ON comments(project_id, section);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            status TEXT NOT NULL,
            revision_id INTEGER REFERENCES revisions(id),
            author TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            evidence_ids TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX decisions_project ON decisions(project_id, id)
        """,
    )


def _v4_resolutions(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE resolutions (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            finding_key TEXT NOT NULL,
            dataset_hash TEXT NOT NULL,
            resolved_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (project_id, finding_key, dataset_hash)
        )
        """,
    )


def _v5_jobs(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
            dataset_hash TEXT NOT NULL,
            settings TEXT NOT NULL,
            settings_hash TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            progress REAL NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            partial TEXT NOT NULL DEFAULT '[]',
            result_id INTEGER REFERENCES results(id),
            error TEXT,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            worker_pid INTEGER,
            heartbeat_at REAL,
            created_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX jobs_queue ON jobs(state, id);
        CREATE INDEX jobs_project ON jobs(project_id, id);
        CREATE INDEX jobs_key ON jobs(kind, dataset_hash, settings_hash, id);
        CREATE UNIQUE INDEX jobs_one_active ON jobs(kind, dataset_hash, settings_hash)
            WHERE state IN ('queued', 'running')
        """,
    )


def _v6_drafts(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            section TEXT NOT NULL,
            author TEXT NOT NULL,
            base_revision_id INTEGER REFERENCES revisions(id),
            content TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project_id, section, author)
        )
        """,
    )


def _v7_users(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            display_name TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )
        """,
    )


# Who wrote each record: the text column written before migration 8 (kept: the name shown then) and its user.
AUTHORED = (("projects", "created_by", "created_by_id"), ("revisions", "author", "author_id"),
            ("datasets", "uploaded_by", "uploaded_by_id"), ("evidence", "created_by", "created_by_id"),
            ("comments", "author", "author_id"), ("comments", "resolved_by", "resolved_by_id"),
            ("decisions", "author", "author_id"), ("resolutions", "resolved_by", "resolved_by_id"),
            ("jobs", "created_by", "created_by_id"), ("drafts", "author", "author_id"))
TYPED = "typed:"      # users made from a name typed before sign-in existed: "typed:<name>", shown as <name>


def _v8_members_and_audit(db: sqlite_utils.Database) -> None:
    _run_ddl(
        db,
        """
        ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE projects ADD COLUMN allow_self_approval INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE members (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            added_by_id INTEGER REFERENCES users(id),
            added_at TEXT NOT NULL,
            PRIMARY KEY (project_id, user_id)
        );
        CREATE TABLE invites (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            email TEXT NOT NULL COLLATE NOCASE,
            role TEXT NOT NULL,
            invited_by_id INTEGER REFERENCES users(id),
            invited_at TEXT NOT NULL,
            PRIMARY KEY (project_id, email)
        );
        CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            link TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE INDEX activity_project ON activity(project_id, id)
        """,
    )
    # the first person who used this install (local mode: its one person) is its admin, as a first sign-in is
    db.execute("UPDATE users SET is_admin = 1 WHERE id = (SELECT MIN(id) FROM users)")
    stamp = now()
    for table, name_column, id_column in AUTHORED:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {id_column} INTEGER REFERENCES users(id)")
        names = [r[0] for r in db.execute(f"SELECT DISTINCT {name_column} FROM {table} "
                                          f"WHERE TRIM(COALESCE({name_column}, '')) != ''")]
        for name in names:           # a typed name becomes a user with that display name; the records point to it
            db.execute("INSERT INTO users (email, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (email) DO NOTHING", [TYPED + name.strip(), name.strip()[:80], stamp, stamp])
            db.execute(f"UPDATE {table} SET {id_column} = (SELECT id FROM users WHERE email = ?) "
                       f"WHERE {name_column} = ?",
                       [TYPED + name.strip(), name])


def _v9_dataset_sources(db: sqlite_utils.Database) -> None:
    # where a dataset comes from when it is not an upload: {"kind": "folder", "folder", "path"} for a file in a data
    # folder; {"kind": "sql", "connection", "query", "rows", "checksum", "checked_at", "identity", ...} for a SQL
    # source, whose content_hash is then its identity (the stored file holds the sample drawn by the database)
    db.execute("ALTER TABLE datasets ADD COLUMN source TEXT")


def _v10_result_parts(db: sqlite_utils.Database) -> None:
    # a stored result in parts (analysis.stored): ``summary``, what lists, tables and criteria read (NULL for a kind
    # stored whole, and for a result stored before this migration: split the first time it is read, store.results);
    # ``payload`` becomes its body; ``arrays``, the file name of its per-row arrays under BLUEPRINT_HOME/results/;
    # ``stamp``, new at every write of the row (a re-run keeps the id): id and stamp name one stored version
    _run_ddl(db, "ALTER TABLE results ADD COLUMN summary TEXT; ALTER TABLE results ADD COLUMN arrays TEXT; "
                 "ALTER TABLE results ADD COLUMN stamp TEXT NOT NULL DEFAULT ''")


def _v11_job_plans(db: sqlite_utils.Database) -> None:
    # the checked plan a job runs (analysis.units: Plan.to_dict()), beside its result key (settings); NULL for a job
    # queued before plans existed, which a worker refuses with a message (run it again)
    db.execute("ALTER TABLE jobs ADD COLUMN plan TEXT")


def _v12_model_versions(db: sqlite_utils.Database) -> None:
    # candidate models (store.models): a named model of a project in numbered versions ("gbm" v1, v2, ...), each from
    # a predictions file (its Parquet copy under BLUEPRINT_HOME/models/<content hash>.parquet) or an MLflow run; a
    # deleted version keeps its row (deleted_at), so its number is never given again and evidence can still name it
    _run_ddl(
        db,
        """
        CREATE TABLE model_versions (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            name TEXT NOT NULL COLLATE NOCASE,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            predictions_hash TEXT,
            rows INTEGER,
            column_types TEXT NOT NULL DEFAULT '{}',
            dataset_hash TEXT,
            roles TEXT NOT NULL DEFAULT '{}',
            run TEXT NOT NULL DEFAULT '{}',
            note TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL DEFAULT '',
            created_by_id INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            deleted_at TEXT,
            deleted_by_id INTEGER REFERENCES users(id),
            UNIQUE (project_id, name, version)
        );
        CREATE INDEX model_versions_project ON model_versions(project_id, name, version)
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "projects and append-only design-document revisions", _v1_projects_and_revisions),
    Migration(2, "datasets, cached results, and evidence linking results to document sections",
              _v2_datasets_results_evidence),
    Migration(3, "review comments (threaded, resolvable) and review decisions", _v3_reviews),
    Migration(4, "resolutions: a person's explanation that closes a finding (e.g. a leakage finding)", _v4_resolutions),
    Migration(5, "jobs: long work (profile, leakage scan, baselines, drift) queued in the store and run by workers",
              _v5_jobs),
    Migration(6, "drafts: a person's unsaved edits of a document section, kept until saved or discarded", _v6_drafts),
    Migration(7, "users: who works in Blueprint (email or local account, display name, first and last seen)",
              _v7_users),
    Migration(8, "roles per project (members, invites), admins, the audit trail; records point to their author's user",
              _v8_members_and_audit),
    Migration(9, "datasets: where a dataset comes from (a data folder's file, or a SQL source and its identity)",
              _v9_dataset_sources),
    Migration(10, "results in parts: a small summary apart from the body, per-row arrays in Parquet files beside it",
              _v10_result_parts),
    Migration(11, "jobs: the checked plan each job runs (analysis units), beside its result key", _v11_job_plans),
    Migration(12, "candidate models: named, numbered versions from a predictions file or an MLflow run",
              _v12_model_versions),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(db: sqlite_utils.Database) -> int:
    """The version the database is at (0 for an empty database)."""
    if "schema_version" not in db.table_names():
        return 0
    return db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, target: int | None = None) -> int:
    """Apply pending migrations up to ``target`` (default: the latest); return the version reached."""
    target = LATEST_VERSION if target is None else target
    with write_txn(db):
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT)"
        )
        current = schema_version(db)
        if current > LATEST_VERSION:
            raise NewerSchemaError(
                f"This database is at schema version {current}, but this Blueprint knows versions up to "
                f"{LATEST_VERSION}. Upgrade Blueprint, or set BLUEPRINT_HOME to another folder."
            )
        for migration in MIGRATIONS:
            if current < migration.version <= target:
                migration.apply(db)
                db.execute(
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                    [migration.version, migration.description, now()],
                )
                current = migration.version
    return current
