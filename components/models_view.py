"""The Models page's pieces: bringing a candidate model (a predictions file, or an MLflow run), picking a version,
and its evidence as the job stored it (analysis.candidate): metrics with 95 % intervals beside the dummy floor and the
baseline run on the same rows, the criteria verdicts, the differences in words, the threshold explorer, slices, worst
errors, calibration and latency. The Baselines page's pieces draw what both have (baselines_view.threshold_explorer,
error_analysis_view, baseline_charts). Every refusal is a message (what is wrong, what to do), never a traceback."""
from __future__ import annotations

import math

import pandas as pd
import sqlite_utils
import streamlit as st

from analysis.baselines.metrics import display_name
from analysis.candidate.evaluate import Evaluation
from analysis.candidate.plan import CandidateError
from analysis.reading.read import EXTENSIONS, MAX_UPLOAD_BYTES, ReadError, format_size, read_table
from analysis.sources.mlflow_runs import (
    MlflowError,
    get_model_version,
    get_run,
    list_artifacts,
    list_experiments,
    list_runs,
    read_artifact_table,
)
from components import baseline_charts, baselines_view, error_analysis_view, evidence, shell, sources_view
from components.shell import AppContext
from components.text import plain
from design.candidates import reported_only
from design.document import success_criteria
from design.document import value as field_value
from jobs.candidates import COLUMN_CHOICES, baseline_runs, bring_mlflow, bring_predictions, evaluated_on, evidence_key
from store.access import EDIT
from store.datasets import Dataset, list_datasets
from store.errors import StoreError
from store.models import ModelVersion, list_models

WAYS = ("A predictions file", "An MLflow run")
LAYOUTS = ("A scored dataset: the features, the target and the model's score or label",
           "A key and the model's score or label, joined to a stored dataset by that key")
NO_BASELINE = "no baseline run"
FOUND = "found by its name"


# --- bringing a version --------------------------------------------------------------------------------------------

def bring(context: AppContext, content: dict, has_models: bool) -> None:
    """The forms that bring a new version, for editors and owners; others read why not."""
    st.subheader("Bring a candidate model")
    if not shell.may(context, EDIT, "bring candidate models"):
        return
    with st.expander("A predictions file or an MLflow run, stored as a named, numbered version",
                     expanded=not has_models):
        way = st.radio("From", WAYS, horizontal=True, key="mv-way")
        name = st.text_input("Model name", key="mv-name", placeholder="gbm", max_chars=80,
                             help="The versions of a name are numbered for you: gbm v1, gbm v2, ...")
        if way == WAYS[0]:
            _from_file(context, content, name)
        else:
            _from_mlflow(context, content, name)


def _problems(error: Exception) -> str:
    """A refusal as Markdown: each problem of a CandidateError on its own line, plain."""
    problems = getattr(error, "problems", None) or [str(error)]
    if len(problems) == 1:
        return plain(problems[0])
    return (f"Nothing was stored: these predictions have {len(problems)} problems.\n\n"
            + "\n\n".join(f"{i}\\. {plain(p)}" for i, p in enumerate(problems, 1)))


def _read_upload(file) -> object | None:
    """The uploaded file read by the one reader, once per file (kept in the session); None with a message."""
    kept = st.session_state.setdefault("mv-read", {})
    if file.file_id not in kept:
        try:
            kept.clear()
            kept[file.file_id] = read_table(file.getvalue(), file.name)
        except ReadError as error:
            kept[file.file_id] = error
    found = kept[file.file_id]
    if isinstance(found, ReadError):
        st.error(plain(str(found)))
        return None
    return found


def _layout(db: sqlite_utils.Database, project_id: int, key: str) -> Dataset | None | bool:
    """The stored dataset the predictions join by a key (None: a scored dataset; False: none to join to)."""
    layout = st.radio("The file holds", LAYOUTS, key=f"{key}-layout")
    if layout == LAYOUTS[0]:
        return None
    datasets = {d.id: d for d in list_datasets(db, project_id)}
    if not datasets:
        st.info("The project has no dataset to join the predictions to: upload it on the Datasets page first.")
        return False
    chosen = st.selectbox("Joined to the dataset", list(datasets), format_func=lambda i: datasets[i].name,
                          key=f"{key}-dataset")
    return datasets[chosen]


