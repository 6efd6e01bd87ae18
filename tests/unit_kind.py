"""A tiny kind of analysis of the test suite's own (tests/analysis/test_units.py): the missing values of one column.
It is a package's whole contribution to Blueprint: a Unit, made known with BLUEPRINT_UNITS=tests.unit_kind, and
nothing else of Blueprint changes for it to be planned, queued, run by a worker process, stored, recorded as evidence
and read on the Review page (its describe)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.units import Computed, DatasetMeta, Description, Inputs, PlanError, Progress, Reason, Unit


class MissingPlanError(PlanError):
    """The column asked for is not in the dataset."""


@dataclass(frozen=True)
class MissingPlan:
    dataset: str
    column: str
    reasons: Mapping[str, Reason] = field(default_factory=dict, compare=False)
    kind: str = "missing_values"

    @property
    def inputs(self) -> tuple[str, ...]:
        return ()

    def key(self) -> dict:
        return {"column": self.column}

    def to_dict(self) -> dict:
        return {"column": self.column}


def plan(meta: DatasetMeta, asked: Mapping, inputs: Inputs | None = None) -> MissingPlan:
    if asked.get("column") not in meta.column_types:
        raise MissingPlanError(f"'{asked.get('column')}' is not a column of '{meta.name}'; choose one of "
                               f"{', '.join(meta.column_types)}.")
    return MissingPlan(meta.content_hash, asked["column"], {"column": Reason("asked", "the column asked for")})


def compute(plan: MissingPlan, inputs: Inputs, progress: Progress) -> Computed:
    frame = inputs.open(plan.dataset, None)
    missing = int(frame[plan.column].isna().sum())
    progress.report(0.5, f"counted the missing values of '{plan.column}'", None)
    meta = inputs.meta(plan.dataset)
    return Computed({"column": plan.column, "missing": missing, "rows": len(frame)},
                    {"dataset": meta.name, "column": plan.column, "missing": missing})


def describe(summary: Mapping) -> Description:
    return Description(f"Missing values of '{summary['column']}' in {summary['dataset']}",
                       (f"{summary['missing']:,} missing values.",))


UNIT = Unit(kind="missing_values", title="Missing values", section="data", page="explore", error=MissingPlanError,
            plan=plan, load=lambda stored, dataset: MissingPlan(dataset, stored["column"]), compute=compute,
            describe=describe)
