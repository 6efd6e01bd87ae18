"""The checked plan of a candidate's evaluation: every column, class, threshold and criterion chosen once, with why.

    plan = plan_candidate(meta, {"name": "gbm v3"}, predictions=frame, document=content)   # CandidateError if not
    plan.roles.scores, plan.positive_label, plan.decision_threshold, plan.reasons["target"].text
    again = load(plan.to_dict())                                                            # what a job stores

Choices come from what the person asked (``asked``), else the design document (target and positive class of its Data
section, decision threshold and success criteria of its Evaluation section), else the data (columns found by their
names: analysis.candidate.reading), else Blueprint's defaults (the baselines' positive class rule, threshold 0.5).
Everything that can be wrong with the tables is checked here, once (analysis.candidate.checks, latency_problems), and
refused with every problem in one CandidateError; compute (analysis.candidate.unit) trusts the plan.

``asked`` keys (all optional): name, target, task, scores (a column, a list, or {class: column}), label, key,
positive_label, decision_threshold, criteria (a list of criterion texts, instead of the document's), random_state,
baseline ({"table": what Tables.open reads, "name": "Logistic regression", "align": "row" or a key column,
"classes": the run's classes in code order, "positive_label": the run's}), latency ({"table": ..., "column": ...,
"unit": "ms"}). The frames are passed as context: predictions, dataset (the stored dataset a key joins), baseline,
latencies; with their metas (dataset_meta, latency_meta) and the design document's content (document).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.baselines.metrics import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    THRESHOLD_METRICS,
    canonical_metric,
    choose_primary_metric,
)
from analysis.baselines.setup import default_positive_label, label_text, regression_values
from analysis.candidate.checks import baseline_problems, prediction_problems
from analysis.candidate.latency import LatencyError, latency_column, latency_problems
from analysis.candidate.reading import (
    NotFound,
    Roles,
    class_labels,
    find_key,
    find_model_columns,
    find_target,
    read_baseline,
    read_rows,
)
from analysis.errors import TargetError
from analysis.serialize import from_versioned, to_versioned
from analysis.target import BINARY, MULTICLASS, REGRESSION, check_target
from analysis.units import DatasetMeta, PlanError, Reason
from design.criteria import CriterionError, parse_criterion
from design.document import success_criteria, target_choice
from design.document import value as field_value

PLAN_FORMAT = 1
KIND = "candidate"
ASKED = ("name", "target", "task", "scores", "label", "key", "positive_label", "decision_threshold", "criteria",
         "random_state", "baseline", "latency")
DEFAULT_THRESHOLD = 0.5
TASKS = (BINARY, MULTICLASS, REGRESSION)


class CandidateError(PlanError):
    """The candidate cannot be evaluated as asked; ``problems`` lists each problem (what is wrong, what to do)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = (f"These predictions cannot be evaluated yet ({len(self.problems)} problems):\n"
                    + "\n".join(f"- {p}" for p in self.problems))
        super().__init__(text)


@dataclass(frozen=True)
class BaselineSpec:
    """The baseline compared with on the same rows: ``table`` (what Tables.open reads: a content hash, or an id the
    host resolves, e.g. a run's kept predictions), ``name`` (its model, "Logistic regression"), ``align`` ("row":
    positions into the candidate's rows, as a run keeps them; or a key column both tables have), ``classes`` (the
    run's classes in code order; () when its codes are the candidate's), ``positive_label`` (what its score is the
    probability of)."""

    table: str
    name: str
    align: str = "row"
    classes: tuple[str, ...] = ()
    positive_label: str | None = None


@dataclass(frozen=True)
class LatencySpec:
    """A load test's latencies: ``table`` (what Tables.open reads), the ``column`` and its ``unit``."""

    table: str
    column: str
    unit: str = "ms"


