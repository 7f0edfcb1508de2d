"""The folders are the layers (DESIGN.md, "Package layout"): every import inside
``src/earlywarn`` follows an allowed edge of :data:`ALLOWED`, and no two modules import
each other, directly or round a longer loop.

Imports are read from the source with the AST: anywhere in a file (also inside functions
and ``if TYPE_CHECKING:`` blocks), relative imports resolved, and literal
``importlib.import_module("...")`` / ``__import__("...")`` calls counted too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import earlywarn

SRC = Path(earlywarn.__file__).parent

_BELOW_CENTER = {"earlywarn", "earth", "space", "reports", "flight", "sensors"}

ALLOWED: dict[str, set[str]] = {
    # the package root holds only ``__version__``; every layer may read it
    "earlywarn": set(),
    "earth": {"earlywarn"},
    # orbits, element sets and catalogs: the sky's objects and the center's knowledge of them
    "space": {"earlywarn", "earth"},
    "reports": {"earlywarn", "earth"},
    "flight": {"earlywarn", "earth", "space"},
    # sensors observe the flight model's truth (flight.truth) and emit reports
    "sensors": {"earlywarn", "earth", "space", "flight", "reports"},
    # the center sees reports (and its own catalog): never flight, sensors or anything above
    "center": {"earlywarn", "earth", "space", "reports"},
    "analysis": _BELOW_CENTER | {"center"},
    "io": _BELOW_CENTER | {"center", "analysis"},
    "run": _BELOW_CENTER | {"center", "analysis", "io"},
    # the live center knows reports, its configuration and the center: never the flight
    # model, the sensors, the analyses or the batch runner
    "service": {"earlywarn", "earth", "space", "reports", "center", "io"},
    "cli": _BELOW_CENTER | {"center", "analysis", "io", "run", "service"},
}
"""Layer → the layers its modules may import (besides their own)."""


def module_name(path: Path, src: Path = SRC) -> str:
    """``src/earlywarn/io/scene.py`` → ``earlywarn.io.scene``; a package is its ``__init__``."""
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(path: Path, src: Path = SRC) -> str:
    """The package a file's relative imports start from."""
    name = module_name(path, src)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (never run: no runtime edge)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            getattr(node.test, "id", "") == "TYPE_CHECKING"
            or getattr(node.test, "attr", "") == "TYPE_CHECKING"
        ):
            for child in node.body:
                skip |= {id(n) for n in ast.walk(child)}
    return skip


