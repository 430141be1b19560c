"""Student notebooks and graded assignments from the book's chapters.

``python -m grading.student [--toc _toc.yml] [--out student] [--course NAME]`` writes, for
every jupytext chapter listed in the table of contents,

* ``student/<part>_<chapter>.ipynb``: the chapter to read and practise with, on the book's
  data, with its self-check cells: a code cell tagged ``solution`` keeps its code outside
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``; the code between the markers becomes a stub
  that names the answer variable(s) (``answer_... = ...``) and raises ``NotImplementedError``;
  ``{solution}`` directives are deleted from the markdown, ``{exercise}`` directives become
  plain markdown;

and, for every chapter with graded exercises (``grading/graded/``; see grading/assignment.py),

* ``student/source/<chapter>/<chapter>.ipynb``: the instructor's assignment notebook, with
  nbgrader metadata, solutions and hidden tests (``student/`` is then an nbgrader course
  folder: ``cd student && nbgrader generate_assignment <chapter>``);
* ``student/handout/<chapter>.ipynb``: the same without solutions and hidden tests, what
  nbgrader would release, for courses that do not use nbgrader.

Only the standard library, nbformat, jupytext and PyYAML (a jupytext dependency) are used.
"""
from __future__ import annotations

import argparse
import ast
import copy
import importlib
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _repo_relative(path):
    """``path`` relative to the repository (``book/linear/rates.md``): the notebooks handed to
    students carry no path of the instructor's machine."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.name
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:-]+)\}(?P<arg>.*)$")


# --------------------------------------------------------------------------- toc & naming
def toc_chapters(toc=ROOT / "_toc.yml"):
    """Paths (``book/linear/rates``, without suffix) of every file in a jupyter-book toc."""
    data = yaml.safe_load(Path(toc).read_text())
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(str(node["file"]))
            for key in ("root",):
                if key in node:
                    out.append(str(node[key]))
            for v in node.values():
                if isinstance(v, (list, dict)):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return list(dict.fromkeys(out))


def notebook_name(path):
    """``book/linear/rates.md`` -> ``linear_rates`` (the naming of ``make notebooks``)."""
    p = Path(path).with_suffix("")
    parts = p.parts[1:] if p.parts and p.parts[0] == "book" else p.parts
    return "_".join(parts)


def is_jupytext(md):
    return Path(md).read_text(encoding="utf-8").lstrip().startswith("---") and \
        "jupytext:" in Path(md).read_text(encoding="utf-8")[:2000]


def chapter_checks(chapter):
    """``CHECKS`` of ``ibias_lib.exercises.<chapter>`` ({} when there is no such module)."""
    try:
        mod = importlib.import_module(f"ibias_lib.exercises.{chapter}")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(mod, "CHECKS", {}))


# --------------------------------------------------------------------------- markdown
def _directive_blocks(lines):
    """Yield ``(start, end, name, arg)`` for top-level fenced directives (end exclusive)."""
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        close = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        yield i, min(j + 1, len(lines)), m.group("name"), m.group("arg").strip()
        i = j + 1


def student_markdown(src):
    """Drop ``{solution}`` directives; turn ``{exercise}`` directives into plain markdown."""
    lines = src.split("\n")
    out, last = [], 0
    for start, end, name, arg in _directive_blocks(lines):
        if name not in ("solution", "exercise"):
            continue
        out.extend(lines[last:start])
        last = end
        if name == "solution":
            continue
        body = lines[start + 1:end - 1]
        label = ""
        while body and body[0].lstrip().startswith(":") and not body[0].lstrip().startswith(":::"):
            opt = body.pop(0).strip()
            if opt.startswith(":label:"):
                label = opt[len(":label:"):].strip()
        title = f"**Exercise: {arg}**" if arg else "**Exercise**"
        if label:
            title += f" (`{label}`)"
        out.append(title)
        out.extend(body)
    out.extend(lines[last:])
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
    return text


# --------------------------------------------------------------------------- code
def assigned_names(src):
    """Top-level names bound by ``src`` (in order), or [] if it does not parse."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    names.append(n.id)
    return list(dict.fromkeys(names))