@dataclass(frozen=True)
class CandidatePlan:
    """A candidate's evaluation, checked (see the module docstring).

    name: the candidate ("gbm v3"). predictions: what Tables.open reads for its predictions (None: only a load
    test). dataset: the stored dataset its key joins (None: a scored dataset). dataset_name: for the evidence.
    task, roles, classes (as text, sorted), positive_label. decision_threshold: binary with scores, else None.
    labels_only: the model gave labels, no scores. primary_metric: what slices compare. criteria: the criteria
    checked (texts). baseline, latency: what else is read. rows_word: "test rows" when the rows are a test set.
    random_state: seeds every bootstrap and sample. reasons: choice -> why. reported: metrics a tracking server
    reported for the model (metric -> its point value, named as Blueprint names metrics: reported_name), checked
    on those points when the rows are not at hand; reported_by: whose numbers they are, in words ("MLflow for run
    1c9b63dd")."""

    name: str
    predictions: str | None = None
    dataset: str | None = None
    dataset_name: str = ""
    task: str | None = None
    roles: Roles | None = None
    classes: tuple[str, ...] = ()
    positive_label: str | None = None
    decision_threshold: float | None = None
    labels_only: bool = False
    primary_metric: str | None = None
    criteria: tuple[str, ...] = ()
    baseline: BaselineSpec | None = None
    latency: LatencySpec | None = None
    rows_word: str = "rows"
    random_state: int = 0
    reasons: dict[str, Reason] = field(default_factory=dict)
    reported: dict[str, float] = field(default_factory=dict)
    reported_by: str = ""
    kind: str = KIND

    @property
    def inputs(self) -> tuple[str, ...]:
        """What compute reads besides the table planned on (the predictions, or the load test alone)."""
        read = (self.dataset, self.baseline.table if self.baseline else None,
                self.latency.table if self.latency and self.predictions else None)
        return tuple(x for x in read if x)

    @property
    def threshold_from_document(self) -> bool:
        reason = self.reasons.get("decision_threshold")
        return reason is not None and reason.source == "document"

    def to_dict(self) -> dict:
        return to_versioned(self, PLAN_FORMAT)


def load(settings: Mapping) -> CandidatePlan:
    """A stored plan, as a job holds it (checked when it was planned)."""
    return from_versioned(CandidatePlan, dict(settings), PLAN_FORMAT, "candidate plan", "Plan the evaluation again.")


def plan_candidate(meta: DatasetMeta, asked: Mapping | None = None, *, predictions: pd.DataFrame | None = None,
                   dataset: pd.DataFrame | None = None, dataset_meta: DatasetMeta | None = None,
                   document: dict | None = None, baseline: pd.DataFrame | None = None,
                   latencies: pd.DataFrame | None = None, latency_meta: DatasetMeta | None = None,
                   reported: Mapping | None = None, reported_by: str = "") -> CandidatePlan:
    """Check everything once and return the plan; CandidateError naming every problem otherwise. ``meta`` is the
    predictions table's (or, with no predictions, the load test's). ``reported``: the metrics a tracking server
    logged for the model (name -> value, as logged), ``reported_by`` whose they are ("MLflow for run 1c9b63dd")."""
    asked = dict(asked or {})
    unknown = sorted(set(asked) - set(ASKED))
    if unknown:
        raise CandidateError([f"Unknown choice(s) {', '.join(map(repr, unknown))}; the choices are "
                              f"{', '.join(ASKED)}."])
    shapes = _shape_problems(asked)
    if shapes:
        raise CandidateError(shapes)
    if predictions is None and latencies is None and not reported:
        raise CandidateError(["Bring the candidate's predictions (or a load test's latencies) to evaluate."])
    reasons = {"name": Reason("asked", f"Named '{asked['name']}'.") if asked.get("name")
               else Reason("default", "No name given: called 'the candidate'.")}
    seed = asked.get("random_state") or 0
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise CandidateError([f"random_state {seed!r} must be a whole number (it seeds every bootstrap and sample)."])
    fields = {"name": str(asked.get("name") or "the candidate"), "random_state": seed,
              "dataset_name": (dataset_meta or meta).name}
    problems: list[str] = []
    criteria = _criteria(asked, document, reasons, problems)
    if predictions is not None:
        fields.update(_model(meta, asked, predictions, dataset, dataset_meta, document, criteria, reasons, problems,
                             baseline))
    if latencies is not None:
        fields["latency"] = _latency(asked.get("latency") or {}, latencies, latency_meta or meta, reasons, problems)
    if reported:
        fields.update(_reported(reported, reported_by, asked, predictions is not None, reasons))
    if problems:
        raise CandidateError(problems)
    return CandidatePlan(criteria=tuple(str(c) for c in criteria), reasons=reasons, **fields)


