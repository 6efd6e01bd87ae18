"""Hostile values (tests/hostile.py) stay text: in Streamlit's Markdown through components.text.plain, and in
every export (Markdown, HTML, JSON) of a project whose name, description, document, comments, author, file
name, column names and category values are hostile. Each Markdown here is rendered with a CommonMark renderer
that passes raw HTML through (the strictest viewer) and must build no element from the data."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from analysis.drift.run import overlay
from analysis.evidence import leakage_settings, profile_settings
from analysis.inert import chart_text
from analysis.leakage.scan import LeakageSettings, Split
from analysis.profile.describe import describe_dataset
from analysis.reading.read import read_csv
from components import charts as profile_charts
from components.drift_charts import overlay_figure
from components.review_view import charts, gather
from components.text import plain
from design.export import _md, to_html, to_markdown
from jobs.tasks import compute_and_store, plan_for
from store.datasets import add_dataset
from store.db import open_store
from store.documents import latest_revision, save_revision
from store.people import System
from store.projects import create_project, get_project
from store.reviews import add_comment, decide
from store.transfer import export_project, import_project
from tests.hostile import (
    AUTHOR,
    FILE_NAME,
    HOSTILE,
    HOSTILE_NAMES,
    HTML_LINK,
    IMG_ONERROR,
    JS_LINK,
    LONG,
    MARKDOWN_DIRECTIVE,
    MARKDOWN_IMAGE,
    MARKDOWN_LINK,
    PROJECT_NAME,
    SCRIPT_CLOSE,
    hostile_csv,
)

TEXT = "\n".join(v for v in HOSTILE if v != LONG)
TARGET, LEAK = HOSTILE_NAMES[4], HOSTILE_NAMES[2]
VALUES = (*HOSTILE, *HOSTILE_NAMES, PROJECT_NAME, AUTHOR, FILE_NAME, "a\\[b](c) \\", "`code` <b>x</b> &lt; &#60;")
WRITER = System("test", AUTHOR)     # Blueprint's test code writes under the hostile name
BUILT = ("a", "img", "script", "svg", "iframe", "object", "embed", "style", "code", "math")
_RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")


class _Parsed(HTMLParser):
    """Every element (tag, attributes) and the text of an HTML document or fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.chunks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def built(self) -> list:
        """Elements a value could have made: links, images, scripts, frames, code, and any on* handler."""
        return [(t, a) for t, a in self.tags if t in BUILT or any(k.startswith("on") for k in a)
                or any("javascript:" in (v or "").lower() for v in a.values())]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: v[:24])
def test_plain_shows_a_value_as_itself_in_markdown(value):
    escaped = plain(value)
    rendered = _Parsed(_RENDER.render(escaped))
    assert [t for t, _ in rendered.tags] == ["p"]
    assert " ".join(rendered.text.split()) == " ".join(value.split())
    # Streamlit's own Markdown (":red[...]" directives, "$...$" formulas, ":emoji:") starts from punctuation
    # too: every ASCII punctuation character is escaped.
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*", escaped, flags=re.S)


def test_plain_escapes_every_markdown_start_and_leaves_words_alone():
    assert plain("Stored 3 rows") == "Stored 3 rows"
    assert plain(12.5) == "12\\.5"
    emphasis = _Parsed(_RENDER.render(plain("**bold** _x_ # h")))
    assert [t for t, _ in emphasis.tags] == ["p"] and emphasis.text.strip() == "**bold** _x_ # h"


@pytest.mark.parametrize("value", VALUES, ids=lambda v: v[:24])
def test_markdown_export_text_shows_a_value_as_itself(value):
    rendered = _Parsed(_RENDER.render(_md(value)))
    assert not rendered.built(), rendered.built()
    assert " ".join(rendered.text.split()) == " ".join(value.split())


@pytest.fixture
def hostile_project(db):
    """A project whose every piece of text is hostile, with the hostile CSV stored and its profile and leakage
    scan recorded as evidence (so column names, class labels and the file name reach the review)."""
    project = create_project(db, PROJECT_NAME, TEXT, created_by=WRITER)
    first = save_revision(db, project.id, {"requirements": {"objective": TEXT}}, WRITER, None, section="requirements")
    save_revision(db, project.id, {"requirements": {"objective": TEXT + "\n" + SCRIPT_CLOSE},
                                   "data": {"sources": TEXT, "labels": MARKDOWN_DIRECTIVE, "target": TARGET,
                                            "positive_class": IMG_ONERROR}}, WRITER, first.id, section="data")
    thread = add_comment(db, project.id, "data", WRITER, TEXT)
    add_comment(db, project.id, "data", WRITER, f"{JS_LINK} {IMG_ONERROR}", parent_id=thread.id)
    decide(db, project.id, "changes requested", WRITER, TEXT, revision_id=latest_revision(db, project.id).id)
    dataset, _ = add_dataset(db, project.id, FILE_NAME, read_csv(hostile_csv(), FILE_NAME), WRITER)
    compute_and_store(db, plan_for(db, "profile", dataset, profile_settings(TARGET)), project.id, dataset, WRITER)
    compute_and_store(db, plan_for(db, "leakage", dataset, leakage_settings(TARGET, Split(), LeakageSettings(), None)),
                      project.id, dataset, WRITER)
    return get_project(db, project.id)


