"""The README: no link leaves the repository, its tour output folders are ignored by git,
and the demo timeline it shows is what ``earlywarn demo`` prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_no_link_outside_the_repository() -> None:
    # the live center's own address on this machine (loopback) is not a link outside
    assert not re.search(r"https?://(?!127\.0\.0\.1[:/]|localhost[:/])", README)
    for target in re.findall(r"\]\(([^)]+)\)", README):  # markdown links and images
        assert not target.startswith(("/", "..")), target
        assert (ROOT / target).exists(), f"README links to {target}, which is not in the repo"
    assert "../" not in README


def test_tour_output_folders_are_ignored_by_git() -> None:
    outs = set(re.findall(r"--out ([\w./-]+?)/?(?:\s|$)", README)) | {"earlywarn-out"}
    assert outs >= {"out", "cov", "warn", "study", "earlywarn-out"}
    r = subprocess.run(
        ["git", "check-ignore", "--no-index", *[f"{o}/x" for o in sorted(outs)]],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    ignored = {line.split("/")[0] for line in r.stdout.split()}
    assert ignored == outs, f"not ignored: {sorted(outs - ignored)}"


def test_the_demo_prints_what_the_readme_shows(tmp_path: Path) -> None:
    block = README.split("```text", 1)[1].split("```", 1)[0]
    shown = [ln.rstrip() for ln in block.strip().splitlines()]
    r = subprocess.run(
        [sys.executable, "-m", "earlywarn", "demo", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    printed = [ln.rstrip() for ln in r.stdout.splitlines()]
    for line in shown:
        assert line in printed, f"README shows a line the demo does not print: {line!r}"
