"""What blocks approval of a design, in the order a reviewer clears it, each with the place to fix it.

    blockers = find_blockers(project_id, content, view, comments)
    b = blockers[0]
    b.kind, b.title    # "unmeasured criterion", "p95 latency_ms <= 300 is not measured"
    b.place, b.url     # "Design document · Evaluation", "design?project=1&section=evaluation"
    warnings = find_warnings(project_id, view)    # worth a look, never blocking: a CI run that measured nothing

Read from the document and its stored evidence only (design.evidence.EvidenceView): nothing is recomputed. The
Review page lists them on its first screen, and the Markdown and HTML exports lead with the same list. Titles and
details hold user and data text (criteria, finding titles, comment bodies): escape them where they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from analysis.units import page_of
from design.check_evidence import run_time
from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED
from design.document import success_criteria
from design.evidence import EvidenceNote, EvidenceView
from design.fields import is_answered
from design.readiness import FRAMING_OF_TARGET
from design.sections import SECTIONS

# Kinds, in the order they are listed (what blocks most first).
FAILING = "failing criterion"
CHECK_FAILED = "failed pipeline check"     # the latest `blueprint check --as` run failed (design.check_evidence)
INCONCLUSIVE_CRITERION = "inconclusive criterion"
UNMEASURED = "unmeasured criterion"
FINDING = "leakage finding"
STALE = "stale evidence"
MISSING = "missing evidence"
MISMATCH = "document and data disagree"
COMMENT = "open comments"
FIELD = "empty required fields"
KINDS = (FAILING, CHECK_FAILED, INCONCLUSIVE_CRITERION, UNMEASURED, FINDING, STALE, MISSING, MISMATCH, COMMENT, FIELD)
# Warnings: worth a reviewer's look, but they do not block approval (find_warnings).
CHECK_NOTHING = "pipeline check measured nothing"   # the latest run could measure no criterion (exit 2)

PAGES = {"design": "Design document", "explore": "Explore", "leakage": "Leakage", "drift": "Drift",
         "baselines": "Baselines", "review": "Review", "datasets": "Datasets", "models": "Models",
         "compare": "Compare"}
CHECKS_PLACE = "Checks from the pipeline (blueprint check)"     # the Compare page's section of CI runs
DOCUMENT_TAB = "Document and evidence"    # the Review page's tab with the sections and their comment threads

# Fields a reviewer needs answered before approving (those the readiness rubric reads, and the framing's core).
REQUIRED = (
    ("requirements", "business_objective"),
    ("framing", "non_ml_baseline"), ("framing", "ml_objective"), ("framing", "ml_type"),
    ("data", "target"), ("data", "privacy"),
    ("model", "baseline"),
    ("evaluation", "success_criteria"),
    ("deployment", "target"), ("deployment", "prediction_mode"), ("deployment", "testing_in_production"),
    ("monitoring", "drift"), ("monitoring", "retraining_trigger"),
)
CLASSIFICATION_REQUIRED = (("evaluation", "decision_threshold"), ("evaluation", "threshold_tradeoff"))
IMBALANCED_BELOW = 0.2        # a rarest class under this share of rows asks for an imbalance plan (as readiness does)


@dataclass(frozen=True)
class Blocker:
    """One thing that blocks approval.

    kind: one of KINDS (a warning's: CHECK_NOTHING). title: what blocks, in one line. detail: why, with the figures
    behind it ("" when the title says all). page: the app page where it is fixed (its URL path, a key of PAGES).
    place: that page and the spot on it, in words. query: the page's URL query that opens the spot (project,
    section, dataset, target).
    """

    kind: str
    title: str
    detail: str
    page: str
    place: str
    query: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The spot as a link relative to the app's address, e.g. "leakage?project=1&dataset=1&target=diagnosis"."""
        return self.page + ("?" + urlencode(self.query) if self.query else "")