def _shape_problems(asked: Mapping) -> list[str]:
    """Choices of the wrong kind (a number where a column name goes, text where a list goes), each named."""
    problems = []
    for name in ("name", "target", "label", "key", "task"):
        if asked.get(name) is not None and not isinstance(asked[name], str):
            problems.append(f"The {name} must be text (a {'name' if name == 'name' else 'column name'}), not "
                            f"{asked[name]!r}.")
    scores = asked.get("scores")
    if scores is not None and not (isinstance(scores, (str, Mapping)) or (
            isinstance(scores, (list, tuple)) and all(isinstance(c, str) for c in scores))):
        problems.append(f"The scores must be a column name, a list of column names or {{class: column}}, not "
                        f"{scores!r}.")
    criteria = asked.get("criteria")
    if criteria is not None and not (isinstance(criteria, (list, tuple)) and all(isinstance(c, str) for c in criteria)):
        problems.append(f"The criteria must be a list of texts such as 'recall >= 0.8', not {criteria!r}.")
    for name in ("baseline", "latency"):
        if asked.get(name) is not None and not isinstance(asked[name], Mapping):
            problems.append(f"The {name} must be given as {{'table': ..., ...}}, not {asked[name]!r}.")
    return problems


def _criteria(asked: Mapping, document: dict | None, reasons: dict, problems: list) -> list:
    if asked.get("criteria") is not None:
        found = []
        for text in asked["criteria"]:
            try:
                found.append(parse_criterion(text))
            except CriterionError as error:
                problems.append(str(error))
        reasons["criteria"] = Reason("asked", f"{len(found)} criteria, as given.")
        return found
    if document:
        found = success_criteria(document)
        reasons["criteria"] = Reason("document", f"The design document's {len(found)} success criteria.")
        return found
    reasons["criteria"] = Reason("default", "No design document given: no criteria are checked.")
    return []


def _model(meta: DatasetMeta, asked: Mapping, predictions: pd.DataFrame, dataset: pd.DataFrame | None,
           dataset_meta: DatasetMeta | None, document: dict | None, criteria: list, reasons: dict, problems: list,
           baseline: pd.DataFrame | None) -> dict:
    """The fields of the plan about the predictions; raises CandidateError when a column cannot be found."""
    doc_target, doc_positive = target_choice(document) if document else (None, None)
    try:
        key = find_key(asked.get("key"), predictions, dataset)
        target = find_target(asked.get("target"), doc_target, predictions, dataset)
        truth_frame = dataset if dataset is not None else predictions
        task = asked.get("task") or check_target(truth_frame, target.value,
                                                 dict((dataset_meta or meta).column_types))
        if task not in TASKS:
            raise NotFound(f"The task '{task}' is not one of {', '.join(TASKS)}.")
        if task == REGRESSION:
            regression_values(truth_frame[target.value], target.value)      # TargetError: text in the target
        classes = () if task == REGRESSION else class_labels(truth_frame[target.value])
        if task == BINARY and len(classes) != 2:
            raise NotFound(f"Target '{target.value}' has {len(classes)} classes, so it is not a binary task: choose "
                           f"{'multiclass' if len(classes) > 2 else 'another target'}.")
        positive = _positive(task, classes, asked.get("positive_label"), doc_positive, truth_frame[target.value],
                             reasons) if task == BINARY else None
        scores, label = find_model_columns(asked, predictions, task, classes, positive, target.value)
    except (NotFound, TargetError, ValueError) as error:
        raise CandidateError([*problems, str(error)]) from None
    roles = Roles(target.value, dict(scores.value) if scores else {}, label.value if label else None,
                  key.value if key else None)
    for name, found in (("key", key), ("target", target), ("scores", scores), ("label", label)):
        if found is not None:
            reasons[name] = Reason(found.source, found.text)
    reasons["task"] = (Reason("asked", f"A {task} task, as chosen.") if asked.get("task") else
                       Reason("data", f"A {task} task: what the target '{target.value}' holds."))
    labels_only = task != REGRESSION and not roles.scores
    written = field_value(document, "evaluation", "decision_threshold") if document else None
    threshold = _threshold(task, labels_only, asked, written, reasons, problems)
    rows = read_rows(roles, task, classes, positive, predictions, dataset)
    problems += prediction_problems(roles, task, classes, positive, predictions, dataset, rows)
    fields = {"predictions": meta.content_hash, "dataset": dataset_meta.content_hash if dataset_meta else None,
              "task": task, "roles": roles, "classes": classes, "positive_label": positive,
              "decision_threshold": threshold, "labels_only": labels_only,
              "primary_metric": _primary(task, labels_only, criteria),
              "rows_word": "test rows" if "test" in ((dataset_meta or meta).role or "") else "rows"}
    if asked.get("baseline") is not None or baseline is not None:
        fields["baseline"] = _baseline(asked.get("baseline") or {}, baseline, rows, task, classes, positive, reasons,
                                       problems)
    return fields


