"""Evidence as a reviewer reads it: notes per document section, what is missing, what is stale, and the
digest the readiness rubric scores. Takes stored evidence rows (anything with kind, section, summary,
dataset_hash, created_at, resolved_keys) and never recomputes a result."""
from __future__ import annotations

from dataclasses import dataclass, field

from analysis.baselines.metrics import display_name
from analysis.units import kinds, unit
from design.checks import check_criteria, summary_evidence, summary_slices
from design.document import success_criteria, value
from design.formats import format_score
from design.readiness import EvidenceDigest


@dataclass(frozen=True)
class EvidenceNote:
    """One piece of evidence under a section: ``title``, ``lines`` of figures, ``stale`` with its reason,
    and the stored ``summary`` it was read from (for charts). ``dataset_id``: the dataset it was computed on, while
    that dataset is still in the project (None otherwise); ``open_findings``: a leakage scan's high-severity
    findings no person has resolved (stored summaries)."""

    section: str
    kind: str
    title: str
    lines: tuple[str, ...]
    stale: str | None = None
    summary: dict = field(default_factory=dict)
    dataset_id: int | None = None
    open_findings: tuple[dict, ...] = ()


@dataclass(frozen=True)
class EvidenceView:
    """Notes per section, what is missing per section, and the digest for the readiness rubric. criteria_checks:
    the best baseline run's verdicts; candidates: the candidate models' evaluations (design.candidates, newest
    first); proposed_name: the candidate the Model section proposes ("" for none)."""

    notes: dict[str, list[EvidenceNote]]
    missing: dict[str, list[str]]
    digest: EvidenceDigest
    criteria_checks: list = field(default_factory=list)
    candidates: tuple = ()
    proposed_name: str = ""

    @property
    def proposed(self):
        """The proposed candidate's evaluation (design.candidates.CandidateEvidence), None when there is none."""
        return next((c for c in self.candidates if c.proposed), None)


def _pct(x) -> str:
    return f"{x:.1%}" if isinstance(x, (int, float)) else "?"


def _latest_per_dataset(rows, kind):
    seen, kept = set(), []
    for row in rows:  # newest first
        if row.kind == kind and row.dataset_hash not in seen:
            seen.add(row.dataset_hash)
            kept.append(row)
    return kept


def _dataset_id(row, current_hashes) -> int | None:
    return getattr(row, "dataset_id", None) if row.dataset_hash in current_hashes else None


def _stale(row, current_hashes) -> str | None:
    if row.dataset_hash not in current_hashes:
        if (row.summary.get("source") or {}).get("kind") == "sql":
            return ("computed on a SQL source that returns other rows now (read again: another row count or "
                    "checksum), or on a dataset no longer in the project")
        return "computed on data that is no longer in the project (deleted or replaced)"
    return None


def _source_line(s: dict) -> str | None:
    """A SQL source's evidence says what it was computed on, and that the source may change."""
    source = s.get("source") or {}
    if source.get("kind") != "sql":
        return None
    return (f"Read from the SQL connection '{source.get('connection')}' at "
            f"{str(source.get('checked_at', '?'))[:16]} UTC "
            f"({source.get('rows', 0):,} rows, checksum {str(source.get('checksum', '?'))[:12]}); the source may "
            "change since: a re-read that finds other rows marks this evidence stale.")


def described_by_units(rows, current_hashes: set[str]) -> list[EvidenceNote]:
    """The evidence of each kind whose unit describes its own results (analysis.units.Unit.describe: a kind this
    module does not weigh for the readiness digest), the latest per dataset, under the unit's section."""
    notes = []
    for kind in kinds():
        described = unit(kind).describe
        if described is None:
            continue
        for row in _latest_per_dataset(rows, kind):
            said = described(row.summary)
            notes.append(EvidenceNote(unit(kind).section, kind, said.title, tuple(said.lines),
                                      _stale(row, current_hashes), row.summary, _dataset_id(row, current_hashes)))
    return notes


