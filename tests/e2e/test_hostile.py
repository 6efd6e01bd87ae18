"""In Chromium: hostile values (tests/hostile.py) in a project's name, description, document, comments, decision
and author, and in an uploaded CSV's file name, column names and cells, go through every page, every export
and the Evidently report without running, fetching or turning into anything but text.

Every page here is watched (Guard) for dialogs, console errors that come from injected code, requests to any
other host (or to a file outside this test's folder, or for a path a hostile value names) and elements built
from the data (an <img src=x>, an onerror handler, a javascript: link, a link whose words are not its address,
bold text, a coloured span or formula that Streamlit's Markdown or Plotly made of a value). A bare address in
text may be linked as itself, as any Markdown viewer does. The drift test ends with controls that open an
un-escaped Evidently report the same way and see the dialog (and, in the app's sandboxed frame, the console
message of a blocked one), so the watch is known to see what it looks for.
"""
from __future__ import annotations

import csv
import io
import json
import posixpath
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from analysis.inert import sandboxed_frame
from store.datasets import list_datasets
from store.db import open_store
from store.documents import latest_revision, save_revision
from store.people import System
from store.projects import create_project
from store.reviews import add_comment, decide
from tests.e2e.conftest import Server, wait_idle
from tests.hostile import (
    ALERT_MARKERS,
    AUTHOR,
    FETCH_BAITS,
    FILE_NAME,
    HOSTILE,
    HOSTILE_NAMES,
    HTML_LINK,
    IMG_ONERROR,
    JS_LINK,
    LONG,
    MARKDOWN_DIRECTIVE,
    PROJECT_NAME,
    SCRIPT_CLOSE,
    hostile_csv,
)

TEXT = "\n".join(v for v in HOSTILE if v != LONG)
WRITER = System("test", AUTHOR)     # Blueprint's test code writes under the hostile name
TARGET = HOSTILE_NAMES[4]
LEAK = HOSTILE_NAMES[2]           # a numeric copy of the target: the leakage checks flag it
HTML_LINK_TEXT = HTML_LINK[:30]   # Plotly shows the value as text (it would make a link and bold text of it)

# Elements that only a value turned into markup would make, in any frame (the app, the report, the export).
_BUILT_FROM_DATA = """() => {
  const all = (s) => Array.from(document.querySelectorAll(s));
  const short = (e) => e.outerHTML.slice(0, 200);
  const href = (a) => a.getAttribute("href") || a.getAttribute("xlink:href") || "";
  return {
    images: all("img").filter(i => /^x$|198\\.51\\.100\\.7|pixel|(^|\\/)x$/.test(i.getAttribute("src") || ""))
                      .map(short),
    handlers: all("[onerror],[onload],[onclick],[onmouseover]").map(short),
    js_links: all("a").filter(a => /^\\s*javascript:/i.test(href(a))).map(short),
    // a link whose words are not its address (a bare URL in text is linked as itself, as in any Markdown viewer)
    data_links: all("a").filter(a => (/198\\.51\\.100\\.7/.test(href(a)) && a.textContent.trim() !== href(a))
                                || /^(click me|open the report|open here|a|f|tracker|t)$/.test(a.textContent.trim()))
                        .map(short),
    bold_from_data: all("b,strong").filter(e => e.textContent.trim() === "bold").map(short),
    markdown: all(".stMarkdownColoredText,.stMarkdownColoredBackground,.stMarkdownBadge,.katex").map(short),
    scripts: all("script").filter(s => /^\\s*alert\\(/.test(s.text)).map(s => s.text),
  };
}"""


