"""What each computed result is keyed by (its settings) and what a reviewer reads of it (its summary).

Settings and summaries are plain dicts: the store keys cached results by (kind, dataset hash, settings)
and keeps summaries as evidence on the design document's sections.
"""
from __future__ import annotations

import hashlib
import json

from analysis.baselines.run import DUMMY, LOWER_IS_BETTER, best_metrics
from analysis.error_analysis.analyze import errors_summary, slice_evidence
from analysis.profile.describe import DEFAULT_SAMPLE_ROWS, PROFILE_FORMAT, Profile
from analysis.serialize import to_plain


def profile_settings(target: str | None, sample_rows: int = DEFAULT_SAMPLE_ROWS, random_state: int = 0) -> dict:
    """The settings a profile is computed (and cached) with."""
    return {"target": target, "sample_rows": sample_rows, "random_state": random_state, "format": PROFILE_FORMAT}


def profile_summary(dataset_name: str, profile: Profile) -> dict:
    """The headline figures a reviewer reads next to the Data section."""
    summary = {
        "dataset": dataset_name,
        "rows": profile.overview.rows,
        "columns": profile.overview.columns,
        "duplicate_rows": profile.overview.duplicate_rows,
        "missing_share": profile.overview.missing_share,
        "warnings": sum(a.severity == "warning" for a in profile.alerts),
        "alerts": [{"column": a.column, "kind": a.kind, "severity": a.severity, "reason": a.reason}
                   for a in profile.alerts],
        "sampled": profile.sampled,
        "sample_rows": profile.sample_rows,
    }
    if profile.target is not None:
        summary["target"] = profile.target.target
        summary["task"] = profile.target.task
        if profile.target.balance is not None:
            balance = profile.target.balance
            summary["class_balance"] = dict(zip(balance.labels, balance.shares, strict=True))
            summary["imbalance_ratio"] = balance.imbalance_ratio
            summary["minority_share"] = min(balance.shares)
    return summary


def leakage_settings(target: str, split, settings, test_hash: str | None,
                     feature_table: dict[str, dict[str, str]] | None = None) -> dict:
    """The settings a leakage scan is computed (and cached) with: target, split, thresholds, test data, and the
    design document's feature-table rows that the scan acts on (columns marked not known at prediction time or
    unknown, column -> {"known", "source", "note"}; left out of the key when there are none, so a table that
    marks every column known keys the scan as no table does)."""
    key = {"target": target, "split": split.to_dict(), "settings": settings.to_dict(), "test_hash": test_hash}
    rows = {c: dict(r) for c, r in sorted((feature_table or {}).items()) if c != target and r.get("known") != "yes"}
    if rows:
        key["feature_table"] = rows
    return key


def leakage_summary(dataset_name: str, report) -> dict:
    """What a reviewer reads of a leakage scan: its findings (with keys, to attach resolutions) and scope."""
    return {
        "dataset": dataset_name,
        "target": report.target,
        "task": report.task,
        "split": report.split.kind,
        "rows": report.rows,
        "sampled": report.sampled,
        "sample_rows": report.sample_rows,
        "findings": [{"key": f.key, "check": f.check, "severity": f.severity, "column": f.column, "title": f.title,
                      "action": f.action} for f in report.findings],
    }


def drift_settings(source: dict, settings) -> dict:
    """The settings a drift check is computed (and cached) with: where both sides come from, and how."""
    return {"source": source, "settings": settings.to_dict()}


def report_name(dataset_hash: str, settings: dict) -> str:
    """The file name (without extension) of the HTML report of a drift check with these inputs."""
    key = json.dumps([dataset_hash, settings], sort_keys=True, default=str)
    return "drift-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def drift_summary(reference_name: str, current_name: str, summary) -> dict:
    """What a reviewer reads of a drift check, next to the Monitoring section."""
    return {
        "reference": reference_name,
        "current": current_name,
        "dataset_drift": summary.dataset_drift,
        "share": summary.share,
        "drifted_count": summary.drifted_count,
        "columns_checked": len(summary.columns),
        "sampled": summary.sampled,
        "top": [{"column": c.column, "method": c.method, "score": c.score, "threshold": c.threshold,
                 "drifted": c.drifted}
                for c in summary.columns[:10]],
    }


def run_settings_key(settings, test_hash: str | None) -> dict:
    """The settings a baseline run is computed (and cached) with."""
    return {"run": settings.to_dict(), "test_hash": test_hash}


def run_summary(dataset_name: str, run, criteria: list) -> dict:
    """What a reviewer reads of a baseline run, next to the Evaluation section: the best model's metrics
    (named as success criteria name them) with their 95 % intervals and counts (criteria are checked against
    these), the dummy's values, the decision threshold and whether the document set it, the lift over the dummy
    floor, floor notes, flags, and the criteria it was checked against at the time (a later change of criteria or
    of the threshold makes it stale)."""
    best = run.best()
    primary = best.metrics.get(run.primary_metric) if best else None
    dummy = next((r for r in run.results if r.name == DUMMY and r.has_scores), None)
    return {
        "dataset": dataset_name,
        "target": run.settings.target,
        "task": run.task,
        "best_model": run.best_model,
        "primary_metric": run.primary_metric,
        "score": None if primary is None else (-primary if run.primary_metric in LOWER_IS_BETTER else primary),
        "metrics": best_metrics(run),
        "intervals": to_plain(best.intervals) if best else {},
        "dummy": {m: i.value for m, i in dummy.intervals.items()} if dummy else {},
        "decision_threshold": run.decision_threshold,
        "threshold_from_document": run.settings.decision_threshold is not None,
        "floor": list(run.floor_notes),
        "beats_dummy": run.beats_dummy,
        "lift": run.lift_over_dummy,
        "too_good": list(run.too_good_flags),
        "protocol": run.protocol.line,
        "models": [r.name for r in run.results],
        "status": run.status,
        "criteria": [str(c) for c in criteria],
        # Error analysis of the best model: its slices (with every slice criterion's intervals), worst errors and
        # calibration; absent for a run stored before predictions were kept.
        **({"slices": slice_evidence(best.error_analysis, criteria)}
           if best and best.error_analysis and best.error_analysis.slices else {}),
        **(errors_summary(best.error_analysis) if best else {}),
    }