def referenced_names(src):
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", src))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def split_solution(src):
    """``(before, solution, after)`` around the BEGIN/END markers (whole cell if none)."""
    lines = src.split("\n")
    b = next((i for i, l in enumerate(lines) if l.strip() == BEGIN), None)
    e = next((i for i, l in enumerate(lines) if l.strip() == END), None)
    if b is None or e is None or e < b:
        return "", src, ""
    return "\n".join(lines[:b]), "\n".join(lines[b + 1:e]), "\n".join(lines[e + 1:])


def stub(names, indent=""):
    lines = [f"{indent}# YOUR CODE HERE"]
    lines += [f"{indent}{n} = ..." for n in names]
    lines.append(f"{indent}raise NotImplementedError()")
    return "\n".join(lines)


def _join(*parts):
    return "\n".join(p for p in parts if p != "")


# --------------------------------------------------------------------------- conversion
def convert(md_path, chapter=None):
    """Return ``(instructor, student)`` notebooks for one chapter file: the chapter as it is
    (solutions between markers) and the practice notebook without solutions."""
    md_path = Path(md_path)
    chapter = chapter or md_path.stem
    checks = chapter_checks(chapter)
    graded_vars = {chk.variable for chk in checks.values()}
    nb = jupytext.read(md_path)
    nb.metadata["ibias"] = {"chapter": chapter, "source": _repo_relative(md_path)}
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                          "language": "python"})
    instructor, student = copy.deepcopy(nb), copy.deepcopy(nb)
    student.cells, instructor.cells = [], []
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        inst, stud = copy.deepcopy(cell), copy.deepcopy(cell)
        if cell.cell_type == "code" and "solution" in tags:
            before, sol, after = split_solution(cell.source)
            names = [v for v in assigned_names(sol) if v in graded_vars] \
                or [v for v in assigned_names(sol) if v.startswith("answer")] \
                or assigned_names(sol)
            inst.source = _join(before, BEGIN, sol, END, after)
            indent = re.match(r"[ \t]*", sol.split("\n")[0] if sol else "").group(0)
            stud.source = _join(before, stub(names, indent), after)
            stud.metadata["tags"] = [t for t in tags if t not in ("hide-input", "remove-input")]
        elif cell.cell_type == "markdown" and "solution" in tags:
            stud.source = "YOUR ANSWER HERE"
        elif cell.cell_type == "markdown":
            stud.source = student_markdown(cell.source)
            if not stud.source.strip():
                stud = None
        instructor.cells.append(inst)
        if stud is not None:
            student.cells.append(stud)
    for out in (instructor, student):
        for c in out.cells:
            if c.cell_type == "code":
                c.outputs, c.execution_count = [], None
    return instructor, student


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def main(argv=None):
    from grading import graded
    from grading.assignment import assignment
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--toc", default=str(ROOT / "_toc.yml"))
    ap.add_argument("--out", default=str(ROOT / "student"))
    ap.add_argument("--course", default="", help="course name mixed into the exercise seeds "
                    "(pass the same --course to grading.grade)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    toc, out = Path(args.toc), Path(args.out)
    n = m = 0
    for entry in toc_chapters(toc):
        md = (toc.parent / entry).with_suffix(".md")
        if not md.exists() or not is_jupytext(md):
            continue
        _, student = convert(md)
        write(student, out / f"{notebook_name(entry)}.ipynb")
        n += 1
        if md.stem in graded.chapters():
            source, handout = assignment(md, md.stem, course=args.course)
            write(source, out / "source" / md.stem / f"{md.stem}.ipynb")
            write(handout, out / "handout" / f"{md.stem}.ipynb")
            m += 1
    print(f"wrote {n} practice notebooks to {out}/ and {m} graded assignments to "
          f"{out}/source/ (instructor) and {out}/handout/ (students) in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
