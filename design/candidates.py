"""The team's candidate models as a reviewer reads them: one note per model (its latest evaluated version), its
verdicts per criterion, the proposed one (the Model section names it), and the criteria side by side with the best
baseline run's.

    found = candidate_evidence(rows, current_hashes, content, versions)     # newest first
    found[0].label, found[0].checks, found[0].note.stale                   # "gbm v3", (CriterionCheck, ...), None
    table = side_by_side(view, content)     # per criterion: the candidate's verdict first, the baseline's beside it
    table.rows[0].candidate.status, table.rows[0].baseline.status           # "fail", "pass"

Read from stored evidence only (kind "candidate": the candidate unit's summary, analysis.candidate.unit.summary):
the verdicts are those stored when the candidate was evaluated, never checked again here. The evidence is stale
when what it was computed on changed since: the data (the dataset its predictions join, or the version itself was
deleted), the document's success criteria or its decision threshold.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, PASS, CriterionCheck
from design.criteria import CriterionError, parse_criterion
from design.document import success_criteria, value
from design.evidence import EvidenceNote, _threshold_changed, _threshold_line, error_analysis_lines

KIND = "candidate"
SEVERITY = (FAIL, INCONCLUSIVE, NOT_MEASURED, PASS)      # what a reviewer reads first
_LABEL = re.compile(r"^(?P<name>.+?)\s+v(?P<version>\d+)$", re.I)


@dataclass(frozen=True)
class CandidateEvidence:
    """A candidate model's evaluation as a reviewer reads it.

    label: the version evaluated ("gbm v3"). name, version: "gbm", 3 (None when the label names no version).
    checks: the stored verdict of each criterion it was evaluated on (design.checks.CriterionCheck). note: its
    evidence note (title, lines, stale with its reason, the stored summary). proposed: the document's Model section
    names it as the candidate proposed."""

    label: str
    name: str
    version: int | None
    checks: tuple[CriterionCheck, ...]
    note: object
    proposed: bool = False

    @property
    def summary(self) -> dict:
        return self.note.summary

    def check(self, criterion: str) -> CriterionCheck | None:
        """The stored verdict of ``criterion`` (its text, as str(Criterion) writes it), None when not evaluated."""
        return next((c for c in self.checks if str(c.criterion) == criterion), None)


def identity(summary: dict) -> tuple[str, str, int | None]:
    """(label, name, version) of the evaluated version: as its summary's "version" says ({"name", "number", "label"}:
    a stored model version's evaluation), else read from its label "gbm v3"."""
    label = str(summary.get("candidate") or "the candidate")
    version = summary.get("version")
    if isinstance(version, dict) and version.get("name") and isinstance(version.get("number"), int):
        return str(version.get("label") or label), str(version["name"]), version["number"]
    found = _LABEL.match(label)
    return (label, found["name"], int(found["version"])) if found else (label, label, None)


def proposed_name(content: dict) -> str:
    """What the Model section names as the proposed candidate ("gbm", or "gbm v3" for one version); "" for none."""
    return " ".join(str(value(content, "model", "proposed_candidate") or "").split())


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def names(proposal: str, label: str, name: str) -> bool:
    """True when the document's ``proposal`` names this version: its model's name, or its label."""
    return bool(proposal) and _fold(proposal) in (_fold(label), _fold(name))


def stored_checks(summary: dict) -> tuple[CriterionCheck, ...]:
    """The verdicts stored with an evaluation (its summary's "checks"), as CriterionCheck objects."""
    found = []
    for c in summary.get("checks") or []:
        try:
            criterion = parse_criterion(str(c.get("criterion")))
        except CriterionError:
            continue
        found.append(CriterionCheck(criterion, str(c.get("status")), c.get("value"), str(c.get("reason") or ""),
                                    c.get("low"), c.get("high")))
    return tuple(found)