def find_blockers(project_id: int, content: dict, view: EvidenceView, comments=()) -> list[Blocker]:
    """Everything that blocks approval of the document ``content`` with its evidence ``view``, most blocking first.

    comments: the project's comments (objects with section, author, body, parent_id, resolved_by); an open thread
    is a first comment nobody has resolved."""
    project = {"project": str(project_id)}
    run = next((n for n in view.notes.get("evaluation", []) if n.kind == "run"), None)
    found = _candidate_criteria(project, view)         # the proposed candidate's first: the review decides on it
    found += _criteria(project, content, view, run)
    found += _ci_check(project, view)
    found += _proposal(project, view)
    found += _findings(project, view)
    found += _stale(project, view)
    found += _missing(project, content, view, run)
    found += _mismatches(project, content, view, run)
    found += _comments(project, comments)
    found += _fields(project, content, view)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(found, key=lambda b: order[b.kind])       # stable: the order within a kind is kept


def _section_title(key: str) -> str:
    return next((s.title for s in SECTIONS if s.key == key), key)


def _in_document(project: dict, section: str) -> dict:
    return {"page": "design", "place": f"{PAGES['design']} · {_section_title(section)}",
            "query": {**project, "section": section}}


def _on_data(project: dict, page: str, note: EvidenceNote | None, target: str | None = None) -> dict:
    """Where a result on a dataset is made again: its page, with its dataset (when still there) and target."""
    query = dict(project)
    summary = note.summary if note else {}
    if note is not None and note.dataset_id is not None:
        query["dataset"] = str(note.dataset_id)
    target = summary.get("target") or target
    if target:
        query["target"] = str(target)
    place = PAGES[page]
    if note is not None and note.dataset_id is not None and summary.get("dataset"):
        place += f" · {summary['dataset']}" + (f", target '{target}'" if target else "")
    elif target:
        place += f" · target '{target}'"
    return {"page": page, "place": place, "query": query}


def _document_target(content: dict) -> str | None:
    return (content.get("data") or {}).get("target") or None


def _criteria(project: dict, content: dict, view: EvidenceView, run: EvidenceNote | None) -> list[Blocker]:
    out = []
    source = f" on the best run ({run.summary.get('best_model')})" if run and run.summary.get("best_model") else ""
    proposed = view.proposed
    for check in view.criteria_checks:
        if check.status == NOT_MEASURED and proposed and proposed.check(str(check.criterion)):
            continue                   # the proposed candidate's verdict on it (measured or not) says more
        if check.status == FAIL:
            out.append(Blocker(FAILING, f"{check.criterion} fails{source}", check.reason,
                               **_on_data(project, "baselines", run, _document_target(content))))
        elif check.status == INCONCLUSIVE:
            out.append(Blocker(INCONCLUSIVE_CRITERION, f"{check.criterion} is inconclusive{source}", check.reason,
                               **_on_data(project, "baselines", run, _document_target(content))))
        elif check.status == NOT_MEASURED:
            out.append(Blocker(UNMEASURED, f"{check.criterion} is not measured", check.reason,
                               **_in_document(project, "evaluation")))
    return out


def _latest_ci_run(view: EvidenceView) -> EvidenceNote | None:
    """The latest pipeline run's note (design.evidence keeps the newest CI run only), None when there is none."""
    return next((n for n in view.notes.get("evaluation", []) if n.kind == "check"), None)


def _on_compare(project: dict) -> dict:
    return {"page": "compare", "place": f"{PAGES['compare']} · {CHECKS_PLACE}", "query": dict(project)}


def _ci_check(project: dict, view: EvidenceView) -> list[Blocker]:
    """The latest CI run failed (exit 1): its failures block approval until a later run passes. An earlier failed run
    followed by one that passed blocks nothing."""
    note = _latest_ci_run(view)
    if note is None or note.summary.get("outcome") != "fail":
        return []
    s = note.summary
    failed = [str(line).rstrip(". ") for line in s.get("failed") or []]
    listed = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if len(failed) > 5 else "")
    detail = (f"{listed}. " if listed else "") + (
        f"Checked on {s.get('source') or 'its evidence'}, document revision {s.get('revision')}, data hash "
        f"{str(s.get('data_hash') or '')[:12]}. Fix the model or the data in the pipeline: a later run that passes "
        "clears this.")
    return [Blocker(CHECK_FAILED, f"The latest CI check failed (run {run_time(s)})", detail, **_on_compare(project))]


