"""AppTest: what a user reads about feature availability and findings that mean something (issue 14, items 4 and 5):
the feature table on the Design page (filled from a dataset with one click) and on the Review page; a column the
table marks not known at prediction time, flagged by the Leakage page and left out by the Baselines page; a
name-like column left out by default and warned about when put back; a 4-row column without association alerts."""
from __future__ import annotations

import re

import numpy as np

from design.document import with_section
from store.db import open_store
from store.documents import latest_revision, save_revision
from store.people import System
from tests.apptest import finish_jobs, open_app, shown
from tests.apptest import texts as _texts


def texts(at, kind: str) -> list[str]:
    """What the user reads: element text with Markdown's backslash escapes (components.text.plain) taken out."""
    return [re.sub(r"\\(.)", r"\1", t) for t in _texts(at, kind)]


def _upload(at, name: str, header: str, rows: list[str]):
    at.file_uploader[0].upload(name, ("\n".join([header, *rows]) + "\n").encode(), "text/csv").run()
    assert not at.exception


def _ward_rows(rows: int = 400, seed: int = 0) -> list[str]:
    """A multiclass outcome, an honest strong feature and 'ward', filled after the outcome, agreeing on most rows."""
    rng = np.random.default_rng(seed)
    y = rng.choice(["a", "b", "c"], rows)
    honest = np.select([y == "a", y == "b"], [0.0, 1.5], 3.0) + rng.normal(0, 0.6, rows)
    wards = {"a": "north", "b": "south", "c": "east"}
    ward = [wards[v] if rng.random() < 0.8 else rng.choice(list(wards.values())) for v in y]
    return [f"{h:.3f},{w},{rng.normal():.3f},{v}" for h, w, v in zip(honest, ward, y, strict=True)]


def _mark(app_home, column: str, known: str) -> None:
    """Set one row of the sample document's feature table, as a person would in the Data section."""
    db = open_store(app_home)
    latest = latest_revision(db, 1)
    data = latest.content["data"]
    rows = [r for r in data["feature_table"] if r["column"] != column]
    rows.append({"column": column, "known": known, "source": "discharge record", "note": "filled when the case closes"})
    save_revision(db, 1, with_section(latest.content, "data", {**data, "feature_table": rows}), System("test", "Ana"),
                  parent_id=latest.id, section="data")
    db.close()


def test_design_data_section_fills_the_feature_table_from_a_dataset_with_one_click(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "wards.csv", "honest,ward,weak,outcome", _ward_rows(60))
    at.switch_page("pages/design.py").run()
    at.radio(key="section").set_value("data").run()
    assert not at.exception
    at.selectbox(key="ft-dataset").select_index(0).run()          # newest first: wards.csv
    fill = at.button(key="ft-fill")
    assert shown(fill.label) == "Fill the feature table from wards.csv"
    fill.click().run()
    assert not at.exception
    assert any("Filled the feature table from wards.csv: 4 columns added, marked 'unknown'" in s
               for s in texts(at, "success")), texts(at, "success")
    db = open_store(app_home)
    rows = {r["column"]: r for r in latest_revision(db, 1).content["data"]["feature_table"]}
    db.close()
    assert rows["ward"] == {"column": "ward", "known": "unknown", "source": "wards.csv", "note": ""}
    assert rows["mean_radius"]["known"] == "yes"                    # what was written stays
    at.button(key="ft-fill").click().run()
    assert any("already lists every column of wards.csv" in i for i in texts(at, "info")), texts(at, "info")
    next(b for b in at.button if b.label == "Save Data").click().run()       # the form keeps the table as it is
    assert any("Saved Data as revision 3" in s for s in texts(at, "success")), texts(at, "success")
    db = open_store(app_home)
    assert {r["column"]: r for r in latest_revision(db, 1).content["data"]["feature_table"]} == rows
    db.close()