def _positive(task, classes, asked, document, series, reasons) -> str:
    if asked is not None:
        if str(asked) not in classes:
            raise NotFound(f"The positive class '{asked}' is not a class of the target; choose "
                           f"{' or '.join(map(repr, classes))}.")
        reasons["positive_label"] = Reason("asked", f"Positive class '{asked}', as chosen.")
        return str(asked)
    if document is not None and document in classes:
        reasons["positive_label"] = Reason("document", f"Positive class '{document}', as the design document names.")
        return document
    chosen = default_positive_label(series.dropna().astype(object).map(label_text))
    said = f" (the design document's '{document}' is not a class)" if document else ""
    reasons["positive_label"] = Reason("default", f"Positive class '{chosen}': the baselines' rule (a label read as "
                                                  f"yes or 1, else the smaller class){said}.")
    return chosen


def _threshold(task, labels_only, asked, written, reasons, problems) -> float | None:
    """The binary decision threshold: asked for, else the document's (``written``), else 0.5; None without scores."""
    if task != BINARY or labels_only:
        why = "the model gave labels, which are its decisions" if labels_only else f"a {task} task has none"
        reasons["decision_threshold"] = Reason("default", f"No decision threshold: {why}.")
        return None
    chosen = asked.get("decision_threshold")
    if chosen is not None:
        try:
            chosen = float(chosen)
        except (TypeError, ValueError):
            chosen = math.nan
        if not 0.0 <= chosen <= 1.0:
            problems.append(f"The decision threshold {asked['decision_threshold']!r} must be a number between 0 and "
                            "1: the score from which a prediction is positive.")
            return DEFAULT_THRESHOLD
        reasons["decision_threshold"] = Reason("asked", f"Decision threshold {chosen:g}, as chosen.")
        return chosen
    if written is not None:
        reasons["decision_threshold"] = Reason("document", f"Decision threshold {float(written):g}, from the design "
                                                           "document's Evaluation section.")
        return float(written)
    reasons["decision_threshold"] = Reason("default", f"Decision threshold {DEFAULT_THRESHOLD:g}: the design "
                                                      "document names none.")
    return DEFAULT_THRESHOLD


def _primary(task: str, labels_only: bool, criteria: list) -> str:
    """What slices compare: as the baselines choose it from the criteria; a labels-only model's first threshold
    metric the criteria name, else balanced accuracy (binary) or accuracy."""
    named = [c.metric for c in criteria if not c.where and not c.relative]
    if not labels_only:
        return choose_primary_metric(task, named)
    usable = [canonical_metric(m)[0] for m in named if canonical_metric(m)[0] in THRESHOLD_METRICS]
    return usable[0] if usable and task == BINARY else "balanced accuracy" if task == BINARY else "accuracy"


