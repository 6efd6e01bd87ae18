"""Drawing a Profile: overview, alerts, columns, missing values, correlations, target views."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.profile.describe import Profile
from analysis.reading.read import format_size
from components import charts
from components.text import plain


def overview(profile: Profile) -> None:
    o = profile.overview
    cols = st.columns(5)
    cols[0].metric("Rows", f"{o.rows:,}")
    cols[1].metric("Columns", o.columns)
    by_engine = profile.exact_engine in ("duckdb", "postgresql")
    cols[2].metric("Memory (estimate)" if by_engine else "Memory", format_size(o.memory_bytes),
                   help="What the data would take in pandas; the rows were not loaded." if by_engine else None)
    cols[3].metric("Duplicate rows", f"{o.duplicate_rows:,}")
    cols[4].metric("Missing cells", f"{o.missing_cells:,}", f"{o.missing_share:.1%} of cells", delta_color="off")
    st.caption("Column types: " + ", ".join(f"{n} {t}" for t, n in o.type_counts.items()))
    if profile.exact_engine == "postgresql":
        st.info(
            f"SQL source: exact over all {o.rows:,} rows, by queries run in the source's database (PostgreSQL), "
            "whose rows never left it: counts, missing values, distinct values, min/max/mean/std, quantiles, "
            "histograms, top values and duplicate rows. Sampled: correlations, missing-value patterns and by-class "
            f"views use a {profile.sample_method} sample of {profile.sample_rows:,} rows drawn by the database "
            f"(seed {profile.seed}). The source may change: a re-read that finds other rows marks this profile stale."
        )
    elif by_engine:
        st.info(
            f"Large dataset: exact over all {o.rows:,} rows, by DuckDB queries on the stored Parquet file "
            f"({format_size(profile.source_bytes or 0)}) without loading its rows: counts, missing values, distinct "
            "values, min/max/mean/std, quantiles, histograms, top values and duplicate rows. Sampled: correlations, "
            f"missing-value patterns and by-class views use a {profile.sample_method} sample of "
            f"{profile.sample_rows:,} rows drawn by the engine (seed {profile.seed})."
        )
    elif profile.sampled:
        st.info(
            "Large dataset: counts, missing values, min/max, histograms and duplicates are exact over all "
            f"{o.rows:,} rows; "
            f"correlations, missing-value patterns and by-class views use a {profile.sample_method} sample of "
            f"{profile.sample_rows:,} rows (seed {profile.seed})."
        )


def alerts(profile: Profile) -> None:
    if not profile.alerts:
        st.success("No alert: no constant, ID-like, highly missing, skewed or duplicated data found.")
        return
    table = pd.DataFrame([{"Severity": a.severity, "Column": a.column or "(dataset)", "Alert": a.kind.replace("_", " "),
                           "Reason": a.reason} for a in profile.alerts])
    st.dataframe(table, hide_index=True, width="stretch")


def _fmt(v) -> str:
    if v is None:
        return ""
    return f"{v:,.4g}" if isinstance(v, float) else str(v)


def columns(profile: Profile, key: str) -> None:
    rows = []
    for s in profile.columns:
        total = s.count + s.missing
        rows.append({"Column": s.name, "Type": s.type, "Missing": s.missing / total if total else 0.0,
                     "Distinct": s.distinct,
                     "Min": _fmt(s.min), "Max": _fmt(s.max), "Mean": _fmt(s.mean),
                     "Top value": s.top[0].value if s.top else ""})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"Missing": st.column_config.ProgressColumn("Missing", format="percent", min_value=0,
                                                                           max_value=1)})
    names = [s.name for s in profile.columns]
    linked = st.query_params.get("column")        # a link to one column's view (?column=...) chooses it once
    if linked in names and st.session_state.get(f"{key}-linked") != linked:
        st.session_state[key] = st.session_state[f"{key}-linked"] = linked
    chosen = profile.column(st.selectbox("Column", names, key=key))
    left, right = st.columns([1, 2])
    with left:
        facts = {"type": chosen.type, "values": f"{chosen.count:,}", "missing": f"{chosen.missing:,}",
                 "distinct": f"{chosen.distinct:,}"}
        for name in ("min", "max", "mean", "std", "skew", "zeros", "infinite"):
            if getattr(chosen, name) is not None:
                facts[name] = _fmt(getattr(chosen, name))
        facts.update({q: _fmt(v) for q, v in chosen.quantiles.items()})
        st.dataframe(pd.DataFrame(facts.items(), columns=["statistic", "value"]), hide_index=True, width="stretch")
        for alert in (a for a in profile.alerts if a.column == chosen.name):
            st.warning(plain(alert.reason))
    with right:
        figure = charts.column_chart(chosen)
        if figure is None:
            st.caption("No chart for this column (no values to plot).")
        else:
            st.plotly_chart(figure, width="stretch", key=f"{key}-chart")


def missing(profile: Profile) -> None:
    if not profile.missing.shares:
        st.success("No missing values.")
        return
    st.plotly_chart(charts.missing_chart(profile.missing), width="stretch", key="missing-chart")
    if profile.missing.patterns:
        st.plotly_chart(charts.missing_patterns_chart(profile.missing), width="stretch", key="missing-patterns")


def correlations(profile: Profile, key: str) -> None:
    options = {"Pearson (numeric)": profile.correlations.pearson, "Spearman (numeric)": profile.correlations.spearman,
               "Cramér's V (categorical)": profile.correlations.cramers_v}
    available = [name for name, m in options.items() if len(m.columns) >= 2]
    if not available:
        st.caption("Fewer than two columns of a kind: no correlation to show.")
        return
    name = st.radio("Measure", available, horizontal=True, key=key)
    st.plotly_chart(charts.correlation_chart(options[name], name), width="stretch", key=f"{key}-chart")


def target(profile: Profile, key: str) -> None:
    view = profile.target
    if view.balance is not None:
        b = view.balance
        st.plotly_chart(charts.class_balance_chart(b, view.target), width="stretch", key=f"{key}-balance")
        st.caption(f"Imbalance ratio (largest / smallest class): {b.imbalance_ratio:,.2f}")
        if b.warning:
            st.warning(plain(b.warning))
            st.page_link("pages/design.py", label="Write the imbalance plan in the design document's Data section",
                         query_params={"section": "data"}, icon=":material/edit_note:")
        features = {f.feature: f for f in view.by_class}
        if features:
            chosen = st.selectbox("Feature by class", list(features), key=f"{key}-feature")
            st.plotly_chart(charts.feature_by_class_chart(features[chosen], view.target), width="stretch",
                            key=f"{key}-by-class")
    else:
        st.plotly_chart(charts.target_correlation_chart(view), width="stretch", key=f"{key}-correlation")