def test_review_shows_the_sample_feature_table(app_home):
    at = open_app("pages/review.py")
    assert not at.exception
    tables = [d.value for d in at.dataframe if "Known at prediction time" in d.value.columns]
    assert len(tables) == 1
    table = tables[0].set_index("Column")
    assert table.loc["diagnosis", "Known at prediction time"] == "no"
    assert table.loc["worst_area", "Known at prediction time"] == "yes"


def test_a_column_marked_not_known_is_flagged_on_leakage_and_left_out_of_baselines(app_home):
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "wards.csv", "honest,ward,weak,outcome", _ward_rows())
    _mark(app_home, "ward", "no")
    at.switch_page("pages/leakage.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    at.selectbox(key="target").select("outcome").run()
    finish_jobs(at.button(key="leak-run").click().run())
    assert not at.exception
    assert any("feature table marks 1 column(s)" in c for c in texts(at, "caption")), texts(at, "caption")
    high = [m for m in texts(at, "markdown") if "**HIGH**" in m]
    assert any("'ward' is not known at prediction time (design document)" in m for m in high), high

    at.switch_page("pages/baselines.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    at.selectbox(key="target").select("outcome").run()
    assert not at.exception
    assert any("ward (not known at prediction time (design document, Data section))" in c
               for c in texts(at, "caption")), texts(at, "caption")
    assert "ward" not in at.multiselect(key="bl-features-outcome").value
    # The high finding is on a column this run leaves out, so no banner for it.
    assert not [e for e in texts(at, "error") if "Unresolved high-severity" in e and "ward" in e], texts(at, "error")


def test_a_name_column_is_left_out_by_default_and_medium_when_put_back(app_home):
    rng = np.random.default_rng(4)
    first = ["Ann", "Bob", "Cy", "Dee", "Eli", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lu"]
    last = ["Smith", "Jones", "Lee", "Khan", "Diaz", "Ng", "Ode", "Park", "Ruiz", "Sato"]
    rows = [f"{rng.choice(first)} {rng.choice(last)}-{rng.choice(last)},{rng.normal():.3f},{rng.choice(['p', 'q'])}"
            for _ in range(200)]
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "people.csv", "customer,x,label", rows)
    at.switch_page("pages/baselines.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    at.selectbox(key="target").select("label").run()
    assert not at.exception
    assert any("customer (ID-like:" in c and "names of people or products" in c for c in texts(at, "caption")), \
        texts(at, "caption")
    assert not [w for w in texts(at, "warning") if w.startswith("Medium:")]
    at.multiselect(key="bl-features-label").set_value(["customer", "x"]).run()
    assert not at.exception
    assert any(w.startswith("Medium: 'customer' is among the features but is ID-like") for w in texts(at, "warning")), \
        texts(at, "warning")


def test_a_column_with_4_filled_rows_gets_no_association_alert_on_explore(app_home):
    rng = np.random.default_rng(2)
    colour = ["red", "green"] * 2 + list(rng.choice(["red", "green"], 296))
    size = ["s", "m"] * 2 + list(rng.choice(["s", "m", "l"], 296))
    # On its 4 filled rows, rare_note matches colour and size exactly: plain Cramér's V 1.00 with both.
    rows = [f"{colour[i]},{size[i]},{['p', 'q'][i % 2] if i < 4 else ''},{rng.choice(['yes', 'no'])}"
            for i in range(300)]
    at = open_app("pages/datasets.py", author="Ana")
    _upload(at, "sparse.csv", "colour,size,rare_note,label", rows)
    at.switch_page("pages/explore.py").run()
    at.selectbox(key="dataset").select_index(0).run()
    finish_jobs(at)
    assert not at.exception
    alerts = at.dataframe[0].value
    about = alerts[alerts["Column"] == "rare_note"]
    assert not any("Cramér's V" in r for r in alerts["Reason"]), list(alerts["Reason"])
    assert any("only 4 rows have one" in r for r in about["Reason"]), list(about["Reason"])