def _columns(columns: list[str], joined: Dataset | None, key: str) -> dict:
    """The columns a person names (the rest are found by their names: target, score, proba_<class>, prediction,
    id, ...), and the positive class when it is not the design document's."""
    choices: dict = {}
    with st.expander("Columns (found by their names unless you choose)"):
        if joined is not None:
            choices["key"] = st.selectbox("Key column", [None, *columns], key=f"{key}-key",
                                          format_func=lambda c: FOUND if c is None else c)
            target_columns = list(joined.column_types)
        else:
            target_columns = columns
        choices["target"] = st.selectbox("Target column (the true outcome)", [None, *target_columns],
                                         key=f"{key}-target", format_func=lambda c: FOUND if c is None else c,
                                         help="Found from the design document's Data section, else by its name.")
        choices["scores"] = st.multiselect("Score column(s): a probability per class, or the positive class's",
                                           columns, key=f"{key}-scores")
        choices["label"] = st.selectbox("Predicted label (or value) column", [None, *columns], key=f"{key}-label",
                                        format_func=lambda c: FOUND if c is None else c)
        choices["positive_label"] = st.text_input("Positive class", key=f"{key}-positive",
                                                  help="Left empty: the design document's, else the baselines' "
                                                       "rule.").strip() or None
    return {k: v for k, v in choices.items() if k in COLUMN_CHOICES and v not in (None, "", [])}


def _from_file(context: AppContext, content: dict, name: str) -> None:
    file = st.file_uploader(f"Predictions file (up to {format_size(MAX_UPLOAD_BYTES)}): CSV, Parquet or Excel",
                            type=list(EXTENSIONS), key="mv-file")
    if file is None:
        st.caption("A scored dataset (features, the target and a column 'score', 'proba_<class>' or 'prediction'), "
                   "or a key column and the score joined to a stored dataset. README: Candidate models.")
        return
    table = _read_upload(file)
    if table is None:
        return
    joined = _layout(context.db, context.project.id, "mv-file")
    if joined is False:
        return
    columns = _columns([str(c) for c in table.frame.columns], joined, "mv-file")
    if st.button("Bring these predictions", type="primary", key="mv-bring-file"):
        _stored(lambda: bring_predictions(context.db, context.project.id, name, table, file.name, by=context.user,
                                          dataset=joined, columns=columns, content=content))


def _stored(bring_it) -> None:
    """Run ``bring_it`` (a store write); on success open the new version (next run), else say what is wrong."""
    try:
        with st.spinner("Checking the predictions against the dataset and the design document…"):
            version = bring_it()
    except (CandidateError, ReadError, StoreError, MlflowError) as error:
        st.error(_problems(error))
        return
    shell.keep("model", version.name)
    shell.keep("version", version.version)
    st.query_params["model"], st.query_params["version"] = version.name, str(version.version)
    shell.flash(f"Stored {version.label} from {version.origin}; its evidence is computed as a job.")
    st.rerun()


# --- from MLflow ---------------------------------------------------------------------------------------------------

@st.cache_data(ttl=60, show_spinner=False)
def _experiments(server):
    return list_experiments(server)


@st.cache_data(ttl=60, show_spinner=False)
def _runs(server, experiment_id: str):
    return list_runs(server, experiment_id)


@st.cache_data(ttl=60, show_spinner=False)
def _run_and_artifacts(server, run_id: str):
    run = get_run(server, run_id)
    return run, list_artifacts(server, run)


def _from_mlflow(context: AppContext, content: dict, name: str) -> None:
    """Pick a server open to the person, then an experiment's run or a registered model version; its params,
    metrics and tags are imported, and a predictions artifact when one is chosen."""
    sources = sources_view.settings()
    if sources is None:
        return
    sources = sources_view.open_to(context.db, context.user, context.project, sources)
    if not sources.mlflow_servers:
        st.info(_no_server(sources.withheld_mlflow_servers))
        return
    server_name = st.selectbox("MLflow server", list(sources.mlflow_servers), key="mv-server")
    server = sources.mlflow_server(server_name)
    how = st.radio("Pick", ("An experiment's run", "A registered model version"), horizontal=True, key="mv-how")
    model, moved = None, False
    try:
        if how == "An experiment's run":
            run_id, moved = _pick_run(server)
        else:
            registered = st.text_input("Registered model name", key="mv-registered").strip()
            number = st.text_input("Version", key="mv-registered-version").strip()
            run_id = None
            if registered and number:
                found = get_model_version(server, registered, number)
                run_id, model = found.run_id, (found.name, found.version)
        if not run_id:
            return
        run, artifacts = _run_and_artifacts(server, run_id)
    except MlflowError as error:
        st.error(plain(str(error)))
        return
    _run_facts(run)
    _import_run(context, content, name, server, run, artifacts, model, sources.grant({"kind": "mlflow",
                                                                                     "server": server_name}), moved)


