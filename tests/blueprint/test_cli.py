"""``blueprint check`` from a pipeline (issue 23): the real command, run as a subprocess on the sample project
exported with the app's own export (store.transfer.export_project, what Review > Export downloads), for each exit
code and each reason for it (0; 1 for a failed criterion, an unresolved high leak, an inconclusive criterion under
--fail-on inconclusive and drift; 2 for nothing checked and for bad input, through the console script); the JUnit file
parsed by an XML parser and its counts checked; --home mode's evidence read back from the store.

Speed: each subprocess pays Python's start and the imports (3 to 5 s) before it checks anything, so a run serves
every assertion it can (its --json, --junit and --markdown at once), the sample's file is exported once per module,
and what is decided before any process boundary matters (the messages of bad input, refusals of --as, the default
--fail-on) runs the same command in this process (blueprint.cli.main). The candidate's predictions are written here
(a random model, a good one) so most runs skip the baselines; one run checks the baselines path end to end. The
sample document's criteria are read from the document, never counted here: they change with it."""
from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from blueprint.cli import main
from blueprint.outputs import md
from design.document import success_criteria
from design.evidence import build_view
from store.access import PermissionDenied
from store.checks import record_check
from store.db import open_store
from store.documents import latest_revision, save_revision
from store.people import System, see_user
from store.projects import list_projects
from store.resolutions import list_resolutions
from store.results import list_evidence
from store.transfer import export_project, import_project
from tests.cli_runs import check_in_process

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "sample_data" / "breast_cancer.csv"
SAMPLE_PARQUET = ROOT / "sample_data" / "breast_cancer.parquet"
EDITOR, VIEWER = "data.scientist@example.org", "lab.manager@example.org"     # the sample team's (sample_data/seed)
# The sample document's success criteria, as the check names them (another change to the document changes them).
CRITERIA = [str(c) for c in success_criteria(json.loads(
    (ROOT / "sample_data" / "design_document.json").read_text(encoding="utf-8"))["content"])]
LEAKAGE_CHECKS = 9          # the leakage scan's checks on a training file alone (blueprint.outputs.CHECK_WORDS)


def blueprint(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m blueprint check ARGS`` in a process of its own, from the repository root."""
    return subprocess.run([sys.executable, "-m", "blueprint", "check", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def in_process(capsys, *args: str | Path) -> subprocess.CompletedProcess:
    """``blueprint check ARGS`` run in this process (blueprint.cli.main, what the console script calls): its exit code
    and what it printed, as a subprocess run gives them."""
    capsys.readouterr()
    code = check_in_process(*args)
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["blueprint", "check", *map(str, args)], code, out, err)


def one_line_refusal(done: subprocess.CompletedProcess) -> str:
    """The message of a run refused as bad input: exit 2, one line on stderr, no traceback, nothing on stdout."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    *progress, message = done.stderr.strip().splitlines()
    assert all(line.startswith("[") for line in progress), done.stderr      # only progress lines came before
    assert message.startswith("blueprint check: "), done.stderr
    assert not done.stdout.strip(), done.stdout
    return message


def sample_id(db) -> int:
    return next(p.id for p in list_projects(db) if p.is_sample)


def export_sample(home: Path, path: Path, change=None) -> Path:
    """The sample project's file as the app exports it; ``change(content)`` edits its document first (a new
    revision saved through the store)."""
    db = open_store(home)
    try:
        project = sample_id(db)
        if change is not None:
            revision = latest_revision(db, project)
            content = copy.deepcopy(revision.content)
            change(content)
            save_revision(db, project, content, System("test", "Ana"), revision.id)
        path.write_text(json.dumps(export_project(db, project)), encoding="utf-8")
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory, seeded_template) -> Path:
    """A folder with the sample project's file, a copy of the seeded data folder, and predictions files."""
    folder = tmp_path_factory.mktemp("cli")
    shutil.copytree(seeded_template, folder / "home")
    export_sample(folder / "home", folder / "project.json")
    frame = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(0)
    malignant = (frame["diagnosis"] == "malignant").to_numpy()
    pd.DataFrame({"sample_id": frame["sample_id"], "score": rng.random(len(frame)).round(4)}).to_csv(
        folder / "random.csv", index=False)
    good = np.clip(np.where(malignant, 0.9, 0.05) + rng.normal(0, 0.05, len(frame)), 0, 1).round(4)
    pd.DataFrame({"sample_id": frame["sample_id"], "score": good}).to_csv(folder / "good.csv", index=False)
    leaky = frame.assign(diagnosis_code=np.where(malignant, "M", "B"))      # the target written another way
    leaky.to_csv(folder / "leaky.csv", index=False)
    few = pd.concat([frame[malignant].head(20), frame[~malignant].head(20)])   # 40 rows: wide intervals
    few.to_csv(folder / "few.csv", index=False)
    pd.read_csv(folder / "good.csv").set_index("sample_id").loc[few["sample_id"]].reset_index().to_csv(
        folder / "few_good.csv", index=False)
    return folder


