"""The generated notebooks in headless Chromium: a chapter's notebook (as the Download menu,
``make ipynb`` and the Colab branch ship it) rendered by nbconvert's HTML exporter, which is
what a Jupyter without MyST support shows. It must show the theorem with its title and no raw
MyST (``:label:``, ``{prf:theorem}``, ``{cite``). Screenshot:
``_build/screenshots/nbconvert-rates.png``. Skips, saying why, without Chromium.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "_build" / "screenshots"
CHROMIUM = os.environ.get("IBIAS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CHAPTER = "book/linear/rates.md"
THEOREM_TITLE = "Ji & Telgarsky 2018/2021"
RAW = (":label:", "{prf:theorem}", "{cite", "```{")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason=f"Chromium is missing ({CHROMIUM}): apt-get install chromium")


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def test_generated_notebook_renders_plainly_in_nbconvert(tmp_path):
    from playwright.sync_api import sync_playwright
    out = tmp_path / "nb"
    subprocess.run([sys.executable, str(REPO / "book/_ext/notebook_links.py"), "--config",
                    str(REPO / "_config.yml"), "--out", str(out), str(REPO / CHAPTER)],
                   check=True, cwd=REPO, capture_output=True)
    ipynb = out / "book/linear/rates.ipynb"
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "html",
                    str(ipynb)], check=True, capture_output=True)
    html = ipynb.with_suffix(".html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = _browser(p)
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        page.goto(html.as_uri())
        text = page.inner_text("body")
        page.screenshot(path=str(SHOTS / "nbconvert-rates.png"))
        b.close()
    assert f"Theorem ({THEOREM_TITLE})" in text
    for raw in RAW:
        assert raw not in text, f"raw MyST {raw!r} in the generated notebook"