def candidate_evidence(rows, current_hashes: set[str], content: dict, versions: Iterable | None = None
                       ) -> tuple[CandidateEvidence, ...]:
    """The candidates' evaluations in stored evidence ``rows`` (newest first): per model name its latest version's
    newest evaluation, newest first, and the version the document proposes when it names one that is not the
    latest. ``versions``: the project's live model versions (store.models.ModelVersion: label, predictions_hash);
    None when not known (then no version is said deleted)."""
    proposal = proposed_name(content)
    latest: dict[str, tuple[int, object]] = {}
    by_label: dict[str, object] = {}
    for position, row in enumerate(r for r in rows if r.kind == KIND):
        label, name, version = identity(row.summary)
        by_label.setdefault(_fold(label), row)
        kept = latest.get(_fold(name))
        if kept is None or (version or 0) > (identity(kept[1].summary)[2] or 0):
            latest[_fold(name)] = (position, row)
    chosen = [row for _, row in sorted(latest.values(), key=lambda kept: kept[0])]
    named = by_label.get(_fold(proposal)) if proposal else None
    if named is not None and named not in chosen:
        chosen.append(named)
    live = None if versions is None else {_fold(v.label): v for v in versions}
    found = []
    for row in chosen:
        label, name, version = identity(row.summary)
        proposed = names(proposal, label, name) and (named is None or named is row)
        checks = stored_checks(row.summary)
        by = reported_only(row.summary)
        title = (f"Candidate {label}, metrics reported by {by}" if by else
                 f"Candidate {label} on {row.summary.get('dataset') or 'a dataset'}")
        note = EvidenceNote("evaluation", KIND, title + (" (the proposed candidate)" if proposed else ""),
                            tuple(note_lines(row.summary, checks, content)),
                            stale_reason(row, current_hashes, content, live), row.summary,
                            getattr(row, "dataset_id", None) if row.dataset_hash in current_hashes else None)
        found.append(CandidateEvidence(label, name, version, checks, note, proposed))
    return tuple(found)


def stale_reason(row, current_hashes: set[str], content: dict, live: dict | None) -> str | None:
    """Why a candidate's evaluation no longer holds (None when it does): its version was deleted, the dataset its
    predictions join left the project (a scored file or an MLflow run's metrics are the version's own data), or the
    document's criteria or decision threshold changed after it. Without ``live`` (the versions are not known), the
    data must be a dataset of the project."""
    s = row.summary
    label = identity(s)[0]
    version = None if live is None else live.get(_fold(label))
    if live is not None and version is None:
        return f"this version ({label}) is no longer among the project's candidate models (deleted)"
    joined = row.dataset_hash if version is None else getattr(version, "dataset_hash", None)
    if joined is not None and joined not in current_hashes:
        return "computed on data that is no longer in the project (deleted or replaced)"
    criteria = [str(c) for c in success_criteria(content)]
    if s.get("criteria") is not None and list(s["criteria"]) != criteria:
        return "the success criteria changed after this evaluation"
    if s.get("labels_only") or s.get("decision_threshold") is None:
        return None
    return _threshold_changed(s, content)


def note_lines(s: dict, checks: tuple[CriterionCheck, ...], content: dict) -> list[str]:
    """What a reviewer reads of a candidate's evaluation: its verdicts (failing first), the difference to the
    baseline and the dummy floor in words, its notes, weakest slices, worst errors and calibration."""
    counts = ", ".join(f"{sum(c.status == status for c in checks)} {status}" for status in SEVERITY
                       if any(c.status == status for c in checks))
    rows, by = s.get("rows"), reported_only(s)
    if by:
        judged = f"metrics reported by {by}, no rows judged here"
    else:
        judged = f"{rows:,} {s.get('rows_word', 'rows')} judged" if isinstance(rows, int) else ""
    lines = [f"{s.get('candidate', 'The candidate')}: {judged}"
             + (f"; criteria: {counts}." if counts else "; no criterion checked.") if judged else
             (f"Criteria: {counts}." if counts else "No criterion checked.")]
    lines.append(_threshold_line(s) if s.get("decision_threshold") is not None else "")
    lines += [f"{c.criterion}: {c.reason}" for c in ordered(checks)]
    for role in ("baseline", "dummy"):
        sentences = ((s.get("differences") or {}).get(role) or {}).get("sentences") or []
        if sentences:
            lines.append(f"{sentences[0]}.")
    lines += [str(n) for n in s.get("notes") or []]
    if s.get("slices"):
        lines += error_analysis_lines(s, content)
    return [line for line in lines if line]


