"""The leakage scan as an analysis unit (analysis.units): what would make a model look better than it will be.

Its result key is analysis.evidence.leakage_settings' dict (target, split, thresholds, test data, feature table);
its plan adds what the checks found once: the task of the target.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.engine.table import reading_note
from analysis.errors import TargetError
from analysis.evidence import leakage_settings, leakage_summary
from analysis.leakage.scan import DEFAULT_CHECKS, LeakageSettings, Split, check_scan, run_scan
from analysis.units import AskedPlan, Computed, DatasetMeta, Inputs, PlanError, Progress, Reason, Unit


class LeakagePlanError(PlanError):
    """A leakage scan cannot be planned as asked: the target, the split or the test dataset does not fit the data."""


@dataclass(frozen=True)
class LeakagePlan(AskedPlan):
    dataset: str
    target: str
    task: str
    split: Split
    settings: LeakageSettings
    test_hash: str | None = None
    asked: Mapping = field(default_factory=dict)           # the result key as the page built it, verbatim
    checked_table: Mapping[str, Mapping[str, str]] = field(default_factory=dict)   # as checked: what the scan uses
    reasons: Mapping[str, Reason] = field(default_factory=dict, compare=False)
    kind: str = "leakage"

    def to_dict(self) -> dict:
        return {"key": self.key(), "task": self.task, "split": self.split.to_dict(),
                "settings": self.settings.to_dict(),
                "checked_table": {c: dict(r) for c, r in self.checked_table.items()}}


def plan(meta: DatasetMeta, asked: Mapping, inputs: Inputs) -> LeakagePlan:
    """asked: analysis.evidence.leakage_settings' dict (target, split, settings, test_hash, feature_table). The
    target, the split and the test dataset are checked once, here, on the rows the scan will read (a large dataset
    a column at a time)."""
    try:
        split = Split.from_dict(asked["split"]) if asked.get("split") else Split()
        settings = LeakageSettings.from_dict(asked["settings"]) if asked.get("settings") else LeakageSettings()
    except (TypeError, ValueError) as error:
        raise LeakagePlanError(str(error)) from None
    test_hash = asked.get("test_hash")
    key = leakage_settings(asked["target"], split, settings, test_hash, asked.get("feature_table"))
    frame = inputs.open(meta.content_hash, settings.sample_rows)
    test = inputs.open(test_hash, settings.sample_rows) if test_hash else None
    try:
        _, task, checked = check_scan(frame, dict(meta.column_types), asked["target"], split, test, settings,
                                key.get("feature_table"))
    except (TargetError, ValueError) as error:
        raise LeakagePlanError(str(error)) from None
    reasons = {"split": Reason("asked" if asked.get("split") else "default", f"split: {split.kind}")}
    return LeakagePlan(meta.content_hash, key["target"], task, split, settings, test_hash, copy.deepcopy(dict(asked)),
                       checked, reasons)


def load(stored: Mapping, dataset: str) -> LeakagePlan:
    key = stored["key"]
    return LeakagePlan(dataset, key["target"], stored["task"], Split.from_dict(stored["split"]),
                       LeakageSettings.from_dict(stored["settings"]), key.get("test_hash"), key,
                       stored["checked_table"])


def compute(plan: LeakagePlan, inputs: Inputs, progress: Progress) -> Computed:
    """Scanned in memory up to the scores' sample size, else on the stored file (analysis.engine.table)."""
    meta = inputs.meta(plan.dataset)
    frame = inputs.open(plan.dataset, plan.settings.sample_rows)
    progress.report(0.1, f"scanning {meta.rows:,} rows for leakage{reading_note(frame)}", None)
    test = inputs.open(plan.test_hash, plan.settings.sample_rows) if plan.test_hash else None
    report = run_scan(frame, dict(meta.column_types), plan.target, plan.task, plan.split, test, plan.settings,
                      DEFAULT_CHECKS, {c: dict(r) for c, r in plan.checked_table.items()})
    return Computed(report.to_dict(), leakage_summary(meta.name, report))


UNIT = Unit(kind="leakage", title="Leakage scan", section="data", page="leakage", error=LeakagePlanError, plan=plan,
            load=load, compute=compute)
