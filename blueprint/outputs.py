"""A check's report written for people and for CI systems: the table on stdout, JUnit XML, Markdown, JSON.

    print(table(report))                    # criterion, value, 95 % interval, verdict; leakage by severity; drift
    Path("out.xml").write_text(junit(report))       # one test case per criterion and per leakage check
    Path("out.md").write_text(markdown(report))     # for a pull-request comment: what failed first
    Path("out.json").write_text(as_json(report))    # everything (CheckReport.to_dict)

Text from the data (column names, values in titles) is escaped for each format: XML by ElementTree (and characters
XML 1.0 cannot hold removed), Markdown by escaping what would format or break a table.
"""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

from blueprint.report import INCONCLUSIVE, NOT_MEASURED, CheckReport, Verdict

SEVERITY_ORDER = ("high", "medium", "info")
CHECK_WORDS = {
    "target_proxy": "one feature predicts the target almost alone",
    "post_outcome": "features recorded after the outcome",
    "availability": "features not known at prediction time (the feature table)",
    "id_column": "ID-like columns",
    "duplicates": "duplicate rows",
    "train_test_overlap": "test rows equal to training rows",
    "conflicting_labels": "identical rows with different labels",
    "date_overlap": "test rows dated before the last training date",
    "group_overlap": "groups on both sides of the split",
}
OUTCOME_WORDS = {"pass": "passed", "fail": "failed", "nothing checked": "checked nothing"}


def _num(x) -> str:
    if not isinstance(x, (int, float)):
        return "-"
    return f"{x:.3f}" if abs(x) < 1000 else f"{x:,.4g}"


def _interval(v: Verdict) -> str:
    return "-" if v.low is None or v.high is None else f"{_num(v.low)}-{_num(v.high)}"


def _threshold(evidence: dict) -> str:
    threshold = evidence.get("decision_threshold")
    if threshold is None:
        return ""
    where = ("the design document's" if evidence.get("threshold_from_document")
             else "the default: the document names none")
    return f", decision threshold {threshold:g} ({where})"


def _resolved_text(finding: dict) -> str:
    r = finding.get("resolved")
    if not r:
        return ""
    on = "" if r.get("same_data") else " on earlier data"
    return f"resolved{on} by {r.get('resolved_by')}: {r.get('reason')}"


def _drift_text(report: CheckReport) -> str:
    drift = report.drift
    if not drift.asked:
        return "not asked for by the design document's Monitoring section"
    if not drift.checked:
        return f"not run: {drift.reason}"
    s = drift.summary
    said = "DRIFTED" if drift.drifted else "no dataset drift"
    return (f"{said}: {s.get('drifted_count', 0)} of {s.get('columns_checked', 0)} columns drifted "
            f"({s.get('share', 0):.0%}), {s.get('current')} against {s.get('reference')}")


# --- the table on stdout ---------------------------------------------------------------------------------------------
def table(report: CheckReport) -> str:
    """What the command prints: the verdicts, the leakage findings by severity, drift, the data and the result."""
    doc = report.document
    lines = [f"Blueprint check of '{report.project['name']}', design document revision {doc.get('number')}",
             f"Criteria checked on {report.evidence.get('source')}{_threshold(report.evidence)}:", ""]
    width = max([len("criterion")] + [len(v.criterion) for v in report.verdicts])
    lines.append(f"  {'criterion':<{width}}  {'value':>8}  {'95 % interval':<15}  verdict")
    for v in report.verdicts:
        lines.append(f"  {v.criterion:<{width}}  {_num(v.value):>8}  {_interval(v):<15}  {v.status}")
    counts = report.counts()
    lines += ["  " + ", ".join(f"{n} {s}" for s, n in counts.items() if n), ""]
    lines += _leakage_lines(report)
    lines += [f"Drift: {_drift_text(report)}.", "", "Data:"]
    lines += [f"  {d['role']:<11} {d['name']} ({d['rows']:,} rows), sha256 {d['sha256'][:16]}" for d in report.data]
    lines += [f"Note: {n}" for n in report.notes]
    lines.append("")
    lines.append(f"Result: {report.outcome.upper()} (exit {report.exit_code})"
                 + (f": {len(report.failures())} failure(s)" if report.failures() else ""))
    return "\n".join(lines)