def _baseline(asked: Mapping, table: pd.DataFrame | None, rows, task, classes, positive, reasons,
              problems) -> BaselineSpec | None:
    """The baseline compared with, checked against the candidate's rows. A baseline run still being computed when
    this is planned (asked with "pending": a run Blueprint itself computes on these rows, the sample's first start)
    is read when the evaluation runs: its rows are the dataset's by construction."""
    if asked.get("pending") and asked.get("table"):
        spec = BaselineSpec(str(asked["table"]), str(asked.get("name") or ""), "row",
                            tuple(str(c) for c in asked.get("classes") or ()), asked.get("positive_label"))
        reasons["baseline"] = Reason("asked", "Compared with the best model of a baseline run on the same rows, read "
                                              "when the evaluation runs (the run was still being computed).")
        return spec
    if table is None or not asked.get("table"):
        problems.append("A baseline to compare with needs both its predictions table and its id (baseline: "
                        "{'table': ..., 'name': ...}).")
        return None
    spec = BaselineSpec(str(asked["table"]), str(asked.get("name") or "the baseline"), str(asked.get("align") or "row"),
                        tuple(str(c) for c in asked.get("classes") or ()), asked.get("positive_label"))
    needed = [spec.align, "predicted" if task != BINARY else None]
    missing = [c for c in needed if c is not None and c not in table.columns]
    if task == BINARY and "score" not in table.columns and "predicted" not in table.columns:
        missing.append("score")
    if spec.align != "row" and spec.align not in rows.frame.columns:
        missing.append(f"{spec.align} (in the candidate's rows)")
    if missing:
        problems.append(f"The baseline's predictions lack column(s) {', '.join(map(repr, missing))}: they need the "
                        "row (or a key both tables have) and the prediction ('score' or 'predicted'), as a baseline "
                        "run keeps them.")
        return spec
    found = read_baseline(table, rows.frame, spec.align, task, classes, positive, spec.classes, spec.positive_label)
    problems += baseline_problems(spec.name, rows, found.positions, found.truth, found.scores, task)
    reasons["baseline"] = Reason("asked", f"Compared with {spec.name} on the rows both predicted (aligned by "
                                          f"{'row' if spec.align == 'row' else repr(spec.align)}).")
    return spec


def reported_name(name: str) -> str:
    """A metric's name as a tracking server logs it, as Blueprint names it: "roc_auc" -> "roc auc", "recall_score" ->
    "recall", "precision_recall_auc" -> "pr auc", "p95_latency_ms" -> "p95 latency ms" (as a criterion's metric
    reads through canonical_metric)."""
    found, _ = canonical_metric(str(name))
    found = REPORTED_ALIASES.get(found, found)
    if found.endswith(" score") and found[:-len(" score")] in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS):
        found = found[:-len(" score")]
    return found


REPORTED_ALIASES = {"precision recall auc": "pr auc", "average precision": "pr auc", "roc auc score": "roc auc",
                    "f1 score": "f1", "root mean squared error": "rmse", "mean absolute error": "mae"}


def _reported(reported: Mapping, by: str, asked: Mapping, with_rows: bool, reasons: dict) -> dict:
    """The metrics a tracking server reported, by Blueprint's names (finite numbers only), and the task as the
    version says it when there are no rows to read it from."""
    found: dict[str, float] = {}
    for name, value in reported.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        found.setdefault(reported_name(name), float(value))
    by = str(by or "the tracking server")
    reasons["reported"] = Reason("asked", f"{len(found)} metrics reported by {by}" + (
        ": measured again here on the rows, the reported values are shown beside." if with_rows else
        ": the rows are not available here, so the criteria are checked on those points, with no interval."))
    fields = {"reported": found, "reported_by": by}
    if not with_rows and asked.get("task") in TASKS:
        fields["task"] = asked["task"]
    return fields


def _latency(asked: Mapping, latencies: pd.DataFrame, meta: DatasetMeta, reasons, problems) -> LatencySpec | None:
    try:
        column, unit, why = latency_column(latencies, asked.get("column"), asked.get("unit"))
    except LatencyError as error:
        problems.append(str(error))
        return None
    problems += latency_problems(latencies, column)
    reasons["latency"] = Reason("asked" if asked.get("column") else "data", why)
    return LatencySpec(str(asked.get("table") or meta.content_hash), column, unit)