def reported_only(s: dict) -> str | None:
    """Whose reported metrics an evaluation with no rows rests on ("MLflow for run abc12345 on 'tracking'": an MLflow
    run imported with its metrics only); None when it judged rows or nothing was reported."""
    found = s.get("reported") or {}
    if not found.get("metrics") or s.get("rows"):
        return None
    return str(found.get("by") or "a tracking server")


def ordered(checks: Iterable[CriterionCheck]) -> list[CriterionCheck]:
    """The checks, failing first, then inconclusive, not measured and passing (stable within a status)."""
    rank = {status: i for i, status in enumerate(SEVERITY)}
    return sorted(checks, key=lambda c: rank.get(c.status, len(SEVERITY)))


def verdict_text(check: CriterionCheck | None) -> str:
    """A verdict in a few words with its value and interval: "fail: 0.591 (95 % interval 0.520-0.658)", "pass:
    +0.066 (paired 95 % interval +0.044 to +0.090)"; "not checked" without a check."""
    if check is None:
        return "not checked"
    if check.value is None:
        return check.status
    if check.criterion.relative:
        if check.low is None or check.high is None:
            return f"{check.status}: {_signed(check.value)} (no interval)"
        return (f"{check.status}: {_signed(check.value)} (paired 95 % interval {_signed(check.low)} to "
                f"{_signed(check.high)})")
    if check.low is None or check.high is None:
        return f"{check.status}: {check.value:.3f} (no interval)"
    return f"{check.status}: {check.value:.3f} (95 % interval {check.low:.3f}-{check.high:.3f})"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


@dataclass(frozen=True)
class CriterionRow:
    """One criterion with the candidate's stored verdict and the best baseline run's (None where there is none)."""

    criterion: str
    candidate: CriterionCheck | None
    baseline: CriterionCheck | None


@dataclass(frozen=True)
class SideBySide:
    """The document's criteria with the candidate's verdict first and the best baseline run's beside it, failing
    first. candidate: the candidate shown (the proposed one, else the newest); why: why that one, in words;
    baseline: the best run's name in words ("" without a run); sentences: the differences to the baseline and the
    dummy floor on the same rows, in words (the primary metric first)."""

    candidate: CandidateEvidence
    why: str
    baseline: str
    rows: tuple[CriterionRow, ...]
    sentences: tuple[str, ...]


def side_by_side(view, content: dict) -> SideBySide | None:
    """The criteria side by side for the proposed candidate (else the newest evaluated one); None without one."""
    if not view.candidates:
        return None
    shown = next((c for c in view.candidates if c.proposed), None)
    proposal = proposed_name(content)
    if shown is not None:
        why = f"the candidate the Model section proposes ('{proposal}')"
    else:
        shown = view.candidates[0]
        why = (f"the newest evaluated candidate: the Model section proposes '{proposal}', which has no evaluation"
               if proposal else "the newest evaluated candidate: the Model section proposes none")
    run = next((n for n in view.notes.get("evaluation", []) if n.kind == "run"), None)
    baseline = f"the best run ({run.summary.get('best_model')})" if run is not None else ""
    theirs = {str(c.criterion): c for c in view.criteria_checks}
    texts = [str(c) for c in success_criteria(content)]
    texts += [str(c.criterion) for c in shown.checks if str(c.criterion) not in texts]
    rows = [CriterionRow(t, shown.check(t), theirs.get(t)) for t in texts]
    rank = {status: i for i, status in enumerate(SEVERITY)}
    rows.sort(key=lambda r: (rank.get(r.candidate.status, len(SEVERITY)) if r.candidate else len(SEVERITY),
                             rank.get(r.baseline.status, len(SEVERITY)) if r.baseline else len(SEVERITY)))
    differences = shown.summary.get("differences") or {}
    sentences = [*((differences.get("baseline") or {}).get("sentences") or []),
                 *((differences.get("dummy") or {}).get("sentences") or [])[:1]]
    return SideBySide(shown, why, baseline, tuple(rows), tuple(f"{s}." for s in sentences))