def find_warnings(project_id: int, view: EvidenceView) -> list[Blocker]:
    """What a reviewer should see but that does not block approval: the latest CI run could measure none of the
    criteria (exit 2), so the pipeline holds nothing to the document."""
    note = _latest_ci_run(view)
    if note is None or note.summary.get("outcome") != "nothing checked":
        return []
    s = note.summary
    reasons = list(dict.fromkeys(str(c.get("reason")) for c in s.get("checks") or [] if c.get("reason")))
    detail = (f"None of the {len(s.get('checks') or [])} success criteria could be measured on "
              f"{s.get('source') or 'its evidence'}" + (f": {'; '.join(reasons[:2])}" if reasons else "") +
              ". The pipeline holds nothing to the document until it brings what the criteria need.")
    return [Blocker(CHECK_NOTHING, f"The latest CI check could measure no criterion (run {run_time(s)})", detail,
                    **_on_compare({"project": str(project_id)}))]


def _on_model(project: dict, candidate) -> dict:
    """Where a candidate's evaluation is read and made again: its unit's page, on its model and version."""
    page = _result_page("candidate")
    query = {**project, "model": candidate.name}
    if candidate.version is not None:
        query["version"] = str(candidate.version)
    return {"page": page, "place": f"{PAGES.get(page, page.capitalize())} · {candidate.label}", "query": query}


def _candidate_criteria(project: dict, view: EvidenceView) -> list[Blocker]:
    """The proposed candidate's failing, inconclusive and unmeasured criteria (its stored verdicts)."""
    candidate = view.proposed
    if candidate is None:
        return []
    source = f" on the proposed candidate ({candidate.label})"
    kinds = {FAIL: (FAILING, "fails"), INCONCLUSIVE: (INCONCLUSIVE_CRITERION, "is inconclusive"),
             NOT_MEASURED: (UNMEASURED, "is not measured")}
    return [Blocker(kinds[c.status][0], f"{c.criterion} {kinds[c.status][1]}{source}", c.reason,
                    **_on_model(project, candidate)) for c in candidate.checks if c.status in kinds]


def _proposal(project: dict, view: EvidenceView) -> list[Blocker]:
    """The Model section proposes a candidate that has no evaluation."""
    if not view.proposed_name or view.proposed is not None:
        return []
    known = ", ".join(c.label for c in view.candidates)
    detail = (f"The Model section proposes '{view.proposed_name}', but no candidate of that name has been evaluated"
              + (f" (evaluated: {known})" if known else "") + ". Bring its predictions on the Models page, or name "
              "an evaluated candidate in the Model section.")
    return [Blocker(MISSING, f"No evaluation of the proposed candidate '{view.proposed_name}'", detail,
                    **_in_document(project, "model"))]


def _findings(project: dict, view: EvidenceView) -> list[Blocker]:
    out = []
    for note in view.notes.get("data", []):
        if note.kind != "leakage" or note.stale:
            continue
        for finding in note.open_findings:
            detail = finding.get("action") or ""
            out.append(Blocker(FINDING, f"High-severity leakage finding not resolved: {finding.get('title', '?')}",
                               f"{detail} Resolve it with a reason, or fix the data and scan again.".strip(),
                               **_on_data(project, "leakage", note)))
    return out


def _stale(project: dict, view: EvidenceView) -> list[Blocker]:
    out = []
    proposed = view.proposed
    for notes in view.notes.values():
        for note in notes:
            if note.kind == "candidate" and (proposed is None or note is not proposed.note):
                continue                # only the proposed candidate's evaluation is decided on
            if note.stale:
                why = note.stale[:1].upper() + note.stale[1:]
                place = _on_model(project, proposed) if note.kind == "candidate" else \
                    _on_data(project, _result_page(note.kind), note)
                out.append(Blocker(STALE, f"Stale: {note.title}", f"{why}: compute it again.", **place))
    return out


