"""Each chapter as a plain ``.ipynb``: a download link and an "open in Colab" link on its page.

Chapters are jupytext MyST ``.md`` files, which Colab cannot open and which a Jupyter without
jupytext shows as text. This extension (loaded by ``_config.yml``, ``sphinx: local_extensions``)

* writes, for every notebook page ``<docname>``, the unexecuted notebook
  ``_build/html/_notebooks/<docname>.ipynb``, with one set-up cell in front that installs
  ``ibias_lib`` from the book's repository when it is not importable (Colab, a bare Jupyter);
* adds entries to the page's "launch" menu (the rocket icon, next to Jupyter Book's Binder
  button): "Download .ipynb" (the file above), "Colab", and "JupyterLite" when ``make lite`` has
  put a JupyterLite site in ``_build/html/_lite`` before the book was built.

Colab opens notebooks only from GitHub, a gist or Drive, so the Colab link points at the
generated notebook on a branch of the repository (``notebook_links_branch``, default
``notebooks``): ``https://colab.research.google.com/github/<org>/<repo>/blob/notebooks/<docname>.ipynb``.
``make ipynb`` writes the same notebooks into ``_build/notebooks`` ready to be pushed to that
branch (README, "Running the chapters elsewhere"). The command-line entry point below is what
``make ipynb`` calls, so the branch and the HTML carry identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import myst_plain  # noqa: E402  (book/_ext is not a package)

NOTEBOOK_DIR = "_notebooks"
LITE_DIR = "_lite"  # `make lite`; "_" keeps its pages out of the book's page list (tests/browser)
COLAB = "https://colab.research.google.com"


def _github_parts(repo_url: str):
    """``https://github.com/org/repo(.git)`` -> ``("org", "repo")``, else ``None``."""
    url = (repo_url or "").strip().rstrip("/")
    if "github.com/" not in url:
        return None
    parts = url.split("github.com/", 1)[1].split("/")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1].removesuffix(".git")


def setup_source(repo_url: str, repo_branch: str, extras: str = "book") -> str:
    """The set-up cell put in front of every generated notebook (IPython syntax: ``%pip``).

    Where ``ibias_lib`` is missing it installs ``ibias_lib[<extras>]`` (the chapter's extra
    packages: scikit-learn, ipywidgets, ...), then checks the import and raises an error that
    names the offline alternatives when the install did not work (no network, no pip)."""
    spec = f"ibias_lib[{extras}]" if extras else "ibias_lib"
    lines = [
        "# Set-up added by the book build (not part of the chapter): where ibias_lib is missing,",
        f"# install {spec}: in JupyterLite from the wheel shipped with the site, elsewhere",
        "# (Colab, a bare Jupyter) from the book's repository. Then check that it imports.",
        "import importlib.util",
        "import sys",
        "",
        'if importlib.util.find_spec("ibias_lib") is None:',
        '    if sys.platform == "emscripten":',
        "        %pip install -q ibias_lib",
    ]
    if repo_url:
        lines += ["    else:",
                  f'        %pip install -q "{spec} @ git+{repo_url.rstrip("/")}@{repo_branch}"']
    lines += [
        "    importlib.invalidate_caches()",
        'if importlib.util.find_spec("ibias_lib") is None:',
        "    raise ImportError(",
        '        "ibias_lib is not installed and could not be installed here (no network?). "',
        '        "Offline: in a clone of the book repository run \'pip install -e .[book]\' "',
        '        "(or \'make lab\'), or install a wheel of ibias_lib copied to this machine "',
        '        "with \'pip install ibias_lib-*.whl\'.")',
    ]
    return "\n".join(lines)


def _book_dir(source: Path) -> Path:
    """The folder holding ``references.bib`` above ``source`` (the book's source root)."""
    for p in [source.parent, *source.parents]:
        if (p / "references.bib").exists():
            return p
    return source.parent


def make_notebook(source: Path, repo_url: str, repo_branch: str, index=None):
    """Read a jupytext chapter and return it as a validated, output-free nbformat v4 notebook
    whose markdown cells are plain Jupyter Markdown (``myst_plain``: no MyST directives,
    solutions removed, citations as author-year links)."""
    import jupytext
    import nbformat

    source = Path(source)
    book = _book_dir(source)
    index = index or myst_plain.BookIndex.from_book(book)
    docname = source.resolve().relative_to(book.resolve()).with_suffix("").as_posix()
    nb = jupytext.read(source)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown":
            cell.source = myst_plain.to_plain(cell.source, docname, index)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    cell = nbformat.v4.new_code_cell(setup_source(repo_url, repo_branch))
    cell.metadata["tags"] = ["colab-setup"]
    nb.cells.insert(0, cell)
    for i, c in enumerate(nb.cells):  # stable ids: the same chapter gives the same file
        c.id = hashlib.sha1(f"{i}:{c.cell_type}:{c.source}".encode()).hexdigest()[:12]
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python",
                                          "name": "python3"})
    nbformat.validate(nb)
    return nb


