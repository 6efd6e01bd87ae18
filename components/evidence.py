"""Computing results once and recording them as evidence: profiles now, later leakage, runs and drift.

A result is looked up in the store by (kind, dataset hash, settings) before anything is computed, and
kept in this server process too, so revisiting a page recomputes nothing and re-reads nothing.
"""
from __future__ import annotations

import time
from dataclasses import replace

import sqlite_utils
import streamlit as st

from analysis.evidence import profile_settings, profile_summary
from analysis.profile import Profile, describe_dataset
from store.datasets import Dataset, load_frame
from store.projects import Project
from store.results import Result, get_result, put_result, record_evidence


@st.cache_resource(max_entries=16, show_spinner=False)
def _profile(content_hash: str, target: str | None, _db: sqlite_utils.Database, _dataset: Dataset) -> tuple[Profile, Result]:
    """The profile and its stored result (without the payload, which the profile already is)."""
    settings = profile_settings(target)
    stored = get_result(_db, "profile", content_hash, settings)
    if stored is None:
        start = time.perf_counter()
        profile = describe_dataset(load_frame(_db, _dataset), _dataset.column_types, target=target,
                                   sample_rows=settings["sample_rows"], random_state=settings["random_state"])
        stored = put_result(_db, "profile", content_hash, settings, profile.to_dict(), time.perf_counter() - start)
    else:
        profile = Profile.from_dict(stored.payload)
    return profile, replace(stored, payload={})


def profile_of(db: sqlite_utils.Database, project: Project, dataset: Dataset, target: str | None, author: str) -> Profile:
    """The dataset's profile (computed at most once per content and settings), recorded as evidence on
    the project's Data section."""
    profile, result = _profile(dataset.content_hash, target, db, dataset)
    record_evidence(db, project.id, "data", result, dataset.id, profile_summary(dataset.name, profile), author)
    return profile