def build_view(rows, current_hashes: set[str], content: dict, resolved: set[tuple[str, str]] = frozenset(),
               versions=None) -> EvidenceView:
    """Read stored evidence ``rows`` (newest first) for a document ``content``; ``resolved`` holds the
    (finding key, dataset hash) pairs a person has resolved; ``versions`` the project's live candidate model versions
    (store.models; None: not known)."""
    notes: dict[str, list[EvidenceNote]] = {}
    profiles = _latest_per_dataset(rows, "profile")
    target_type = minority = None
    for row in profiles:
        s = row.summary
        lines = [f"{s.get('rows', 0):,} rows × {s.get('columns', 0)} columns; "
                 f"{s.get('duplicate_rows', 0):,} duplicate rows; "
                 f"{_pct(s.get('missing_share'))} of cells missing; {s.get('warnings', 0)} warning alerts."]
        if s.get("target"):
            lines.append(f"Target '{s['target']}' ({s.get('task')})"
                         + (": " + ", ".join(f"{k} {_pct(v)}" for k, v in s.get("class_balance", {}).items())
                            if s.get("class_balance") else ""))
            target_type = target_type or s.get("task")
            if s.get("minority_share") is not None:
                minority = s["minority_share"] if minority is None else min(minority, s["minority_share"])
        if s.get("sampled"):
            lines.append(f"Cross-column views on a sample of {s.get('sample_rows', 0):,} rows.")
        if _source_line(s):
            lines.append(_source_line(s))
        notes.setdefault("data", []).append(
            EvidenceNote("data", "profile", f"Profile of {s.get('dataset', 'a dataset')}", tuple(lines),
                         _stale(row, current_hashes), s, _dataset_id(row, current_hashes)))

    leakage = _latest_per_dataset(rows, "leakage")
    open_high = 0
    for row in leakage:
        s = row.summary
        findings = s.get("findings", [])
        high = _unresolved(row, resolved, ("high",))
        open_high += len(high) if not _stale(row, current_hashes) else 0
        lines = [f"{sum(f.get('severity') == 'high' for f in findings)} high, "
                 f"{sum(f.get('severity') == 'medium' for f in findings)} medium "
                 f"findings; {len(high)} high unresolved."]
        lines += [f"[{f.get('severity')}] {f.get('title')}" for f in findings[:8]]
        notes.setdefault("data", []).append(
            EvidenceNote("data", "leakage",
                         f"Leakage check of {s.get('dataset', 'a dataset')} (target '{s.get('target')}')",
                         tuple(lines), _stale(row, current_hashes), s, _dataset_id(row, current_hashes), tuple(high)))

    runs = [r for r in rows if r.kind == "run"]
    best = max(runs, key=lambda r: r.summary.get("score", float("-inf")), default=None)
    criteria = success_criteria(content)
    checks = []
    if best is not None:
        s = best.summary
        checks = check_criteria(criteria, summary_evidence(s), f"the best run ({s.get('best_model')})", s.get("task"),
                                summary_slices(s))
        stale = _stale(best, current_hashes)
        if stale is None and s.get("criteria") is not None and s.get("criteria") != [str(c) for c in criteria]:
            stale = "the success criteria changed after this run"
        if stale is None:
            stale = _threshold_changed(s, content)
        lines = [f"Too good to be true? {flag}" for flag in s.get("too_good", [])] or [s.get("lift", "")]
        lines += [_threshold_line(s), f"Protocol: {str(s.get('protocol', '?')).rstrip('.')}."]
        lines += [f"{c.criterion}: {c.reason}" for c in checks]
        lines += list(s.get("floor", []))
        lines += error_analysis_lines(s, content)
        notes.setdefault("evaluation", []).append(
            EvidenceNote("evaluation", "run", f"Best baseline run on {s.get('dataset', 'a dataset')}",
                         tuple(x for x in lines if x), stale, s, _dataset_id(best, current_hashes)))

    # design.candidates and design.check_evidence build on this module's EvidenceNote: imported here, not at the top
    from design.candidates import candidate_evidence, proposed_name  # noqa: PLC0415 (import cycle)

    candidates = candidate_evidence(rows, current_hashes, content, versions)    # before the best run: it is decided on
    if candidates:
        notes.setdefault("evaluation", [])[:0] = [c.note for c in candidates]

    drifts = [r for r in rows if r.kind == "drift"]
    if drifts:
        row = drifts[0]
        s = row.summary
        lines = [f"Dataset drift: {'yes' if s.get('dataset_drift') else 'no'}; {s.get('drifted_count', 0)} of "
                 f"{s.get('columns_checked', 0)} columns drifted ({_pct(s.get('share'))})."]
        lines += [f"{c['column']}: {c.get('method')} score {format_score(c.get('score'))} "
                  f"(threshold {c.get('threshold')})"
                  for c in s.get("top", [])[:5] if c.get("drifted")]
        notes.setdefault("monitoring", []).append(
            EvidenceNote("monitoring", "drift", f"Drift: {s.get('reference', '?')} → {s.get('current', '?')}",
                         tuple(lines), _stale(row, current_hashes), s, _dataset_id(row, current_hashes)))

    pipeline = [r for r in rows if r.kind == "check"]       # blueprint check --as: a pipeline's runs, newest first
    if pipeline:
        from design.check_evidence import check_lines, check_title  # noqa: PLC0415 (import cycle, as above)

        notes.setdefault("evaluation", []).append(EvidenceNote("evaluation", "check", check_title(pipeline[0]),
                                                               tuple(check_lines(pipeline[0], pipeline[1:])), None,
                                                               pipeline[0].summary))
    for note in described_by_units(rows, current_hashes):
        notes.setdefault(note.section, []).append(note)

    missing = {
        "data": ([] if profiles else ["no dataset profiled"])
        + ([] if leakage else ["no leakage check"])
        + ([f"{open_high} high-severity leakage finding(s) unresolved"] if open_high else []),
        "evaluation": ([] if criteria else ["no success criterion"]) + ([] if best else ["no baseline run"]),
        "monitoring": [] if drifts else ["no drift check"],
    }
    digest = EvidenceDigest(
        profiled=len(profiles),
        target_type=target_type,
        minority_share=minority,
        leakage_checked=bool(leakage),
        open_high_leakage=open_high,
        run_metrics=best.summary.get("metrics") if best else None,
        run_intervals=best.summary.get("intervals") if best else None,
        run_task=best.summary.get("task") if best else None,
        beats_dummy=best.summary.get("beats_dummy") if best else None,
        lift=best.summary.get("lift", "") if best else "",
        drift_checked=bool(drifts),
        run_slices=best.summary.get("slices") if best else None,
        stale=tuple(f"{n.title}: {n.stale}" for ns in notes.values() for n in ns if n.stale),
    )
    return EvidenceView(notes, {k: v for k, v in missing.items() if v}, digest, checks, candidates,
                        proposed_name(content))