def junit_counts(path: Path) -> dict:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    for suite in suites.values():                                # each suite's counts are those of its cases
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
    return {"tests": int(root.get("tests")), "failures": int(root.get("failures")),
            "skipped": int(root.get("skipped")), "suites": suites}


def test_exit_0_on_the_sample_project_with_a_baseline_run_and_no_drift_from_the_same_rows(work, tmp_path):
    """No predictions: the criteria are checked on a baseline run planned as the Baselines page plans it (the
    document's threshold 0.2 and positive class); the resolved sample_id finding is not counted again. The sample's
    Monitoring section asks for drift checks: the same rows as Parquet, given as the reference, do not drift."""
    done = blueprint("--project-file", work / "project.json", "--data", f"train={SAMPLE_CSV}",
                     "--data", f"reference={SAMPLE_PARQUET}", "--json", tmp_path / "out.json",
                     "--junit", tmp_path / "out.xml", "--markdown", tmp_path / "out.md")
    assert done.returncode == 0, done.stderr
    assert "Result: PASS (exit 0)" in done.stdout
    assert "recall >= 0.95" in done.stdout and "95 % interval" in done.stdout
    assert all(f"{stage}:" in done.stderr for stage in ("baselines", "leakage", "drift"))   # progress on stderr
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["outcome"] == "pass" and report["exit_code"] == 0
    assert [c["criterion"] for c in report["criteria"]] == CRITERIA
    statuses = [c["status"] for c in report["criteria"]]
    assert "fail" not in statuses and statuses.count("pass") >= 4
    counts = junit_counts(tmp_path / "out.xml")
    # a case per criterion (inconclusive and not measured ones skipped), per leakage check, and the drift check
    skipped = sum(s in ("inconclusive", "not measured") for s in statuses)
    assert (counts["tests"], counts["failures"], counts["skipped"]) == (len(CRITERIA) + LEAKAGE_CHECKS + 1, 0, skipped)
    assert [len(counts["suites"][s].findall("testcase")) for s in ("criteria", "leakage", "drift")] == [
        len(CRITERIA), LEAKAGE_CHECKS, 1]
    assert report["drift"]["checked"] and not report["drift"]["drifted"]
    assert report["document"]["number"] == 1
    assert report["data"][0]["sha256"] == hashlib.sha256(SAMPLE_CSV.read_bytes()).hexdigest()
    assert report["evidence"]["decision_threshold"] == 0.2 and report["evidence"]["threshold_from_document"]
    recall = next(c for c in report["criteria"] if c["criterion"] == "recall >= 0.95")
    assert recall["status"] == "pass" and recall["low"] >= 0.95
    assert recall["interval"]["trials"] == 212                     # the malignant rows: the counts behind it
    assert {"blueprint", "python", "pandas", "scikit-learn"} <= set(report["versions"])
    sample = next(f for f in report["leakage"]["findings"] if f["key"] == "id_column:sample_id")
    assert sample["resolved"]["same_data"] and "excluded from the features" in sample["resolved"]["reason"]
    assert (tmp_path / "out.md").read_text().startswith("## Blueprint check passed (exit 0)")


