"""Every module of the app reads in one sitting: none over 450 lines (Python and the page
scripts), no Python function over 60 lines (the code review's measure, issue 26)."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("checklists", "projects", "operations", "pmapp")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def python_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]


def page_scripts() -> list[Path]:
    """The app's own scripts (libraries come from npm into static/vendor, not counted)."""
    return sorted((ROOT / "static" / "js").rglob("*.js"))


def test_no_module_is_over_450_lines():
    modules = python_modules() + page_scripts()
    assert len(modules) > 50 and any(p.name == "page.js" for p in modules)
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_60_lines():
    long = {}
    for path in python_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}
