"""The center sees reports only: no module under ``earlywarn.center`` may import the flight
model, the sensor simulators or the analysis layer (DESIGN.md, "The way data flows")."""

from __future__ import annotations

import ast
from pathlib import Path

import earlywarn.center

FORBIDDEN = ("earlywarn.flight", "earlywarn.sensors", "earlywarn.analysis")
CENTER_DIR = Path(earlywarn.center.__file__).parent


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, anywhere in it (also inside functions), as full names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = "earlywarn.center"
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names.append(mod)
            names.extend(f"{mod}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.append(str(node.args[0].value))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.append(str(node.args[0].value))
    return names


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_center_modules_exist() -> None:
    files = {str(f.relative_to(CENTER_DIR)) for f in CENTER_DIR.rglob("*.py")}
    assert {"core.py", "assessment/__init__.py", "alerts.py", "vocabulary.py"} <= files


def test_center_never_imports_truth_or_sensors() -> None:
    bad = []
    for path in sorted(CENTER_DIR.rglob("*.py")):
        for name in imported_modules(path):
            if _forbidden(name):
                bad.append(f"{path.relative_to(CENTER_DIR.parent)} imports {name}")
    assert not bad, "the center must see reports only:\n" + "\n".join(bad)


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text(
        "import earlywarn.flight.truth\n"
        "def g():\n    from earlywarn.sensors import radar\n"
        "from ..analysis import evaluate\n"
        "import importlib\nimportlib.import_module('earlywarn.flight')\n"
    )
    found = [n for n in imported_modules(f) if _forbidden(n)]
    assert "earlywarn.flight.truth" in found
    assert "earlywarn.sensors" in found
    assert "earlywarn.analysis" in found
    assert "earlywarn.flight" in found
