"""Export of a review: a plain ReviewSummary, rendered as Markdown or as one self-contained HTML file.

Both lead as the Review page does: the decision and its note, then what blocks approval (design.blockers), each
with the place to fix it; the readiness checklist and the document with its evidence follow.

Every string from a person or from data is escaped: HTML through Jinja's autoescape, Markdown by escaping
what a Markdown viewer would turn into HTML, a link, an image or code (_md). The HTML inlines plotly.js, so
it opens offline and prints to PDF from a browser.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from analysis.inert import script_json
from design import palette
from design.blockers import Blocker
from design.candidates import SideBySide, side_by_side, verdict_text
from design.evidence import EvidenceView
from design.fields import FEATURE_TABLE, TABLE_COLUMNS, as_text
from design.readiness import Readiness
from design.sections import SECTIONS


@dataclass(frozen=True)
class ReviewSummary:
    """What an export holds: the project, the revision, the review status, the document, its evidence,
    the readiness checklist, comments (objects with section, author, body, created_at, parent_id,
    resolved_by), decisions (with status, author, note, created_at; newest first) and what blocks approval
    (design.blockers.find_blockers, most blocking first), then what is worth a look without blocking
    (design.blockers.find_warnings)."""

    project_name: str
    project_description: str
    revision_number: int | None
    revision_label: str
    status_label: str
    generated_at: str
    content: dict
    view: EvidenceView
    readiness: Readiness
    comments: tuple
    decisions: tuple
    blockers: tuple[Blocker, ...] = ()
    warnings: tuple[Blocker, ...] = ()

    @property
    def decision(self):
        """The latest decision, or None."""
        return self.decisions[0] if self.decisions else None


_MD_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", "\\": "\\\\", "`": "\\`", "[": "\\[", "]": "\\]"})


def _md(text) -> str:
    """User or data text for Markdown, shown as itself: no raw HTML or <autolink> ("&" and "<" as entities), no
    link, image or code span (backslash, backquote and square brackets escaped); line breaks kept. A bare URL
    stays text that some viewers make clickable, as in any Markdown file."""
    return str(text).translate(_MD_TEXT).replace("\n", "  \n")


def to_markdown(summary: ReviewSummary) -> str:
    """The review as Markdown."""
    out = [f"# Design review: {_md(summary.project_name)}", ""]
    if summary.project_description:
        out += [_md(summary.project_description), ""]
    out += [f"- Document: {_md(summary.revision_label)}", f"- Review status: **{_md(summary.status_label)}**",
            f"- Exported: {summary.generated_at}", f"- Readiness: {summary.readiness.overall:.0%} (weakest area)", ""]
    out += ["## Decision", ""]
    d = summary.decision
    if d is None:
        out += ["No decision yet: the review is a draft.", ""]
    else:
        out += [f"**{_md(d.status)}** by {_md(d.author)}, {d.created_at[:16].replace('T', ' ')} UTC"
                + (" (outdated: the document changed after it)" if "outdated" in summary.status_label else ""), ""]
        if d.note:
            out += ["> " + _md(d.note).replace("  \n", "  \n> "), ""]
    out += [f"## What blocks approval ({len(summary.blockers)})", ""]
    out += [f"{i}. **{b.kind.capitalize()}**: {_md(b.title)}" + (f". {_md(b.detail)}" if b.detail else "")
            + f"  \n   Fix it on: {_md(b.place)} (`{b.url}`)" for i, b in enumerate(summary.blockers, 1)]
    out += ["" if summary.blockers else "Nothing blocks approval: every criterion the baselines measure passes, the "
            "evidence is current, no high leakage finding or comment is open and the required fields are answered.", ""]
    out += [f"- Worth a look (not blocking): **{_md(w.kind.capitalize())}**: {_md(w.title)}. {_md(w.detail)}"
            f"  \n  See: {_md(w.place)} (`{w.url}`)" for w in summary.warnings]
    out += [""] if summary.warnings else []
    out += _candidate_markdown(side_by_side(summary.view, summary.content))
    out += ["## Readiness", "", "| Area | Item | Status | Reason |", "|---|---|---|---|"]
    out += [f"| {i.area} | {i.text} | {i.status} | {_md(i.reason).replace('|', '&#124;')} |"
            for i in summary.readiness.items]
    out.append("")
    for sec in SECTIONS:
        values = summary.content.get(sec.key) or {}
        out += [f"## {sec.title}", ""]
        for f in sec.fields:
            text = as_text(f, values.get(f.key))
            if f.kind == FEATURE_TABLE and values.get(f.key):
                out += [f"**{f.label}**", "", "| Column | Known at prediction time | Source | Note |",
                        "|---|---|---|---|"]
                out += ["| " + " | ".join(_md(row.get(k, "")).replace("|", "&#124;") for k in TABLE_COLUMNS) + " |"
                        for row in values[f.key]]
                out.append("")
                continue
            out += [f"**{f.label}**  ", _md(text) if text else "_(not answered)_", ""]
        for note in summary.view.notes.get(sec.key, []):
            out += [f"> **Evidence: {_md(note.title)}**" + (f" (stale: {_md(note.stale)})" if note.stale else "")]
            out += [f"> - {_md(line)}" for line in note.lines]
            out.append("")
        for missing in summary.view.missing.get(sec.key, []):
            out += [f"> Missing evidence: {_md(missing)}", ""]
        comments = [c for c in summary.comments if c.section == sec.key]
        if comments:
            out += ["### Comments", ""]
            for c in comments:
                indent = "  " if c.parent_id else ""
                done = f" _(resolved by {_md(c.resolved_by)})_" if c.resolved_by else ""
                out.append(f"{indent}- **{_md(c.author)}** ({c.created_at[:16].replace('T', ' ')}): "
                           f"{_md(c.body)}{done}")
            out.append("")
    out += ["## Decision history", ""]
    out += [f"- {d.created_at[:16].replace('T', ' ')}: **{_md(d.status)}** by {_md(d.author)}"
            + (f": {_md(d.note)}" if d.note else "")
            for d in summary.decisions] or ["- No decision yet."]
    return "\n".join(out) + "\n"


def _candidate_markdown(table: SideBySide | None) -> list[str]:
    """The candidate's verdicts beside the best run's, failing first, and their differences in words."""
    if table is None:
        return []
    label = table.candidate.label
    out = [f"## Candidate {_md(label)} beside {_md(table.baseline) or 'the baselines (none run yet)'}", "",
           f"{_md(label)} is {_md(table.why)}."]
    if table.candidate.note.stale:
        out[-1] += (f" **Stale**: {_md(table.candidate.note.stale)}; evaluate it again before deciding on these "
                    "verdicts.")
    out += ["", f"| Criterion | {_md(label)} | Best run |", "|---|---|---|"]
    out += [f"| {_md(r.criterion)} | {_cell(verdict_text(r.candidate))} | "
            f"{_cell(verdict_text(r.baseline)) if table.baseline else 'no run'} |" for r in table.rows]
    out.append("")
    if table.sentences:
        out += ["On the same rows:", ""] + [f"- {_md(s)}" for s in table.sentences] + [""]
    return out


def _cell(verdict: str) -> str:
    """A verdict in a Markdown table cell, its status in bold when it blocks."""
    status, _, rest = verdict.partition(":")
    shown = f"**{status}**" if status in ("fail", "inconclusive") else status
    return (shown + (f":{rest}" if rest else "")).replace("|", "&#124;")


def _candidate_html(table: SideBySide | None) -> dict | None:
    """What the HTML template draws of the candidate beside the best run."""
    if table is None:
        return None
    css = {"pass": "pass", "fail": "fail"}
    rows = [{"criterion": r.criterion, "candidate": verdict_text(r.candidate),
             "candidate_class": css.get(r.candidate.status, "na") if r.candidate else "na",
             "baseline": verdict_text(r.baseline) if table.baseline else "no run",
             "baseline_class": css.get(r.baseline.status, "na") if r.baseline else "na"} for r in table.rows]
    return {"label": table.candidate.label, "why": table.why, "baseline": table.baseline,
            "stale": table.candidate.note.stale, "rows": rows, "sentences": table.sentences}


_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))


def _figure_json(fig: go.Figure) -> Markup:
    """Figure JSON safe inside a <script> element (no value can close it early)."""
    return Markup(script_json(fig.to_json()))


def to_html(summary: ReviewSummary, charts: list[go.Figure]) -> str:
    """The review as one self-contained HTML page with ``charts`` drawn by inlined plotly.js."""
    sections = []
    for sec in SECTIONS:
        values = summary.content.get(sec.key) or {}
        sections.append({
            "title": sec.title,
            "fields": [(f.label, as_text(f, values.get(f.key)),
                        values.get(f.key) if f.kind == FEATURE_TABLE else None) for f in sec.fields],
            "notes": summary.view.notes.get(sec.key, []),
            "missing": summary.view.missing.get(sec.key, []),
            "comments": [c for c in summary.comments if c.section == sec.key],
        })
    return _ENV.get_template("review.html").render(
        s=summary, sections=sections, plotly_js=Markup(get_plotlyjs()), palette=palette,
        candidate=_candidate_html(side_by_side(summary.view, summary.content)),
        charts=[{"id": f"chart-{i}", "json": _figure_json(fig)} for i, fig in enumerate(charts)],
    )
