"""The command line: ``blueprint check`` (also ``python -m blueprint check``).

    blueprint check --project-file PROJECT.json [--data [ROLE=]PATH ...] [--predictions PATH] [--target COL]
                    [--json OUT.json] [--junit OUT.xml] [--markdown OUT.md] [--fail-on fail|inconclusive]
    blueprint check --home BLUEPRINT_HOME --project ID [--as EMAIL] [the same options]

Exit codes: 0 everything passed; 1 a criterion failed (or was inconclusive, with --fail-on inconclusive), an
unresolved high leakage finding appeared, or the data drifted from the reference the document asks to watch; 2 bad
input (one line on stderr saying what is wrong and what to do, never a traceback) or nothing could be checked.
Progress goes to stderr, the table to stdout.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from analysis.units import Progress
from blueprint.check import blueprint_version, run_check
from blueprint.inputs import ROLE_WORDS, ROLES, CheckInputError, FileInputs, data_options, read_file
from blueprint.outputs import as_json, junit, markdown, table
from blueprint.project import from_home, from_project_file, open_home
from blueprint.report import FAIL_ON
from store.access import EDIT, PermissionDenied, require
from store.checks import record_check
from store.errors import StoreError
from store.people import NOT_PEOPLE, find_user

PROG = "blueprint"
DEBUG_ENV = "BLUEPRINT_DEBUG"       # set to 1 for the traceback of an unexpected error


class UsageError(CheckInputError):
    """The command line itself is wrong (an unknown option, a missing value)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):           # one line, not argparse's usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Blueprint from a pipeline: hold data and models to the design document.")
    parser.add_argument("--version", action="store_true", help="print Blueprint's version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = commands.add_parser(
        "check", help="check the design document's criteria and leakage on data, with an exit code",
        description="Check the design document's success criteria (with 95 % intervals, at its decision threshold) "
                    "and the leakage checks on the data given, and the drift check the Monitoring section asks for. "
                    "Exit 0: everything passed; 1: something failed; 2: bad input or nothing could be checked.")
    where = check.add_argument_group("the design document: one of")
    where.add_argument("--project-file", type=Path, metavar="PROJECT.json",
                       help="a project file exported by the app (Review > Export > project JSON)")
    where.add_argument("--home", type=Path, metavar="BLUEPRINT_HOME", help="the data folder a Blueprint server runs on")
    where.add_argument("--project", type=int, metavar="ID", help="with --home: the project's id (?project=ID)")
    where.add_argument("--as", dest="as_email", metavar="EMAIL",
                       help="with --home: store the results as evidence in the project under this person (an editor)")
    data = check.add_argument_group("the data")
    data.add_argument("--data", action="append", metavar="[ROLE=]PATH",
                      help="a data file (CSV, .csv.gz, Parquet, .xlsx); ROLE is " + "; ".join(
                          f"{r}: {ROLE_WORDS[r]}" for r in ROLES) + " (default train). Repeat for each role.")
    data.add_argument("--predictions", type=Path, metavar="PATH",
                      help="the candidate model's predictions (scores or labels; the target, or a key joining the "
                           "data); without it the criteria are checked on a baseline run")
    data.add_argument("--target", metavar="COL", help="the target column (default: the design document's)")
    out = check.add_argument_group("outputs")
    out.add_argument("--json", type=Path, metavar="OUT.json", help="every verdict, finding, hash and version")
    out.add_argument("--junit", type=Path, metavar="OUT.xml", help="JUnit XML: a test case per criterion and check")
    out.add_argument("--markdown", type=Path, metavar="OUT.md", help="a pull-request comment, what failed first")
    out.add_argument("--fail-on", choices=FAIL_ON, default="fail",
                     help="'inconclusive' makes an inconclusive criterion fail too (default: fail)")
    return parser


