"""The book's no-solutions switch (grading/book_ext/coursework_book.py), on a one-page Sphinx
project built with the book's own MyST-NB and sphinx-exercise: with IBIAS_HIDE_SOLUTIONS=1 the page
keeps the exercise but loses its {solution}, the solution cell and the check cell's output;
without it, all of them are there."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Page

```{exercise} Steps
:label: ex-page

Count the steps: EXERCISE-TEXT.
```

```{code-cell} ipython3
:tags: [hide-input, solution]

answer = 1715  # SOLUTION-CODE
```

```{code-cell} ipython3
:tags: [check]

print("Correct: CHECK-OUTPUT", answer)
```

```{solution} ex-page
:class: dropdown

SOLUTION-TEXT
```
"""

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / 'grading' / 'book_ext')!r})
extensions = ["myst_nb", "sphinx_exercise", "coursework_book"]
nb_execution_mode = "force"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
"""


def _build(src, hide):
    env = {k: v for k, v in os.environ.items() if k != "IBIAS_HIDE_SOLUTIONS"}
    if hide:
        env["IBIAS_HIDE_SOLUTIONS"] = "1"
    out = src / ("_hidden" if hide else "_shown")
    p = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-E", "-b", "html", str(src),
                        str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return (out / "index.html").read_text()


def test_hide_solutions_switch(tmp_path):
    (tmp_path / "index.md").write_text(PAGE)
    (tmp_path / "conf.py").write_text(CONF)
    shown, hidden = _build(tmp_path, False), _build(tmp_path, True)
    for marker in ("EXERCISE-TEXT", "SOLUTION-TEXT", "SOLUTION-CODE", "CHECK-OUTPUT"):
        assert marker in shown, marker
    assert "EXERCISE-TEXT" in hidden and "Correct: CHECK-OUTPUT 1715" in shown
    for marker in ("SOLUTION-TEXT", "SOLUTION-CODE", "Correct: CHECK-OUTPUT 1715"):
        assert marker not in hidden, marker
    assert "CHECK-OUTPUT" in hidden                            # the check's code stays
