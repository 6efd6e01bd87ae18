"""Rules of the house that code review alone would let slip (DESIGN.md): layers, and caches that never draw."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NO_STREAMLIT = ("design", "analysis", "store", "jobs", "signin")
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
