"""Figures a reader can read, on a desktop and on a phone.

* The build's kernels plot with ``book/_static/matplotlibrc`` (font sizes chosen for the
  column width; see that file): ``MATPLOTLIBRC`` is set before any notebook executes, and the
  kernels inherit it.
* Every image gets a real alt text: a figure's caption, else the nearest preceding heading
  ("Figure in section ..."), never the image's file path (what MyST-NB writes by default).
* ``book/_ext/static/readable.css``: display equations, tables and cell outputs scroll inside their own
  box instead of overflowing the column; on narrow screens figures keep a legible width.
"""
from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes

STATIC = Path(__file__).resolve().parent.parent / "_static"


def _looks_like_path(text: str) -> bool:
    t = (text or "").strip()
    return not t or (" " not in t and ("/" in t or t.endswith((".png", ".svg", ".jpg",
                                                                  ".jpeg", ".gif"))))


def _section_title(node) -> str:
    while node is not None:
        if isinstance(node, nodes.section) and node.children and \
                isinstance(node[0], nodes.title):
            return node[0].astext()
        node = node.parent
    return ""


def _alt_texts(app, doctree, docname):
    for img in doctree.findall(nodes.image):
        if not _looks_like_path(img.get("alt", "")):
            continue
        fig = img.parent
        while fig is not None and not isinstance(fig, nodes.figure):
            fig = fig.parent
        caption = next(iter(fig.findall(nodes.caption)), None) if fig is not None else None
        if caption is not None and caption.astext().strip():
            alt = " ".join(caption.astext().split())
        else:
            sec = _section_title(img)
            alt = f"Figure in section '{sec}'" if sec else "Figure"
        img["alt"] = alt[:400]


def _static_path(app, config):
    config.html_static_path.append(str(Path(__file__).resolve().parent / "static"))


def setup(app):
    os.environ["MATPLOTLIBRC"] = str(STATIC / "matplotlibrc")
    app.connect("config-inited", _static_path)
    app.add_css_file("readable.css")
    app.connect("doctree-resolved", _alt_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
