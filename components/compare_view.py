"""The Compare page's pieces: the settings that differ between runs, in words, and their metrics side by side as
numbers with the difference to the first chosen run.

    words = {i: settings_in_words(run, dataset_name) for i, run in runs.items()}
    differing_settings(words)          # DataFrame: one row per setting that differs, one column per run
    metrics_side_by_side(columns)      # DataFrame: one row per metric, each run, then each run minus the first

The two table builders are plain functions (tested without a page); settings() and metrics() draw them. The page
reads each chosen run's summary (load: what its settings, metrics, weakest slices and criteria need), decoded once
per server; never a run's body or predictions, and nothing of the runs it only lists.

Candidate models (the team's own, store.models) are listed with their versions beside the runs, from their stored
evaluations' summaries (evidence kind "candidate"): their metrics beside the first chosen run's, the differences on
the same rows in words, their stored verdicts beside the run's, and what changed between versions (versions_changed:
who brought each and when, from what file by content hash or which MLflow run, and the run's params and metrics).

The pipeline's runs (``blueprint check --as``, evidence kind "check") are listed newest first with each criterion's
verdict across the latest runs (ci_runs; the tables are built by design.check_evidence from stored summaries).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.baselines.metrics import LOWER_IS_BETTER, display_name
from analysis.baselines.run import BaselineRun
from analysis.error_analysis.analyze import slice_evidence
from components import stored_results
from components.text import plain
from design import check_evidence
from design.candidates import verdict_text
from store.errors import StoreError
from store.results import Evidence, result_meta

TASK_WORDS = {"binary": "binary classification", "multiclass": "multiclass classification", "regression": "regression"}
LISTED = 6          # column names listed before "and N more"


def _names(columns, limit: int = LISTED) -> str:
    columns = list(columns)
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def settings_in_words(run: BaselineRun, dataset: str) -> dict[str, str]:
    """What a run was asked to do, each setting as a person says it (no Python values: no dicts, lists or None)."""
    s = run.settings
    features = list(s.features or ())
    if run.task == "binary":
        source = "the design document" if s.decision_threshold is not None else "the default; the document named none"
        threshold = f"{run.decision_threshold if run.decision_threshold is not None else 0.5:g} (from {source})"
        positive = str(run.positive_label) if run.positive_label is not None else "chosen from the data"
    else:
        threshold = positive = f"none (a {TASK_WORDS.get(run.task, run.task)})"
    rows = f"{run.n_rows:,}" + (f", a sample of {run.n_rows_total:,}" if run.sampled else "")
    return {
        "Dataset": dataset,
        "Target": s.target,
        "Task": TASK_WORDS.get(run.task, run.task),
        "Protocol": run.protocol.line,
        "Features": (f"{len(features)} column{'' if len(features) == 1 else 's'}: {_names(features)}"
                     if features else "none"),
        "Left out": "; ".join(f"{column} ({why})" for column, why in s.excluded.items()) or "nothing",
        "Models": ", ".join(s.models) if s.models else "the task's usual suite",
        "Positive class": positive,
        "Decision threshold": threshold,
        "Metric that picks the best model": display_name(run.primary_metric),
        "Time budget per model": f"{s.time_budget_s:g} s",
        "Rows used": rows,
        "Row limit": f"{s.max_rows:,} (a sample above it)" if s.max_rows else "every row",
        "Random seed": str(s.random_state),
        "Best model": run.best_model or "no model scored",
    }


def differing_settings(words: dict[str, dict[str, str]], features: dict[str, tuple] | None = None) -> pd.DataFrame:
    """One row per setting whose words differ between the runs (keys of ``words``: run labels), one column per run.
    With ``features`` (run label -> feature columns), a run's Features cell says what it adds and drops against
    the first run."""
    labels = list(words)
    keys = [k for k in words[labels[0]] if len({w.get(k, "") for w in words.values()}) > 1]
    table = {label: {k: words[label].get(k, "") for k in keys} for label in labels}
    if features and "Features" in keys:
        first = list(features[labels[0]])
        for label in labels[1:]:
            mine = list(features[label])
            added = [c for c in mine if c not in first]
            dropped = [c for c in first if c not in mine]
            change = "; ".join(part for part in (f"adds {_names(added)}" if added else "",
                                                 f"drops {_names(dropped)}" if dropped else "") if part)
            if change:
                table[label]["Features"] = f"{len(mine)} columns; against {labels[0]}: {change}"
    return pd.DataFrame(table, index=keys)


def metrics_side_by_side(columns: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Metrics as rows (display names), one column per run (label -> metric -> value), then for every run after
    the first its difference to the first ("<label> − <first>"); a metric a run lacks is empty."""
    labels = list(columns)
    metrics = list(dict.fromkeys(m for values in columns.values() for m in values))
    table = {label: [columns[label].get(m) for m in metrics] for label in labels}
    first = labels[0]
    for label in labels[1:]:
        table[f"{label} − {first}"] = [None if columns[label].get(m) is None or columns[first].get(m) is None
                                       else columns[label][m] - columns[first][m] for m in metrics]
    index = [display_name(m) + (" (lower is better)" if m in LOWER_IS_BETTER else "") for m in metrics]
    return pd.DataFrame(table, index=index)


