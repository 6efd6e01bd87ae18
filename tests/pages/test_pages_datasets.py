"""AppTest: the Datasets page, uploading good and bad files and managing what is stored."""
from __future__ import annotations

from pathlib import Path

from store.datasets import list_datasets
from store.db import open_store
from tests.apptest import open_app, texts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
GOOD = b"id,age,plan,churned\n1,34,basic,yes\n2,51,pro,no\n3,29,basic,no\n4,,pro,yes\n"


def _datasets_page(app_home, author="Ana"):
    at = open_app("pages/datasets.py", author=author)
    assert not at.exception
    return at


def _stored(app_home, project_id=1):
    db = open_store(app_home)
    try:
        return list_datasets(db, project_id)
    finally:
        db.close()


def _upload(at, name, data):
    at.file_uploader[0].upload(name, data, "text/csv").run()
    assert not at.exception
    return at


def test_upload_a_csv_stores_it_and_lists_it(app_home):
    at = _datasets_page(app_home)
    before = len(_stored(app_home))
    _upload(at, "customers.csv", GOOD)
    assert any("Stored 'customers.csv': 4 rows × 4 columns" in s for s in texts(at, "success"))
    table = at.dataframe[0].value
    assert "customers.csv" in set(table["Dataset"])
    assert len(_stored(app_home)) == before + 1


def test_same_file_twice_is_stored_once(app_home):
    at = _upload(_datasets_page(app_home), "customers.csv", GOOD)
    at.file_uploader[0].clear().run()
    _upload(at, "again.csv", GOOD)
    assert any("already stored here as 'customers.csv'" in i for i in texts(at, "info"))
    assert [d.name for d in _stored(app_home)].count("customers.csv") == 1


def test_bad_files_get_a_clear_message_and_store_nothing(app_home):
    at = _datasets_page(app_home)
    before = len(_stored(app_home))
    for fixture, words in [
        ("empty.csv", "empty"),
        ("header_only.csv", "header"),
        ("excel_named.csv", "Excel"),
        ("ragged.csv", "line"),
        ("duplicate_columns.csv", "duplicate"),
        ("binary.csv", "binary"),
    ]:
        at.file_uploader[0].clear().run()
        _upload(at, fixture, (FIXTURES / fixture).read_bytes())
        errors = " ".join(texts(at, "error"))
        assert fixture in errors and words.lower() in errors.lower(), (fixture, errors)
    assert len(_stored(app_home)) == before


def test_rename_set_role_and_delete_with_confirmation(app_home):
    at = _upload(_datasets_page(app_home), "customers.csv", GOOD)
    dataset = next(d for d in _stored(app_home) if d.name == "customers.csv")
    at.selectbox(key="manage-dataset").select(dataset.id).run()
    at.text_input(key=f"ds-name-{dataset.id}").input("customers 2024")
    at.selectbox(key=f"ds-role-{dataset.id}").select("train")
    next(b for b in at.button if b.label == "Save name and role").click().run()
    assert any("Saved 'customers 2024' with role train" in s for s in texts(at, "success"))
    renamed = next(d for d in _stored(app_home) if d.id == dataset.id)
    assert (renamed.name, renamed.role) == ("customers 2024", "train")

    at.button(key=f"delete-{dataset.id}").click().run()
    assert any("Delete 'customers 2024'" in w for w in texts(at, "warning"))
    at.button(key=f"delete-no-{dataset.id}").click().run()
    assert any(d.id == dataset.id for d in _stored(app_home))
    at.button(key=f"delete-{dataset.id}").click().run()
    at.button(key=f"delete-yes-{dataset.id}").click().run()
    assert not any(d.id == dataset.id for d in _stored(app_home))
    assert any("Deleted 'customers 2024'" in s for s in texts(at, "success"))