def test_every_export_keeps_hostile_values_inert(db, hostile_project, tmp_path):
    summary = gather(db, hostile_project)
    wanted = (PROJECT_NAME, AUTHOR, JS_LINK, IMG_ONERROR, SCRIPT_CLOSE, MARKDOWN_DIRECTIVE, MARKDOWN_LINK, FILE_NAME,
              LEAK, TARGET)

    markdown = _Parsed(_RENDER.render(to_markdown(summary)))
    made = [t for t in markdown.built() if t[0] != "code"]      # the export's own code spans: URL-encoded page links
    assert not made, made[:5]
    for value in wanted:
        assert value in markdown.text, value

    figures = charts(summary)
    html = to_html(summary, figures)
    page = _Parsed(html)
    assert [t for t, _ in page.tags if t == "script"] == ["script", "script"]   # plotly.js and the draw calls
    made = [t for t in page.built() if t[0] not in ("script", "style", "code")]
    assert not made, made[:5]
    assert [t for t, _ in page.tags].count("style") == 1
    for value in wanted:
        assert value in page.text, value
    assert SCRIPT_CLOSE not in html and IMG_ONERROR not in html     # neither in the text nor in the chart data

    data = json.dumps(export_project(db, hostile_project.id))
    assert json.loads(data)["project"]["name"] == PROJECT_NAME
    other = open_store(tmp_path / "other")
    imported = get_project(other, import_project(other, data.encode(), WRITER))
    assert imported.name.startswith(PROJECT_NAME) and imported.description == TEXT
    assert [c.body for c in gather(other, imported).comments] == [TEXT, f"{JS_LINK} {IMG_ONERROR}"]
    other.close()


def test_control_the_renderer_builds_elements_from_raw_values():
    """The renderer used above turns raw values into elements, so a missing escape would be seen. (It drops
    javascript: links by itself, as some viewers do not: they are escaped anyway.)"""
    raw = _Parsed(_RENDER.render(" ".join((SCRIPT_CLOSE, IMG_ONERROR, MARKDOWN_IMAGE, MARKDOWN_LINK))))
    assert {t for t, _ in raw.built()} == {"script", "img", "a"}


def _labels(figure) -> list[str]:
    """Every string Plotly draws as a label: trace coordinates, categories, names, texts; titles of the figure
    and of its axes; annotations."""
    found = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("x", "y", "labels", "name", "text", "hovertext"):
            found.append(node)

    spec = figure.to_plotly_json()
    walk(spec["data"])
    layout = spec["layout"]
    found += [(layout.get(k) or {}).get("text", "") for k in layout if k == "title" or k.endswith("axis")]
    found += [a.get("text", "") for a in layout.get("annotations", [])]
    return found


def test_charts_show_data_as_text_not_plotly_markup():
    table = read_csv(hostile_csv(), FILE_NAME)
    profile = describe_dataset(table.frame, table.column_types, target=TARGET)
    half = len(table.frame) // 2
    figures = [profile_charts.column_chart(profile.column(name)) for name in HOSTILE_NAMES]
    figures += [profile_charts.class_balance_chart(profile.target.balance, TARGET),
                profile_charts.correlation_chart(profile.correlations.cramers_v, "Cramér's V"),
                *(profile_charts.feature_by_class_chart(f, TARGET) for f in profile.target.by_class),
                overlay_figure(overlay(table.frame.iloc[:half], table.frame.iloc[half:], HOSTILE_NAMES[1],
                                       "categorical"))]
    labels = [label for figure in figures if figure is not None for label in _labels(figure)]
    assert chart_text(HTML_LINK) in labels and chart_text(HOSTILE_NAMES[1]) in " ".join(labels)
    assert not [label for label in labels
                if "<" in label.replace("<br>", "").replace("<sup>", "").replace("</sup>", "")]


def test_control_raw_values_reach_plotly_as_markup():
    assert chart_text(HTML_LINK) != HTML_LINK and chart_text(3) == 3
    assert chart_text("a & <b>") == "a &amp; &lt;b&gt;"
