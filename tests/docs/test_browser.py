"""The documentation site in a real browser: Debian's chromium driven by Python Playwright.

Starts ``streamlit run docs/app.py`` on a free localhost port, opens every page in English and
in Korean at 1400 px, waits until Streamlit's loading placeholders are gone, and checks key
text, that no exception, raw reST or LaTeX markup shows, and that nothing is wider than the
page. A screenshot of each page goes to test-artifacts/screenshots/; the server is stopped by
its PID.
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

expect = pytest.importorskip("playwright.sync_api").expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LESSONS = ["linear", "activations", "softmax", "conv", "pooling", "batchnorm", "dropout",
           "optimizers", "schedulers"]  # fmt: skip
LESSON_KO = ["Linear (완전 연결층)", "활성화 함수", "Softmax와 교차 엔트로피", "합성곱", "풀링",
             "배치 정규화", "드롭아웃", "옵티마이저", "학습률 스케줄러"]  # fmt: skip
LESSON_EN = ["Linear", "Activations", "Softmax and cross-entropy", "Convolution", "Pooling",
             "BatchNorm", "Dropout", "Optimizers", "Learning-rate schedulers"]  # fmt: skip
# URL path -> the page's title in English and in Korean
PAGES = {
    "": ("nyangtorch (냥냥 torch)", "nyangtorch (냥냥 torch)"),
    "data": ("1. Data management", "1. 데이터 관리"),
    "model": ("2. Model building", "2. 모델 구성"),
    "training": ("3. Training", "3. 학습"),
    "utility": ("4. Utility", "4. 유틸리티"),
    "evaluation": ("5. Evaluation & inference", "5. 평가와 추론"),
    **{
        f"lesson-{name}": (f"Lesson {i} · {en}", f"레슨 {i} · {ko}")
        for i, (name, en, ko) in enumerate(zip(LESSONS, LESSON_EN, LESSON_KO), start=1)
    },
    "api": ("API reference", "API 레퍼런스"),
    "playground": ("Playground", "플레이그라운드"),
    "compare": ("nyangtorch vs PyTorch", "nyangtorch와 PyTorch 비교"),
}
# Markup that must have been rendered, never shown as text: reST roles and literals, LaTeX.
RAW_MARKERS = ("``", ":class:", ":func:", ":meth:", ":mod:", "$$", "\\frac", "\\begin{", "\\text{")
# The page's visible text without code, formulas and editable examples (where markup is legal),
# and every element reaching past the page's content column (or the window).
INSPECT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .katex, textarea, [data-testid="stCode"]')
    .forEach(e => e.remove());
  const column = main.querySelector('[data-testid="stMainBlockContainer"]');
  const limit = column.getBoundingClientRect().right + 1;
  // Past the column, and not inside a box that scrolls (a long code line scrolls in place).
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const reachable = e => {
    for (let a = e.parentElement; a && a !== column; a = a.parentElement) {
      if (scrolls(a)) return true;
    }
    return false;
  };
  // Helpers for screen readers (a slider's input) sit in 1-px boxes and draw nothing.
  const seen = e => {
    for (let a = e; a && a !== column; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      const hidden = getComputedStyle(a).visibility === 'hidden';
      if (r.width <= 1 || r.height <= 1 || hidden) return false;
    }
    return true;
  };
  const wide = [...column.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > limit && !reachable(e) && seen(e))
    .map(e => (e.innerText || e.getAttribute('data-testid') || e.tagName).slice(0, 80));
  if (document.documentElement.scrollWidth > window.innerWidth + 1) wide.push('the page itself');
  return {text: copy.innerText, wide: wide};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {
        **os.environ,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        # This checkout's nyangtorch and docs first, whatever is installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
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


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, not the document, so the window
    is made as tall as the content first (a full_page screenshot would stop at the fold)."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 30_000)})
    wait_loaded(page)
    page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def tabs(server, browser):
    """One browser tab per language, opened from a URL with ?lang=, then moved from page to
    page through the sidebar as a reader does (no reload: each page costs one script run)."""
    opened = {}

    def tab(language: str):
        if language not in opened:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/?lang={language}", timeout=60_000)
            wait_loaded(page)
            opened[language] = page
        return opened[language]

    yield tab
    for page in opened.values():
        page.close()


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("path", PAGES)
def test_page_renders(server, tabs, path, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = tabs(language)
    page.set_viewport_size({"width": 1400, "height": 1000})
    if page.url.split("?")[0] != f"{server}/{path}":
        page.locator(f'[data-testid="stSidebarNavLink"][href="{server}/{path}"]').click()
    page.wait_for_url(f"{server}/{path}?lang={language}", timeout=30_000)  # the language stays
    title = PAGES[path][language == "ko"]
    expect(page.locator("h1").first).to_contain_text(title, timeout=60_000)
    wait_loaded(page)
    screenshot(page, SHOTS / f"{path or 'home'}-{language}.png")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stMarkdown"]').count() > 0  # the page's own content
    found = page.evaluate(INSPECT)
    shown = [m for m in RAW_MARKERS if m in found["text"]]
    assert not shown, f"raw markup shown as text on /{path}: {shown}"
    assert not found["wide"], f"wider than the page on /{path}: {found['wide']}"


def test_language_switch_in_the_sidebar_is_kept_in_the_url(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/model", timeout=60_000)
        wait_loaded(page)
        page.get_by_text("한국어").click()
        page.get_by_text("2. 모델 구성").first.wait_for(state="visible", timeout=60_000)
        page.wait_for_url("**lang=ko**", timeout=30_000)
        page.reload()
        wait_loaded(page)
        page.get_by_text("2. 모델 구성").first.wait_for(state="visible", timeout=60_000)
    finally:
        page.close()


def test_the_checks_catch_raw_markup_and_a_wide_element(server, tabs):
    page = tabs("en")
    page.evaluate(
        """() => {
        const box = document.querySelector('[data-testid="stElementContainer"]:has(h1)');
        const wide = document.createElement('div');
        wide.style.width = '3000px';
        wide.textContent = 'see :class:`Conv`';
        box.appendChild(wide);
    }"""
    )
    found = page.evaluate(INSPECT)
    assert found["wide"] and ":class:" in found["text"], found["wide"]
    page.reload()  # leave the tab as the site made it
    wait_loaded(page)