def _leakage_lines(report: CheckReport) -> list[str]:
    leakage = report.leakage
    if not leakage.checked:
        return [f"Leakage: not scanned: {leakage.reason}.", ""]
    counts = leakage.by_severity()
    resolved = sum(1 for f in leakage.findings if f.get("severity") == "high" and f.get("resolved"))
    lines = [f"Leakage scan of {leakage.dataset} for '{leakage.target}': " + ", ".join(
        f"{counts.get(s, 0)} {s}" + (f" ({resolved} resolved)" if s == "high" and resolved else "")
        for s in SEVERITY_ORDER)]
    for severity in SEVERITY_ORDER:
        for f in (f for f in leakage.findings if f.get("severity") == severity):
            state = _resolved_text(f)
            lines.append(f"  {severity:<7} {f['title']}" + (f" [{state}]" if state else ""))
    return lines + [""]


# --- JUnit XML -------------------------------------------------------------------------------------------------------
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text) -> str:
    return _NOT_XML.sub("", str(text))


def junit(report: CheckReport) -> str:
    """JUnit XML: a suite of one test case per criterion, one of one case per leakage check, one for the drift check
    when the document asks for one. A failure fails its case; inconclusive (unless --fail-on inconclusive) and not
    measured are skipped, with the reason."""
    root = ET.Element("testsuites", name="blueprint check", time=f"{report.seconds:.2f}")
    suites = [_criteria_suite(report), _leakage_suite(report)]
    if report.drift.asked:
        suites.append(_drift_suite(report))
    for suite in suites:
        root.append(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key)) for s in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=name, tests=str(len(cases)),
                       failures=str(sum(c.find("failure") is not None for c in cases)), errors="0",
                       skipped=str(sum(c.find("skipped") is not None for c in cases)), time="0")
    suite.extend(cases)
    return suite


def _case(classname: str, name: str, failure: str | None = None, skipped: str | None = None,
          out: str = "") -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=_x(name), time="0")
    if failure is not None:
        first = failure.splitlines()[0] if failure else ""
        ET.SubElement(case, "failure", message=_x(first), type="fail").text = _x(failure)
    elif skipped is not None:
        ET.SubElement(case, "skipped", message=_x(skipped))
    if out:
        ET.SubElement(case, "system-out").text = _x(out)
    return case


def _criteria_suite(report: CheckReport) -> ET.Element:
    failing = {id(v) for v in report.failing_verdicts()}
    cases = []
    for v in report.verdicts:
        if id(v) in failing:
            cases.append(_case("blueprint.criteria", v.criterion, failure=f"{v.status}: {v.reason}"))
        elif v.status in (INCONCLUSIVE, NOT_MEASURED):
            cases.append(_case("blueprint.criteria", v.criterion, skipped=f"{v.status}: {v.reason}"))
        else:
            cases.append(_case("blueprint.criteria", v.criterion, out=v.reason))
    return _suite("criteria", cases)


def _leakage_suite(report: CheckReport) -> ET.Element:
    leakage = report.leakage
    if not leakage.checked:
        return _suite("leakage", [_case("blueprint.leakage", "leakage scan", skipped=leakage.reason)])
    cases = []
    for check in leakage.checks:
        found = [f for f in leakage.findings if f.get("check") == check]
        open_high = [f for f in found if f.get("severity") == "high" and not f.get("resolved")]
        out = "\n".join(f"[{f['severity']}] {f['title']}" + (f" ({_resolved_text(f)})" if f.get("resolved") else "")
                        for f in found) or "no finding"
        name = f"{check}: {CHECK_WORDS.get(check, check)}"
        if open_high:
            failure = "\n".join(f"Unresolved high finding: {f['title']}. {f.get('action', '')}" for f in open_high)
            cases.append(_case("blueprint.leakage", name, failure=failure, out=out))
        else:
            cases.append(_case("blueprint.leakage", name, out=out))
    return _suite("leakage", cases)