def load(db, runs: dict[int, Evidence], chosen: list[int]) -> dict[int, BaselineRun]:
    """The chosen runs (evidence id -> run, rebuilt from each run's summary); a run whose details cannot be read (an
    imported project's runs carry only their evidence summary) is said so and left out."""
    loaded = {}
    for i in chosen:
        try:
            loaded[i] = stored_results.summary(db, result_meta(db, runs[i].result_id), BaselineRun.from_dict)
        except (ValueError, StoreError) as error:
            st.warning(plain(f"#{i}: the details of this run cannot be read, so it is left out: {error}"))
    return loaded


def settings(loaded: dict[int, BaselineRun], datasets: dict[int, str]) -> None:
    """The settings that differ between the chosen runs (``loaded``: run id -> run; ``datasets``: run id -> name)."""
    words = {f"#{i}": settings_in_words(run, datasets[i]) for i, run in loaded.items()}
    if len(words) < 2:
        st.caption("Choose a second run to see the settings that differ.")
        return
    table = differing_settings(words, {f"#{i}": tuple(run.settings.features or ()) for i, run in loaded.items()})
    if table.empty:
        st.caption("The chosen runs have the same settings.")
        return
    st.dataframe(table, width="stretch")


def metrics(loaded: dict[int, BaselineRun], values: dict[int, dict[str, float]]) -> None:
    """The best model's metrics of each chosen run side by side, with each run's difference to the first."""
    columns = {f"#{i} {loaded[i].best_model or 'no model'}": values[i] for i in loaded if values[i]}
    if not columns:
        st.info("None of the chosen runs has a scored model.")
        return
    table = metrics_side_by_side(columns)
    first = next(iter(columns))
    config = {c: st.column_config.NumberColumn(format="%+.3f" if " − " in c else "%.3f") for c in table.columns}
    st.dataframe(table, width="stretch", column_config=config)
    if len(columns) > 1:
        st.caption(f"Each difference is that run minus {first.split(' ')[0]}, on all tested rows; for a metric marked "
                   "lower is better, a negative difference is the better run.")


def slices_of(run, criteria) -> dict | None:
    """A run's best-model slices as slice criteria read them (None for a run stored before slices)."""
    best = run.best()
    return slice_evidence(best.error_analysis if best else None, criteria)


def weakest(loaded: dict) -> None:
    """The weakest slices of each run's best model, side by side (a run stored before slices says so)."""
    rows = []
    for i, run in loaded.items():
        best = run.best()
        found = best.error_analysis.slices if best is not None and best.error_analysis is not None else None
        if found is None:
            rows.append({"Run": f"#{i}", "Slice": "no slices stored: run the baselines again", "Rows": None,
                         "Metric": "", "Value": None, "Overall": None})
            continue
        if not found.weak:
            rows.append({"Run": f"#{i}", "Slice": f"none weak of {found.tested:,} tested", "Rows": None,
                         "Metric": display_name(found.metric), "Value": None, "Overall": found.overall.value})
        for s in found.weak[:5]:
            rows.append({"Run": f"#{i}", "Slice": s.label, "Rows": s.rows, "Metric": display_name(found.metric),
                         "Value": s.metric.value, "Overall": found.overall.value})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare-weak")