def write_notebook(source: Path, target: Path, repo_url: str, repo_branch: str) -> Path:
    import nbformat

    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(make_notebook(source, repo_url, repo_branch), str(target))
    return target


def colab_url(repo_url: str, branch: str, docname: str) -> str | None:
    parts = _github_parts(repo_url)
    if parts is None:
        return None
    return f"{COLAB}/github/{parts[0]}/{parts[1]}/blob/{branch}/{docname}.ipynb"


# --- Sphinx -------------------------------------------------------------------------------------

def _repo(app):
    opts = app.config.html_theme_options or {}
    return opts.get("repository_url", ""), opts.get("repository_branch", "") or "main"


def _is_notebook(app, pagename) -> bool:
    return "kernelspec" in app.env.metadata.get(pagename, {})


def _add_links(app, pagename, templatename, context, doctree):
    if doctree is None or app.builder.format != "html" or not _is_notebook(app, pagename):
        return
    repo_url, repo_branch = _repo(app)
    rel = f"{NOTEBOOK_DIR}/{pagename}.ipynb"
    write_notebook(Path(app.env.doc2path(pagename)), Path(app.outdir) / rel, repo_url, repo_branch)

    _one_download_menu(context, context["pathto"](rel, 1))
    buttons = []
    url = colab_url(repo_url, app.config.notebook_links_branch, pagename)
    if url:
        buttons.append({
            "type": "link",
            "text": "Colab",
            "tooltip": "Open this chapter in Google Colab",
            "icon": "_static/images/logo_colab.png",
            "url": url,
            "label": "colab-button",
        })
    if (Path(app.outdir) / LITE_DIR / "lab" / "index.html").exists():  # made by `make lite`
        buttons.append({
            "type": "link",
            "text": "JupyterLite",
            "tooltip": "Run this chapter in the browser (JupyterLite, no server)",
            "icon": "_static/images/logo_jupyterlite.svg",
            "url": context["pathto"](f"{LITE_DIR}/lab/index.html", 1) + f"?path={pagename}.ipynb",
            "label": "jupyterlite-button",
        })
    header = context.get("header_buttons")
    if not isinstance(header, list):
        return
    group = next((b for b in header if b.get("label") == "launch-buttons"), None)
    if group is None:
        header.append({"type": "group", "tooltip": "Launch interactive content",
                       "icon": "fas fa-rocket", "buttons": buttons, "label": "launch-buttons"})
    else:
        group["buttons"].extend(buttons)


def _one_download_menu(context, url):
    """The theme's download menu offers ``_sources/<page>.ipynb`` (executed, MyST directives
    raw, no set-up cell); point its .ipynb entry at the generated notebook instead, so the page
    has one download menu and one notebook."""
    ours = {"type": "link", "text": ".ipynb", "icon": "fas fa-code", "url": url,
            "tooltip": "This chapter as a Jupyter notebook (runs in Colab or any Jupyter)",
            "label": "download-notebook-button"}
    for group in context.get("header_buttons") or []:
        if group.get("label") == "download-buttons":
            rest = [b for b in group["buttons"] if b.get("label") != "download-notebook-button"]
            group["buttons"] = [ours] + rest
            return


def setup(app):
    app.add_config_value("notebook_links_branch", "notebooks", "html")
    # after sphinx-book-theme's add_launch_buttons (priority 501) builds the launch group
    app.connect("html-page-context", _add_links, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- make ipynb ---------------------------------------------------------------------------------

def main(argv=None) -> int:
    import yaml

    p = argparse.ArgumentParser(description="Write each chapter as a plain .ipynb (for the "
                                            "notebooks branch that the Colab links open).")
    p.add_argument("--config", default="_config.yml")
    p.add_argument("--out", required=True, help="output folder, e.g. _build/notebooks")
    p.add_argument("chapters", nargs="+", help="jupytext .md chapters, paths from the repo root")
    a = p.parse_args(argv)
    repo = (yaml.safe_load(Path(a.config).read_text()) or {}).get("repository", {}) or {}
    url, branch = repo.get("url", ""), repo.get("branch", "main")
    root = Path(a.config).resolve().parent
    for ch in a.chapters:
        src = Path(ch).resolve()
        rel = src.relative_to(root)  # the path in the repository is the path on the branch
        out = write_notebook(src, Path(a.out) / rel.with_suffix(".ipynb"), url, branch)
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
