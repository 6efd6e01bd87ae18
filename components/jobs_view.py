"""Jobs on the page: the live progress of a job (polled from the store by a fragment), its cancel button,
its failure or interruption in words with a button to run it again, and the project's list of jobs."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.units import PlanError
from components import shell
from components.text import plain
from jobs.pool import pool_for
from jobs.tasks import plan_for, planned_on
from store.access import EDIT, can
from store.db import home_of
from store.errors import StoreError
from store.jobs import Job, get_job, latest_job, list_jobs, request_cancel, submit_job

POLL_S = 1.0
STATE_WORDS = {"queued": "waiting for a worker", "running": "running", "done": "done", "failed": "failed",
               "cancelled": "cancelled", "interrupted": "interrupted"}


def _duration(job: Job) -> str:
    seconds = job.seconds()
    return "" if seconds is None else f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _cancel(job_id: int) -> None:
    db = shell.connect_store()
    try:
        st.session_state["job-flash"] = request_cancel(db, job_id, by=shell.acting_user())
    except StoreError as error:
        st.session_state["job-flash"] = str(error)
    finally:
        db.close()


def _run_again(job_id: int) -> None:
    """Queue the same work again (a new job with the same key and dataset, planned again: the data it reads may be
    another file of the same content, the plan is checked here once more)."""
    db = shell.connect_store()
    try:
        old = get_job(db, job_id)
        planned = planned_on(db, old)       # its dataset, or what a job about no stored dataset is stored under
        if planned is None:
            st.session_state["job-flash"] = "The dataset of this job was deleted; choose another one on the page."
            return
        plan = plan_for(db, old.kind, planned, old.settings)
        submit_job(db, plan, old.project_id, old.dataset_id, old.label, shell.acting_user())
        pool_for(home_of(db)).wake()
    except (StoreError, PlanError) as error:
        st.session_state["job-flash"] = str(error)
    finally:
        db.close()


def _finished_part(job: Job) -> None:
    """What a job finished before it ended without a result (e.g. the models of a baseline run stopped mid-step by a
    cancel, a killed worker or a restart): kept in the job's record, shown so that it is not lost from sight."""
    if job.partial:
        st.caption("Finished before it stopped (in the job's record; not stored as a result):")
        st.dataframe(pd.DataFrame(job.partial), hide_index=True, width="stretch")


def show_job(job: Job, key: str, may_act: bool) -> None:
    """One job as a person reads it: progress and Cancel while active; the error and Run again after. Cancel and
    Run again only when ``may_act`` (editors and owners: the store refuses anyone else)."""
    who = f" · started by {job.created_by}" if job.created_by else ""
    if job.active:
        text = plain(f"{job.label}: {job.message or STATE_WORDS[job.state]} · {_duration(job) or 'queued'}{who}")
        st.progress(job.progress, text=text)
        if job.partial:
            st.dataframe(pd.DataFrame(job.partial), hide_index=True, width="stretch")
        if may_act:
            st.button("Cancel", key=f"cancel-{key}-{job.id}", on_click=_cancel, args=(job.id,),
                      disabled=job.cancel_requested, help="Stops within a few seconds; what has finished is kept.")
    elif job.state == "failed":
        st.error(plain(f"{job.label} failed: {job.error}"))
        _finished_part(job)
        _run_again_button(job, key, may_act)
    elif job.state == "interrupted":
        st.warning(plain(f"{job.label} was interrupted: {job.error}"))
        _finished_part(job)
        _run_again_button(job, key, may_act)
    elif job.state == "cancelled" and job.result_id is None:
        st.info(plain(f"{job.label} was cancelled{' by request' if job.cancel_requested else ''}: "
                      f"{job.error or 'nothing was stored'}"))
        _finished_part(job)
        _run_again_button(job, key, may_act)


def _run_again_button(job: Job, key: str, may_act: bool) -> None:
    if may_act:
        st.button("Run again", key=f"again-{key}-{job.id}", on_click=_run_again, args=(job.id,))


@st.fragment(run_every=POLL_S)
def follow(kind: str, dataset_hash: str, settings: dict, rerun_key: str) -> None:
    """The newest job for this result key, refreshed every POLL_S seconds; when it has produced its result,
    the whole page reruns (once) to show it."""
    message = st.session_state.pop("job-flash", None)
    if message:
        st.info(plain(message))
    db = shell.connect_store()
    try:
        job = latest_job(db, kind, dataset_hash, settings)
        user = shell.acting_user()
        may_act = job is not None and user is not None and can(db, user, job.project_id, EDIT)
    finally:
        db.close()
    if job is None:
        return
    if job.result_id is not None and not job.active and not st.session_state.get(f"job-shown-{job.id}"):
        st.session_state[f"job-shown-{job.id}"] = True     # once: the page then finds the stored result
        st.rerun(scope="app")
    show_job(job, rerun_key, may_act)


def jobs_table(jobs: list[Job]) -> pd.DataFrame:
    return pd.DataFrame([{"Job": j.id, "What": j.label, "Kind": j.kind, "State": STATE_WORDS[j.state],
                          "Progress": j.progress, "Message": j.error or j.message, "Who": j.created_by,
                          "Started (UTC)": (j.started_at or j.created_at)[:19].replace("T", " "),
                          "Duration": _duration(j)} for j in jobs])


@st.fragment(run_every=2.0)
def project_jobs(project_id: int, may_cancel: bool) -> None:
    """The project's running and recent jobs, refreshed every 2 s, with a Cancel for each active one when
    ``may_cancel`` (editors and owners)."""
    message = st.session_state.pop("job-flash", None)
    if message:
        st.info(plain(message))
    db = shell.connect_store()
    try:
        jobs = list_jobs(db, project_id)
    finally:
        db.close()
    if not jobs:
        st.info("No jobs yet. Profiles, leakage scans, baseline runs and drift checks run as jobs: start one on "
                "the Explore, Leakage, Baselines or Drift page.")
        return
    active = [j for j in jobs if j.active]
    st.caption(f"{len(active)} running or queued · {len(jobs) - len(active)} recent")
    st.dataframe(jobs_table(jobs), hide_index=True, width="stretch",
                 column_config={"Progress": st.column_config.ProgressColumn("Progress", min_value=0, max_value=1)})
    for job in active if may_cancel else ():
        st.button(f"Cancel job {job.id} ({plain(job.label)})", key=f"jobs-cancel-{job.id}", on_click=_cancel,
                  args=(job.id,), disabled=job.cancel_requested)