# --- candidate models beside the runs ------------------------------------------------------------------------------

def latest_evaluations(evidence: list[Evidence]) -> dict[str, Evidence]:
    """Each evaluated candidate version's newest evaluation (``evidence``: kind "candidate", newest first), by its
    label ("gbm v3"), newest first."""
    found: dict[str, Evidence] = {}
    for e in evidence:
        found.setdefault(str(e.summary.get("candidate") or f"candidate #{e.id}"), e)
    return found


def default_candidates(models, evaluations: dict[str, Evidence], limit: int = 3) -> list[str]:
    """The versions compared first: each model's latest evaluated version, the most recent models first."""
    picked = []
    for model in models:
        label = next((v.label for v in model.versions if v.label in evaluations), None)
        if label is not None:
            picked.append(label)
    return picked[:limit] or list(evaluations)[:1]


def _verdicts(summary: dict) -> str:
    counts = summary.get("counts") or {}
    said = ", ".join(f"{counts[s]} {s}" for s in ("fail", "inconclusive", "not measured", "pass") if counts.get(s))
    return said or "no criterion checked"


def _against_baseline(summary: dict) -> str:
    """The difference to the baseline on the same rows of the primary metric, in words ("" without a baseline)."""
    sentences = ((summary.get("differences") or {}).get("baseline") or {}).get("sentences") or []
    return sentences[0] if sentences else "not compared with a baseline"


def candidate_versions(models, evaluations: dict[str, Evidence], datasets: dict[str, str]) -> pd.DataFrame:
    """Every live version of every candidate model (the most recent model first, its versions newest first): when it
    was brought, by whom, from what, on which dataset, and its evaluation's verdicts and difference to the baseline
    ("not evaluated yet" without one)."""
    rows = []
    for model in models:
        for v in model.versions:
            e = evaluations.get(v.label)
            rows.append({"Version": v.label, "Brought (UTC)": v.created_at[:16].replace("T", " "), "By": v.created_by,
                         "From": v.origin, "Dataset": _dataset_words(v, datasets),
                         "Rows": v.rows, "Verdicts": _verdicts(e.summary) if e else "not evaluated yet",
                         "Against the baseline": _against_baseline(e.summary) if e else ""})
    return pd.DataFrame(rows)


def _dataset_words(version, datasets: dict[str, str]) -> str:
    if version.dataset_hash is None:
        return ("the predictions file itself (a scored dataset)" if version.predictions_hash else
                "none (the run's metrics only)")
    return datasets.get(version.dataset_hash, "a dataset no longer in the project")


def version_words(version, datasets: dict[str, str]) -> dict[str, str]:
    """What a candidate version is, each part in words: who brought it and when, from what (the file and its content
    hash, or the MLflow run), on which rows, what its columns mean, and the MLflow run's params and metrics."""
    roles = version.roles or {}
    scores = roles.get("scores") or {}
    columns = "; ".join(part for part in (
        f"target {roles['target']}" if roles.get("target") else "",
        "scores " + ", ".join(f"{c} for '{k}'" for k, c in scores.items()) if scores else "",
        f"label {roles['label']}" if roles.get("label") else "",
        f"key {roles['key']}" if roles.get("key") else "") if part)
    words = {"Brought by": version.created_by, "Brought (UTC)": version.created_at[:16].replace("T", " "),
             "From": version.origin,
             "File content hash": version.predictions_hash[:12] if version.predictions_hash else
             "none (the run's metrics only)",
             "Rows": f"{version.rows:,}" if version.rows is not None else "none",
             "Dataset": _dataset_words(version, datasets), "Columns": columns or "none named",
             "Note": version.note or "none"}
    run = version.run or {}
    words.update({f"MLflow param {k}": str(v) for k, v in sorted((run.get("params") or {}).items())})
    words.update({f"MLflow metric {k}": f"{v:.4g}" if isinstance(v, (int, float)) else str(v)
                  for k, v in sorted((run.get("metrics") or {}).items())})
    return words