class StderrProgress:
    """Progress lines on stderr, with the seconds since the start; the same message is not repeated."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = None

    def say(self, message: str) -> None:
        if message and message != self.last:
            self.last = message
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}", file=sys.stderr, flush=True)

    def progress(self):
        def report(share, message, partial=None) -> bool:
            self.say(message)
            return False

        return Progress(report)


def _check_mode(args) -> None:
    if (args.project_file is None) == (args.home is None):
        raise UsageError("give the design document with either --project-file PROJECT.json or --home FOLDER "
                         "--project ID")
    if args.home is not None and args.project is None:
        raise UsageError("--home needs --project ID: the project's id, as in the app's links (?project=3)")
    if args.home is None and (args.project is not None or args.as_email):
        raise UsageError("--project and --as go with --home (a data folder); a project file needs neither")
    for option, path in (("--json", args.json), ("--junit", args.junit), ("--markdown", args.markdown)):
        if path is not None and not path.expanduser().resolve().parent.is_dir():
            raise CheckInputError(f"{option} {path}: the folder {path.expanduser().resolve().parent} does not exist; "
                                  "create it or write the file elsewhere.")


def _person(db, email: str, project_id: int):
    """The person --as names, who must be allowed to edit the project (checked again where the evidence is
    written, store.checks)."""
    user = None if email.strip().startswith(NOT_PEOPLE) else find_user(db, email.strip())
    if user is None:
        raise CheckInputError(f"--as {email}: nobody with this email has signed in to this Blueprint; give the email "
                              "of an editor of the project, as the app's Projects page lists its members.")
    try:
        require(db, user, project_id, EDIT)
    except PermissionDenied as error:
        raise CheckInputError(f"--as {email}: {error}") from None
    return user


def run(args, say: StderrProgress) -> int:
    _check_mode(args)
    db = user = None
    try:
        if args.home is not None:
            home = args.home.expanduser().resolve()
            db = open_home(home)
            project = from_home(db, home, args.project)
            user = _person(db, args.as_email, project.project_id) if args.as_email else None
        else:
            project = from_project_file(args.project_file.expanduser())
        say.say(f"checking '{project.name}' (design document revision {project.revision.get('number')}, "
                f"from {project.origin})")
        data = {}
        for role, path in data_options(args.data).items():
            say.say(f"reading the {role} data {path}")
            data[role] = read_file(path, role)
        for role in ("train", "test"):           # a data folder's project: its own datasets stand in
            if role not in data and role in project.datasets:
                data[role] = project.datasets[role]
        predictions = None
        if args.predictions is not None:
            say.say(f"reading the predictions {args.predictions}")
            predictions = read_file(args.predictions.expanduser(), "predictions")
        with tempfile.TemporaryDirectory(prefix="blueprint-check-") as folder:
            report = run_check(project, FileInputs(Path(folder)), data, predictions, args.target, args.fail_on,
                               say.progress())
        _write(args.json, as_json(report))
        _write(args.junit, junit(report))
        _write(args.markdown, markdown(report))
        print(table(report), flush=True)
        if report.outcome == "nothing checked":
            print(f"{PROG} check: {report.nothing_checked_reason()}", file=sys.stderr)
        if user is not None:
            record_check(db, project.project_id, report.to_dict(), report.evidence_summary(), report.seconds, by=user)
            say.say(f"stored as evidence on project {project.project_id}'s Evaluation section, as {user.display_name}")
        return report.exit_code
    finally:
        if db is not None:
            db.close()


def _write(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        path.expanduser().write_text(text, encoding="utf-8")
    except OSError as error:
        raise CheckInputError(f"{path} cannot be written ({error.strerror or type(error).__name__}).") from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (see the module docstring)."""
    say = StderrProgress()
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        if args.version:
            print(f"{PROG} {blueprint_version()}")
            return 0
        if args.command != "check":
            raise UsageError("choose a command: blueprint check ... (see blueprint --help)")
        return run(args, say)
    except (CheckInputError, StoreError) as error:
        print(f"{PROG} check: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG} check: interrupted; nothing was stored.", file=sys.stderr)
        return 130
    except Exception as error:          # a bug: still one line, and the traceback on request
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"{PROG} check: unexpected error ({type(error).__name__}: {_one_line(error)}); run again with "
              f"{DEBUG_ENV}=1 for the traceback, and report it.", file=sys.stderr)
        return 2


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
