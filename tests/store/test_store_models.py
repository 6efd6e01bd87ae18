"""Store: candidate models (issue 22): named versions from a predictions file or an MLflow run; rights per role (editors
and owners bring and delete, others are refused and nothing is written), an MLflow server's grant, versions numbered
per name and never given twice, the predictions file stored once per content hash, and nothing stored half when a
check or the database refuses."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.reading.read import read_csv, read_table
from store import access
from store.access import PermissionDenied, add_member
from store.datasets import add_dataset
from store.errors import NotFoundError, StoreError
from store.grants import Grant
from store.models import (
    add_model_version,
    delete_model,
    delete_model_version,
    find_model_version,
    get_model_version,
    list_models,
    load_predictions,
    predictions_file,
)
from store.people import System, see_user, sync_admin
from store.projects import create_project

DATA = b"customer_id,plan,churned\n1,basic,yes\n2,pro,no\n3,pro,no\n4,basic,yes\n"
SCORES = b"customer_id,p_yes,label\n1,0.91,yes\n2,0.12,no\n3,0.40,no\n4,0.75,yes\n"
ROLES = {"task": "binary", "target": "churned", "scores": {"yes": "p_yes"}, "label": "label", "key": "customer_id",
         "positive_label": "yes"}
MLFLOW = {"server": "tracking", "run_id": "1c9b63ddc37c4c239c3af93b73d938f7", "artifact_path": "eval/scores.csv",
          "experiment_id": "1"}
RUN = {"run_id": MLFLOW["run_id"], "run_name": "gbm", "params": {"max_depth": "4"}, "metrics": {"pr_auc": 0.31},
       "tags": {"team": "growth"}}
SEED = System("test", "Seed")


@pytest.fixture
def team(db):
    """An admin who created the project, an owner, an editor, a reviewer, a viewer and a stranger; a dataset."""
    people = {"admin": sync_admin(db, see_user(db, "admin@example.org", "Ada Admin"), True)}
    for role in ("owner", "editor", "reviewer", "viewer", "stranger"):
        people[role] = see_user(db, f"{role}@example.org", role.title())
    project = create_project(db, "Churn", created_by=people["admin"])
    for role in ("owner", "editor", "reviewer", "viewer"):
        add_member(db, people["admin"], project.id, f"{role}@example.org", role)
    dataset, _ = add_dataset(db, project.id, "customers.csv", read_csv(DATA, "customers.csv"), people["editor"])
    return {"db": db, "people": people, "project": project, "dataset": dataset}


def _bring(team, who, name="gbm", scores=SCORES, **options):
    table = read_csv(scores, "scores.csv")
    kwargs = {"predictions": table, "file_name": "scores.csv", "dataset_hash": team["dataset"].content_hash,
              "roles": ROLES, **options}
    return add_model_version(team["db"], team["project"].id, name, by=who, **kwargs)


def _everything(db) -> dict:
    return {table: list(db.query(f"SELECT * FROM [{table}]")) for table in db.table_names()}


def _files(db) -> list[str]:
    folder = predictions_file(db, "0" * 64).parent
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_predictions_file_becomes_version_1_with_who_when_and_what(team):
    version = _bring(team, team["people"]["editor"], note="trained on 2024 data")
    assert ((version.label, version.created_by, version.created_by_id)
            == ("gbm v1", "Editor", team["people"]["editor"].id))
    assert version.source == {"kind": "file", "file_name": "scores.csv", "format": "csv", "size_bytes": len(SCORES)}
    assert version.predictions_hash == read_csv(SCORES).content_hash and version.rows == 4
    assert version.dataset_hash == team["dataset"].content_hash and version.roles == ROLES and version.run == {}
    assert version.column_types["p_yes"] == "numeric" and version.note == "trained on 2024 data"
    frame = load_predictions(team["db"], version)
    pd.testing.assert_frame_equal(frame, read_csv(SCORES).frame)
    feed = access.list_activity(team["db"], team["project"].id)
    assert ((feed[0].action, feed[0].detail, feed[0].who)
            == ("brought a candidate model", "gbm v1 from scores.csv", "Editor"))
    assert feed[0].link == f"models?project={team['project'].id}&model=gbm&version=1"


def test_versions_go_up_per_name_are_never_given_twice_and_keep_the_first_spelling(team):
    editor = team["people"]["editor"]
    first = _bring(team, editor)
    second = _bring(team, editor, scores=SCORES.replace(b"0.91", b"0.95"))
    third = _bring(team, editor, name="  GBM ")                    # same file again: a version of its own, one file
    other = _bring(team, editor, name="logreg")
    assert [v.label for v in (first, second, third, other)] == ["gbm v1", "gbm v2", "gbm v3", "logreg v1"]
    assert len(_files(team["db"])) == 2
    models = list_models(team["db"], team["project"].id)
    assert [(m.name, [v.version for v in m.versions]) for m in models] == [("logreg", [1]), ("gbm", [3, 2, 1])]
    assert find_model_version(team["db"], team["project"].id, "Gbm").version == 3
    assert find_model_version(team["db"], team["project"].id, "gbm", 2).id == second.id
    delete_model_version(team["db"], third.id, by=editor)
    assert _bring(team, editor).version == 4                         # 3 was deleted: its number is not given again
    with pytest.raises(NotFoundError, match="no version 3 of a candidate model named 'gbm'"):
        find_model_version(team["db"], team["project"].id, "gbm", 3)
    assert get_model_version(team["db"], third.id, include_deleted=True).deleted_at is not None
    other_project = create_project(team["db"], "Fraud", created_by=SEED)
    elsewhere = add_model_version(team["db"], other_project.id, "gbm", by=SEED, predictions=read_csv(SCORES),
                                  file_name="scores.csv")
    assert elsewhere.version == 1                                   # numbered per project


def test_a_version_from_an_mlflow_run_keeps_the_server_run_and_what_it_logged(team):
    table = read_csv(SCORES, "scores.csv")
    version = add_model_version(team["db"], team["project"].id, "gbm", by=team["people"]["admin"], predictions=table,
                                mlflow=MLFLOW, run=RUN, dataset_hash=team["dataset"].content_hash, roles=ROLES)
    assert version.from_mlflow and version.source["run_id"] == MLFLOW["run_id"]
    assert version.source["artifact_path"] == "eval/scores.csv" and version.source["model_name"] is None
    assert version.run["metrics"] == {"pr_auc": 0.31} and version.run["params"] == {"max_depth": "4"}
    assert version.origin == "MLflow run 1c9b63dd on 'tracking' (eval/scores.csv)"
    metrics_only = add_model_version(team["db"], team["project"].id, "gbm", by=team["people"]["admin"],
                                     mlflow={**MLFLOW, "artifact_path": None}, run=RUN)
    assert (metrics_only.version, metrics_only.predictions_hash, metrics_only.rows) == (2, None, None)
    with pytest.raises(NotFoundError, match="gbm v2 has no predictions: it holds what MLflow run 1c9b63dd"):
        load_predictions(team["db"], metrics_only)


def test_an_mlflow_server_is_used_only_by_whom_its_grant_names(team):
    editor, db = team["people"]["editor"], team["db"]
    with pytest.raises(PermissionDenied, match="Editor may not use the MLflow server 'tracking' in this project: only "
                                               "admins may"):
        add_model_version(db, team["project"].id, "gbm", by=editor, mlflow={**MLFLOW, "artifact_path": None}, run=RUN)
    assert list_models(db, team["project"].id) == []
    granted = Grant(people=frozenset({"@example.org"}))
    version = add_model_version(db, team["project"].id, "gbm", by=editor, mlflow={**MLFLOW, "artifact_path": None},
                                run=RUN, grant=granted)
    assert version.label == "gbm v1"


WRITES = [
    ("add_model_version", lambda t, u: _bring(t, u)),
    ("delete_model_version", lambda t, u: delete_model_version(t["db"], t["version"].id, by=u)),
    ("delete_model", lambda t, u: delete_model(t["db"], t["project"].id, "gbm", by=u)),
]
ALLOWED = {"admin": True, "owner": True, "editor": True, "reviewer": False, "viewer": False, "stranger": False}


@pytest.mark.parametrize("person", list(ALLOWED))
@pytest.mark.parametrize("name,write", WRITES, ids=[w[0] for w in WRITES])
def test_editors_and_owners_bring_and_delete_others_are_refused_and_nothing_is_written(team, person, name, write):
    team["version"] = _bring(team, team["people"]["owner"], scores=SCORES.replace(b"0.12", b"0.13"))
    user, db = team["people"][person], team["db"]
    if ALLOWED[person]:
        write(team, user)
        feed = access.list_activity(db, team["project"].id)
        assert feed[0].user_id == user.id
        return
    before, files = _everything(db), _files(db)
    with pytest.raises(PermissionDenied, match=f"{user.display_name} is (not a member|an? {person}) of this project"):
        write(team, user)
    assert _everything(db) == before and _files(db) == files


@pytest.mark.parametrize("name,write", WRITES, ids=[w[0] for w in WRITES])
def test_a_read_only_link_refuses_even_an_owner(team, name, write):
    team["version"] = _bring(team, team["people"]["owner"])
    with pytest.raises(PermissionDenied, match="read-only link"):
        write(team, access.read_only(team["people"]["owner"]))


@pytest.mark.parametrize("actor", [None, "", "Ana", "typed:Ana"], ids=["None", "empty", "name", "typed"])
def test_a_write_without_a_user_or_system_is_a_type_error_and_writes_nothing(team, actor):
    team["version"] = _bring(team, SEED)
    for _, write in WRITES:
        before, files = _everything(team["db"]), _files(team["db"])
        with pytest.raises(TypeError, match="store.people.User"):
            write(team, actor)
        assert _everything(team["db"]) == before and _files(team["db"]) == files


@pytest.mark.parametrize("options,message", [
    ({"name": " "}, "needs a name"),
    ({"name": "g" * 81}, "81 characters long; the limit is 80"),
    ({"roles": {**ROLES, "scores": {"yes": "probability"}}}, r"no column 'probability'; their columns are"),
    ({"roles": {**ROLES, "key": None}}, r"no column 'churned'"),                  # no key: the target must be there
    ({"roles": {**ROLES, "colour": "red"}}, "Unknown column roles colour"),
    ({"roles": {**ROLES, "task": "ranking"}}, "task must be one of binary, multiclass, regression"),
    ({"dataset_hash": "f" * 64}, "a dataset this project does not have"),
    ({"dataset_hash": "abc"}, "not a dataset's content hash"),
    ({"file_name": ""}, "comes from a predictions file .* or from an MLflow run"),
    ({"run": RUN}, "Only a version from an MLflow run has the run's params"),
    ({"mlflow": MLFLOW, "run": RUN}, "one place: a predictions file or an MLflow run, not both"),
])
def test_bad_input_is_refused_with_a_message_before_anything_is_written(team, options, message):
    before, files = _everything(team["db"]), _files(team["db"])
    with pytest.raises(StoreError, match=message):
        _bring(team, team["people"]["editor"], **options)
    assert _everything(team["db"]) == before and _files(team["db"]) == files


@pytest.mark.parametrize("mlflow,run,message", [
    ({**MLFLOW, "artifact_path": None}, RUN, "give both the artifact path and the table"),
    ({"server": "tracking"}, RUN, "needs its run id"),
    ({**MLFLOW, "host": "x"}, RUN, "unknown keys host"),
    (MLFLOW, None, "Give what the MLflow run logged"),
    (MLFLOW, {**RUN, "run_id": "other"}, "are of run other, not of 1c9b63dd"),
])
def test_a_bad_mlflow_source_is_refused_before_anything_is_written(team, mlflow, run, message):
    before, files = _everything(team["db"]), _files(team["db"])
    with pytest.raises(StoreError, match=message):
        add_model_version(team["db"], team["project"].id, "gbm", by=team["people"]["admin"],
                          predictions=read_csv(SCORES), mlflow=mlflow, run=run)
    assert _everything(team["db"]) == before and _files(team["db"]) == files


def test_when_the_database_refuses_the_row_nothing_is_stored_half(team):
    """The file is written first; when the row then cannot be written (here the database aborts the insert), the new
    file goes again, and a file another version uses stays."""
    db = team["db"]
    kept = _bring(team, team["people"]["editor"])
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON model_versions BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    before, files = _everything(db), _files(db)
    for scores in (SCORES.replace(b"0.40", b"0.41"), SCORES):         # a new file; the file of gbm v1
        with pytest.raises(Exception, match="disk full"):
            _bring(team, team["people"]["editor"], scores=scores)
        assert _everything(db) == before and _files(db) == files
    assert load_predictions(db, kept).shape == (4, 3)


def test_deleting_removes_the_file_only_when_no_live_version_uses_it(team):
    editor, db = team["people"]["editor"], team["db"]
    one, two = _bring(team, editor), _bring(team, editor, name="copy")      # the same predictions, one file
    delete_model_version(db, one.id, by=editor)
    assert predictions_file(db, two.predictions_hash).exists()
    delete_model(db, team["project"].id, "COPY", by=editor)
    assert not predictions_file(db, two.predictions_hash).exists() and list_models(db, team["project"].id) == []
    with pytest.raises(NotFoundError, match="no candidate model named 'copy'"):
        delete_model(db, team["project"].id, "copy", by=editor)
    actions = [a.action for a in access.list_activity(db, team["project"].id)[:2]]
    assert actions == ["deleted a candidate model", "deleted a candidate model version"]


def test_a_parquet_or_logged_table_is_stored_as_read(team):
    frame = read_csv(SCORES).frame

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = read_table(buffer.getvalue(), "scores.parquet")
    version = add_model_version(team["db"], team["project"].id, "gbm", by=SEED, predictions=table,
                                file_name="scores.parquet", roles={"target": "label", "scores": {"yes": "p_yes"}})
    assert version.source["format"] == "parquet"
    pd.testing.assert_frame_equal(load_predictions(team["db"], version), table.frame)