class Guard:
    """Watches one browser context: dialogs, console errors from injected code, foreign requests."""

    def __init__(self, port: int | None, folder: Path) -> None:
        self.port, self.folder = port, folder.resolve()
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.foreign: list[str] = []
        self.baits: list[str] = []

    def attach(self, context, page) -> None:
        context.route("**/*", self._route)
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._console_text(f"pageerror: {error}"))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self._console_text(f"{message.type}: {message.text}")

    def _console_text(self, text: str) -> None:
        lowered = text.lower()
        if "alert" in lowered or "content security policy" in lowered or any(f"'{m}'" in text for m in ALERT_MARKERS):
            self.console.append(text)

    def _route(self, route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws") and parsed.hostname == "127.0.0.1" and parsed.port == self.port:
            if posixpath.basename(unquote(parsed.path)) in FETCH_BAITS:
                self.baits.append(url)
                return route.abort()
            return route.continue_()
        if parsed.scheme == "file" and Path(unquote(parsed.path)).resolve().is_relative_to(self.folder):
            return route.continue_()
        self.foreign.append(url)
        return route.abort()

    def check(self, page, where: str) -> None:
        """Nothing ran, nothing was fetched, nothing was built from data, in any frame of ``page``."""
        built = {}
        for frame in page.frames:
            try:
                found = frame.evaluate(_BUILT_FROM_DATA)
            except Exception as error:  # a frame that went away while we looked
                if "detached" in str(error).lower():
                    continue
                raise
            built.update({f"{frame.url[:60]} {k}": v for k, v in found.items() if v})
        found = {"dialogs": self.dialogs, "console": self.console, "requests to other hosts or files": self.foreign,
                 "requests a hostile value asked for": self.baits, "elements built from data": built}
        assert not any(found.values()), f"{where}: " + "; ".join(f"{k}: {v}" for k, v in found.items() if v)


@dataclass
class Hostile:
    server: Server
    home: Path
    folder: Path
    project_id: int
    dataset_id: int = 0

    def url(self, path: str, **query) -> str:
        params = {"project": self.project_id, **query}
        return f"{self.server.url}/{path}?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())


def _seed(home: Path) -> int:
    """A project whose every piece of user text is hostile: name, description, document text in two
    revisions (so the history has a diff), comments with a reply, a decision, and the author of all."""
    db = open_store(home)
    try:
        project = create_project(db, PROJECT_NAME, TEXT, created_by=WRITER)
        first = save_revision(db, project.id, {"requirements": {"objective": TEXT, "users": TEXT}}, WRITER, None,
                              section="requirements")
        content = {"requirements": {"objective": TEXT + "\n" + SCRIPT_CLOSE, "users": TEXT},
                   "data": {"sources": TEXT, "labels": MARKDOWN_DIRECTIVE, "target": TARGET,
                            "positive_class": IMG_ONERROR}}
        save_revision(db, project.id, content, WRITER, first.id, section="data")
        thread = add_comment(db, project.id, "data", WRITER, TEXT)
        add_comment(db, project.id, "data", WRITER, JS_LINK + " " + IMG_ONERROR, parent_id=thread.id)
        add_comment(db, project.id, "requirements", WRITER, MARKDOWN_DIRECTIVE)
        decide(db, project.id, "changes requested", WRITER, TEXT, revision_id=latest_revision(db, project.id).id)
        return project.id
    finally:
        db.close()


def _guarded_page(browser, hostile: Hostile):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    guard = Guard(hostile.server.port, hostile.folder)
    guard.attach(context, page)
    return context, page, guard


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, seeded_template, browser):
    """A server on a data folder of its own holding the hostile project, with the hostile CSV uploaded
    through the real uploader on the Datasets page (watched like every page)."""
    folder = tmp_path_factory.mktemp("hostile")
    home = folder / "home"
    shutil.copytree(seeded_template, home)
    project_id = _seed(home)
    server = Server(home, folder / "streamlit.log")
    state = Hostile(server, home, folder, project_id)
    try:
        upload = folder / "upload"
        upload.mkdir()
        csv_path = upload / FILE_NAME
        csv_path.write_bytes(hostile_csv())
        context, page, guard = _guarded_page(browser, state)
        page.goto(state.url("datasets"))
        wait_idle(page)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
            f"Stored '{FILE_NAME}': 300 rows × 6 columns")
        wait_idle(page)
        guard.check(page, "upload")
        context.close()
        db = open_store(home)
        state.dataset_id = list_datasets(db, project_id)[0].id
        db.close()
        yield state
    finally:
        server.stop()


@pytest.fixture
def watched(browser, hostile):
    context, page, guard = _guarded_page(browser, hostile)
    yield page, guard
    context.close()


def _open(page, guard, url: str, where: str) -> None:
    page.goto(url)
    wait_idle(page)
    guard.check(page, where)


def _title_shows_name(page, prefix: str) -> None:
    expect(page.get_by_test_id("stMain").locator("h1").first).to_have_text(f"{prefix} · {PROJECT_NAME}",
                                                                        use_inner_text=True, timeout=10_000)


