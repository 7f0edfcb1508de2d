"""The live page in a real headless browser (Debian's chromium, driven by Playwright):
the map is drawn from the shipped coastlines, and alerts appear without a reload as the
server-sent events bring them."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Browser

from earlywarn.cli.live import Feeder, run_feed
from earlywarn.run.feed import plan_posts
from live_support import VIEWER_TOKEN, reference_config, reference_reports, start_server

COAST_RGB = (0x6F, 0x8F, 0xA8)
LEVEL_RGB = {"LAUNCH": (0xF0, 0xA0, 0x4B), "THREAT": (0xFF, 0x6B, 0x4A)}


def _pixels_near(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 12) -> int:
    d = np.abs(img[..., :3].astype(int) - np.array(rgb)).max(axis=-1)
    return int((d <= tol).sum())


def test_the_page_draws_the_map_and_new_alerts_without_a_reload(
    tmp_path: Path, browser: Browser
) -> None:
    """``browser``: the session's Chromium (``conftest.py``): one Playwright per process,
    since a second sync Playwright in the same process refuses to start."""
    # 20x time from T=-150 s: the launch (T=100 s) reaches THREAT about 23 s after the
    # server starts (the browser is up before, as the clock starts with the server)
    cfg, text = reference_config(tmp_path / "store", speed=20.0, lag_s=40.0, start_s=-150.0)
    posts = [p for p in plan_posts(reference_reports(), 2.0) if p.t_s <= 340.0]
    srv = start_server(tmp_path, text)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 700})
        page.goto(f"{srv.url}/?token={VIEWER_TOKEN}")
        page.wait_for_function("document.body.dataset.mapDrawn === '1'", timeout=30_000)
        assert page.evaluate("document.body.dataset.alerts") == "0"
        feeder = Feeder(srv.url, cfg.secrets(), "EXERCISE")
        clk = feeder.clock()
        th = threading.Thread(
            target=run_feed, args=(feeder, posts, clk["t_s"], clk["speed"], time.time())
        )
        th.start()
        # the same page, never reloaded: the alerts come over the event stream
        page.wait_for_function(
            "[...document.querySelectorAll('.alert')].some(e => e.textContent.includes('THREAT'))",
            timeout=60_000,
        )
        th.join(timeout=60)
        assert feeder.stats.rejected == {}
        n_page = int(page.evaluate("document.body.dataset.alerts"))
        n_api = len(feeder.client.get(
            srv.url + "/v1/alerts", headers={"authorization": f"Bearer {VIEWER_TOKEN}"}
        ).json()["alerts"])  # fmt: skip
        assert n_page == n_api >= 2
        time.sleep(2.5)  # one poll of the picture: tracks and sensors
        shot = page.locator("#map").screenshot()
        (tmp_path / "live-page.png").write_bytes(shot)
        img = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
        assert _pixels_near(img, COAST_RGB) > 2000, "coastlines drawn"
        assert _pixels_near(img, LEVEL_RGB["THREAT"]) > 30, "the THREAT event drawn"
        ladder = page.locator(".event").first.inner_text()
        assert "E0001" in ladder and "THREAT" in ladder
        feeder.close()
    finally:
        srv.stop()