def error_analysis_lines(s: dict, content: dict) -> list[str]:
    """What a reviewer reads of a run's error analysis: the weakest slices, the columns the document always slices,
    the worst errors and calibration (a run stored before error analysis says so)."""
    slices = s.get("slices")
    if not slices:
        return ["Error analysis: none stored with this run (it predates slices): run the baselines again to see "
                "slices, worst errors and calibration."]

    metric = display_name(slices.get("metric", ""))
    overall = slices.get("overall") or {}
    lines = []
    weak = slices.get("weak") or []
    if weak:
        listed = "; ".join(f"{w['slice']}: {metric} {_num(w.get('value'))} (95 % interval {_num(w.get('low'))}-"
                           f"{_num(w.get('high'))}, {w.get('rows', 0):,} rows)" for w in weak[:5])
        lines.append(f"Weakest slices (overall {metric} {_num(overall.get('value'))}): {listed}"
                     + (f"; and {len(weak) - 5} more." if len(weak) > 5 else "."))
    else:
        lines.append(f"Weakest slices: none of {slices.get('tested', 0):,} slices tested is clearly below the overall "
                     f"{metric} {_num(overall.get('value'))} (Holm-corrected, "
                     f"{slices.get('alpha', 0.05):.0%} family-wise).")
    columns = slices.get("columns") or {}
    for column in value(content, "evaluation", "always_slice") or []:
        entry = columns.get(column)
        if entry is None:
            lines.append(f"Always sliced '{column}': not sliced in this run (no such column, or an identifier, free "
                         "text or a date).")
            continue
        cells = ", ".join(f"{label} {_num(v)} ({n:,} rows)" for label, v, n in
                          zip(entry.get("labels", []), entry.get("value", []), entry.get("rows", []),
                              strict=False))
        lines.append(f"Always sliced '{column}' ({metric}): {cells}.")
    worst = s.get("worst")
    if worst:
        if worst.get("kind") == "absolute":
            top = worst.get("top") or []
            lines.append(f"Worst errors: the largest absolute error is {_num(top[0]['error']) if top else '?'} "
                         f"(row {top[0]['row'] if top else '?'}).")
        else:
            kinds = (f" ({worst.get('false_positives', 0):,} false positives, {worst.get('false_negatives', 0):,} "
                     "false negatives)") if worst.get("false_positives") or worst.get("false_negatives") else ""
            lines.append(f"Worst errors: {worst.get('wrong', 0):,} wrong predictions of {worst.get('rows', 0):,} "
                         f"rows{kinds}; the most confident gave the wrong class "
                         f"{_num((worst.get('top') or [{}])[0].get('error'))}.")
    calibration = s.get("calibration")
    if calibration:
        lines.append(f"Calibration: Brier score {_num(calibration.get('brier'))}, expected calibration error "
                     f"{_num(calibration.get('ece'))}. {calibration.get('note', '')}".replace("Brier score None, ", ""))
    return lines


