"""A SQL dataset in the store (a real PostgreSQL): stored with its identity and the database's sample, profiled by
the database through the profile job, refused when the source changed; read again, its identity changes and the
evidence computed on the former rows reads as stale."""
from __future__ import annotations

import psycopg
import pytest

from analysis.evidence import profile_settings
from analysis.profile.describe import Profile
from analysis.sources.postgres import read_source
from analysis.sources.query import table_query
from analysis.sources.settings import SqlConnection
from design.evidence import build_view
from jobs.sources import SourceChanged
from jobs.tasks import compute_and_store, plan_for
from store.datasets import add_dataset, get_dataset, list_datasets, load_frame, update_source
from store.people import System
from store.projects import create_project
from store.results import list_evidence
from tests.postgres import postgres  # noqa: F401  (fixture)


@pytest.fixture
def source(postgres, tmp_path, monkeypatch):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS visits")
    postgres.execute("CREATE TABLE visits AS SELECT g AS visit_id, g % 11 AS pages, "
                     "CASE WHEN g % 5 = 0 THEN 'yes' ELSE 'no' END AS bought FROM generate_series(1, 4000) AS g")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[blueprint.sql.warehouse]\nurl = "{postgres.url()}"\n')
    monkeypatch.setenv("BLUEPRINT_SECRETS_FILES", str(secrets))
    return SqlConnection("warehouse", postgres.url(), 30), postgres


def test_a_changed_source_is_refused_then_read_again_and_its_evidence_goes_stale(db, source):
    connection, server = source
    project = create_project(db, "Shop", created_by=System("test"))
    query = table_query("public", "visits")
    table, found, rows = read_source(connection, query, 1000, 0, "bought")
    dataset, created = add_dataset(db, project.id, "visits", table, System("test", "Ana"), source=found, rows=rows)
    assert created and dataset.rows == 4000 and dataset.source["sample_method"] == "stratified"
    assert dataset.content_hash == found["identity"]
    # each class keeps its share of 1,000 rows, and at least 500 (engine.sample's MIN_CLASS_ROWS)
    assert load_frame(db, dataset)["bought"].value_counts().to_dict() == {"no": 800, "yes": 500}

    result = compute_and_store(db, plan_for(db, "profile", dataset, profile_settings("bought", 1000)), project.id,
                               dataset, System("test", "Ana"))
    profile = Profile.from_dict(result.payload)
    assert profile.exact_engine == "postgresql" and profile.overview.rows == 4000
    assert profile.target.balance.counts == (3200, 800)          # exact: counted by the database
    assert profile.sample_rows == 1300 and profile.sample_method == "stratified"

    def view():
        hashes = {d.content_hash for d in list_datasets(db, project.id)}
        return build_view(list_evidence(db, project.id), hashes, {})

    note = view().notes["data"][0]
    assert note.stale is None and any("the source may change" in line for line in note.lines)

    server.execute("INSERT INTO visits VALUES (4001, 3, 'yes')")
    with pytest.raises(SourceChanged, match="4,000 rows then, 4,001 now"):
        compute_and_store(db, plan_for(db, "profile", dataset, profile_settings("bought", 1000)), project.id, dataset,
                               System("test", "Ana"))
    table, found, rows = read_source(connection, query, 1000, 0, "bought")
    again = update_source(db, dataset.id, table, found, rows, by=System("test", "Ana"))
    assert again.rows == 4001 and again.content_hash != dataset.content_hash
    assert "returns other rows now" in view().notes["data"][0].stale

    with psycopg.connect(server.url()) as conn:                    # same count, another value: another checksum
        conn.execute("UPDATE visits SET pages = 4 WHERE visit_id = 4001")
    table, found, rows = read_source(connection, query, 1000, 0, "bought")
    assert rows == 4001 and found["identity"] != get_dataset(db, dataset.id).content_hash