def _no_server(withheld: int) -> str:
    if withheld:
        return ("No MLflow server is open to you in this project. An admin says who may use each one in "
                ".streamlit/secrets.toml (people or projects under [blueprint.mlflow.NAME]): ask one to grant you one.")
    return ("No MLflow server is set up. An admin lists one in .streamlit/secrets.toml as [blueprint.mlflow.NAME] with "
            'uri = "https://..." (README, "Data sources").')


def _pick_run(server) -> tuple[str | None, bool]:
    """The run picked in an experiment (None when there is none), and whether the run picked on the last look has
    left the listing since (then why is said, the box shows the runs as they are, and an Import clicked on this
    look imports nothing: never another run than the one the person saw)."""
    experiments = _experiments(server)
    if not experiments:
        st.info("The MLflow server has no experiment.")
        return None, False
    names = {e.id: e.name for e in experiments}
    experiment = st.selectbox("Experiment", list(names), format_func=lambda i: f"{names[i]} ({i})", key="mv-exp")
    runs = {r.id: r for r in _runs(server, experiment)}
    if not runs:
        st.info("This experiment has no run.")
        return None, False
    moved = _picked_run_gone(server, experiment, runs)
    chosen = st.selectbox("Run (newest first)", list(runs), key="mv-run",
                          format_func=lambda i: f"{runs[i].name or i[:8]} · {i[:8]} · {runs[i].status.lower()} · "
                                                f"{runs[i].start_time[:16].replace('T', ' ')}")
    st.session_state["mv-run-in"] = (server.name, experiment)
    return chosen, moved


def _picked_run_gone(server, experiment: str, runs: dict) -> bool:
    """True, after saying why, when the run picked on the last look in this server's ``experiment`` is no longer
    among its listed runs (deleted since, or no longer among the newest): its choice is dropped, so the box shows the
    newest run. False when it is listed, or when another server or experiment was picked since."""
    picked = st.session_state.get("mv-run")
    if picked is None or picked in runs or st.session_state.get("mv-run-in") != (server.name, experiment):
        return False
    try:
        get_run(server, picked)
        said = (f"Run {picked} is no longer among the {len(runs)} newest runs of this experiment on the MLflow server "
                f"'{server.name}'. Pick a run again.")
    except MlflowError as error:
        said = str(error)
    del st.session_state["mv-run"]
    st.error(plain(said))
    return True


def _run_facts(run) -> None:
    _logged_facts(run.id, run.params, run.metrics, run.tags)


def _logged_facts(run_id: str, params: dict, metrics: dict, tags: dict) -> None:
    """What an MLflow run logged (MLflow's own tags, mlflow.*, left out), in an expander."""
    tags = {k: v for k, v in tags.items() if not k.startswith("mlflow.")}
    with st.expander(plain(f"What run {run_id[:8]} logged: {len(params)} params, {len(metrics)} metrics, "
                           f"{len(tags)} tags")):
        for title, values in (("Metrics", metrics), ("Params", params), ("Tags", tags)):
            if values:
                st.markdown(f"**{title}**")
                st.dataframe(pd.DataFrame({"Name": list(values), "Value": [str(v) for v in values.values()]}),
                             hide_index=True, width="stretch")


