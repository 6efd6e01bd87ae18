"""The readiness checklist: the document and its evidence scored per area, in the spirit of Google's
ML Test Score rubric. Each item passes, fails or does not apply, with a reason; an area scores the share
of its applicable items that pass; the overall score is the weakest area's, as in the rubric."""
from __future__ import annotations

from dataclasses import dataclass, field

from design.checks import FAIL, INCONCLUSIVE, NOT_MEASURED, PASS, check_criteria
from design.document import success_criteria, value
from design.fields import is_template

NA = "n/a"
AREAS = ("Problem", "Data", "Model", "Evaluation", "Deployment", "Monitoring")
FRAMING_OF_TARGET = {"binary": "binary classification", "multiclass": "multiclass classification",
                     "regression": "regression"}


@dataclass(frozen=True)
class EvidenceDigest:
    """What the stored evidence says, reduced to what the rubric asks (filled by the caller from the store).

    profiled: datasets with a stored profile; target_type: "binary" / "multiclass" / "regression" of the
    chosen target, when known; minority_share: the rarest class's share (classification);
    leakage_checked / open_high_leakage: whether a leakage scan ran and its unresolved high findings;
    run_metrics: the best baseline run's metrics (name -> value) or None; run_intervals: its best model's metrics
    with their 95 % intervals (name -> Interval dict; None for a run stored before intervals); run_task: its task;
    run_slices: its best model's slices for slice criteria (analysis.error_analysis.analyze.slice_evidence; None
    before slices); beats_dummy and lift: whether and how much it beats the dummy floor; drift_checked: whether a
    drift report exists; stale: descriptions of evidence computed on data or criteria that have changed since.
    """

    profiled: int = 0
    target_type: str | None = None
    minority_share: float | None = None
    leakage_checked: bool = False
    open_high_leakage: int = 0
    run_metrics: dict | None = None
    run_intervals: dict | None = None
    run_task: str | None = None
    beats_dummy: bool | None = None
    lift: str = ""
    drift_checked: bool = False
    run_slices: dict | None = None
    stale: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Item:
    """One checklist item: ``area``, ``text`` (what is checked), ``status`` pass / fail / n/a, ``reason``."""

    area: str
    text: str
    status: str
    reason: str


@dataclass(frozen=True)
class Readiness:
    """All items, the score per area (share of applicable items passing; None when none applies) and the
    overall score (the weakest area's)."""

    items: tuple[Item, ...]
    areas: dict[str, float | None]
    overall: float


def _written(content, section, key) -> bool:
    return value(content, section, key) not in (None, "", []) and not is_template(value(content, section, key))


def _item(area, text, ok, reason_ok, reason_fail) -> Item:
    return Item(area, text, PASS if ok else FAIL, reason_ok if ok else reason_fail)


def _criteria_items(criteria: list, evidence: EvidenceDigest) -> list[Item]:
    """Criteria against the best run: one scored item for those the baselines measure (pass only when every one
    passes; a failure and an inconclusive verdict are named apart), one unscored item for those they cannot."""
    measured = evidence.run_intervals if evidence.run_intervals is not None else evidence.run_metrics
    checks = check_criteria(criteria, measured, "the best run", evidence.run_task, evidence.run_slices)
    unmeasured = [c for c in checks if c.status == NOT_MEASURED]
    scored = [c for c in checks if c.status != NOT_MEASURED]
    items = []
    if not scored:
        items.append(Item("Evaluation", "Success criteria met by the best run", NA,
                          "None of the criteria is a metric the baselines measure."))
    else:
        failed = [c for c in scored if c.status == FAIL]
        unsure = [c for c in scored if c.status == INCONCLUSIVE]
        parts = []
        if failed:
            parts.append(f"{len(failed)} failed: " + "; ".join(f"{c.criterion}: {c.reason}" for c in failed))
        if unsure:
            parts.append(f"{len(unsure)} inconclusive (the interval straddles the bar): "
                         + "; ".join(f"{c.criterion}: {c.reason}" for c in unsure))
        ok = not failed and not unsure
        reason = " ".join(p if p.endswith(".") else p + "." for p in parts) if parts else (
            f"All {len(scored)} measured criteria pass: each 95 % interval clears its bar.")
        items.append(Item("Evaluation", "Success criteria met by the best run", PASS if ok else FAIL, reason))
    if unmeasured:
        items.append(Item("Evaluation", "Criteria the baselines cannot measure", NA,
                          f"{len(unmeasured)} not measured by the baselines, so counted apart from failures. "
                          + " ".join(f"{c.criterion}: {c.reason}" for c in unmeasured)))
    return items


