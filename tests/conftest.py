"""Fixtures shared by several test modules.

Test modules never import from one another: shared data builders live in helper modules
beside the tests (``center_script``, ``scene_samples``, ``sensor_truth``, ``scenes``,
``ir_synth``, ``alert_snapshot``), shared fixtures here.
"""

from __future__ import annotations

import pytest

from earlywarn.io.scene import SceneView
from scene_samples import partial_scenes

_N_PARTIAL = len(partial_scenes())


@pytest.fixture(params=range(_N_PARTIAL), ids=[f"partial{i}" for i in range(_N_PARTIAL)])
def partial_scene(request: pytest.FixtureRequest) -> SceneView:
    """The synthetic scene with parts taken away, and a few awkward shapes, one at a time."""
    return partial_scenes()[request.param]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium driven by Playwright (installed by ``.ci/run``).

    Never skipped: a machine without ``/usr/bin/chromium`` fails here with the command
    that installs it.
    """
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh page that refuses (and records) every request that is not a local file."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.external_requests = []
    pg.errors = []

    def route(r):  # type: ignore[no-untyped-def]
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            pg.external_requests.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()
