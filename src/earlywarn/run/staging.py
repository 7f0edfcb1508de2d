"""Output folders that never mix two runs.

A command writes its files into a fresh temporary folder beside the destination and
moves it into place only when every file is written: a run that fails half-way leaves
the previous outputs as they were, never a new ``summary.json`` beside an old
``report.html``. An existing, non-empty destination is replaced only when asked
(``--force``); a destination that is a file is refused.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputError", "check_output_dir", "staged_output"]


class OutputError(ValueError):
    """An output folder that cannot be used as asked; the message says why and what to do."""


def check_output_dir(out: Path, force: bool) -> None:
    """Refuse a destination that is a file, or a non-empty folder without ``force``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a folder; give a folder name")
    if out.is_dir() and not force:
        entries = sorted(p.name for p in out.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputError(
                f"--out {out}: the folder is not empty ({len(entries)} entries: {shown}); give "
                "--force to replace it, or another --out"
            )


@contextmanager
def staged_output(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``out`` whole.

    On an exception (or Ctrl-C) the temporary folder is removed and ``out`` is untouched.
    """
    dest = Path(out)
    check_output_dir(dest, force)
    parent = dest.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{dest.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)
