"""Dependencies point one way: communes ← households ← plans (STYLE.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIGHER = {"communes": {"households", "plans", "halong"}, "households": {"plans", "halong"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_an_app_imports_no_app_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & HIGHER[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_packages(path) & HIGHER[app]
    }

    assert offending == {}