def test_exit_1_when_criteria_fail_on_a_candidates_predictions(work, tmp_path):
    done = blueprint("--project-file", work / "project.json", "--data", SAMPLE_CSV, "--predictions",
                     work / "random.csv", "--junit", tmp_path / "out.xml", "--markdown", tmp_path / "out.md",
                     "--json", tmp_path / "out.json")
    assert done.returncode == 1, done.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    failing = [c["criterion"] for c in report["criteria"] if c["status"] == "fail"]
    whole = [c for c in CRITERIA if "[" not in c and "latency" not in c]      # metric criteria on every row
    assert whole and set(whole) <= set(failing)             # random scores fail each of them, whatever the document
    assert report["evidence"]["kind"] == "candidate" and report["failed"] == [
        f"{c['criterion']}: {c['reason']}" for c in report["criteria"] if c["status"] == "fail"]
    counts = junit_counts(tmp_path / "out.xml")
    criteria = counts["suites"]["criteria"]
    assert [c.get("name") for c in criteria.findall("testcase") if c.find("failure") is not None] == failing
    assert counts["failures"] == len(failing) and counts["suites"]["leakage"].get("failures") == "0"
    drift = counts["suites"]["drift"].find("testcase").find("skipped")    # asked for, but no reference was given
    assert drift is not None and "--data reference=PATH" in drift.get("message")
    markdown = (tmp_path / "out.md").read_text()
    first = f"- {md(report['failed'][0])}"
    assert markdown.startswith(f"## Blueprint check failed (exit 1)\n\n**What failed:**\n\n{first}\n")
    assert first.startswith(f"- {md(failing[0])}: ") and "&gt;" in first      # '>=' escaped for Markdown
    table_rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert table_rows[1].endswith("| **fail** |")                  # the criteria table leads with the failures


