"""A chapter opened in JupyterLab as a notebook, as ``make lab`` and Binder open it: the
repository's ``.jupyter`` config makes jupytext's notebook view the default for ``.md`` and
jupyterlab-myst renders its MyST. The theorem must show with its title and no raw directive
(``:label:``, ``{prf:``, ``{cite``) may be visible. Screenshot: ``_build/screenshots/lab-rates.png``.
Skips, saying why, without Chromium.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "_build" / "screenshots"
CHROMIUM = os.environ.get("IBIAS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CHAPTER = "book/linear/rates.md"
THEOREM = "(Ji & Telgarsky 2018/2021)"
RAW = (":label:", "{prf:", "{cite", "```{")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason=f"Chromium is missing ({CHROMIUM}): apt-get install chromium")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url, proc, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout} s")


def _scroll_through(page):
    panel = ".jp-NotebookPanel .jp-WindowedPanel-outer"
    for _ in range(200):
        at_end = page.evaluate(
            f"() => {{ const e = document.querySelector('{panel}'); e.scrollBy(0, 600);"
            " return e.scrollTop + e.clientHeight >= e.scrollHeight - 2; }")
        page.wait_for_timeout(150)
        if at_end:
            break
    page.wait_for_timeout(1500)


@pytest.fixture
def lab(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(REPO / ".jupyter"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
           f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
           "--ServerApp.password=", f"--ServerApp.root_dir={REPO}",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
           f"--LabApp.user_settings_dir={tmp_path / 'settings'}", "--allow-root"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/status", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_chapter_renders_as_myst_notebook_in_lab(lab):
    from playwright.sync_api import sync_playwright
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{lab}/lab/tree/{CHAPTER}?reset")
        cell = page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=90_000)
        page.wait_for_function(
            "t => document.querySelector('.jp-Notebook').innerText.includes(t)",
            arg=THEOREM, timeout=60_000)
        page.screenshot(path=str(SHOTS / "lab-rates.png"))
        _scroll_through(page)      # JupyterLab renders a Markdown cell once it is scrolled to
        text = page.inner_text(".jp-Notebook")
        b.close()
    assert cell is not None
    assert f"Theorem 1 {THEOREM}" in " ".join(text.split()), text[:800]
    for raw in RAW:
        assert raw not in text, f"raw MyST {raw!r} visible in JupyterLab"
