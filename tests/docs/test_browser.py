"""The documentation site in a real browser: Debian's chromium driven by Python Playwright.

Starts ``streamlit run docs/app.py`` on a free localhost port, opens every page, waits until
Streamlit's loading placeholders are gone, checks key text, saves a screenshot of each page to
test-artifacts/screenshots/, and stops the server by its PID.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {
    "": "from scratch",
    "data": "Data management",
    "model": "Model building",
    "training": "Training",
    "utility": "Utility",
    "evaluation": "Evaluation & inference",
    "api": "API reference",
    "playground": "Playground",
    "compare": "nyangtorch vs PyTorch",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "docs" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and anything it started
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"no chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(scripts/setup.sh does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def wait_loaded(page) -> None:
    """Wait until the page's script has finished and every element has drawn.

    Streamlit marks the app ``data-test-script-state="notRunning"`` when a run ends (it starts
    as "initial", so this cannot pass before the run), and draws grey skeletons while lazily
    loaded elements (code, metrics, tables, charts) are still coming: a screenshot taken
    earlier shows grey boxes instead of the page."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
    )
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=60_000
    )


@pytest.mark.parametrize("path", PAGES)
def test_page_renders(server, browser, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/{path}", timeout=60_000)
        wait_loaded(page)
        page.get_by_text(PAGES[path], exact=False).first.wait_for(state="visible", timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stMarkdown"]').count() > 0  # the page's own content
        page.screenshot(path=str(SHOTS / f"{path or 'home'}.png"), full_page=True)
    finally:
        page.close()


def test_language_switch_in_the_sidebar(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/model", timeout=60_000)
        wait_loaded(page)
        page.get_by_text("한국어").click()
        page.get_by_text("2. 모델 구성").first.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(SHOTS / "model-ko.png"), full_page=True)
    finally:
        page.close()