def _import_run(context: AppContext, content: dict, name: str, server, run, artifacts, model, grant,
                moved: bool) -> None:
    tables = [a for a in artifacts if a.kind is not None]
    # "" (not None) for none: when another run drops the path chosen, Streamlit resets the box to its first option,
    # which it would show blank if that option were None
    options = ["", *(a.path for a in tables)]
    sizes = {a.path: a for a in tables}
    path = st.selectbox("Predictions artifact", options, key="mv-artifact",
                        format_func=lambda p: "none: the run's metrics only" if not p else
                        p + (" (logged table)" if sizes[p].logged_table else "")
                        + ("" if sizes[p].size_bytes is None else f", {format_size(sizes[p].size_bytes)}"))
    joined = columns = found = None
    if not path:
        st.caption("With metrics only, each criterion is checked on the value the run reported, with no interval: "
                   "the rows are not available here.")
    else:
        found = _artifact(server, run, path)
        if found is None:
            return
        joined = _layout(context.db, context.project.id, "mv-mlflow")
        if joined is False:
            return
        columns = _columns([str(c) for c in found.table.frame.columns], joined, "mv-mlflow")
    if st.button("Import this run", type="primary", key="mv-bring-mlflow") and not moved:
        _stored(lambda: bring_mlflow(context.db, context.project.id, name, by=context.user, server=server.name,
                                     run=_as_it_is_now(server, run), artifact=found, dataset=joined,
                                     columns=columns, content=content, model=model, grant=grant))


def _as_it_is_now(server, run):
    """The run read again when it is imported (the listings above are kept for a minute): a run deleted, or a server
    gone, since it was listed is refused with its message before anything is stored, and the kept listings are
    dropped so that the next look reads the server afresh."""
    try:
        return get_run(server, run.id)
    except MlflowError:
        for kept in (_experiments, _runs, _run_and_artifacts):
            kept.clear()
        raise


def _artifact(server, run, path: str):
    """The run's artifact ``path`` read as a table (downloaded once per session, within the server's limits); None
    with the message when it cannot be."""
    kept = st.session_state.setdefault("mv-artifacts", {})
    key = (server.name, run.id, path)
    if key not in kept:
        kept.clear()
        try:
            with st.spinner(f"Downloading {plain(path)}…"):
                kept[key] = read_artifact_table(server, run, path)
        except MlflowError as error:
            kept[key] = error
    if isinstance(kept[key], MlflowError):
        st.error(plain(str(kept[key])))
        return None
    return kept[key]


# --- picking a version and its evidence ----------------------------------------------------------------------------

def pick_version(db: sqlite_utils.Database, project_id: int) -> ModelVersion | None:
    """The model and version shown (?model=NAME&version=N in the URL; the newest by default)."""
    models = {m.name: m for m in list_models(db, project_id)}
    if not models:
        st.info("No candidate model yet. An editor brings one above: a predictions file or an MLflow run.")
        return None
    shell.url_choice("model", list(models))
    name = st.selectbox("Model", list(models), key="model", on_change=shell.to_url, args=("model",))
    versions = {v.version: v for v in models[name].versions}
    shell.url_choice("version", list(versions), int)
    number = st.selectbox("Version", list(versions), key="version", on_change=shell.to_url, args=("version",),
                          format_func=lambda n: versions[n].label + (" (latest)" if n == max(versions) else ""))
    return versions[number]


def _said(value) -> str:
    """A column role in words: a column's name, or {class: column} as "yes: p_yes"."""
    return value if isinstance(value, str) else ", ".join(f"{c}: {x}" for c, x in value.items())


def version_facts(version: ModelVersion) -> None:
    """Where the version came from, who brought it, what it predicts on, what its columns mean, and for an MLflow
    run what it logged."""
    roles = version.roles
    columns = "; ".join(f"{k.replace('_', ' ')} {_said(v)}" for k, v in roles.items() if v)
    st.caption(plain(f"{version.label} from {version.origin}, brought by {version.created_by} on "
                     f"{version.created_at[:16].replace('T', ' ')} UTC"
                     + (f" · {version.rows:,} predictions" if version.rows else "")
                     + (f" · {columns}" if columns else "")))
    if version.note:
        st.caption(plain(version.note))
    if version.from_mlflow:
        logged = version.run
        _logged_facts(str(logged.get("run_id", "")), logged.get("params") or {}, logged.get("metrics") or {},
                      logged.get("tags") or {})


