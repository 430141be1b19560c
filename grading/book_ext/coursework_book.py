"""Sphinx extension: the book without its solutions, for courses that grade its exercises.

With the environment variable ``IBIAS_HIDE_SOLUTIONS=1`` (``make book HIDE_SOLUTIONS=1``) or
the Sphinx config value ``ibias_hide_solutions = True``:

* sphinx-exercise's ``hide_solutions`` is switched on, so no ``{solution}`` directive is
  rendered;
* every code cell tagged ``solution`` is removed from the pages (input and output), and every
  cell tagged ``check`` keeps its code but loses its output (the self-check's "Correct: ..."
  line would give the answer away).

Without the switch the extension does nothing. Registered in ``_config.yml`` under
``sphinx: local_extensions: {coursework_book: grading/book_ext}`` (a folder of its own, so that
the book build puts nothing else of ``grading/`` on ``sys.path``).
"""
from __future__ import annotations

import os

from docutils import nodes

ENV = "IBIAS_HIDE_SOLUTIONS"


def _enabled(app):
    return bool(app.config.ibias_hide_solutions) or os.environ.get(ENV, "") not in ("", "0")


def _config_inited(app, config):
    if _enabled(app):
        config.hide_solutions = True


def _tags(node):
    return {c[len("tag_"):] for c in node.get("classes", []) if c.startswith("tag_")}


def _doctree_read(app, doctree):
    """Drop solution cells, and the outputs of check cells (MyST-NB's cell containers carry
    their tags as ``tag_<name>`` classes and their role in ``nb_element``)."""
    if not _enabled(app):
        return
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code" or cell.parent is None:
            continue
        tags = _tags(cell)
        if "solution" in tags:
            cell.parent.remove(cell)
        elif "check" in tags:
            for child in list(cell.children):
                if isinstance(child, nodes.Element) and \
                        child.get("nb_element") == "cell_code_output":
                    cell.remove(child)


def setup(app):
    app.add_config_value("ibias_hide_solutions", False, "env")
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("doctree-read", _doctree_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