def _drift_suite(report: CheckReport) -> ET.Element:
    drift = report.drift
    if not drift.checked:
        case = _case("blueprint.drift", "dataset drift", skipped=drift.reason)
    elif drift.drifted:
        case = _case("blueprint.drift", "dataset drift", failure=_drift_text(report))
    else:
        case = _case("blueprint.drift", "dataset drift", out=_drift_text(report))
    return _suite("drift", [case])


# --- Markdown --------------------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(text) -> str:
    """``text`` as literal Markdown inside a paragraph or a table cell (no formatting, no HTML, one line)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def markdown(report: CheckReport) -> str:
    """A summary for a pull-request comment, leading with what failed."""
    failures = report.failures()
    head = f"## Blueprint check {OUTCOME_WORDS[report.outcome]} (exit {report.exit_code})"
    out = [head, ""]
    if failures:
        out += ["**What failed:**", ""] + [f"- {md(line)}" for line in failures] + [""]
    elif report.outcome == "nothing checked":
        out += [md(report.nothing_checked_reason()), ""]
    else:
        out += ["Every criterion the evidence measures passed; no unresolved high leakage finding.", ""]
    doc = report.document
    out += [f"Project *{md(report.project['name'])}*, design document revision {doc.get('number')} "
            f"(by {md(doc.get('author'))}, {md(str(doc.get('created_at'))[:16].replace('T', ' '))} UTC). Criteria "
            f"checked on {md(report.evidence.get('source'))}{md(_threshold(report.evidence))}.", ""]
    out += ["### Success criteria", "", "| criterion | value | 95 % interval | verdict |", "|---|---|---|---|"]
    for v in _failing_first(report):
        out.append(f"| {md(v.criterion)} | {_num(v.value)} | {_interval(v)} | {_verdict_md(v, report)} |")
    counts = report.counts()
    out += ["", ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".", ""]
    out += _leakage_md(report)
    out += ["### Drift", "", md(_drift_text(report)[0].upper() + _drift_text(report)[1:]) + ".", ""]
    out += ["### Data checked", "", "| role | file | rows | sha256 |", "|---|---|---|---|"]
    out += [f"| {d['role']} | {md(d['name'])} | {d['rows']:,} | `{d['sha256'][:16]}` |" for d in report.data]
    out += [""] + [md(n) for n in report.notes] + ([""] if report.notes else [])
    versions = ", ".join(f"{k} {v}" for k, v in report.versions.items())
    out.append(f"<sub>{md(versions)}; checked at {md(report.checked_at)} in {report.seconds:.1f} s.</sub>")
    return "\n".join(out) + "\n"


def _failing_first(report: CheckReport) -> list[Verdict]:
    """What fails first, then the rest in the document's order."""
    failing = {id(v) for v in report.failing_verdicts()}
    return sorted(report.verdicts, key=lambda v: id(v) not in failing)


def _verdict_md(v: Verdict, report: CheckReport) -> str:
    failing = v in report.failing_verdicts()
    return f"**{v.status}**" if failing else v.status


def _leakage_md(report: CheckReport) -> list[str]:
    leakage = report.leakage
    out = ["### Leakage findings", ""]
    if not leakage.checked:
        return out + [f"Not scanned: {md(leakage.reason)}.", ""]
    if not leakage.findings:
        return out + [f"None in {md(leakage.dataset)} ({len(leakage.checks)} checks).", ""]
    out += ["| severity | finding | status |", "|---|---|---|"]
    for severity in SEVERITY_ORDER:
        for f in (f for f in leakage.findings if f.get("severity") == severity):
            status = md(_resolved_text(f)) if f.get("resolved") else ("**open**" if severity == "high" else "open")
            out.append(f"| {severity} | {md(f['title'])} | {status} |")
    return out + [""]


def as_json(report: CheckReport) -> str:
    return json.dumps(report.to_dict(), indent=1, default=str) + "\n"
