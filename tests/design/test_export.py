"""Export of the sample project's review: Markdown and HTML hold the sections, evidence figures and
escape user text; the JSON project file round-trips into another store and bad files are refused."""
from __future__ import annotations

import json
import re

import pytest

from components.review_view import charts, gather
from design.blockers import KINDS
from design.export import to_html, to_markdown
from design.sections import SECTIONS
from store.db import open_store
from store.documents import latest_revision, list_revisions, save_revision
from store.errors import StoreError
from store.people import System
from store.projects import create_project, get_project, rename_project
from store.reviews import add_comment, decide
from store.transfer import ImportFileError, export_project, import_project

XSS = "<script>alert(1)</script>"


@pytest.fixture
def db(app_db):
    return app_db


@pytest.fixture
def sample(db):
    return get_project(db, 1)


def test_markdown_has_every_section_the_evidence_and_the_readiness(db, sample):
    md = to_markdown(gather(db, sample))
    for sec in SECTIONS:
        assert f"## {sec.title}" in md
    assert "Profile of breast_cancer.csv" in md and "569 rows × 32 columns" in md
    assert "malignant 37.3%" in md and "benign 62.7%" in md
    assert "Best baseline run on breast_cancer.csv" in md and "Decision threshold 0.2, from the design document" in md
    assert re.search(r"recall >= 0\.95: recall 0\.\d+, 95 % interval 0\.\d+-0\.\d+, from 212 positive \('malignant'\) "
                     r"rows: pass", md)
    assert "p95 latency_ms &lt;= 300: Not measured here" in md and "counted apart from failures" in md
    assert "Drift: breast_cancer.csv first 50%" in md
    assert "| Data | Data profiled | pass |" in md
    assert "recall >= 0.95" in md
    assert "revision 1 by Blueprint sample" in md


def test_html_is_self_contained_has_charts_and_escapes_user_text(db, sample):
    rename_project(db, sample.id, XSS, by=System("test"))
    add_comment(db, sample.id, "data", System("test", "<b>Rae</b>"), f"Is this safe? {XSS}")
    decide(db, sample.id, "changes requested", System("test", "Rae"), XSS,
           revision_id=latest_revision(db, sample.id).id)
    summary = gather(db, get_project(db, sample.id))
    html = to_html(summary, charts(summary))
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Rae&lt;/b&gt;" in html
    assert not re.search(r"<script[^>]*\ssrc=", html) and not re.search(r"<link[^>]*\shref=", html)  # nothing fetched
    assert html.count('class="chart"') == len(charts(summary)) >= 2
    assert "Plotly.newPlot" in html and "Class balance of diagnosis" in html
    md = to_markdown(summary)
    assert XSS not in md and "&lt;script>alert(1)&lt;/script>" in md


def test_project_json_round_trips_into_another_store(db, sample, tmp_path):
    base = latest_revision(db, sample.id)
    save_revision(db, sample.id, {**base.content, "data": {**base.content["data"], "labels": "double-read"}},
                  System("test", "Ana"), parent_id=base.id, section="data")
    first = add_comment(db, sample.id, "data", System("test", "Rae"), "Label noise?")
    add_comment(db, sample.id, "data", System("test", "Ana"), "About 3%.", parent_id=first.id)
    decide(db, sample.id, "approved", System("test", "Rae"), "ok", revision_id=latest_revision(db, sample.id).id)
    data = json.dumps(export_project(db, sample.id)).encode()

    other = open_store(tmp_path / "other")
    create_project(other, sample.name, created_by=System("test"))
    new_id = import_project(other, data, System("test", "Importer"))
    imported = get_project(other, new_id)
    assert imported.name == f"{sample.name} (imported)"
    revisions = list_revisions(other, new_id)
    assert [r.number for r in revisions] == [2, 1] and revisions[0].parent_id == revisions[1].id
    assert latest_revision(other, new_id).content["data"]["labels"] == "double-read"
    summary = gather(other, imported)
    assert [c.body for c in summary.comments] == ["Label noise?", "About 3%."]
    assert summary.comments[1].parent_id == summary.comments[0].id
    assert summary.status_label == "approved"
    notes = summary.view.notes["data"]
    assert notes and all(n.stale for n in notes)  # the datasets did not travel with the file
    other.close()


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not json", "not valid JSON"),
        (b'{"format": "something-else", "version": 1}', "'format' field"),
        (b'{"format": "blueprint-project", "version": 99}', "version 99"),
        (b'{"format": "blueprint-project", "version": 1, "project": {"name": "x"}, "revisions": [{}], '
         b'"comments": [], "decisions": [], "evidence": []}', "revision has no number"),
    ],
)
def test_bad_project_files_are_refused_with_a_message(db, data, words):
    with pytest.raises(ImportFileError, match=words):
        import_project(db, data, imported_by=System("test"))
    assert isinstance(ImportFileError("x"), StoreError)


def test_exports_lead_with_the_decision_its_note_and_what_blocks_approval(db, sample):
    add_comment(db, sample.id, "data", System("test", "Rae"), "Which [scanner](http://x)?")
    decide(db, sample.id, "changes requested", System("test", "Rae"), "Measure the latency <first>.",
           revision_id=latest_revision(db, sample.id).id)
    summary = gather(db, get_project(db, sample.id))
    kinds = [b.kind for b in summary.blockers]      # what the sample's proposed candidate adds depends on its evidence
    assert kinds == sorted(kinds, key=KINDS.index) and kinds.count("open comments") == 1
    latency = next(b for b in summary.blockers if b.title.startswith("p95 latency_ms <= 300 is not measured"))
    count = f"What blocks approval ({len(kinds)})"

    md = to_markdown(summary)
    decision, blocking, readiness = (md.index(h) for h in ("## Decision\n", f"## {count}", "## Readiness"))
    assert decision < blocking < readiness < md.index("## Requirements")
    assert "**changes requested** by Rae" in md and "> Measure the latency &lt;first>." in md
    assert (f"{summary.blockers.index(latency) + 1}. **Unmeasured criterion**: p95 latency_ms &lt;= 300 is not measured"
            in md and f"Fix it on: {latency.place} (`{latency.url}`)" in md)
    assert "Rae: Which \\[scanner\\](http://x)?" in md                    # user text stays text

    html = to_html(summary, charts(summary))
    decision, blocking, readiness = (html.index(h) for h in ('id="decision"', 'id="blockers"', "<h2>Readiness"))
    assert decision < blocking < readiness
    top = html[decision:blocking]
    assert "<strong>changes requested</strong> by Rae" in top and "Measure the latency &lt;first&gt;." in top
    assert count in html and "<code>review?project=1&amp;tab=Document+and+evidence</code>" in html
    assert "#D55E00" in html and "#2e7d32" not in html.lower()            # the colour-blind-safe palette
