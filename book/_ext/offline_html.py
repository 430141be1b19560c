"""Sphinx tweaks so every page of the HTML book works offline with a clean browser console.

Loaded by ``_config.yml`` (``sphinx: local_extensions``); checked by
``tests/browser/test_book_pages.py``. MathJax itself is served from ``_static/mathjax`` by the
``sphinx-mathjax-offline`` package.

* MathJax on every page. Sphinx loads it only on pages with equations of their own, but the
  sidebar and the previous/next links show chapter titles with math on every page, which were
  left as raw ``\\(...\\)`` on the index, search and bibliography pages.
* Each inline script once. Sphinx 7.4 keeps two copies of a body-only script added after the
  builder starts (sphinx-thebe's ``const THEBE_JS_URL = ...``), and the second copy throws
  "Identifier has already been declared" on every page.
"""


def _one_copy_of_each_script(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", None) or "", getattr(js, "priority", None),
               tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
