"""The "run it anywhere" plumbing: generated .ipynb, Colab links, Binder/JupyterLab config."""

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("notebook_links", ROOT / "book/_ext/notebook_links.py")
nl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nl)

CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A title

```{code-cell} ipython3
x = 1 + 1
```
"""


def test_generated_notebook_is_valid_and_starts_with_setup(tmp_path):
    src = tmp_path / "ch.md"
    src.write_text(CHAPTER)
    out = nl.write_notebook(src, tmp_path / "out/ch.ipynb", "https://github.com/o/r", "main")
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["code", "markdown", "code"]
    assert "git+https://github.com/o/r@main" in nb.cells[0].source
    assert nb.cells[2].source == "x = 1 + 1"
    assert "jupytext" not in nb.metadata and nb.metadata.kernelspec.name == "python3"
    again = nl.write_notebook(src, tmp_path / "again.ipynb", "https://github.com/o/r", "main")
    assert out.read_bytes() == again.read_bytes()  # stable cell ids


def test_setup_cell_is_valid_ipython():
    from IPython.core.inputtransformer2 import TransformerManager

    for url in ("https://github.com/o/r", ""):
        code = TransformerManager().transform_cell(nl.setup_source(url, "main"))
        compile(code, "setup", "exec")
    code = TransformerManager().transform_cell(nl.setup_source("https://github.com/o/r", "dev"))
    assert "run_line_magic('pip', 'install -q ibias_lib')" in code  # JupyterLite branch
    assert "git+https://github.com/o/r@dev" in code


def test_setup_cell_skips_install_when_ibias_lib_is_importable():
    from IPython.core.inputtransformer2 import TransformerManager

    calls = []

    class Shell:
        def run_line_magic(self, *args):
            calls.append(args)

    code = TransformerManager().transform_cell(nl.setup_source("https://github.com/o/r", "main"))
    exec(code, {"get_ipython": Shell})
    assert calls == []
    code = code.replace('find_spec("ibias_lib")', 'find_spec("no_such_module_xyz")')
    # the install (here a no-op, as without a network) leaves the module missing: the cell
    # must stop with an error naming the offline routes, not let the next cell fail
    with pytest.raises(ImportError, match=r"pip install -e \.\[book\]"):
        exec(code, {"get_ipython": Shell})
    assert calls == [("pip", 'install -q "ibias_lib[book] @ git+https://github.com/o/r@main"')]


MYST = """# T

```{prf:theorem} Big result
:label: thm-big

Math $x$ and {cite:t}`k1`.
```

````{exercise} Try
:label: ex-a

Do it.
````

````{solution} ex-a
:class: dropdown

```python
answer = 42
```
````

See {prf:ref}`thm-big`, {doc}`/other/page` and {cite}`k1,k2`.
"""


def test_myst_directives_become_plain_markdown(tmp_path):
    import sys
    sys.path.insert(0, str(ROOT / "book/_ext"))
    import myst_plain
    (tmp_path / "references.bib").write_text(
        "@article{k1,\n  author = {Ji, Ziwei and Telgarsky, Matus},\n  year = {2021},\n"
        "  journal = {arXiv preprint arXiv:1906.04540},\n}\n"
        "@article{k2,\n  author = {A, B and C, D and E, F},\n  year = {2020},\n}\n")
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch/x.md").write_text(MYST)
    (tmp_path / "other").mkdir()
    (tmp_path / "other/page.md").write_text("# Other page\n")
    idx = myst_plain.BookIndex.from_book(tmp_path)
    out = myst_plain.to_plain(MYST, "ch/x", idx)
    assert "```{" not in out and ":label:" not in out and "{cite" not in out
    assert '<a id="thm-big"></a>' in out
    assert "> **Theorem (Big result).** Math $x$ and [Ji & Telgarsky (2021)]" \
           "(https://arxiv.org/abs/1906.04540)." in out
    assert "> **Exercise (Try).** Do it." in out
    assert "answer = 42" not in out                     # solutions do not ship
    assert "[Theorem (Big result)](x.ipynb#thm-big)" in out
    assert "[Other page](../other/page.ipynb)" in out
    assert "(Ji & Telgarsky 2021](https://arxiv.org/abs/1906.04540); A et al. 2020)" in \
           out.replace("([Ji", "(Ji")


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/org/repo", "https://colab.research.google.com/github/org/repo/blob/notebooks/book/a/b.ipynb"),
    ("https://github.com/org/repo.git/", "https://colab.research.google.com/github/org/repo/blob/notebooks/book/a/b.ipynb"),
    ("https://gitlab.com/org/repo", None),
    ("", None),
])
def test_colab_url(url, expected):
    assert nl.colab_url(url, "notebooks", "book/a/b") == expected


def test_cli_writes_the_real_rates_chapter(tmp_path):
    assert nl.main(["--config", str(ROOT / "_config.yml"), "--out", str(tmp_path),
                    str(ROOT / "book/linear/rates.md")]) == 0
    (out,) = tmp_path.rglob("rates.ipynb")
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    assert any("import ibias_lib" in c.source for c in nb.cells if c.cell_type == "code")


def test_binder_files():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    reqs = (ROOT / "requirements.txt").read_text().splitlines()
    assert reqs[-1].strip() == "-e ."
    assert any(r.startswith("jupyterlab==") for r in reqs)
    assert any(r.startswith("jupytext==") for r in reqs)
    viewers = json.loads((ROOT / ".jupyter/labconfig/default_setting_overrides.json").read_text())
    viewers = viewers["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
