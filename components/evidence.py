"""Results on the data pages: read from the store when computed, else computed by a job (see jobs/).

    found = evidence.result_or_job(context, "profile", dataset, key, Profile.from_dict, label, summary, start=True)

The page never computes: it finds the stored result for (kind, dataset hash, settings) and shows it, or it
submits a job (joining one already under way for the same key) and follows it with jobs_view.follow, a
fragment that polls the stored job and reruns the page when the result lands. Rebuilding a result object
from its stored body is cached once per server by result id and version (components.stored_results: a cache that
computes and returns data, never draws).
"""
from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
import streamlit as st

from analysis.units import PlanError, section_of
from components import jobs_view, stored_results
from components.shell import AppContext, may
from components.text import plain
from jobs.pool import pool_for
from jobs.tasks import plan_for
from store.access import EDIT, PermissionDenied, require
from store.datasets import Dataset
from store.db import home_of
from store.jobs import latest_job, submit_job
from store.results import get_result_meta, list_evidence, record_evidence, settings_hash


def stored(db: sqlite_utils.Database, kind: str, dataset_hash: str, key: dict, from_dict: Callable):
    """(object rebuilt from its body, Result without payload) for this key when it is stored, else None."""
    meta = get_result_meta(db, kind, dataset_hash, key)
    if meta is None:
        return None
    return stored_results.body(db, meta, from_dict), meta


def _refusal_key(kind: str, dataset: Dataset, key: dict) -> str:
    return f"plan-refused-{kind}-{dataset.content_hash}-{settings_hash(key)}"


def start_job(context: AppContext, kind: str, dataset: Dataset, key: dict, label: str) -> bool:
    """Plan the work for this key (checked once, here: analysis.units), queue its job (or join the one under way)
    and wake the workers. A plan refused shows why and what to change, and queues nothing (False)."""
    try:
        plan = plan_for(context.db, kind, dataset, key)
    except PlanError as refused:
        st.session_state[_refusal_key(kind, dataset, key)] = str(refused)     # shown until the choices change
        return False
    st.session_state.pop(_refusal_key(kind, dataset, key), None)
    submit_job(context.db, plan, context.project.id, dataset.id, label, context.user)
    pool_for(home_of(context.db)).wake()
    return True


def _pressed(key: str) -> None:
    st.session_state[f"{key}-pressed"] = True


def run_button(context: AppContext, label: str, key: str, what: str, help: str | None = None) -> bool:
    """The button that starts an analysis, offered only to those who may run it (editors and owners); others read
    why instead (``what`` they may not do). True when pressed. A press from a page drawn before the person's role
    changed (the button is not drawn for them any more) gets the store's refusal, never nothing: its on_click runs
    whether or not this run draws it."""
    pressed = st.session_state.pop(f"{key}-pressed", False)
    if may(context, EDIT, what):
        st.button(label, type="primary", key=key, help=help, on_click=_pressed, args=(key,))
        return pressed
    if pressed:
        try:
            require(context.db, context.user, context.project.id, EDIT)    # the check every job submission makes
        except PermissionDenied as refusal:
            st.error(plain(str(refusal)))
    return False


def sql_sample_note(dataset: Dataset) -> None:
    """A SQL dataset is stored as the sample the database drew: say so where a result is computed on it (only
    the profile's exact figures are computed in the source database)."""
    source = dataset.source or {}
    if source.get("kind") != "sql" or source.get("sample_method") == "all":
        return
    by = f", by '{source['target']}'" if source.get("target") else ""
    st.info(plain(f"'{dataset.name}' comes from the SQL connection '{source.get('connection', '?')}' "
                  f"and is kept here as a {source.get('sample_method', '')} sample of {source.get('sample_rows', 0):,} "
                  "of its "
                  f"{dataset.rows:,} rows (seed {source.get('seed', 0)}{by}): this result is computed on that sample. "
                  "Explore's profile gives exact figures over every row, computed by the database."))


def result_or_job(context: AppContext, kind: str, dataset: Dataset, key: dict, from_dict: Callable, label: str,
                  summary: Callable[[object], dict] | None, start: bool = False, again: bool = False,
                  idle: str | None = None):
    """The stored result object for ``key`` (recorded as evidence on this project), or None. ``dataset``: what the
    result is stored under (a store Dataset, or an object read like one: jobs.tasks.NotADataset); ``summary``:
    the evidence summary of the result object, None when the job that stored it recorded it (a unit whose summary
    needs its plan: the candidate's).

    start: queue a job when nothing is stored (unless the last attempt failed, was cancelled or interrupted: a
    person then reads why and presses Run again); again: queue one even when a result is stored (a new run
    replaces it). While a job for the key is queued or running, its live progress is shown and None is
    returned; a job that failed or was interrupted is shown with its reason and a Run again button. With
    nothing stored and no job, ``idle`` is shown."""
    found = stored(context.db, kind, dataset.content_hash, key, from_dict)
    job = latest_job(context.db, kind, dataset.content_hash, key)
    ended_badly = job is not None and not job.active and job.result_id is None   # shown with its reason and Run again
    may_run = context.can(EDIT)
    if (again or (start and found is None and not ended_badly)) and may_run:
        if job is None or not job.active:
            start_job(context, kind, dataset, key, label)
            job = latest_job(context.db, kind, dataset.content_hash, key)
    if job is not None and (job.active or found is None):
        jobs_view.follow(kind, dataset.content_hash, key, rerun_key=f"{kind}-{dataset.content_hash}")
        return None
    refused = st.session_state.get(_refusal_key(kind, dataset, key))
    if found is None and refused:        # these choices were refused when planned: why, and what to change
        st.error(plain(refused))
        return None
    if found is None:
        if not may_run:
            st.info(f"{label} has not been computed yet. An editor or owner of the project can run it; your role "
                    "lets you read what is stored.")
        elif idle:
            st.info(idle)
        return None
    value, meta = found
    if job is not None and job.result_id is None and job.created_at > meta.computed_at:
        # a later attempt failed; the earlier result stays
        jobs_view.show_job(job, f"{kind}-{dataset.content_hash}", may_run)
    if kind != "profile":
        sql_sample_note(dataset)
    if may_run and summary is not None:   # a reader sees the result; recording it as evidence is an editor's write
        record_evidence(context.db, context.project.id, section_of(kind), meta, dataset.id, summary(value),
                        context.user)
    return value


def recorded_summary(context: AppContext, kind: str, dataset: Dataset, key: dict) -> dict:
    """The evidence summary recorded on this project for the stored result of ``key`` ({} when none was)."""
    meta = get_result_meta(context.db, kind, dataset.content_hash, key)
    if meta is None:
        return {}
    found = (e for e in list_evidence(context.db, context.project.id, section_of(kind), kind) if e.result_id == meta.id)
    return next((e.summary for e in found), {})