def _download(page, name: str) -> Path:
    """The file behind a download button. A click that lands while the page reruns asks for a file of the run
    before, which the server has dropped (no download comes): then it clicks again."""
    for attempt in range(3):
        wait_idle(page)
        try:
            with page.expect_download(timeout=30_000) as info:   # the review's HTML is built on click (plotly.js)
                page.get_by_test_id("stDownloadButton").filter(has_text=name).locator("button").click()
            return Path(info.value.path())
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _formulas(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: starting with = + - @ and not a plain number."""
    def number(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return False
        return True

    return [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@")) and not number(cell)]


def test_projects_design_and_datasets_show_hostile_text_as_text(watched, hostile):
    page, guard = watched
    _open(page, guard, hostile.url("projects"), "Projects")
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Project")).to_have_value(PROJECT_NAME)
    _open(page, guard, hostile.url("design", section="data"), "Design document")
    _title_shows_name(page, "Design document")
    expect(page.get_by_test_id("stProgress")).to_contain_text(AUTHOR, use_inner_text=True)
    expect(page.get_by_test_id("stButton").filter(has_text="Fill the feature table from")).to_have_text(
        f"Fill the feature table from {FILE_NAME}", use_inner_text=True)      # a button label is Markdown too
    _open(page, guard, hostile.url("datasets"), "Datasets")
    _title_shows_name(page, "Datasets")
    page.get_by_test_id("stExpander").filter(has_text="Rename, set role or delete").locator("summary").click()
    expect(page.get_by_role("button", name=f"Delete '{FILE_NAME}'…")).to_be_visible()
    guard.check(page, "Datasets: manage")


def test_explore_every_tab(watched, hostile):
    page, guard = watched
    _open(page, guard, hostile.url("explore", dataset=hostile.dataset_id, target=TARGET), "Explore")
    _title_shows_name(page, "Explore")
    expect(page.get_by_role("tab", name="Target")).to_be_visible(timeout=120_000)           # the profile is a job
    for tab in ("Alerts", "Columns", "Missing values", "Correlations", "Target"):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        guard.check(page, f"Explore: {tab}")
    expect(page.locator("[data-testid=stPlotlyChart]:visible .main-svg").first).to_be_visible()
    page.get_by_role("tab", name="Columns").click()       # a categorical column: its values label the chart's axis
    page.get_by_role("combobox", name="Column", exact=True).click()
    page.get_by_role("option", name=HOSTILE_NAMES[1], exact=True).click()
    wait_idle(page)
    chart = page.locator("[data-testid=stPlotlyChart]:visible").filter(has_text=f"Top values of {HOSTILE_NAMES[1]}")
    expect(chart.locator(".main-svg").first).to_contain_text(HTML_LINK_TEXT)
    guard.check(page, "Explore: a categorical column's chart")


def test_leakage_scan_and_its_csv(watched, hostile):
    page, guard = watched
    _open(page, guard, hostile.url("leakage", dataset=hostile.dataset_id, target=TARGET), "Leakage")
    _title_shows_name(page, "Leakage checks")
    page.get_by_role("button", name="Run leakage checks").click()
    wait_idle(page)
    expect(page.get_by_text(f"'{LEAK}' predicts '{TARGET}'").first).to_be_visible(timeout=120_000)
    guard.check(page, "Leakage: findings")
    rows = _csv_rows(_download(page, "Download findings (CSV)"))
    column = rows[0].index("Column")
    assert "'" + LEAK in [r[column] for r in rows[1:]]
    assert not _formulas(rows)


def test_baselines_and_compare(watched, hostile):
    page, guard = watched
    _open(page, guard, hostile.url("baselines", dataset=hostile.dataset_id, target=TARGET), "Baselines")
    _title_shows_name(page, "Baselines")
    page.get_by_test_id("stExpander").filter(has_text="Run settings").locator("summary").click()
    guard.check(page, "Baselines: settings")
    page.get_by_role("button", name="Run baselines").click()
    expect(page.get_by_text("Success criteria")).to_be_visible(timeout=150_000)
    wait_idle(page)
    guard.check(page, "Baselines: results")
    _open(page, guard, hostile.url("compare"), "Compare")
    _title_shows_name(page, "Compare runs")
    _open(page, guard, hostile.url("jobs"), "Jobs")
    _title_shows_name(page, "Jobs")


def test_drift_embedded_and_downloaded_report(watched, hostile, browser):
    page, guard = watched
    _open(page, guard, hostile.url("drift"), "Drift")
    _title_shows_name(page, "Drift")
    page.get_by_role("button", name="Run drift check").click()
    wait_idle(page)
    expect(page.get_by_text("Drifted columns")).to_be_visible(timeout=180_000)    # a job: Evidently loads in a worker
    guard.check(page, "Drift: summary")
    rows = _csv_rows(_download(page, "Download the per-column table (CSV)"))
    assert {"'" + HOSTILE_NAMES[2], HOSTILE_NAMES[0]} <= {r[0] for r in rows[1:]}
    assert not _formulas(rows)

    page.get_by_test_id("stExpander").filter(has_text="Evidently report").locator("summary").click()
    report_frame = page.frame_locator("iframe").first.frame_locator("iframe")
    expect(report_frame.locator("body")).to_contain_text(HOSTILE_NAMES[0], timeout=60_000)   # drawn by its scripts
    page.wait_for_timeout(500)                # an onerror or onload of anything drawn fires within this
    guard.check(page, "Drift: embedded report")

    report = hostile.folder / "report.html"
    shutil.copy(_download(page, "Download the Evidently report"), report)
    _open_file(page, report)
    expect(page.locator("body")).to_contain_text(HOSTILE_NAMES[0])
    page.wait_for_timeout(500)
    guard.check(page, "downloaded Evidently report")
    _controls(browser, hostile, report)


def _controls(browser, hostile: Hostile, report: Path) -> None:
    """The watch sees what it looks for: Evidently's raw HTML (this report with its data block un-escaped,
    as Evidently 0.7 writes it) fires a dialog when opened the same way; inside the app's sandboxed frame
    the same HTML cannot show one, and the console says that something tried."""
    raw = report.read_text(encoding="utf-8").replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    (hostile.folder / "raw.html").write_text(raw, encoding="utf-8")
    (hostile.folder / "framed.html").write_text(sandboxed_frame(raw, 600), encoding="utf-8")

    context, page, guard = _guarded_page(browser, hostile)
    with page.expect_event("dialog"):
        _open_file(page, hostile.folder / "raw.html")
    assert any("script-close" in d for d in guard.dialogs), guard.dialogs
    with pytest.raises(AssertionError, match="dialogs"):
        guard.check(page, "control")
    context.close()

    context, page, guard = _guarded_page(browser, hostile)
    with page.expect_console_message(lambda message: "alert" in message.text):
        _open_file(page, hostile.folder / "framed.html")
    assert not guard.dialogs and any("alert" in c for c in guard.console), guard.console
    context.close()


def _open_file(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


class _Tags(HTMLParser):
    """The elements and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_review_every_tab_and_every_export(watched, hostile):
    page, guard = watched
    _open(page, guard, hostile.url("review"), "Review")
    _title_shows_name(page, "Review")
    for expander in page.get_by_test_id("stExpander").filter(has_text="Comments (").all():
        if expander.is_visible() and not expander.locator("details[open]").count():
            expander.locator("summary").click()
    expect(page.get_by_text(AUTHOR).first).to_be_visible()
    guard.check(page, "Review: comments")
    for tab in ("Readiness", "Decision", "History", "Export"):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        guard.check(page, f"Review: {tab}")

    _open(page, guard, hostile.url("review", tab="Export"), "Review: Export")   # no tab click rerunning under us
    markdown = _download(page, "Download summary (Markdown)").read_text(encoding="utf-8")
    html_path = hostile.folder / "review.html"
    shutil.copy(_download(page, "Download summary (HTML, opens offline)"), html_path)
    project = json.loads(_download(page, "Export project (JSON)").read_text(encoding="utf-8"))

    assert project["project"]["name"] == PROJECT_NAME and project["project"]["description"] == TEXT
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    tags = _Tags()
    tags.feed(rendered)
    made = [(t, a) for t, a in tags.tags if t in ("a", "img", "script", "svg", "iframe", "object", "embed", "style")
            or any(k.startswith("on") for k in a)]
    assert not made, f"the Markdown export makes elements from data: {made[:5]}"
    text = "".join(tags.text)
    assert f"Design review: {PROJECT_NAME}" in text and JS_LINK in text and AUTHOR in text

    _open_file(page, html_path)
    expect(page.locator("h1")).to_have_text(f"Design review: {PROJECT_NAME}", use_inner_text=True)
    expect(page.locator(".chart .main-svg").first).to_be_visible()
    guard.check(page, "exported HTML")