def choose_comparisons(context: AppContext, version: ModelVersion) -> tuple[dict | None, dict | None]:
    """(the baseline run compared with: its ref, or None; a load test: {"dataset", "column"} or None). The best
    baseline run on the version's rows by default; a load test is any stored dataset of latencies."""
    runs = {r.result_id: r for r in baseline_runs(context.db, context.project.id, version)}
    best = next(iter(runs), None)
    picked = st.selectbox("Compared on the same rows with", [*runs, None], key=f"mv-baseline-{version.id}",
                          format_func=lambda i: NO_BASELINE if i is None else
                          runs[i].label + (" (best)" if i == best else ""),
                          help="A baseline run whose rows are the dataset the predictions join (or its test dataset).")
    if not runs:
        st.caption("No baseline run has these rows: run the baselines on the dataset the predictions join to compare "
                   "on the same rows." if version.predictions_hash else "A run's metrics alone have no rows to "
                   "compare on.")
    datasets = {d.content_hash: d for d in list_datasets(context.db, context.project.id)}
    latency = st.selectbox("Load test (one latency per request)", [None, *datasets], key=f"mv-latency-{version.id}",
                           format_func=lambda h: "none" if h is None else datasets[h].name,
                           help="A stored dataset with a latency column (latency_ms, duration_s, ...): the "
                                "percentiles a latency criterion names are computed from it with their intervals.")
    return (runs[picked].ref if picked is not None else None,
            {"dataset": latency, "column": None} if latency else None)


def evidence_of(context: AppContext, version: ModelVersion, content: dict, baseline: dict | None,
                latency: dict | None) -> tuple[Evaluation, dict, int | None] | None:
    """The version's stored evidence (the Evaluation, the summary the job recorded and the id of the dataset its rows
    are, for links to Explore), else its job's progress (started for editors) and None."""
    key = evidence_key(version, content, baseline, latency)
    subject = evaluated_on(context.db, version)
    found = evidence.result_or_job(context, "candidate", subject, key, Evaluation.from_dict,
                                   f"Evidence of {version.label}", None, start=True)
    if found is None:
        return None
    return found, evidence.recorded_summary(context, "candidate", subject, key), subject.id


# --- the evidence --------------------------------------------------------------------------------------------------

def _interval(found: dict | None) -> str:
    if not found or found.get("value") is None or found.get("low") is None or found.get("high") is None \
            or not (math.isfinite(found["low"]) and math.isfinite(found["high"])):
        return "none"
    return f"{found['low']:.3f}-{found['high']:.3f}"


def headline(summary: dict) -> None:
    """What was evaluated, on which rows, at which threshold, and the verdicts in one line."""
    counts = summary.get("counts") or {}
    threshold = summary.get("decision_threshold")
    rows, by = summary.get("rows") or 0, reported_only(summary)
    st.markdown(plain(f"{summary.get('candidate')}: the metrics reported by {by} (point values, no rows here)" if by
                      else f"{summary.get('candidate')}: {rows:,} {summary.get('rows_word', 'rows')} of "
                      f"'{summary.get('dataset')}', target '{summary.get('target')}'")
                + (f" · decision threshold {threshold:g}" + (" (design document)" if summary.get(
                    "threshold_from_document") else " (the document names none)") if threshold is not None else ""))
    st.markdown(f"**Criteria:** {counts.get('pass', 0)} pass · {counts.get('fail', 0)} fail · "
                f"{counts.get('inconclusive', 0)} inconclusive · {counts.get('not measured', 0)} not measured")
    for note in summary.get("notes") or []:
        st.info(plain(note))


def criteria_table(summary: dict) -> None:
    """Each criterion's verdict for the candidate, with its value, interval and why."""
    checks = summary.get("checks") or []
    if not checks:
        st.info("The design document has no success criterion yet (Evaluation section), so there is nothing to check.")
        return
    st.dataframe(pd.DataFrame([{"Criterion": c["criterion"], "Result": c["status"],
                                "Value": None if c.get("value") is None else round(c["value"], 4),
                                "95 % interval": "" if c.get("low") is None else f"{c['low']:.3f}-{c['high']:.3f}",
                                "Why": c["reason"]} for c in checks]),
                 hide_index=True, width="stretch", key="mv-criteria")
    st.caption("A criterion passes only when its whole 95 % interval clears the bar, fails when the whole interval "
               "misses it, and is inconclusive otherwise; a value reported without rows is never a pass.")


