"""The profile as an analysis unit (analysis.units): a dataset's figures, alerts and views, for an optional target.

Its plan is the key a profile is stored under: {"target", "sample_rows", "random_state", "format"}.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.evidence import profile_summary
from analysis.profile.describe import DEFAULT_SAMPLE_ROWS, describe_file
from analysis.units import AskedPlan, Computed, DatasetMeta, Inputs, PlanError, Progress, Reason, Unit


class ProfilePlanError(PlanError):
    """A profile cannot be planned as asked (a target that is not a column, a sample size below 1)."""


@dataclass(frozen=True)
class ProfilePlan(AskedPlan):
    dataset: str                       # content hash of the dataset profiled
    target: str | None = None
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    random_state: int = 0
    asked: Mapping = field(default_factory=dict)           # the result key as the page built it, verbatim
    reasons: Mapping[str, Reason] = field(default_factory=dict, compare=False)
    kind: str = "profile"

    def to_dict(self) -> dict:
        return {"key": self.key(), "target": self.target, "sample_rows": self.sample_rows,
                "random_state": self.random_state}


def plan(meta: DatasetMeta, asked: Mapping, inputs: Inputs | None = None) -> ProfilePlan:
    """asked: analysis.evidence.profile_settings' dict: {"target": column or None, "sample_rows": int (default
    100,000), "random_state": int (default 0), "format"}."""
    target = asked.get("target")
    if target is not None and target not in meta.column_types:
        raise ProfilePlanError(f"'{target}' is not a column of '{meta.name}'; choose one of its columns as the target, "
                               "or none.")
    sample_rows = asked.get("sample_rows", DEFAULT_SAMPLE_ROWS)
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, int) or sample_rows < 1:
        raise ProfilePlanError(f"sample_rows == {sample_rows!r}: the views computed on a sample need a whole number "
                               "of rows >= 1.")
    reasons = {"sample_rows": Reason("asked" if "sample_rows" in asked else "default",
                                     f"the cross-column views use a sample of {sample_rows:,} rows"
                                     + (f" ({meta.rows:,} rows here: every row)" if meta.rows <= sample_rows else ""))}
    return ProfilePlan(meta.content_hash, target, sample_rows, int(asked.get("random_state", 0)),
                       copy.deepcopy(dict(asked)), reasons)


def load(settings: Mapping, dataset: str) -> ProfilePlan:
    return ProfilePlan(dataset, settings["target"], settings["sample_rows"], settings["random_state"], settings["key"])


def compute(plan: ProfilePlan, inputs: Inputs, progress: Progress) -> Computed:
    """Exact figures by the source database for a SQL dataset, by the data engine's queries on the stored file above
    the sample size, else in memory."""
    meta = inputs.meta(plan.dataset)
    in_source = inputs.describe_in_source(plan, progress)
    if in_source is not None:
        return in_source
    engine = meta.rows > plan.sample_rows
    how = "by DuckDB queries on the stored file" if engine else "in memory"
    progress.report(0.1, f"profiling {meta.rows:,} rows × {meta.columns} columns {how}", None)
    profile = describe_file(inputs.path(plan.dataset), dict(meta.column_types), target=plan.target,
                            sample_rows=plan.sample_rows, random_state=plan.random_state,
                            use_engine=inputs.use_engine)
    return Computed(profile.to_dict(), profile_summary(meta.name, profile))


UNIT = Unit(kind="profile", title="Profile", section="data", page="explore", error=ProfilePlanError, plan=plan,
            load=load, compute=compute)
