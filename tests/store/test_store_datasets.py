"""Store: datasets stored once per content hash, roles, rename, delete; results cache; evidence."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.reading.read import read_csv
from store.datasets import (
    add_dataset,
    data_file,
    delete_dataset,
    list_datasets,
    load_frame,
    rename_dataset,
    set_role,
)
from store.documents import save_revision
from store.errors import DuplicateNameError, InvalidNameError
from store.people import System
from store.projects import create_project
from store.results import get_result, list_evidence, put_result, record_evidence

CSV = b"id,age,city,churned\n1,34,Paris,yes\n2,51,Lyon,no\n3,29,Paris,no\n4,,Nice,yes\n"


@pytest.fixture
def project(db):
    return create_project(db, "Churn", created_by=System("test"))


def test_add_dataset_writes_parquet_and_metadata(db, project):
    table = read_csv(CSV, "customers.csv")
    dataset, created = add_dataset(db, project.id, "customers.csv", table, System("test", "Ana"))
    assert created
    assert (dataset.name, dataset.rows, dataset.columns, dataset.uploaded_by) == ("customers.csv", 4, 4, "Ana")
    assert dataset.column_types == table.column_types
    assert data_file(db, table.content_hash).exists()
    frame = load_frame(db, dataset)
    pd.testing.assert_frame_equal(frame, table.frame, check_dtype=True)


def test_same_bytes_twice_reuse_the_dataset_and_file(db, project):
    first, _ = add_dataset(db, project.id, "a.csv", read_csv(CSV, "a.csv"), uploaded_by=System("test"))
    again, created = add_dataset(db, project.id, "renamed copy.csv", read_csv(CSV, "renamed copy.csv"),
                                 uploaded_by=System("test"))
    assert not created and again.id == first.id
    other = create_project(db, "Other", created_by=System("test"))
    shared, created = add_dataset(db, other.id, "a.csv", read_csv(CSV, "a.csv"), uploaded_by=System("test"))
    assert created and shared.content_hash == first.content_hash
    assert len(list(data_file(db, first.content_hash).parent.iterdir())) == 1


def test_name_clash_gets_a_suffix_and_rename_checks(db, project):
    a, _ = add_dataset(db, project.id, "data.csv", read_csv(CSV, "data.csv"), uploaded_by=System("test"))
    b, _ = add_dataset(db, project.id, "DATA.csv", read_csv(CSV + b"5,40,Lille,no\n", "DATA.csv"),
                       uploaded_by=System("test"))
    assert b.name == "DATA.csv (2)"
    with pytest.raises(DuplicateNameError, match="already has a dataset named"):
        rename_dataset(db, b.id, "data.csv", by=System("test"))
    with pytest.raises(InvalidNameError):
        rename_dataset(db, b.id, " ", by=System("test"))
    assert rename_dataset(db, b.id, "holdout", by=System("test")).name == "holdout"


def test_roles(db, project):
    a, _ = add_dataset(db, project.id, "a.csv", read_csv(CSV, "a.csv"), uploaded_by=System("test"))
    assert set_role(db, a.id, "reference", by=System("test")).role == "reference"
    assert set_role(db, a.id, None, by=System("test")).role is None
    with pytest.raises(ValueError, match="not one of train, test, reference, current"):
        set_role(db, a.id, "gold", by=System("test"))


def test_delete_keeps_shared_file_and_evidence(db, project):
    other = create_project(db, "Other", created_by=System("test"))
    a, _ = add_dataset(db, project.id, "a.csv", read_csv(CSV, "a.csv"), uploaded_by=System("test"))
    b, _ = add_dataset(db, other.id, "a.csv", read_csv(CSV, "a.csv"), uploaded_by=System("test"))
    result = put_result(db, "profile", a.content_hash, {"target": None}, {"rows": 4}, 0.1)
    record_evidence(db, project.id, "data", result, a.id, {"rows": 4}, created_by=System("test"))
    delete_dataset(db, a.id, by=System("test"))
    assert data_file(db, a.content_hash).exists()
    assert list_datasets(db, project.id) == []
    kept = list_evidence(db, project.id, "data")
    assert len(kept) == 1 and kept[0].dataset_id is None and kept[0].dataset_hash == a.content_hash
    delete_dataset(db, b.id, by=System("test"))
    assert not data_file(db, a.content_hash).exists()


def test_results_are_cached_by_hash_and_settings(db):
    assert get_result(db, "profile", "h", {"target": "y", "sample": 10}) is None
    put_result(db, "profile", "h", {"target": "y", "sample": 10}, {"v": 1}, 0.5)
    put_result(db, "profile", "h", {"sample": 10, "target": "y"}, {"v": 2}, 0.4)
    hit = get_result(db, "profile", "h", {"sample": 10, "target": "y"})
    assert hit.payload == {"v": 2} and "pandas" in hit.versions
    assert get_result(db, "profile", "h", {"target": None, "sample": 10}) is None


def test_evidence_records_the_document_revision_once(db, project):
    rev = save_revision(db, project.id, {}, System("test", "Ana"), parent_id=None)
    result = put_result(db, "profile", "h", {}, {}, 0.1)
    first = record_evidence(db, project.id, "data", result, None, {"rows": 4}, System("test", "Ana"))
    again = record_evidence(db, project.id, "data", result, None, {"rows": 4}, System("test", "Ana"))
    assert first.id == again.id and first.revision_id == rev.id
    assert [e.kind for e in list_evidence(db, project.id, kind="profile")] == ["profile"]
