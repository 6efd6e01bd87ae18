"""The drift check as an analysis unit (analysis.units): Evidently's data drift report between a reference and a
current side (two datasets, or one dataset cut by a date or by row order).

Its result key is analysis.evidence.drift_settings' dict (where both sides come from, and how); its plan adds what
the checks found once: the columns to check with their types and the stat test per kind of column.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.drift.evidently_report import load_evidently
from analysis.drift.model import DriftSettings
from analysis.drift.run import CheckedDrift, DriftInputError, check_drift, drift_report, split_by_date, split_by_order
from analysis.engine.table import reading_note
from analysis.evidence import drift_summary, report_name
from analysis.serialize import from_plain, to_plain
from analysis.units import AskedPlan, Computed, DatasetMeta, Inputs, PlanError, Progress, Reason, Unit


class DriftPlanError(PlanError):
    """A drift check cannot be planned as asked: the sides, the columns or the settings do not fit the data."""


@dataclass(frozen=True)
class DriftPlan(AskedPlan):
    dataset: str                        # the reference dataset (the current side's dataset is in source)
    source: Mapping                     # {"kind": "datasets", "current": hash} | {"kind": "date", "column", "cut"}
    settings: DriftSettings             # | {"kind": "order", "share"}
    checked: CheckedDrift
    asked: Mapping = field(default_factory=dict)           # the result key as the page built it, verbatim
    reasons: Mapping[str, Reason] = field(default_factory=dict, compare=False)
    kind: str = "drift"

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.source["current"],) if self.source["kind"] == "datasets" else ()

    def to_dict(self) -> dict:
        return {"key": self.key(), "settings": self.settings.to_dict(), "checked": to_plain(self.checked)}


def sides(inputs: Inputs, reference: str, source: Mapping, memory_rows: int | None):
    """(reference rows, current rows, reference types, current types, (reference name, current name)) of a drift
    check on dataset ``reference`` whose other side is ``source``. A side above ``memory_rows`` rows is read from
    its stored file (a FileTable), and so are the sides cut from it."""
    meta = inputs.meta(reference)
    frame, types = inputs.open(reference, memory_rows), dict(meta.column_types)
    if source["kind"] == "datasets":
        current = inputs.meta(source["current"])
        return (frame, inputs.open(source["current"], memory_rows), types, dict(current.column_types),
                (meta.name, current.name))
    if source["kind"] == "date":
        ref, cur = split_by_date(frame, source["column"], source["cut"])
        names = (f"{meta.name} before {source['cut']}", f"{meta.name} from {source['cut']}")
    else:
        ref, cur = split_by_order(frame, source["share"])
        names = (f"{meta.name} first {source['share']:.0%}", f"{meta.name} last {1 - source['share']:.0%}")
    return ref, cur, types, types, names


def plan(meta: DatasetMeta, asked: Mapping, inputs: Inputs) -> DriftPlan:
    """asked: analysis.evidence.drift_settings' dict: {"source": where the current side comes from, "settings"}."""
    source = dict(asked["source"])
    try:
        settings = DriftSettings.from_dict(asked["settings"]) if asked.get("settings") else DriftSettings()
        ref, cur, ref_types, cur_types, _ = sides(inputs, meta.content_hash, source, settings.max_rows_per_side)
        checked = check_drift(ref, cur, ref_types, cur_types, settings)
    except (DriftInputError, TypeError, ValueError) as error:
        raise DriftPlanError(str(error)) from None
    reasons = {"method": Reason("asked" if settings.method else "default",
                                settings.method or "the stat test Evidently picks for the full data, per column")}
    return DriftPlan(meta.content_hash, source, settings, checked, copy.deepcopy(dict(asked)), reasons)


def load(stored: Mapping, dataset: str) -> DriftPlan:
    return DriftPlan(dataset, stored["key"]["source"], DriftSettings.from_dict(stored["settings"]),
                     from_plain(CheckedDrift, stored["checked"]), stored["key"])


def compute(plan: DriftPlan, inputs: Inputs, progress: Progress) -> Computed:
    """Each side in memory up to the sample size per side, else read from its stored file."""
    ref, cur, _, _, names = sides(inputs, plan.dataset, plan.source, plan.settings.max_rows_per_side)
    progress.report(0.1, "loading Evidently (about 7 s the first time in a worker)", None)
    load_evidently()
    progress.report(0.4, f"running Evidently's drift report ({len(ref):,} vs {len(cur):,} rows{reading_note(ref)})",
                    None)
    result = drift_report(ref, cur, plan.checked, plan.settings)
    return Computed(result.summary.to_dict(), drift_summary(*names, result.summary),
                    {report_name(plan.dataset, plan.key()): result.html})


UNIT = Unit(kind="drift", title="Drift check", section="monitoring", page="drift", error=DriftPlanError, plan=plan,
            load=load, compute=compute)
