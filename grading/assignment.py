"""Graded assignments: one notebook per chapter, for nbgrader and for ``grading.grade``.

``assignment(md_path, chapter)`` returns ``(source, handout)``:

* ``source`` (the instructor's, nbgrader's ``source/<chapter>/<chapter>.ipynb``): the
  student-id cell (tag ``exercise-seed``), then every exercise of the chapter in its order.
  A graded computational exercise (``grading/graded/<chapter>.py``) is its statement on
  per-student data, an "autograded answer" cell with the reference solution between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``, and a locked "autograder tests" cell whose
  test is between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. A written exercise of
  the chapter (an ``{exercise}`` with a ``{solution}``) is its statement and a "manually graded
  answer" markdown cell with the book's solution between the solution markers.
* ``handout``: what nbgrader's ``generate_assignment`` makes of it, without nbgrader: solution
  regions replaced by nbgrader's stubs, hidden tests removed, outputs cleared.

Computational exercises of the chapter that are not graded (a constant answer, the same for
everyone) are left out, and the notebook says so.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import jupytext
import nbformat

from grading import graded as _graded

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"      # nbgrader's defaults
TEXT_STUB = "YOUR ANSWER HERE"
WRITTEN_POINTS = 1


def _directives(md_path):
    """``[(name, arg, label, body)]`` of the ``{exercise}`` and ``{solution}`` directives of a
    chapter, in order (``label``: the exercise's ``:label:``, or the solution's argument)."""
    from grading.student import _directive_blocks
    out = []
    for cell in jupytext.read(md_path).cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for start, end, name, arg in _directive_blocks(lines):
            if name not in ("exercise", "solution"):
                continue
            body, label = lines[start + 1:end - 1], arg if name == "solution" else ""
            while body and body[0].lstrip().startswith(":") and \
                    not body[0].lstrip().startswith(":::"):
                opt = body.pop(0).strip()
                if opt.startswith(":label:"):
                    label = opt[len(":label:"):].strip()
            out.append((name, arg, label, "\n".join(body).strip("\n")))
    return out


def chapter_title(md_path):
    for cell in jupytext.read(md_path).cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# (.+)$", cell.source, flags=re.M)
            if m:
                return m.group(1).strip()
    return Path(md_path).stem


def _nbgrader(cell, grade_id, *, solution, grade, locked, points=None):
    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                                 "schema_version": 3, "solution": solution, "task": False}
    if grade:
        cell.metadata["nbgrader"]["points"] = points
    return cell


def _intro(title, chapter, skipped):
    text = (f"# Graded exercises: {title}\n\n"
            f"Read the chapter *{title}* of the book first; its exercises are the same tasks "
            "on the book's data, with self-checks. Here the data depend on **your student "
            "id**: write it in the next cell and run it, then every cell in order. Store each "
            "computational answer in the variable the exercise names. Nothing here tells you "
            "whether an answer is right: the notebook is graded after you hand it in, by "
            "running it with the seed of your id. Written answers are read by the instructor.")
    if skipped:
        text += ("\n\nNot graded here (the answer is the same for everyone): "
                 + ", ".join(f"`{s}`" for s in skipped) + ".")
    return nbformat.v4.new_markdown_cell(text)


def _graded_cells(ex):
    statement = nbformat.v4.new_markdown_cell(
        f"**Exercise {ex.label}** ({ex.points:g} points)\n\n{ex.statement}")
    answer = _nbgrader(nbformat.v4.new_code_cell(f"{BEGIN}\n{ex.solution}\n{END}"),
                       f"{ex.label}-answer", solution=True, grade=False, locked=False)
    test = _nbgrader(nbformat.v4.new_code_cell(
        f"# Tests of {ex.label}: they run when your notebook is graded.\n"
        f"assert {ex.variable!r} in globals(), 'store your answer in {ex.variable}'\n"
        f"{BEGIN_HIDDEN}\n{_graded.hidden_test_source(ex)}\n{END_HIDDEN}"),
        ex.label, solution=False, grade=True, locked=True, points=ex.points)
    return [statement, answer, test]


def _written_cells(label, title, statement, solution):
    head = f"**Exercise {label}: {title}**" if title else f"**Exercise {label}**"
    answer = _nbgrader(nbformat.v4.new_markdown_cell(f"{BEGIN}\n{solution}\n{END}"),
                       f"{label}-answer", solution=True, grade=True, locked=False,
                       points=WRITTEN_POINTS)
    return [nbformat.v4.new_markdown_cell(f"{head} (written, {WRITTEN_POINTS} point)\n\n"
                                          f"{statement}"), answer]


def assignment(md_path, chapter, course=""):
    """``(source, handout)`` notebooks of the chapter's graded assignment (module docstring)."""
    md_path = Path(md_path)
    graded = _graded.exercises(chapter)
    dirs = _directives(md_path)
    solutions = {label: body for name, _, label, body in dirs if name == "solution"}
    from grading.student import _repo_relative, chapter_checks
    computational = set(chapter_checks(chapter))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["ibias"] = {"chapter": chapter, "assignment": True,
                            "source": _repo_relative(md_path)}
    seed = nbformat.v4.new_code_cell(_graded.seed_cell_source("", course))
    seed.metadata["tags"] = [_graded.SEED_TAG]
    cells, skipped = [seed, nbformat.v4.new_code_cell(_graded.SETUP)], []
    for name, arg, label, body in dirs:
        if name != "exercise":
            continue
        if label in graded:
            cells += _graded_cells(graded[label])
        elif label in computational:
            skipped.append(label)
        elif label in solutions:
            cells += _written_cells(label, arg, body, solutions[label])
    missing = set(graded) - {label for name, _, label, _ in dirs if name == "exercise"}
    if missing:
        raise ValueError(f"{md_path}: graded exercises {sorted(missing)} have no {{exercise}} "
                         "of that label in the chapter")
    nb.cells = [_intro(chapter_title(md_path), chapter, skipped)] + cells
    nbformat.validate(nb)
    return nb, handout(nb)


def _strip(src, begin, end, stub):
    lines, out, inside = src.split("\n"), [], False
    for line in lines:
        if line.strip() == begin:
            inside = True
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)
                out += [indent + s for s in stub.split("\n")]
        elif line.strip() == end:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def handout(source):
    """The student's notebook: solution regions -> nbgrader's stubs, hidden tests removed."""
    nb = copy.deepcopy(source)
    for c in nb.cells:
        if BEGIN in c.source:
            c.source = _strip(c.source, BEGIN, END,
                              CODE_STUB if c.cell_type == "code" else TEXT_STUB)
        if BEGIN_HIDDEN in c.source:
            c.source = _strip(c.source, BEGIN_HIDDEN, END_HIDDEN, None).rstrip("\n")
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    return nb