def _missing(project: dict, content: dict, view: EvidenceView, run: EvidenceNote | None) -> list[Blocker]:
    digest = view.digest
    target = _document_target(content)
    out = []
    if not digest.profiled:
        out.append(Blocker(MISSING, "No dataset profiled", "Explore the training data: the review reads its size, "
                           "missing values and class balance from the profile.",
                           **_on_data(project, "explore", None, target)))
    if not digest.leakage_checked:
        out.append(Blocker(MISSING, "No leakage check", "Run the leakage checks for the target: proxies, IDs, "
                           "duplicates and overlaps make a model look better than it will be.",
                           **_on_data(project, "leakage", None, target)))
    if run is None:
        criteria = success_criteria(content)
        waiting = (f" {len(criteria)} success criteria wait for it: {', '.join(str(c) for c in criteria)}."
                   if criteria else "")
        out.append(Blocker(MISSING, "No baseline run", "Run the baselines: they measure the success criteria and "
                           f"the dummy floor.{waiting}", **_on_data(project, "baselines", None, target)))
    if not digest.drift_checked:
        out.append(Blocker(MISSING, "No drift check", "Compare a reference and a current dataset: the Monitoring "
                           "section's drift plan needs a first measurement.", **_on_data(project, "drift", None)))
    return out


def _mismatches(project: dict, content: dict, view: EvidenceView, run: EvidenceNote | None) -> list[Blocker]:
    digest = view.digest
    out = []
    ml_type = (content.get("framing") or {}).get("ml_type")
    expected = FRAMING_OF_TARGET.get(digest.target_type or "")
    if ml_type and expected and ml_type != expected:
        out.append(Blocker(MISMATCH, f"Framed as {ml_type}, but the target column is {digest.target_type}",
                           f"The profiled target is {digest.target_type} ({expected}): change the framing, "
                           "or the target.",
                           **_in_document(project, "framing")))
    if run is not None and not run.stale and digest.beats_dummy is False:
        out.append(Blocker(MISMATCH, "No model beats the dummy floor", digest.lift or "The best model does no better "
                           "than predicting from the class shares or the mean.",
                           **_on_data(project, "baselines", run)))
    return out


def _comments(project: dict, comments) -> list[Blocker]:
    out = []
    for sec in SECTIONS:
        threads = [c for c in comments if c.section == sec.key and c.parent_id is None and not c.resolved_by]
        if not threads:
            continue
        first = threads[0]
        body = " ".join(str(first.body).split())
        body = body if len(body) <= 120 else body[:119] + "…"
        more = f" (and {len(threads) - 1} more)" if len(threads) > 1 else ""
        count = f"{len(threads)} open comment thread{'s' if len(threads) > 1 else ''}"
        out.append(Blocker(COMMENT, f"{count} on {sec.title}", f"{first.author}: {body}{more}", "review",
                           f"{PAGES['review']} · {DOCUMENT_TAB} · {sec.title}", {**project, "tab": DOCUMENT_TAB}))
    return out


def _required(content: dict, view: EvidenceView) -> list[tuple[str, str]]:
    wanted = list(REQUIRED)
    if "classification" in str((content.get("framing") or {}).get("ml_type") or ""):
        wanted += CLASSIFICATION_REQUIRED
    minority = view.digest.minority_share
    if minority is not None and minority < IMBALANCED_BELOW:
        wanted.append(("data", "imbalance_plan"))
    return wanted


def _fields(project: dict, content: dict, view: EvidenceView) -> list[Blocker]:
    wanted = set(_required(content, view))
    out = []
    for sec in SECTIONS:
        values = content.get(sec.key) or {}
        empty = [f for f in sec.fields if (sec.key, f.key) in wanted and not is_answered(f, values.get(f.key))]
        if not empty:
            continue
        labels = ", ".join(f.label for f in empty)
        detail = " ".join(f"{f.label}: {f.question}" for f in empty[:2]) + (" …" if len(empty) > 2 else "")
        out.append(Blocker(FIELD, f"{sec.title}: {labels} not answered", detail, **_in_document(project, sec.key)))
    return out


def _result_page(kind: str) -> str:
    """The page that shows (and computes again) results of ``kind``: the unit's own (analysis.units)."""
    try:
        return page_of(kind)
    except KeyError:              # evidence of a kind no longer known here: its dataset's page
        return "datasets"
