"""What a reviewer reads of the checks a pipeline ran (``blueprint check --as``, stored by store.checks): the latest
run's outcome, who ran it and when, on which data, each criterion's verdict, leakage and drift in short, and how
many runs came before it. Reads stored summaries only (blueprint.report.CheckReport.evidence_summary).

The Compare page lists every run (runs_table, newest first) and each criterion's verdict across the latest runs
(criteria_by_run, oldest to newest, so a criterion that started failing reads left to right; started_failing says it
in words). design.blockers reads the latest run's outcome: a failed run blocks approval, one that could measure
nothing is a warning."""
from __future__ import annotations

KIND = "check"
OUTCOMES = {"pass": "passed", "fail": "failed", "nothing checked": "nothing could be checked"}
RUNS_SHOWN = 5          # runs side by side in the criteria table


def _when(text) -> str:
    return str(text or "?").replace("T", " ")[:16] + " UTC"


def _num(x) -> str:
    return "n/a" if not isinstance(x, (int, float)) else f"{x:.3f}"


def check_title(row) -> str:
    """'Checked by CI: failed (exit 1), run 2026-12-08 10:42 UTC'."""
    s = row.summary
    return f"Checked by CI: {outcome_words(s)} (exit {s.get('exit_code')}), run {run_time(s)}"


def outcome_words(summary: dict) -> str:
    """'passed', 'failed' or 'nothing could be checked'."""
    return OUTCOMES.get(summary.get("outcome"), str(summary.get("outcome")))


def run_time(summary: dict) -> str:
    """When the run checked, '2026-12-08 10:42 UTC'."""
    return _when(summary.get("checked_at"))


def check_lines(row, earlier: list) -> list[str]:
    """The lines under the latest check's title; ``earlier``: the runs before it, newest first."""
    s = row.summary
    data = ", ".join(f"{d.get('name')} ({d.get('role')}, {d.get('rows') or 0:,} rows, data hash "
                     f"{str(d.get('sha256'))[:12]})" for d in s.get("data") or [])
    threshold = s.get("decision_threshold")
    lines = [f"Checked by CI ({s.get('tool', 'blueprint check')}) as {getattr(row, 'created_by', '?')}, run "
             f"{_when(s.get('checked_at'))}, on document revision {s.get('revision')}: {data}.",
             f"Criteria on {s.get('source')}" + (f" at decision threshold {threshold:g}" if threshold is not None
                                                   else "") + ":"]
    for c in s.get("checks") or []:
        interval = (f", 95 % interval {_num(c.get('low'))}-{_num(c.get('high'))}" if c.get("low") is not None
                    and c.get("high") is not None else "")
        lines.append(f"{c.get('criterion')}: {c.get('status')} ({_num(c.get('value'))}{interval})")
    leakage = s.get("leakage") or {}
    if leakage.get("checked"):
        counts = leakage.get("by_severity") or {}
        lines.append(f"Leakage: {counts.get('high', 0)} high ({leakage.get('open_high', 0)} unresolved), "
                     f"{counts.get('medium', 0)} medium, {counts.get('info', 0)} info findings.")
    drift = s.get("drift") or {}
    if drift.get("checked"):
        lines.append(f"Drift: {'the data drifted' if drift.get('drifted') else 'no dataset drift'} "
                     f"({drift.get('drifted_count', 0)} of {drift.get('columns_checked', 0)} columns).")
    elif drift.get("asked"):
        lines.append(f"Drift: not checked ({drift.get('reason')}).")
    lines += [f"Failed: {line}" for line in (s.get("failed") or [])[:5]]
    if earlier:
        lines.append(f"{len(earlier)} earlier CI run(s), the last {_when(earlier[0].summary.get('checked_at'))}: "
                     + ", ".join(f"{r.summary.get('outcome')}" for r in earlier[:5]) + ".")
    return lines


# --- the Compare page: every run, and the criteria across the latest runs ------------------------------------------

def run_label(row) -> str:
    """'#12 2026-12-08 10:42': the evidence id (unique, as Compare names baseline runs) and when it checked."""
    return f"#{row.id} {run_time(row.summary)[:-4]}"


def drift_words(summary: dict) -> str:
    """The run's drift check in a few words: 'drifted (12 of 30 columns)', 'no drift (0 of 30 columns)', 'not
    checked' (the document asks for one, the run had no reference) or 'not asked' (the document asks for none)."""
    drift = summary.get("drift") or {}
    if drift.get("checked"):
        said = "drifted" if drift.get("drifted") else "no drift"
        return f"{said} ({drift.get('drifted_count') or 0} of {drift.get('columns_checked') or 0} columns)"
    return "not checked" if drift.get("asked") else "not asked"


def runs_table(rows) -> list[dict]:
    """One row per CI run (``rows``: stored evidence of kind "check", newest first, as list_evidence returns them):
    when, by whom, the outcome and exit code, the document revision, what the criteria were checked on, the data's
    hash, the verdict counts, the unresolved high leakage findings (None when no leakage scan ran) and drift."""
    table = []
    for row in rows:
        s = row.summary
        counts = s.get("counts") or {}
        leakage = s.get("leakage") or {}
        table.append({
            "Run": f"#{row.id}", "When (UTC)": run_time(s)[:-4], "By": getattr(row, "created_by", ""),
            "Outcome": outcome_words(s), "Exit code": s.get("exit_code"), "Document revision": s.get("revision"),
            "Criteria checked on": s.get("source") or "", "Data hash": str(s.get("data_hash") or "")[:12],
            "Pass": counts.get("pass", 0), "Fail": counts.get("fail", 0),
            "Inconclusive": counts.get("inconclusive", 0),
            "Unresolved high leakage": leakage.get("open_high", 0) if leakage.get("checked") else None,
            "Drift": drift_words(s)})
    return table


def verdict_cell(check: dict | None) -> str:
    """One stored verdict as 'fail (0.870, 0.790-0.930)': the verdict, the value and its 95 % interval ('not
    checked' when the run has no such criterion; the bare verdict when nothing was measured)."""
    if check is None:
        return "not checked"
    value, low, high = check.get("value"), check.get("low"), check.get("high")
    if not isinstance(value, (int, float)):
        return str(check.get("status"))
    interval = f", {_num(low)}-{_num(high)}" if low is not None and high is not None else ""
    return f"{check.get('status')} ({_num(value)}{interval})"


def criteria_by_run(rows, limit: int = RUNS_SHOWN) -> dict[str, dict[str, str]]:
    """The criteria (rows) across the latest ``limit`` runs (columns, oldest to newest, labelled by run_label), each
    cell a verdict_cell; the newest run's criteria first, then any only older runs checked."""
    latest = list(rows[:limit])
    criteria = list(dict.fromkeys(c.get("criterion") for row in latest for c in row.summary.get("checks") or []))
    table = {}
    for row in reversed(latest):
        found = {c.get("criterion"): c for c in row.summary.get("checks") or []}
        table[run_label(row)] = {text: verdict_cell(found.get(text)) for text in criteria}
    return table


def started_failing(rows) -> list[str]:
    """The criteria the latest run fails that the run before it checked and did not fail, in words."""
    if len(rows) < 2:
        return []
    latest, before = rows[0], rows[1]
    was = {c.get("criterion"): c for c in before.summary.get("checks") or []}
    return [f"{c.get('criterion')} started failing: {verdict_cell(c)} in {run_label(latest)}, "
            f"{verdict_cell(was[c.get('criterion')])} in {run_label(before)}"
            for c in latest.summary.get("checks") or []
            if c.get("status") == "fail" and c.get("criterion") in was
            and was[c.get("criterion")].get("status") != "fail"]