def test_exit_1_on_an_unresolved_high_leak_even_when_every_criterion_passes(work, tmp_path):
    done = blueprint("--project-file", work / "project.json", "--data", work / "leaky.csv", "--predictions",
                     work / "good.csv", "--junit", tmp_path / "out.xml", "--json", tmp_path / "out.json")
    assert done.returncode == 1, done.stderr
    counts = junit_counts(tmp_path / "out.xml")
    assert counts["suites"]["criteria"].get("failures") == "0"
    leaks = counts["suites"]["leakage"]
    failed = [c for c in leaks.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name").split(":")[0] for c in failed] == ["target_proxy"]
    assert "diagnosis_code" in failed[0].find("failure").get("message")
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["leakage"]["open_high"] == 1
    # sample_id was resolved on the sample's data; this is other data, and the resolution still holds, saying so
    sample = next(f for f in report["leakage"]["findings"] if f["key"] == "id_column:sample_id")
    assert sample["resolved"] and not sample["resolved"]["same_data"]


def test_fail_on_inconclusive_makes_an_inconclusive_criterion_fail(work, tmp_path, capsys):
    args = ("--project-file", work / "project.json", "--data", work / "few.csv", "--predictions",
            work / "few_good.csv")
    done = in_process(capsys, *args, "--json", tmp_path / "out.json")    # by default, inconclusive does not fail
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    inconclusive = [c["criterion"] for c in report["criteria"] if c["status"] == "inconclusive"]
    assert "recall >= 0.95" in inconclusive                        # 20 malignant rows: the interval holds 0.95
    assert "fail" not in [c["status"] for c in report["criteria"]]
    strict = blueprint(*args, "--fail-on", "inconclusive", "--junit", tmp_path / "strict.xml")
    assert strict.returncode == 1, strict.stderr
    criteria = junit_counts(tmp_path / "strict.xml")["suites"]["criteria"]
    assert int(criteria.get("failures")) == len(inconclusive)


def test_exit_2_when_no_criterion_can_be_measured(work, tmp_path):
    def latency_only(content):
        content["evaluation"]["success_criteria"] = ["p95 latency_ms <= 300"]

    project = export_sample(_home_copy(work, tmp_path), tmp_path / "latency.json", latency_only)
    done = blueprint("--project-file", project, "--data", SAMPLE_CSV, "--predictions", work / "good.csv",
                     "--junit", tmp_path / "out.xml")
    assert done.returncode == 2
    assert "Nothing could be checked" in done.stderr and "Traceback" not in done.stderr
    assert junit_counts(tmp_path / "out.xml")["suites"]["criteria"].get("skipped") == "1"


def _home_copy(work: Path, tmp_path: Path) -> Path:
    shutil.copytree(work / "home", tmp_path / "home")
    return tmp_path / "home"


def test_bad_input_is_one_line_and_exit_2(work, tmp_path, capsys):
    """Each refusal in this process (the command's own main); one through a real process and the console script:
    test_the_console_script_refuses_bad_input_in_one_line_with_exit_2."""
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    newer = json.loads((work / "project.json").read_text())
    newer["version"] = 99
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    project = ("--project-file", work / "project.json")
    cases = {
        "missing data file": ((*project, "--data", tmp_path / "nope.csv"), "no such file"),
        "unreadable data file": ((*project, "--data", garbage), "garbage.csv"),
        "missing project file": (("--project-file", tmp_path / "nope.json", "--data", SAMPLE_CSV), "no such file"),
        "another version": (("--project-file", tmp_path / "newer.json", "--data", SAMPLE_CSV), "format version 99"),
        "target absent": ((*project, "--data", SAMPLE_CSV, "--target", "tumour_size"),
                          "The target 'tumour_size' (given with --target) is not a column of breast_cancer.csv"),
        "unknown role": ((*project, "--data", f"holdout={SAMPLE_CSV}"), "'holdout' is not a role"),
        "unknown option": ((*project, "--frobnicate"), "unrecognized arguments"),
        "both sources": ((*project, "--home", tmp_path), "either --project-file"),
    }
    for name, (args, expected) in cases.items():
        message = one_line_refusal(in_process(capsys, *args))
        assert expected in message, (name, message)


def test_a_document_without_criteria_says_what_to_write(work, tmp_path, capsys):
    def no_criteria(content):
        content["evaluation"]["success_criteria"] = []

    project = export_sample(_home_copy(work, tmp_path), tmp_path / "none.json", no_criteria)
    message = one_line_refusal(in_process(capsys, "--project-file", project, "--data", SAMPLE_CSV))
    assert "no success criteria" in message and "Evaluation section" in message and "recall >= 0.80" in message


def test_home_stores_the_check_as_evidence_under_an_editor(work, tmp_path, capsys):
    """In this process (its exit code through a real process: the other tests; the same command run as a process on
    a server's data folder: tests/e2e/test_cli_review.py)."""
    home = _home_copy(work, tmp_path)
    db = open_store(home)
    see_user(db, EDITOR, "Dana Scientist")        # their first sign-in: the sample's invite makes them an editor
    project = sample_id(db)
    db.close()
    done = in_process(capsys, "--home", home, "--project", project, "--as", EDITOR, "--data", SAMPLE_CSV,
                      "--predictions", work / "good.csv")
    assert done.returncode == 0, done.stderr
    assert "stored as evidence" in done.stderr

    db = open_store(home)
    try:
        stored = list_evidence(db, project, "evaluation", "check")
        assert len(stored) == 1 and stored[0].created_by == "Dana Scientist"
        summary = stored[0].summary
        assert summary["outcome"] == "pass" and summary["revision"] == 1
        assert summary["data_hash"] == hashlib.sha256(SAMPLE_CSV.read_bytes()).hexdigest()
        view = build_view(list_evidence(db, project), set(), latest_revision(db, project).content)
        note = next(n for n in view.notes["evaluation"] if n.kind == "check")
        assert note.title.startswith("Checked by CI: passed (exit 0), run ")
        assert note.lines[0].startswith("Checked by CI (blueprint check) as Dana Scientist, run ")
        assert f"data hash {summary['data_hash'][:12]}" in note.lines[0]
    finally:
        db.close()


def test_home_refuses_a_viewer_and_an_unknown_person_and_stores_nothing(work, tmp_path, capsys):
    home = _home_copy(work, tmp_path)
    db = open_store(home)
    see_user(db, VIEWER, "Lee Manager")
    project = sample_id(db)
    before = db.execute("SELECT count(*) FROM evidence").fetchone()[0]
    db.close()
    args = ("--home", home, "--project", project, "--data", SAMPLE_CSV, "--predictions", work / "good.csv")
    viewer = one_line_refusal(in_process(capsys, *args, "--as", VIEWER))
    assert "Lee Manager is a viewer of this project: only editors and owners can" in viewer
    stranger = one_line_refusal(in_process(capsys, *args, "--as", "nobody@example.org"))
    assert "--as nobody@example.org: nobody with this email has signed in" in stranger
    blueprint_itself = one_line_refusal(in_process(capsys, *args, "--as", "system:blueprint"))
    assert "nobody with this email" in blueprint_itself
    missing = one_line_refusal(in_process(capsys, "--home", home, "--project", 999, "--data", SAMPLE_CSV))
    assert "There is no project 999" in missing
    db = open_store(home)
    assert db.execute("SELECT count(*) FROM evidence").fetchone()[0] == before
    db.close()


def test_drift_against_the_reference_fails_the_check_when_the_data_drifted(work, tmp_path):
    """The sample's Monitoring section asks for drift checks: rows scaled by 1.6 drift from the sample's (the same
    rows do not: test_exit_0_on_the_sample_project_with_a_baseline_run_and_no_drift_from_the_same_rows), which fails
    the check."""
    frame = pd.read_csv(SAMPLE_CSV)
    numeric = [c for c in frame.columns if c not in ("sample_id", "diagnosis")]
    frame[numeric] = frame[numeric] * 1.6
    frame.to_csv(tmp_path / "drifted.csv", index=False)
    drifted = blueprint("--project-file", work / "project.json", "--predictions", work / "good.csv",
                        "--data", f"reference={SAMPLE_PARQUET}", "--data", tmp_path / "drifted.csv",
                        "--junit", tmp_path / "out.xml")
    assert drifted.returncode == 1, drifted.stderr
    case = junit_counts(tmp_path / "out.xml")["suites"]["drift"].find("testcase")
    assert case.find("failure") is not None and "DRIFTED" in case.find("failure").get("message")


def test_the_console_script_refuses_bad_input_in_one_line_with_exit_2(work, tmp_path):
    """Bad input through a real process: the console script make setup installs, which runs the same command."""
    script = shutil.which("blueprint", path=str(Path(sys.executable).parent))
    assert script, "make setup installs the blueprint console script into the environment"
    done = subprocess.run([script, "check", "--project-file", str(work / "project.json"), "--data",
                           str(tmp_path / "nope.csv")], capture_output=True, text=True, timeout=120)
    assert "nope.csv: no such file" in one_line_refusal(done)


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exited:              # argparse prints the help, then exits 0
        main(["check", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--project-file" in out and "--fail-on" in out and "--as EMAIL" in out


def test_record_check_needs_an_editor_and_writes_nothing_otherwise(work, tmp_path):
    db = open_store(_home_copy(work, tmp_path))
    try:
        project = sample_id(db)
        viewer = see_user(db, VIEWER, "Lee Manager")
        before = db.execute("SELECT count(*) FROM results").fetchone()[0]
        with pytest.raises(PermissionDenied, match="is a viewer"):
            record_check(db, project, {"checked_at": "now"}, {"data_hash": "h"}, 0.1, by=viewer)
        with pytest.raises(TypeError):
            record_check(db, project, {"checked_at": "now"}, {"data_hash": "h"}, 0.1, by="Lee")
        assert db.execute("SELECT count(*) FROM results").fetchone()[0] == before
        editor = see_user(db, EDITOR, "Dana Scientist")
        first = record_check(db, project, {"checked_at": "t"}, {"data_hash": "h", "outcome": "pass"}, 0.1, by=editor)
        again = record_check(db, project, {"checked_at": "t"}, {"data_hash": "h", "outcome": "fail"}, 0.1, by=editor)
        assert first.id != again.id and first.result_id != again.result_id     # each run is kept
    finally:
        db.close()


def test_the_project_file_carries_resolved_findings_both_ways(work, tmp_path):
    """The export lists the findings people resolved (what the check does not count again); an import keeps them."""
    doc = json.loads((work / "project.json").read_text())
    assert [r["finding_key"] for r in doc["resolutions"]] == ["id_column:sample_id"]
    db = open_store(tmp_path / "other")
    try:
        imported = import_project(db, (work / "project.json").read_bytes(), System("test import"))
        kept = list_resolutions(db, imported)
        assert [(r.finding_key, r.dataset_hash, r.reason) for r in kept] == [
            (r["finding_key"], r["dataset_hash"], r["reason"]) for r in doc["resolutions"]]
    finally:
        db.close()