def metrics_table(summary: dict) -> None:
    """Every metric with its 95 % interval, the dummy floor's value, and the baseline's on the same rows with the
    paired difference."""
    intervals = summary.get("intervals") or {}
    if not intervals:
        return
    baseline = (summary.get("differences") or {}).get("baseline") or {}
    dummy = summary.get("dummy") or {}
    name = summary.get("candidate", "candidate")
    rows = []
    for metric, found in intervals.items():
        row = {"Metric": display_name(metric), name: None if found.get("value") is None else round(found["value"], 4),
               "95 % interval": _interval(found),
               "Dummy": None if dummy.get(metric) is None else round(dummy[metric], 4)}
        difference = (baseline.get("metrics") or {}).get(metric)
        if baseline:
            row[f"{baseline.get('name')} minus"] = ("" if not difference or difference.get("value") is None else
                                                    f"{difference['value']:+.3f} ({_interval(difference)})")
        row["From"] = found.get("basis") or found.get("method") or ""
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="mv-metrics")


def differences(summary: dict) -> None:
    """The candidate against the baseline run and the dummy floor on the same rows, in words (paired intervals)."""
    found = summary.get("differences") or {}
    if "baseline" not in found:
        st.caption("Not compared with a baseline run: none was picked, or none has these rows.")
    for role in ("baseline", "dummy"):
        compared = found.get(role)
        if not compared:
            continue
        st.markdown(f"**Against {plain(compared.get('name'))}** on the same {compared.get('rows', 0):,} rows "
                    "(paired 95 % intervals)")
        for sentence in (compared.get("sentences") or [])[: (None if role == "baseline" else 3)]:
            st.markdown(f"- {plain(sentence)}")


def reported(summary: dict) -> None:
    """The metrics a tracking server reported for the run, as logged (checked as points when there are no rows)."""
    found = summary.get("reported") or {}
    if found.get("metrics"):
        st.markdown(f"**Reported by {plain(found.get('by'))}** (point values, no interval)")
        st.dataframe(pd.DataFrame({"Metric": list(found["metrics"]),
                                   "Value": [round(v, 4) for v in found["metrics"].values()]}),
                     hide_index=True, width="stretch", key="mv-reported")


def latency(evaluation: Evaluation) -> None:
    found = evaluation.latency
    if found is None:
        return
    st.markdown(plain(f"Latency from a load test: {found.requests:,} requests ('{found.column}', {found.unit})"))
    st.dataframe(pd.DataFrame([{"Percentile": name, "Value": None if i.value is None else round(i.value, 3),
                                "95 % interval": "none" if i.value is None or i.low is None or not math.isfinite(i.low)
                                else f"{i.low:.3f}-{i.high:.3f}"} for name, i in found.intervals.items()]),
                 hide_index=True, width="stretch", key="mv-latency-table")


def show(evaluation: Evaluation, summary: dict, content: dict, project_id: int, dataset_id: int | None) -> None:
    """The candidate's evidence, as the Baselines page shows a run's: verdicts first, then what they rest on."""
    headline(summary)
    st.subheader("Success criteria")
    criteria_table(summary)
    reported(summary)
    st.subheader("Metrics, the dummy floor and the baseline on the same rows")
    metrics_table(summary)
    differences(summary)
    latency(evaluation)
    curves = evaluation.curves
    if curves is not None and curves.confusion is not None:
        st.plotly_chart(baseline_charts.confusion_figure(evaluation), width="stretch", key="mv-confusion")
    if curves is not None and curves.thresholds is not None:
        baselines_view.threshold_explorer(evaluation, success_criteria(content), evaluation.decision_threshold)
    if curves is not None and curves.residuals is not None:
        st.plotly_chart(baseline_charts.residuals_figure(evaluation), width="stretch", key="mv-residuals")
    found = evaluation.error_analysis
    if found is None:
        return
    st.subheader("Error analysis")
    st.caption(plain(found.note))
    tabs = st.tabs(["Slices", "Worst errors", "Calibration"])
    with tabs[0]:
        error_analysis_view.slices(found.slices, field_value(content, "evaluation", "always_slice") or [], project_id,
                                   dataset_id)
    with tabs[1]:
        error_analysis_view.worst(found.worst, found.slices, project_id, dataset_id)
    with tabs[2]:
        error_analysis_view.calibration(found.calibration)