def import_statements(
    path: Path, package: str, runtime_only: bool = False
) -> list[tuple[str, tuple[str, ...]]]:
    """Every import in a file, anywhere in it (also inside functions): ``(module, names)``
    with ``names`` what ``from module import ...`` took (empty for ``import module`` and
    literal ``importlib.import_module`` / ``__import__`` calls). ``package`` is what a
    relative import is relative to. ``runtime_only`` leaves out imports under
    ``if TYPE_CHECKING:``, which never run."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _type_checking_only(tree) if runtime_only else set()
    out: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((mod, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                out.append((str(node.args[0].value), ()))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                out.append((str(node.args[0].value), ()))
    return out


def imported_modules(path: Path, package: str = "earlywarn.center") -> list[str]:
    """Every module a file may import, as full names: ``from m import a`` gives both ``m``
    and ``m.a`` (``a`` may be a submodule)."""
    names: list[str] = []
    for mod, taken in import_statements(path, package):
        names.append(mod)
        names.extend(f"{mod}.{a}" for a in taken)
    return names


def layer_of(module: str) -> str:
    """``earlywarn.io.scene`` → ``io``; the root package is ``earlywarn``; ``__main__`` is
    the command line."""
    parts = module.split(".")
    if len(parts) == 1:
        return "earlywarn"
    return "cli" if parts[1] == "__main__" else parts[1]


def project_imports(src: Path = SRC, runtime_only: bool = False) -> dict[str, set[str]]:
    """Module → the project modules it imports.

    ``from m import a`` is an edge to ``m.a`` when that is a module (importing it runs
    ``m`` as ``import m.a`` would), else to ``m``. An ``earlywarn`` name that is no module
    stays as named, so the layer check reports it.
    """
    files = {module_name(p, src): p for p in sorted(src.rglob("*.py"))}
    root = src.name
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        found: set[str] = set()
        for base, taken in import_statements(path, package_of(path, src), runtime_only):
            if base != root and not base.startswith(root + "."):
                continue
            subs = {f"{base}.{a}" for a in taken} & set(files)
            found |= subs
            if not taken or len(subs) < len(taken):
                found.add(base)
        found.discard(mod)
        graph[mod] = found
    return graph


def layer_violations(graph: Mapping[str, Iterable[str]], src: Path = SRC) -> list[str]:
    """Every import that crosses layers along an edge :data:`ALLOWED` does not hold."""
    files = {module_name(p, src) for p in src.rglob("*.py")}
    bad = []
    for mod, targets in sorted(graph.items()):
        here = layer_of(mod)
        if here not in ALLOWED:
            bad.append(f"{mod}: layer {here!r} is not in the table of allowed edges")
            continue
        for t in sorted(targets):
            there = layer_of(t)
            if t not in files:
                bad.append(f"{mod} → {t}: no such module")
            elif there != here and there not in ALLOWED[here]:
                bad.append(f"{mod} → {t}: {here} may not import {there}")
    return bad


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# --------------------------------------------------------------------------------- tests


def test_every_layer_has_modules_and_a_row() -> None:
    layers = {layer_of(m) for m in project_imports()}
    assert layers == set(ALLOWED), f"layers in src: {sorted(layers)}; table: {sorted(ALLOWED)}"
    center = {str(p.relative_to(SRC / "center")) for p in (SRC / "center").rglob("*.py")}
    assert {"core.py", "intake.py", "assessment/__init__.py", "alerts.py"} <= center


def test_imports_follow_the_layers() -> None:
    bad = layer_violations(project_imports())
    assert not bad, "imports across layers that DESIGN.md does not allow:\n" + "\n".join(bad)


def test_center_never_imports_truth_or_sensors() -> None:
    """The center sees reports only (DESIGN.md, "The way data flows"), and its own
    catalog of space objects through the ``space`` layer (orbits and catalogs, no truth)."""
    bad = [
        f"{mod} → {t}"
        for mod, targets in project_imports().items()
        if layer_of(mod) == "center"
        for t in targets
        if layer_of(t) not in {"center", "earth", "reports", "space"}
    ]
    assert not bad, "the center must see reports only:\n" + "\n".join(bad)


def test_no_import_cycles_between_modules() -> None:
    """Runtime imports only: an import under ``if TYPE_CHECKING:`` never runs."""
    found = cycles(project_imports(runtime_only=True))
    assert not found, "modules that import each other:\n" + "\n".join(" ↔ ".join(c) for c in found)


def _planted(tmp_path: Path) -> Path:
    """A tiny copy of the layout with one violation of every kind."""
    src = tmp_path / "earlywarn"
    for d in ("center", "io", "run", "earth"):
        (src / d).mkdir(parents=True)
        (src / d / "__init__.py").write_text("")
    (src / "__init__.py").write_text("")
    (src / "center" / "core.py").write_text(
        "import earlywarn.earth\n"  # allowed
        "def g():\n    from earlywarn.run import pipeline\n"  # upward, inside a function
        "from ..io import scene\n"  # upward, relative
        "import importlib\nimportlib.import_module('earlywarn.io.scene')\n"
    )
    (src / "io" / "scene.py").write_text("from earlywarn.pipeline import run\n")  # no such module
    (src / "run" / "pipeline.py").write_text("from earlywarn.run.a import x\n")
    (src / "run" / "a.py").write_text("from earlywarn.run import pipeline\nx = 1\n")
    (src / "earth" / "frames.py").write_text("from . import frames as _self\n")
    return src


def test_the_checker_catches_planted_violations(tmp_path: Path) -> None:
    src = _planted(tmp_path)
    graph = project_imports(src)
    assert graph["earlywarn.center.core"] == {
        "earlywarn.earth",
        "earlywarn.run.pipeline",
        "earlywarn.io.scene",
    }
    bad = layer_violations(graph, src)
    assert "earlywarn.center.core → earlywarn.run.pipeline: center may not import run" in bad
    assert "earlywarn.center.core → earlywarn.io.scene: center may not import io" in bad
    assert "earlywarn.io.scene → earlywarn.pipeline: no such module" in bad
    assert not any("earlywarn.earth" in b for b in bad)
    assert cycles(graph) == [["earlywarn.run.a", "earlywarn.run.pipeline"]]


def test_relative_imports_resolve_from_the_files_package(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("from . import a\nfrom ..b import c\nfrom .d.e import f\n")
    assert imported_modules(f, "earlywarn.center.ir") == [
        "earlywarn.center.ir",
        "earlywarn.center.ir.a",
        "earlywarn.center.b",
        "earlywarn.center.b.c",
        "earlywarn.center.ir.d.e",
        "earlywarn.center.ir.d.e.f",
    ]


def test_type_checking_imports_are_not_runtime_edges(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from earlywarn.a import b\n"
        "def g():\n    import earlywarn.c\n"
    )
    every = [m for m, _ in import_statements(f, "earlywarn")]
    run = [m for m, _ in import_statements(f, "earlywarn", runtime_only=True)]
    assert "earlywarn.a" in every and "earlywarn.a" not in run
    assert "earlywarn.c" in run
