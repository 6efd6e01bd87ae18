"""What a reviewer reads of the checks a pipeline ran (``blueprint check --as``, stored by store.checks): the latest
run's outcome, who ran it and when, on which data, each criterion's verdict, leakage and drift in short, and how
many runs came before it. Reads stored summaries only (blueprint.report.CheckReport.evidence_summary)."""
from __future__ import annotations

KIND = "check"


def _when(text) -> str:
    return str(text or "?").replace("T", " ")[:16] + " UTC"


def _num(x) -> str:
    return "n/a" if not isinstance(x, (int, float)) else f"{x:.3f}"


def check_title(row) -> str:
    """'Checked by CI: failed (exit 1), run 2026-12-08 10:42 UTC'."""
    s = row.summary
    outcome = {"pass": "passed", "fail": "failed", "nothing checked": "nothing could be checked"}.get(
        s.get("outcome"), str(s.get("outcome")))
    return f"Checked by CI: {outcome} (exit {s.get('exit_code')}), run {_when(s.get('checked_at'))}"


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
