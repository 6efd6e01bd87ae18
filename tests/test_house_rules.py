"""Rules of the house that code review alone would let slip (DESIGN.md): layers, and caches that never draw."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NO_STREAMLIT = ("design", "analysis", "store", "jobs", "signin", "blueprint")
UI = [*sorted((ROOT / "components").glob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", NO_STREAMLIT)
def test_lower_layers_never_import_streamlit(package):
    offenders = [p.name for p in (ROOT / package).rglob("*.py") if "streamlit" in _imports(ast.parse(p.read_text()))]
    assert offenders == [], f"{package}/ must not import streamlit: {offenders}"


# What a page, a job worker and the command line load before they do any work: none of these heavy libraries
# (scikit-learn ~2 s, Evidently ~6 s to import), which the modules that use them import where the work begins,
# with a comment saying so (pyproject.toml: ruff PLC0415, imports at the top except where a comment says why).
STARTS = [*(f"components.{p.stem}" for p in sorted((ROOT / "components").glob("*.py")) if p.stem != "__init__"),
          "jobs.worker", "blueprint.cli"]
HEAVY = ("sklearn", "scipy", "evidently", "duckdb", "mlflow")


def test_pages_workers_and_the_command_line_start_without_the_heavy_libraries():
    code = (f"import importlib, sys\nfor m in {STARTS!r}: importlib.import_module(m)\n"
            f"print(sorted(h for h in {HEAVY!r} if h in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", f"loaded at start: {done.stdout.strip().splitlines()[-1]}"


def _is_cache(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource")


@pytest.mark.parametrize("path", UI, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cached_functions_never_draw(path):
    """A cached function computes and returns data: an element drawn inside it cannot be replayed in another
    session (CacheReplayClosureError). Any st.* call in its body other than another cache is a drawing."""
    tree = ast.parse(path.read_text())
    drawn = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_cache(d) for d in node.decorator_list):
            for call in (c for statement in node.body for c in ast.walk(statement)):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and isinstance(call.func.value, ast.Name) and call.func.value.id == "st"):
                    drawn.append(f"{node.name}: st.{call.func.attr}")
    assert drawn == [], f"cached functions that draw in {path.name}: {drawn}"


@pytest.mark.parametrize("path", UI, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_list_only_the_projects_the_person_may_open(path):
    """Issue 26, hole 4: a page that lists projects passes the person (store.projects.list_projects(user=...)),
    so nobody sees the names of projects they may not read: pickers, refusal pages, links."""
    tree = ast.parse(path.read_text())
    unfiltered = [node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) ==
                  "list_projects" and not any(k.arg == "user" for k in node.keywords)]
    assert unfiltered == [], f"{path.name} lists every project (no user=) at lines {unfiltered}"


TRUSTED = ("System", "system_user")    # Blueprint writing on its own (store.people): never a page's to build


@pytest.mark.parametrize("path", UI, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_and_components_never_write_as_blueprint_itself(path):
    """Issue 26, writes fail closed: a page writes as the signed-in person (context.user), checked by the store.
    Only the seed, imports, jobs and tests may build store.people.System (a trusted writer) or take the system
    user; a page or component that imports, names or builds either would write unchecked."""
    tree = ast.parse(path.read_text())
    found = [f"line {node.lineno}: {name}" for node in ast.walk(tree)
             for name in ([a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom))
                          else [node.id] if isinstance(node, ast.Name)
                          else [node.attr] if isinstance(node, ast.Attribute) else [])
             if name.split(".")[-1] in TRUSTED]
    assert found == [], f"{path.name} uses Blueprint's trusted writer: {found}"