def _num(x) -> str:
    return "n/a" if not isinstance(x, (int, float)) else f"{x:.3f}"


def _threshold_line(s: dict) -> str:
    """The decision threshold a run used, and where it came from (empty for a run that used none)."""
    threshold = s.get("decision_threshold")
    if threshold is None:
        return ""
    if s.get("threshold_from_document"):
        return (f"Decision threshold {threshold:g}, from the design document: every threshold metric, criterion and "
                "the confusion matrix use it.")
    return (f"Decision threshold {threshold:g}: the design document named none when this ran, so the default 0.5 was "
            "used.")


def _threshold_changed(s: dict, content: dict) -> str | None:
    """Why a binary run is stale when the document's decision threshold is not the one it ran at, else None."""
    if s.get("task") != "binary" or "decision_threshold" not in s:
        return None
    written = value(content, "evaluation", "decision_threshold")
    ran = s.get("decision_threshold") if s.get("threshold_from_document") else None
    if (written is None) == (ran is None) and (written is None or abs(float(written) - float(ran)) < 1e-9):
        return None
    now = f"{float(written):g}" if written is not None else "none (so 0.5)"
    return (f"the decision threshold changed after this run (it ran at {s.get('decision_threshold'):g}; "
            f"the document now says {now})")


def _unresolved(row, resolved: set[tuple[str, str]], severities: tuple[str, ...]) -> list[dict]:
    """The findings of one stored leakage scan with these severities that no person has resolved."""
    return [f for f in row.summary.get("findings", [])
            if f.get("severity") in severities and (f.get("key"), row.dataset_hash) not in resolved]


def open_leakage(rows, dataset_hash: str, resolved: set[tuple[str, str]]) -> list[dict]:
    """The unresolved high and medium findings of the latest leakage scan of one dataset (stored summaries)."""
    latest = next((r for r in _latest_per_dataset(rows, "leakage") if r.dataset_hash == dataset_hash), None)
    return [] if latest is None else _unresolved(latest, resolved, ("high", "medium"))


def findings_for_features(findings: list[dict], features, target: str | None = None) -> list[dict]:
    """The findings (stored summaries, e.g. from open_leakage) that concern a run with these ``features``: findings
    about rows (no column) and findings on a column still among the features; a finding on a column the run leaves
    out, or on the target, no longer applies to it."""
    chosen = set(features)
    return [f for f in findings if f.get("column") != target and (f.get("column") is None or f["column"] in chosen)]