def versions_changed(versions, datasets: dict[str, str]) -> pd.DataFrame:
    """What differs between versions of one model (``versions``: oldest first), one row per part that differs, one
    column per version; a param or metric one version lacks reads "not logged"."""
    words = {v.label: version_words(v, datasets) for v in versions}
    keys = list(dict.fromkeys(k for w in words.values() for k in w))
    filled = {label: {k: w.get(k, "not logged") for k in keys} for label, w in words.items()}
    return differing_settings(filled)


def versions(models, datasets: dict[str, str]) -> None:
    """For each model with several versions, what changed between them."""
    several = [m for m in models if len(m.versions) > 1]
    if not several:
        st.caption("Each candidate model has one version so far: bring another on the Models page to see what changed.")
        return
    for model in several:
        st.markdown(f"**{plain(model.name)}**: {len(model.versions)} versions")
        table = versions_changed(list(reversed(model.versions)), datasets)
        st.dataframe(table, width="stretch", key=f"compare-versions-{model.name}")


def candidate_metrics(columns: dict[str, dict[str, float]], first_is_run: bool) -> None:
    """The metrics side by side (``columns``: label -> metric -> value; the first is the reference), each after the
    first as its difference to the first."""
    table = metrics_side_by_side(columns)
    config = {c: st.column_config.NumberColumn(format="%+.3f" if " − " in c else "%.3f") for c in table.columns}
    st.dataframe(table, width="stretch", column_config=config, key="compare-candidate-metrics")
    first = next(iter(columns))
    st.caption(plain(f"Each difference is that column minus {first}, each measured on its own rows"
                     + (" (the run's best model out of fold on all tested rows)" if first_is_run else "")
                     + ". The paired differences on the same rows, with their intervals, follow in words."))


def differences_in_words(evaluations: dict[str, Evidence]) -> None:
    """Each candidate against the baseline and the dummy floor on the same rows, in words (the primary metric
    first)."""
    for label, e in evaluations.items():
        differences = e.summary.get("differences") or {}
        said = [*((differences.get("baseline") or {}).get("sentences") or [])[:3],
                *((differences.get("dummy") or {}).get("sentences") or [])[:1]]
        if not said:
            st.caption(plain(f"{label}: not compared with another model on the same rows."))
            continue
        st.markdown("\n".join(f"- {plain(s)}." for s in said))


def criteria_beside(criteria, columns: dict[str, list]) -> pd.DataFrame:
    """One row per criterion (``criteria``: their texts), one column per model (label -> its CriterionChecks): each
    verdict with its value and interval ("not checked" where a model has none)."""
    table = {label: [verdict_text(next((c for c in checks if str(c.criterion) == text), None)) for text in criteria]
             for label, checks in columns.items()}
    return pd.DataFrame(table, index=list(criteria))


# --- the pipeline's runs (blueprint check) -------------------------------------------------------------------------

def ci_runs(rows: list[Evidence]) -> None:
    """The CI runs (``rows``: evidence of kind "check", newest first; their stored summaries only): one row per run,
    then each criterion's verdict across the latest runs, and the criteria the latest run started failing."""
    st.dataframe(pd.DataFrame(check_evidence.runs_table(rows)), hide_index=True, width="stretch",
                 key="compare-ci-runs")
    st.caption("Each run as the pipeline stored it (blueprint check --as): exit 0 passed, 1 failed, 2 nothing could be "
               "checked. Unresolved high leakage is empty when the run scanned no data.")
    table = check_evidence.criteria_by_run(rows)
    if not any(table.values()):
        st.info("None of these runs checked a criterion.")
        return
    st.dataframe(pd.DataFrame(table), width="stretch", key="compare-ci-criteria")
    shown = min(len(rows), check_evidence.RUNS_SHOWN)
    st.caption(f"The latest {shown} run{'s' if shown > 1 else ''}, oldest on the left: each cell is the verdict, the "
               "value and its 95 % interval.")
    for line in check_evidence.started_failing(rows):
        st.error(plain(line))