def assess_readiness(content: dict, evidence: EvidenceDigest) -> Readiness:
    """Score the document ``content`` with its ``evidence``."""
    items = [
        _item("Problem", "Business objective written", _written(content, "requirements", "business_objective"),
              "Stated in Requirements.", "Requirements has no business objective."),
        _item("Problem", "Non-ML baseline considered", _written(content, "framing", "non_ml_baseline"),
              "ML framing names a non-ML baseline.", "ML framing does not say what a heuristic achieves."),
    ]
    ml_type = value(content, "framing", "ml_type")
    if evidence.target_type is None or ml_type is None:
        items.append(Item("Problem", "Framing matches the target column", NA,
                          "No framing chosen or no target profiled yet." if ml_type is None
                          else "No target column profiled yet."))
    else:
        expected = FRAMING_OF_TARGET.get(evidence.target_type)
        items.append(_item("Problem", "Framing matches the target column", ml_type == expected,
                           f"Framed as {ml_type}; the target is {evidence.target_type}.",
                           f"Framed as {ml_type}, but the target column is {evidence.target_type} ({expected})."))

    items.append(_item("Data", "Data profiled", evidence.profiled > 0,
                       f"{evidence.profiled} dataset(s) profiled.",
                       "No dataset profiled: upload and explore the data."))
    if not evidence.leakage_checked:
        items.append(Item("Data", "No open high-severity leakage finding", FAIL, "No leakage check has been run."))
    else:
        items.append(_item("Data", "No open high-severity leakage finding", evidence.open_high_leakage == 0,
                           "Leakage checked; no open high-severity finding.",
                           f"{evidence.open_high_leakage} high-severity leakage finding(s) unresolved."))
    if evidence.minority_share is None or evidence.minority_share >= 0.2:
        items.append(Item("Data", "Imbalance plan when classes are imbalanced", NA,
                          "Classes are not imbalanced." if evidence.minority_share is not None
                          else "No class balance measured."))
    else:
        items.append(_item("Data", "Imbalance plan when classes are imbalanced",
                           _written(content, "data", "imbalance_plan"),
                           "Data section has an imbalance plan.",
                           f"The rarest class is {evidence.minority_share:.1%} of rows, "
                           "and Data has no imbalance plan."))
    items.append(_item("Data", "Privacy addressed", _written(content, "data", "privacy"),
                       "Data section covers privacy.", "Data section says nothing on privacy."))

    items.append(_item("Model", "Simple baseline described", _written(content, "model", "baseline"),
                       "Model section names a simple baseline.", "Model section names no simple baseline."))
    if evidence.run_metrics is None:
        items.append(Item("Model", "A baseline run beats the dummy floor", FAIL, "No baseline run yet."))
    else:
        items.append(_item("Model", "A baseline run beats the dummy floor", bool(evidence.beats_dummy),
                           evidence.lift or "The best model beats the dummy floor.",
                           evidence.lift or "No model beats the dummy floor meaningfully."))

    criteria = success_criteria(content)
    items.append(_item("Evaluation", "Success criteria written", bool(criteria),
                       f"{len(criteria)} criteria, e.g. {criteria[0]}." if criteria else "",
                       "Evaluation has no success criterion such as 'recall >= 0.80'."))
    if not criteria or evidence.run_metrics is None:
        items.append(Item("Evaluation", "Success criteria met by the best run", NA if not criteria else FAIL,
                          "No criteria to check." if not criteria else "No baseline run to check them against."))
    else:
        items.extend(_criteria_items(criteria, evidence))
    classification = ml_type is not None and "classification" in ml_type
    if classification:
        ok = (value(content, "evaluation", "decision_threshold") is not None
              and _written(content, "evaluation", "threshold_tradeoff"))
        items.append(_item("Evaluation", "Decision threshold and its FPR/FNR stated", ok,
                           "Threshold and its trade-off are written.",
                           "Evaluation lacks the decision threshold or the FPR/FNR it implies."))
    else:
        items.append(Item("Evaluation", "Decision threshold and its FPR/FNR stated", NA, "Not a classification task."))

    items.append(_item("Deployment", "Serving target and prediction mode chosen",
                       _written(content, "deployment", "target") and _written(content, "deployment", "prediction_mode"),
                       "Deployment names where and how predictions are served.",
                       "Deployment lacks the target or the prediction mode."))
    testing = value(content, "deployment", "testing_in_production") or []
    items.append(_item("Deployment", "Testing in production planned", bool(testing) and testing != ["none"],
                       f"Planned: {', '.join(testing)}.",
                       "No shadow, A/B, canary or other test in production is planned."))

    items.append(_item("Monitoring", "Drift monitoring planned", _written(content, "monitoring", "drift"),
                       "Monitoring describes drift detection.", "Monitoring does not say how drift is detected."))
    items.append(_item("Monitoring", "A drift check has been run", evidence.drift_checked,
                       "A drift report is stored.", "No drift report yet: compare a reference and a current dataset."))
    items.append(_item("Monitoring", "Retraining trigger defined",
                       _written(content, "monitoring", "retraining_trigger"),
                       "Monitoring names the retraining trigger.", "Monitoring has no retraining trigger."))

    areas = {}
    for area in AREAS:
        applicable = [i for i in items if i.area == area and i.status != NA]
        areas[area] = sum(i.status == PASS for i in applicable) / len(applicable) if applicable else None
    scored = [s for s in areas.values() if s is not None]
    return Readiness(tuple(items), areas, min(scored) if scored else 0.0)
