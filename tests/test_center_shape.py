"""The center's modules stay readable: no module over ``MAX_MODULE_LINES`` lines and no
function over ``MAX_FUNCTION_LINES`` lines, unless its docstring says why it is "longer
because" (AST, decorators and docstring included).

:func:`oversized` is the check, applied to every module of the center.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

CENTER = Path(__file__).resolve().parents[1] / "src" / "earlywarn" / "center"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120
EXEMPT = "longer because"


def oversized(paths: Iterable[Path]) -> list[str]:
    """The modules and functions of ``paths`` over the limits, as readable lines."""
    out: list[str] = []
    for path in sorted(paths):
        text = path.read_text(encoding="utf-8")
        n_lines = len(text.splitlines())
        if n_lines > MAX_MODULE_LINES:
            out.append(f"{path.name}: {n_lines} lines (max {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - first + 1
            doc = ast.get_docstring(node) or ""
            if length > MAX_FUNCTION_LINES and EXEMPT not in doc:
                out.append(
                    f"{path.name}:{node.lineno} {node.name}: {length} lines "
                    f"(max {MAX_FUNCTION_LINES}; or say why it is {EXEMPT!r})"
                )
    return out


def test_center_modules_and_functions_are_not_oversized() -> None:
    paths = sorted(CENTER.glob("**/*.py"))
    assert len(paths) >= 30  # ir/, assessment/ and the rest
    assert oversized(paths) == []


def test_oversized_finds_long_modules_and_functions(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long_fn.py").write_text(f"def f():\n{body}\n")
    (tmp_path / "exempt.py").write_text(f'def g():\n    """It is {EXEMPT} X."""\n{body}\n')
    (tmp_path / "long_mod.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    found = oversized(tmp_path.glob("*.py"))
    assert len(found) == 2, found
    assert found[0].startswith("long_fn.py:1 f: 121 lines")
    assert found[1].startswith("long_mod.py: 801 lines")
