"""What a check found, and what it means for the pipeline: the verdicts, the leakage findings, the drift check, the
exit code.

    report.failures()    # one line per thing that failed, what the Markdown and the stderr summary lead with
    report.exit_code     # 0 everything passed, 1 something failed, 2 nothing could be checked
    report.to_dict()     # the --json output (format "blueprint-check", version 1)

Exit codes: 1 when a criterion fails (or, with fail_on "inconclusive", is inconclusive), a high-severity leakage
finding nobody resolved appears, or the drift check the document asks for finds the dataset drifted; else 2 when no
criterion could be measured at all (every one "not measured"); else 0. Bad input never gets here: the command exits 2
with its message before anything is checked.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, PASS, STATUSES

FORMAT, VERSION = "blueprint-check", 1
FAIL_ON = ("fail", "inconclusive")
PASSED, FAILED, NOTHING = "pass", "fail", "nothing checked"
EXIT = {PASSED: 0, FAILED: 1, NOTHING: 2}


@dataclass(frozen=True)
class Verdict:
    """One success criterion against the evidence (design.checks.CriterionCheck, as plain data). interval: the
    measured 95 % interval with its counts (analysis.intervals.Interval as a dict), None when not measured."""

    criterion: str
    status: str
    value: float | None
    low: float | None
    high: float | None
    reason: str
    interval: dict | None = None


@dataclass(frozen=True)
class Leakage:
    """The leakage scan. checked: False when there was no data to scan (``reason`` says why). dataset: what was
    scanned. checks: the checks run, in order. findings: the scan's findings (analysis.evidence.leakage_summary),
    each with ``resolved``: the project's resolution of it ({resolved_by, reason, created_at, same_data}) or None."""

    checked: bool
    reason: str = ""
    dataset: str = ""
    target: str = ""
    checks: tuple[str, ...] = ()
    findings: tuple[dict, ...] = ()
    notes: tuple[str, ...] = ()

    def open_high(self) -> list[dict]:
        """The high-severity findings nobody resolved."""
        return [f for f in self.findings if f.get("severity") == "high" and not f.get("resolved")]

    def by_severity(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return counts


@dataclass(frozen=True)
class Drift:
    """The drift check. asked: the design document's Monitoring section asks for drift checks. checked: it ran
    (``reason`` says why not). summary: analysis.evidence.drift_summary's dict."""

    asked: bool
    checked: bool
    reason: str = ""
    summary: dict | None = None

    @property
    def drifted(self) -> bool:
        return bool(self.checked and (self.summary or {}).get("dataset_drift"))


@dataclass(frozen=True)
class CheckReport:
    """Everything a check found (see the module docstring). project: name, origin, id. document: the revision
    checked (number, id, author, created_at). data: each dataset read (blueprint.inputs.DataFile.describe).
    evidence: what the criteria were checked on (kind "candidate" or "baseline run", source in words, task,
    target, decision threshold and where it came from, rows, ...). versions: Blueprint, Python and the libraries."""

    project: dict
    document: dict
    data: tuple[dict, ...]
    evidence: dict
    verdicts: tuple[Verdict, ...]
    leakage: Leakage
    drift: Drift
    fail_on: str = "fail"
    checked_at: str = ""
    seconds: float = 0.0
    versions: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        return {s: sum(v.status == s for v in self.verdicts) for s in STATUSES}

    def failing_verdicts(self) -> list[Verdict]:
        failing = (FAIL, INCONCLUSIVE) if self.fail_on == "inconclusive" else (FAIL,)
        return [v for v in self.verdicts if v.status in failing]

    def failures(self) -> list[str]:
        """One line per failure: criteria first, then leakage, then drift."""
        lines = [f"{v.criterion}: {v.reason}" for v in self.failing_verdicts()]
        lines += [f"Unresolved high leakage finding: {f['title']} ({f['key']}). {f.get('action', '')}".strip()
                  for f in self.leakage.open_high()]
        if self.drift.drifted:
            s = self.drift.summary
            lines.append(f"The data drifted from the reference: {s.get('drifted_count', 0)} of "
                         f"{s.get('columns_checked', 0)} columns ({s.get('share', 0):.0%}), {s.get('current')} "
                         f"against {s.get('reference')}.")
        return lines

    @property
    def measured(self) -> bool:
        return any(v.status != NOT_MEASURED for v in self.verdicts)

    @property
    def outcome(self) -> str:
        if self.failures():
            return FAILED
        return PASSED if self.measured else NOTHING

    @property
    def exit_code(self) -> int:
        return EXIT[self.outcome]

    def nothing_checked_reason(self) -> str:
        return (f"Nothing could be checked: none of the design document's {len(self.verdicts)} success criteria could "
                f"be measured on {self.evidence.get('source', 'this evidence')} (each says why). Add a criterion on a "
                "metric the evidence measures (recall, precision, roc auc, ...), or bring the measurement it needs.")

    def evidence_summary(self) -> dict:
        """What the project keeps of this check as evidence (store.checks), and the Review page reads of it
        (design.check_evidence): the outcome, when, the verdicts, leakage and drift in short, the data's hashes."""
        checked = next((d for d in self.data if d["role"] == "train"), self.data[0] if self.data else {})
        s = self.drift.summary or {}
        return {
            "tool": "blueprint check", "outcome": self.outcome, "exit_code": self.exit_code, "fail_on": self.fail_on,
            "checked_at": self.checked_at, "seconds": round(self.seconds, 2), "revision": self.document.get("number"),
            "dataset": checked.get("name", ""), "data_hash": checked.get("sha256", ""),
            "data": [{k: d.get(k) for k in ("role", "name", "sha256", "rows")} for d in self.data],
            "source": self.evidence.get("source"), "decision_threshold": self.evidence.get("decision_threshold"),
            "threshold_from_document": self.evidence.get("threshold_from_document"),
            "checks": [{"criterion": v.criterion, "status": v.status, "value": v.value, "low": v.low, "high": v.high,
                        "reason": v.reason} for v in self.verdicts],
            "counts": self.counts(), "failed": self.failures(),
            "leakage": {"checked": self.leakage.checked, "open_high": len(self.leakage.open_high()),
                        "resolved": sum(1 for f in self.leakage.findings if f.get("resolved")),
                        "by_severity": self.leakage.by_severity()},
            "drift": {"asked": self.drift.asked, "checked": self.drift.checked, "drifted": self.drift.drifted,
                      "reason": self.drift.reason, "drifted_count": s.get("drifted_count"),
                      "columns_checked": s.get("columns_checked")},
            "versions": self.versions,
        }

    def to_dict(self) -> dict:
        """The --json output."""
        return {
            "format": FORMAT, "version": VERSION, "outcome": self.outcome, "exit_code": self.exit_code,
            "fail_on": self.fail_on, "failed": self.failures(), "checked_at": self.checked_at,
            "seconds": round(self.seconds, 2), "project": self.project, "document": self.document,
            "data": list(self.data), "evidence": self.evidence,
            "criteria": [asdict(v) for v in self.verdicts], "counts": self.counts(),
            "leakage": {**asdict(self.leakage), "open_high": len(self.leakage.open_high()),
                        "by_severity": self.leakage.by_severity()},
            "drift": {**asdict(self.drift), "drifted": self.drift.drifted},
            "notes": list(self.notes), "versions": self.versions,
        }


__all__ = ["CheckReport", "Drift", "EXIT", "FAIL", "FAILED", "FAIL_ON", "INCONCLUSIVE", "Leakage", "NOTHING",
           "NOT_MEASURED", "PASS", "PASSED", "Verdict"]
